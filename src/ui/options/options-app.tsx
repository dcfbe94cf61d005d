import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Metric } from '../../shared/readings';
import type { Settings, SettingsPatch } from '../../shared/settings';
import type { Status } from '../../shared/status';
import { endReasonText, errorText } from '../error-text';
import { KNOWN_TILE_IDS, metricLabel } from '../metric-labels';
import { useUi } from '../ui-env';
import { useStatus } from '../use-status';

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
  const { status, signIn, signOut } = useStatus();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [saveNote, setSaveNote] = useState('');
  /** Only the newest save's answer is applied: an older one arriving late would undo a newer choice. */
  const latestSave = useRef(0);

  // The form keeps its own copy from the first status on: it shows a choice before the background confirms it.
  useLayoutEffect(() => {
    if (status) setSettings((current) => current ?? status.settings);
  }, [status]);

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
      const stored = await client.getStatus().catch(() => null);
      if (id === latestSave.current) setSettings(stored?.settings ?? null);
    }
  };
  const signedIn = status?.auth.state === 'signed_in';
  return (
    <div class="options" data-testid="options">
      <header>
        <h1>{t('optionsTitle')}</h1>
      </header>
      <main class="stack">
        {status?.settingsUnreadable && (
          <p role="alert" class="notice" data-testid="settings-unreadable">
            {t('optionsSettingsUnreadable')}
          </p>
        )}
        {settings && (
          <>
            <section aria-labelledby="display-heading" class="stack">
              <h2 id="display-heading">{t('optionsDisplayHeading')}</h2>
              <SelectField
                id="units"
                label={t('optionsUnits')}
                value={settings.units}
                options={[
                  ['metric', t('unitsMetric')],
                  ['imperial', t('unitsImperial')],
                ]}
                onChange={(units) => void save({ units })}
              />
              <SelectField
                id="temperature"
                label={t('optionsTemperature')}
                value={settings.temperature}
                options={[
                  ['celsius', t('temperatureCelsius')],
                  ['fahrenheit', t('temperatureFahrenheit')],
                ]}
                onChange={(temperature) => void save({ temperature })}
              />
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
          {status?.auth.state === 'reconnect_required' && (
            <p data-testid="end-reason" data-reason={status.auth.reason ?? ''}>
              {endReasonText(status.auth.reason, t)}
            </p>
          )}
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
              <button type="button" data-testid="options-sign-out" onClick={signOut}>
                {t('signOut')}
              </button>
            </p>
          )}
          {status && (status.auth.state === 'signed_out' || status.auth.state === 'reconnect_required') && (
            <p>
              <button type="button" class="primary" data-testid="connect" onClick={signIn}>
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

/** A labelled select over a fixed set of values; `id` is also its test id. */
function SelectField<V extends string>(props: {
  id: string;
  label: string;
  value: V;
  options: Array<[V, string]>;
  onChange(value: V): void;
}) {
  return (
    <p class="field">
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        data-testid={props.id}
        value={props.value}
        // The options are exactly the values V allows.
        onChange={(event) => props.onChange(event.currentTarget.value as V)}
      >
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </p>
  );
}
