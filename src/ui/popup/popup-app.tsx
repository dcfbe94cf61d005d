import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ReadingsSnapshot } from '../../shared/readings';
import type { Settings } from '../../shared/settings';
import type { Status } from '../../shared/status';
import { endReasonText, errorText } from '../error-text';
import { localIsoDate } from '../format';
import { markAfterPaint } from '../mark-painted';
import { useUi } from '../ui-env';
import { useNow } from '../use-now';
import { popupStateOf, type PopupState } from './popup-state';
import { TileCard } from './tile-card';

const CLOCK_TICK_MS = 30_000;

/**
 * The toolbar popup: today's readings, or whatever the member has to do first. `firstStatus` is the
 * entry point's getStatus, sent before the page rendered anything; without it the popup asks itself.
 */
export function PopupApp({ firstStatus }: { firstStatus?: Promise<Status> } = {}) {
  const { client, t } = useUi();
  const [status, setStatus] = useState<Status | null>(null);
  const [unreachable, setUnreachable] = useState(false);
  const [refreshing, setRefreshing] = useState(false);

  // A layout effect, not useEffect: Preact runs those only after the next frame, and the status
  // listener must be in place before the first answer can arrive.
  useLayoutEffect(() => {
    let alive = true;
    const off = client.onStatusChanged((next) => alive && setStatus(next));
    // One message: the status carries the settings too, so the readings paint from one answer.
    (firstStatus ?? client.getStatus()).then(
      (first) => alive && setStatus((current) => current ?? first),
      () => alive && setUnreachable(true),
    );
    return () => {
      alive = false;
      off();
    };
  }, [client]);

  const act = async (run: () => Promise<Status | null>) => {
    const next = await run().catch(() => null);
    if (next) setStatus(next);
    else setStatus(await client.getStatus().catch(() => null));
  };
  const signIn = () => {
    // Show the wait at once; the background's own broadcast confirms it.
    setStatus((current) => current && { ...current, auth: { ...current.auth, state: 'connecting', error: null } });
    void act(async () => {
      const result = await client.send('signIn');
      return result.ok ? result.value : null;
    });
  };
  const refresh = async () => {
    setRefreshing(true);
    try {
      const result = await client.send('refreshReadings');
      if (result.ok) setStatus(result.value);
    } catch {
      setUnreachable(true);
    } finally {
      setRefreshing(false);
    }
  };
  const signOut = () =>
    void act(async () => {
      const result = await client.send('signOut');
      return result.ok ? result.value : null;
    });
  const retryStatus = () => {
    setUnreachable(false);
    client.getStatus().then(setStatus, () => setUnreachable(true));
  };

  if (!status) {
    return (
      <div class="popup" data-testid="popup" data-state={unreachable ? 'error' : 'starting'}>
        <PopupBar />
        <main>
          <p role="status">{unreachable ? t('backgroundUnreachable') : ''}</p>
          {unreachable && (
            <button type="button" data-testid="retry" onClick={retryStatus}>
              {t('tryAgain')}
            </button>
          )}
        </main>
      </div>
    );
  }

  const state = popupStateOf(status);
  const signedIn = status.auth.state === 'signed_in';
  const busy = refreshing || status.sync.state === 'loading';
  return (
    <div class="popup" data-testid="popup" data-state={state}>
      <PopupBar>
        {signedIn && (
          <button type="button" data-testid="refresh" onClick={refresh} disabled={busy} aria-busy={busy}>
            {busy ? <span class="spinner" aria-hidden="true" /> : <span aria-hidden="true">↻ </span>}
            {busy ? <span class="sr-only">{t('refreshing')}</span> : t('refresh')}
          </button>
        )}
      </PopupBar>
      <main>
        <StateView
          state={state}
          status={status}
          onSignIn={signIn}
          onRetry={refresh}
          retrying={busy}
        />
        <p class="disclaimer muted small">{t('notMedicalDevice')}</p>
      </main>
      {signedIn && <PopupFooter onSignOut={signOut} />}
    </div>
  );
}

function PopupBar({ children }: { children?: ComponentChildren }) {
  const { t } = useUi();
  return (
    <header class="popup-bar">
      <h1>{t('extName')}</h1>
      {children}
    </header>
  );
}

interface StateViewProps {
  state: PopupState;
  status: Status;
  onSignIn(): void;
  onRetry(): void;
  retrying: boolean;
}

