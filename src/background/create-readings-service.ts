import type { AuthSession } from '../auth/create-auth-session';
import type { CardioMoodApi } from '../cardiomood/cardiomood-api';
import { buildHistory } from '../cardiomood/build-history';
import { buildIntraday } from '../cardiomood/build-intraday';
import { buildReadingsSnapshot } from '../cardiomood/build-readings-snapshot';
import { localToday } from '../cardiomood/local-date';
import { historyWindow, intradayWindow, snapshotWindow } from '../cardiomood/readings-window';
import { err, ok, type AppError, type ErrorCode, type Result } from '../shared/error-codes';
import type { History, Intraday } from '../shared/readings';
import { nextRetryDelayMs } from './backoff';
import { IDLE_SYNC, type ReadingsStore } from './readings-store';

export interface ReadingsServiceDeps {
  session: AuthSession;
  api: CardioMoodApi;
  store: ReadingsStore;
  now: () => number;
  /** Plans (or cancels, with null) the retry alarm. */
  scheduleRetry: (at: number | null) => Promise<void>;
  onChange: () => void;
}

export interface ReadingsService {
  /** Fetches today's readings now; concurrent callers share one fetch. */
  refresh(): Promise<Result<void>>;
  /** Stale-while-revalidate: refresh in the background when the cache is missing, old, or from another day. */
  revalidateIfStale(): void;
  getHistory(days: 7 | 30 | 90): Promise<Result<History>>;
  getIntraday(date: string): Promise<Result<Intraday>>;
  /** Forget everything derived from the member's data (sign-out, session rejected). */
  clear(): Promise<void>;
}

/** Cached readings younger than this are shown without refetching. */
export const FRESH_FOR_MS = 2 * 60_000;
const TRANSIENT: ReadonlySet<ErrorCode> = new Set(['NETWORK_ERROR', 'SERVER_ERROR', 'RATE_LIMITED', 'MALFORMED_RESPONSE']);
const SIGNED_OUT: ReadonlySet<ErrorCode> = new Set(['NOT_SIGNED_IN', 'REAUTH_REQUIRED']);

export function createReadingsService(deps: ReadingsServiceDeps): ReadingsService {
  const { session, api, store, now } = deps;
  let inflight: Promise<Result<void>> | null = null;

  async function onFailure(error: AppError & { retryAfterMs?: number }): Promise<void> {
    if (SIGNED_OUT.has(error.code)) {
      // The session is gone (refresh rejected, or CardioMood refused a freshly refreshed token).
      const stillSignedIn = await session.hasSession();
      if (error.code === 'REAUTH_REQUIRED' && stillSignedIn) await session.forget();
      await store.clear();
      await deps.scheduleRetry(null);
      if (error.code === 'REAUTH_REQUIRED') await store.writeAuthNote({ error, reconnectRequired: true });
      return;
    }
    const previous = await store.readSync();
    const delay = TRANSIENT.has(error.code) ? nextRetryDelayMs(previous.attempt, error.retryAfterMs) : null;
    const nextRetryAt = delay === null ? null : now() + delay;
    await store.writeSync({
      state: error.code === 'NETWORK_ERROR' ? 'offline' : 'error',
      error: { code: error.code, message: error.message },
      nextRetryAt,
      attempt: previous.attempt + 1,
    });
    await deps.scheduleRetry(nextRetryAt);
  }

  async function doRefresh(): Promise<Result<void>> {
    if (!(await session.hasSession())) return err('NOT_SIGNED_IN', 'connect CardioMood first');
    const previous = await store.readSync();
    await store.writeSync({ ...previous, state: 'loading' });
    deps.onChange();
    const today = localToday(new Date(now()));
    const result = await api.fetchSummaries(snapshotWindow(today));
    if (result.ok) {
      await store.writeSnapshot(buildReadingsSnapshot(result.value, today, now()));
      await store.writeSync(IDLE_SYNC);
      await deps.scheduleRetry(null);
    } else {
      await onFailure(result.error);
    }
    deps.onChange();
    return result.ok ? ok(undefined) : err(result.error.code, result.error.message);
  }

  function refresh(): Promise<Result<void>> {
    inflight ??= doRefresh().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  return {
    refresh,
    revalidateIfStale() {
      void (async () => {
        if (inflight || !(await session.hasSession())) return;
        const [snapshot, sync] = await Promise.all([store.readSnapshot(), store.readSync()]);
        // While a retry is planned, the alarm owns the next attempt (respecting Retry-After).
        if (sync.nextRetryAt !== null && sync.nextRetryAt > now()) return;
        const today = localToday(new Date(now()));
        if (!snapshot || snapshot.today !== today || now() - snapshot.fetchedAt > FRESH_FOR_MS) {
          await refresh();
        }
      })().catch((error: unknown) => console.error('Revalidating readings failed', error));
    },
    async getHistory(days) {
      const window = historyWindow(localToday(new Date(now())), days);
      const result = await api.fetchSummaries(window);
      if (!result.ok) return err(result.error.code, result.error.message);
      return ok(buildHistory(result.value, window.dateFrom, window.dateTo, now()));
    },
    async getIntraday(date) {
      const result = await api.fetchSummaries(intradayWindow(date));
      if (!result.ok) return err(result.error.code, result.error.message);
      return ok(buildIntraday(result.value.find((summary) => summary.date === date), date));
    },
    async clear() {
      await store.clear();
      await deps.scheduleRetry(null);
    },
  };
}
