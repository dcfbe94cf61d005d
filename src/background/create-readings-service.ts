import { SessionEndedError, type AuthSession } from '../auth/create-auth-session';
import type { CardioMoodApi } from '../cardiomood/cardiomood-api';
import type { Summary } from '../cardiomood/summary-schema';
import { buildHistory } from '../cardiomood/build-history';
import { buildIntraday } from '../cardiomood/build-intraday';
import { buildReadingsSnapshot } from '../cardiomood/build-readings-snapshot';
import { localToday } from '../cardiomood/local-date';
import { historyWindow, intradayWindow, snapshotWindow, type SummariesWindow } from '../cardiomood/readings-window';
import { err, ok, type AppError, type ErrorCode, type Result } from '../shared/error-codes';
import type { History, Intraday } from '../shared/readings';
import { nextRetryDelayMs } from './backoff';
import { IDLE_SYNC, type ReadingsStore } from './readings-store';

export interface ReadingsServiceDeps {
  /** The part of the auth session readings work needs: is there one, and its signal. */
  session: Pick<AuthSession, 'hasSession' | 'signal'>;
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
  /** Forget everything derived from the member's data (the session ended, or a new one begins). */
  clear(): Promise<void>;
}

/** Cached readings younger than this are shown without refetching. */
export const FRESH_FOR_MS = 2 * 60_000;
const TRANSIENT: ReadonlySet<ErrorCode> = new Set(['NETWORK_ERROR', 'SERVER_ERROR', 'RATE_LIMITED', 'MALFORMED_RESPONSE']);
/** No session (any more): the auth session ended it and cleared the readings; nothing to record here. */
const SIGNED_OUT: ReadonlySet<ErrorCode> = new Set(['NOT_SIGNED_IN', 'REAUTH_REQUIRED']);

/** What work of an ended session reports: REAUTH_REQUIRED when CardioMood ended it, NOT_SIGNED_IN otherwise. */
function sessionEnded(signal: AbortSignal): { ok: false; error: AppError } {
  const reason = signal.reason instanceof SessionEndedError ? signal.reason.reason : 'signed_out';
  const byCardioMood = reason !== 'signed_out' && reason !== 'replaced';
  return err(byCardioMood ? 'REAUTH_REQUIRED' : 'NOT_SIGNED_IN', `the session ended (${reason}) while readings were being fetched`);
}

/**
 * Readings for the signed-in member. Every piece of work belongs to one session: it passes the
 * session's signal to its requests and checks it before each write, so nothing of a member is written
 * (or handed to a page) after their session ended.
 */
export function createReadingsService(deps: ReadingsServiceDeps): ReadingsService {
  const { session, api, store, now } = deps;
  let inflight: Promise<Result<void>> | null = null;

  async function onFailure(error: AppError & { retryAfterMs?: number }, signal: AbortSignal): Promise<void> {
    if (SIGNED_OUT.has(error.code)) return;
    const previous = await store.readSync();
    if (signal.aborted) return;
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

  async function doRefresh(signal: AbortSignal): Promise<Result<void>> {
    if (!(await session.hasSession())) return err('NOT_SIGNED_IN', 'connect CardioMood first');
    const previous = await store.readSync();
    if (signal.aborted) return sessionEnded(signal);
    await store.writeSync({ ...previous, state: 'loading' });
    deps.onChange();
    const today = localToday(new Date(now()));
    const result = await api.fetchSummaries({ ...snapshotWindow(today), signal });
    if (signal.aborted) return sessionEnded(signal);
    if (result.ok) {
      await store.writeSnapshot(buildReadingsSnapshot(result.value, today, now()));
      if (signal.aborted) return sessionEnded(signal);
      await store.writeSync(IDLE_SYNC);
      await deps.scheduleRetry(null);
    } else {
      await onFailure(result.error, signal);
    }
    deps.onChange();
    return result.ok ? ok(undefined) : err(result.error.code, result.error.message);
  }

  /** A range of summaries for the current session; nothing once it has ended. */
  async function summaries<T>(window: SummariesWindow, build: (list: Summary[]) => T): Promise<Result<T>> {
    const signal = session.signal();
    const result = await api.fetchSummaries({ ...window, signal });
    if (signal.aborted) return sessionEnded(signal);
    return result.ok ? ok(build(result.value)) : err(result.error.code, result.error.message);
  }

  function refresh(): Promise<Result<void>> {
    // An ended session's refresh settles as soon as its signal aborts, so a new session never waits on it.
    inflight ??= doRefresh(session.signal()).finally(() => {
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
    getHistory(days) {
      const window = historyWindow(localToday(new Date(now())), days);
      return summaries(window, (list) => buildHistory(list, window.dateFrom, window.dateTo, now()));
    },
    getIntraday(date) {
      return summaries(intradayWindow(date), (list) => buildIntraday(list.find((summary) => summary.date === date), date));
    },
    async clear() {
      await store.clear();
      await deps.scheduleRetry(null);
    },
  };
}
