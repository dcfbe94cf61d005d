import { useEffect, useRef, useState } from 'preact/hooks';
import type { Metric } from '../../shared/readings';
import type { Settings, SettingsPatch } from '../../shared/settings';
import type { Status } from '../../shared/status';
import { errorText } from '../error-text';
import { KNOWN_TILE_IDS, metricLabel } from '../metric-labels';
import { useUi } from '../ui-env';

type TileChoice = Pick<Metric, 'id' | 'family' | 'field'>;

/**
 * Tiles the member can show or hide: the documented ones, those in the current readings, and any
 * hidden id (so a tile that is not in today's readings can still be brought back).
 */
export function tileChoices(status: Status | null, settings: Settings): TileChoice[] {
  const choices = new Map<string, TileChoice>();
  const add = (choice: TileChoice) => choices.has(choice.id) || choices.set(choice.id, choice);
  const fromId = (id: string): TileChoice => {
    const dot = id.indexOf('.');
    return dot === -1 ? { id, family: id, field: id } : { id, family: id.slice(0, dot), field: id.slice(dot + 1) };
  };
  for (const tile of status?.readings?.tiles ?? []) add(tile);
  for (const id of KNOWN_TILE_IDS) add(fromId(id));
  for (const id of settings.hiddenTiles) add(fromId(id));
  return [...choices.values()];
}

/** The options page: units, tiles, "keep me signed in", sign out. Every change is saved at once. */
export function OptionsApp() {
  const { client, t } = useUi();
  const [status, setStatus] = useState<Status | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [saveNote, setSaveNote] = useState('');
  /** Only the newest save's answer is applied: an older one arriving late would undo a newer choice. */
  const latestSave = useRef(0);

  useEffect(() => {
    let alive = true;
    const off = client.onStatusChanged((next) => alive && setStatus(next));
    client.send('getStatus').then((first) => alive && setStatus((current) => current ?? first), () => undefined);
    client.send('getSettings').then((value) => alive && setSettings(value), () => undefined);
    return () => {
      alive = false;
      off();
    };
  }, [client]);

  const save = async (patch: SettingsPatch) => {
    // Show the choice at once; the background's answer is the truth.
    setSettings((current) => current && { ...current, ...patch });
    setSaveNote('');
    const id = ++latestSave.current;
    const result = await client.send('updateSettings', patch).catch(() => null);
    if (id !== latestSave.current) return;
    if (result?.ok) {
      setSettings(result.value);
      setSaveNote(t('optionsSaved'));
    } else {
      setSaveNote(t('optionsSaveFailed', errorText(result?.error ?? { code: 'INVALID_MESSAGE' }, t)));
      const stored = await client.send('getSettings').catch(() => null);
      if (id === latestSave.current) setSettings(stored);
    }
  };
  const signOut = async () => {
    const result = await client.send('signOut').catch(() => null);
    if (result?.ok) setStatus(result.value);
  };

  const signedIn = status?.auth.state === 'signed_in';
  return (
    <div class="options" data-testid="options">
      <header>
        <h1>{t('optionsTitle')}</h1>
      </header>
      <main class="stack">
        {settings && (
          <>
            <section aria-labelledby="display-heading" class="stack">
              <h2 id="display-heading">{t('optionsDisplayHeading')}</h2>
              <p class="field">
                <label for="units">{t('optionsUnits')}</label>
                <select
                  id="units"
                  data-testid="units"
                  value={settings.units}
                  onChange={(event) => void save({ units: event.currentTarget.value as Settings['units'] })}
                >
                  <option value="metric">{t('unitsMetric')}</option>
                  <option value="imperial">{t('unitsImperial')}</option>
                </select>
              </p>
              <p class="field">
                <label for="temperature">{t('optionsTemperature')}</label>
                <select
                  id="temperature"
                  data-testid="temperature"
                  value={settings.temperature}
                  onChange={(event) => void save({ temperature: event.currentTarget.value as Settings['temperature'] })}
                >
                  <option value="celsius">{t('temperatureCelsius')}</option>
                  <option value="fahrenheit">{t('temperatureFahrenheit')}</option>
                </select>
              </p>
            </section>
            <section aria-labelledby="tiles-heading">
              <fieldset class="tiles-fieldset">
                <legend>
                  <h2 id="tiles-heading">{t('optionsTilesHeading')}</h2>
                </legend>
                <p class="muted small">{t('optionsTilesHint')}</p>
                <ul class="checks">
                  {tileChoices(status, settings).map((choice) => {
                    const id = `tile-toggle-${choice.id.replace(/[^\w-]/g, '_')}`;
                    const hidden = settings.hiddenTiles.includes(choice.id);
                    return (
                      <li key={choice.id}>
                        <input
                          type="checkbox"
                          id={id}
                          data-testid={`tile-toggle-${choice.id}`}
                          checked={!hidden}
                          onChange={(event) =>
                            void save({
                              hiddenTiles: event.currentTarget.checked
                                ? settings.hiddenTiles.filter((each) => each !== choice.id)
                                : [...settings.hiddenTiles, choice.id],
                            })
                          }
                        />{' '}
                        <label for={id}>{metricLabel(choice, t)}</label>
                      </li>
                    );
                  })}
                </ul>
              </fieldset>
            </section>
          </>
        )}
        <section aria-labelledby="account-heading" class="stack">
          <h2 id="account-heading">{t('optionsAccountHeading')}</h2>
          <p data-testid="options-auth" data-state={status?.auth.state ?? ''}>
            {status ? (signedIn ? t('optionsConnected') : t('optionsNotConnected')) : ''}
          </p>
          {settings && (
            <div>
              <input
                type="checkbox"
                id="keep-signed-in"
                data-testid="keep-signed-in"
                checked={settings.keepSignedIn}
                aria-describedby="keep-signed-in-hint"
                onChange={(event) => void save({ keepSignedIn: event.currentTarget.checked })}
              />{' '}
              <label for="keep-signed-in">{t('keepSignedIn')}</label>
              <p id="keep-signed-in-hint" class="muted small hint">
                {t('keepSignedInHint')}
              </p>
            </div>
          )}
          {signedIn && (
            <p>
              <button type="button" data-testid="options-sign-out" onClick={() => void signOut()}>
                {t('signOut')}
              </button>
            </p>
          )}
          {status && (status.auth.state === 'signed_out' || status.auth.state === 'reconnect_required') && (
            <p>
              <button type="button" class="primary" data-testid="connect" onClick={() => void client.send('signIn').catch(() => undefined)}>
                {status.auth.state === 'reconnect_required' ? t('reconnect') : t('connect')}
              </button>
            </p>
          )}
        </section>
        <p role="status" class="small" data-testid="options-saved">
          {saveNote}
        </p>
        <p class="muted small">{t('notMedicalDevice')}</p>
      </main>
    </div>
  );
}
