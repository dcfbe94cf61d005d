import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Glance } from '../../shared/glance';
import type { Status } from '../../shared/status';
import { ConnectPanel } from '../connect-panel';
import { errorText } from '../error-text';
import { markAfterPaint } from '../mark-painted';
import { useUi } from '../ui-env';
import { useNow } from '../use-now';
import { useStatus } from '../use-status';
import type { GlanceDayKey } from './day-switch';
import { GlanceView, type GlanceSettings } from './glance-view';
import { PopupFrame } from './popup-frame';
import { popupStateOf, type PopupState } from './popup-state';
import { storedViewState, type StoredPopupView } from './read-popup-view';
import { StoredViewNotice } from './stored-view-notice';

const CLOCK_TICK_MS = 30_000;

/**
 * The toolbar popup: the member's glance, or whatever the member has to do first. `stored` is the
 * view the background kept in storage, shown until the live status arrives; `painted` says the first
 * frame already put it on screen (and set the `readings-painted` mark).
 */
export function PopupApp({ stored = null, painted = false }: { stored?: StoredPopupView | null; painted?: boolean }) {
  const { client, t, format, platform, now: clock } = useUi();
  const { status, unreachable, setStatus, reload, signIn, signOut } = useStatus();
  const [refreshing, setRefreshing] = useState(false);
  const [day, setDay] = useState<GlanceDayKey | null>(null);
  const now = useNow(clock, CLOCK_TICK_MS);

  const signedIn = status ? status.auth.state === 'signed_in' : stored !== null;
  // The status's glance; until the background has one, the stored view (same member, same session).
  const storedGlance = signedIn ? (stored?.view.glance ?? null) : null;
  const glance: Glance | null = status?.glance ?? storedGlance;
  const settings: GlanceSettings | null = status
    ? { units: status.settings.units, temperature: status.settings.temperature, hidden: status.settings.hiddenTiles }
    : stored && { units: stored.view.units, temperature: stored.view.temperature, hidden: stored.view.hidden };
  const state: PopupState = status ? popupStateOf(status, glance) : glance ? storedViewState(glance) : unreachable ? 'error' : 'starting';

  // The bench hook: once, after the first frame that shows readings (unless the first frame did).
  const marked = useRef(painted);
  useLayoutEffect(() => {
    if (glance && !marked.current) {
      marked.current = true;
      markAfterPaint('readings-painted');
    }
  }, [glance]);

  const refresh = async () => {
    setRefreshing(true);
    try {
      const result = await client.send('refreshReadings');
      if (result.ok) setStatus(result.value);
    } catch {
      reload();
    } finally {
      setRefreshing(false);
    }
  };
  const busy = refreshing || status?.sync.state === 'loading';

  let content: ComponentChildren;
  if (glance && settings && (state === 'readings' || state === 'no-data-today' || state === 'offline')) {
    content = (
      <GlanceView
        glance={glance}
        settings={settings}
        day={day ?? glance.focus}
        onDay={setDay}
        t={t}
        format={format}
        now={now}
        notices={
          <>
            {stored && glance === storedGlance && <StoredViewNotice stored={stored} now={now} t={t} format={format} />}
            <Notices status={status} glance={glance} unreachable={unreachable} now={now} onRetry={reload} />
          </>
        }
      />
    );
  } else if (status && (state === 'signed-out' || state === 'connecting' || state === 'reconnect')) {
    content = <ConnectPanel screen={state} status={status} body="signedOutBody" onConnect={signIn} />;
  } else if (state === 'loading') {
    content = (
      <section>
        <p role="status" class="sr-only">
          {t('loadingReadings')}
        </p>
        <div class="skeletons" aria-hidden="true">
          {[0, 1, 2].map((i) => (
            <div key={i} class="skeleton" />
          ))}
        </div>
      </section>
    );
  } else if (status && state === 'error') {
    content = (
      <section class="center stack">
        <p role="status" class="error" data-testid="sync-error" data-code={status.sync.error?.code ?? ''}>
          {errorText(status.sync.error ?? { code: 'NETWORK_ERROR' }, t)}
        </p>
        {status.sync.nextRetryAt !== null && (
          <p class="muted small" data-testid="retry-at">
            {t('retryingWhen', status.sync.nextRetryAt > now ? format.relative(status.sync.nextRetryAt - now) : t('retrySoon'))}
          </p>
        )}
        <button type="button" class="primary" data-testid="retry" onClick={refresh} disabled={busy}>
          {t('tryAgain')}
        </button>
      </section>
    );
  } else {
    // Before the first answer: nothing to say yet, or that the background did not answer.
    content = (
      <section class="center stack">
        <p role="status">{unreachable ? t('backgroundUnreachable') : ''}</p>
        {unreachable && (
          <button type="button" data-testid="retry" onClick={reload}>
            {t('tryAgain')}
          </button>
        )}
      </section>
    );
  }

  return (
    <PopupFrame
      t={t}
      platform={platform}
      state={state}
      source={status?.glance ? 'status' : glance ? stored?.area : undefined}
      signedIn={signedIn}
      busy={busy}
      onRefresh={() => void refresh()}
      onSignOut={signOut}
    >
      {content}
    </PopupFrame>
  );
}

/** What the member should know about the numbers on screen: a failing sync, an unreachable background, no data today. */
function Notices(props: { status: Status | null; glance: Glance; unreachable: boolean; now: number; onRetry(): void }) {
  const { status, glance, unreachable, now, onRetry } = props;
  const { t, format } = useUi();
  const sync = status?.sync;
  const failing = sync && (sync.state === 'offline' || sync.state === 'error');
  return (
    <>
      {unreachable && (
        <p class="notice" data-testid="unreachable-notice">
          {t('backgroundUnreachable')}{' '}
          <button type="button" class="link" data-testid="retry" onClick={onRetry}>
            {t('tryAgain')}
          </button>
        </p>
      )}
      {failing && (
        <p class="notice" data-testid="offline-notice">
          {sync.state === 'offline' || !sync.error || sync.error.code === 'NETWORK_ERROR'
            ? t('offlineNotice', format.time(glance.checkedAt, now), retryWhen(sync.nextRetryAt, now, format.relative, t('retrySoon')))
            : t('staleNotice', errorText(sync.error, t), format.time(glance.checkedAt, now), retryWhen(sync.nextRetryAt, now, format.relative, t('retrySoon')))}
        </p>
      )}
      {!glance.today.hasData && (
        <p class="notice" data-testid="no-data-today">
          {t('noDataToday')}
        </p>
      )}
    </>
  );
}

/** "in 2 minutes", or "soon" when no retry is scheduled (or it is due). */
const retryWhen = (at: number | null, now: number, relative: (diffMs: number) => string, soon: string) =>
  at === null ? soon : relative(Math.max(0, at - now));