function StateView({ state, status, onSignIn, onRetry, retrying }: StateViewProps) {
  const { t } = useUi();
  switch (state) {
    case 'signed-out':
      return (
        <section class="center stack" aria-labelledby="connect-heading">
          <h2 id="connect-heading">{t('signedOutHeading')}</h2>
          <p class="muted">{t('signedOutBody')}</p>
          <AuthError status={status} />
          <button type="button" class="primary" data-testid="connect" onClick={onSignIn}>
            {status.auth.error ? t('connectAgain') : t('connect')}
          </button>
        </section>
      );
    case 'reconnect':
      return (
        <section class="center stack" aria-labelledby="reconnect-heading">
          <h2 id="reconnect-heading">{t('reconnectHeading')}</h2>
          <p data-testid="end-reason" data-reason={status.auth.reason ?? ''}>
            {endReasonText(status.auth.reason, t)}
          </p>
          <p class="muted">{t('reconnectBody')}</p>
          <AuthError status={status} />
          <button type="button" class="primary" data-testid="connect" onClick={onSignIn}>
            {t('reconnect')}
          </button>
        </section>
      );
    case 'connecting':
      return (
        <section class="center stack">
          <p role="status">
            <span class="spinner" aria-hidden="true" /> {t('connecting')}
          </p>
          <p class="muted small">{t('connectingHint')}</p>
        </section>
      );
    case 'loading':
      return (
        <section>
          <p role="status" class="sr-only">
            {t('loadingReadings')}
          </p>
          <ul class="tiles" aria-hidden="true">
            {[0, 1, 2, 3].map((i) => (
              <li key={i} class="skeleton" />
            ))}
          </ul>
        </section>
      );
    case 'error':
      return (
        <section class="center stack">
          <p role="status" class="error" data-testid="sync-error" data-code={status.sync.error?.code ?? ''}>
            {errorText(status.sync.error ?? { code: 'NETWORK_ERROR' }, t)}
          </p>
          {status.sync.nextRetryAt !== null && <RetryNote at={status.sync.nextRetryAt} />}
          <button type="button" class="primary" data-testid="retry" onClick={onRetry} disabled={retrying}>
            {t('tryAgain')}
          </button>
        </section>
      );
    default:
      return status.readings && <ReadingsView status={status} readings={status.readings} />;
  }
}

/** "Retrying in 2 minutes.", kept current while the popup stays open. */
function RetryNote({ at }: { at: number }) {
  const { t, format, now: clock } = useUi();
  const now = useNow(clock, CLOCK_TICK_MS);
  return (
    <p class="muted small" data-testid="retry-at">
      {t('retryingWhen', at > now ? format.relative(at - now) : t('retrySoon'))}
    </p>
  );
}

function AuthError({ status }: { status: Status }) {
  const { t } = useUi();
  const error = status.auth.error;
  return (
    <p role="status" class="error" data-testid={error ? 'auth-error' : undefined} data-code={error?.code}>
      {error ? errorText(error, t) : ''}
    </p>
  );
}

function ReadingsView({ status, readings }: { status: Status; readings: ReadingsSnapshot }) {
  const { t, format, now: clock } = useUi();
  const now = useNow(clock, CLOCK_TICK_MS);
  const isToday = readings.today === localIsoDate(now);
  const sinceFetch = now - readings.fetchedAt;
  const failing = status.sync.state === 'offline' || status.sync.state === 'error';
  const settings = status.settings;
  const tiles = readings.tiles.filter((tile) => !settings.hiddenTiles.includes(tile.id));

  // The bench hook: once, after the first frame that shows tiles.
  const marked = useRef(false);
  useLayoutEffect(() => {
    if (!marked.current) {
      marked.current = true;
      markAfterPaint('readings-painted');
    }
  }, []);

  let notice = '';
  if (failing) {
    const when = status.sync.nextRetryAt === null ? t('retrySoon') : format.relative(Math.max(0, status.sync.nextRetryAt - now));
    const at = format.time(readings.fetchedAt, now);
    const error = status.sync.error;
    notice =
      status.sync.state === 'offline' || !error || error.code === 'NETWORK_ERROR'
        ? t('offlineNotice', at, when)
        : t('staleNotice', errorText(error, t), at, when);
  }
  return (
    <section aria-labelledby="readings-date">
      <div class="readings-head">
        <h2 id="readings-date" data-testid="readings-date" data-date={readings.today}>
          {isToday ? t('today') : format.longDate(readings.today)}
        </h2>
        <p class="muted small" data-testid="fetched-at" data-fetched-at={String(readings.fetchedAt)}>
          <time dateTime={new Date(readings.fetchedAt).toISOString()} title={format.time(readings.fetchedAt, now)}>
            {sinceFetch < 60_000 ? t('updatedJustNow') : t('updatedAgo', format.relative(-sinceFetch))}
          </time>
        </p>
      </div>
      <div role="status" class="stack">
        {failing && (
          <p class="notice" data-testid="offline-notice">
            {notice}
          </p>
        )}
        {!readings.hasToday && (
          <p class="notice" data-testid="no-data-today">
            {t('noDataToday')}
          </p>
        )}
      </div>
      <ul class="tiles" aria-label={t('tilesLabel')}>
        {tiles.map((tile) => (
          <TileCard key={tile.id} tile={tile} settings={settings} />
        ))}
      </ul>
    </section>
  );
}

function PopupFooter({ onSignOut }: { onSignOut(): void }) {
  const { t, platform } = useUi();
  const openSidePanel = platform.openSidePanel;
  return (
    <footer class="popup-footer">
      {openSidePanel && (
        <button
          type="button"
          data-testid="open-sidepanel"
          onClick={() => {
            // Called synchronously from the click: both browsers require the user gesture.
            openSidePanel().catch((error: unknown) => console.error('Opening the side panel failed', error));
          }}
        >
          {t('openSidePanel')}
        </button>
      )}
      <button type="button" data-testid="open-options" onClick={() => void platform.openOptionsPage()}>
        {t('openOptions')}
      </button>
      <button type="button" class="link" data-testid="sign-out" onClick={onSignOut}>
        {t('signOut')}
      </button>
    </footer>
  );
}
