import { localIsoDate } from '../shared/local-date';
import type { Result } from '../shared/error-codes';
import { IDLE_AFTER_SECONDS, pollIntervalMs } from '../shared/policy';
import type { ReadingsStore } from './readings-store';

/** What `idle.queryState` reports: input within the detection interval, none, or a locked screen. */
export type IdleState = 'active' | 'idle' | 'locked';

/** The browser's idle API, as the poll needs it (`idle` permission). */
export interface IdleSource {
  queryState(detectionIntervalInSeconds: number): Promise<IdleState>;
  /** Calls `listener` when the state changes (after `IDLE_AFTER_SECONDS` without input); returns the cleanup. */
  onStateChanged(listener: (state: IdleState) => void): () => void;
}

/** Without the idle API (tests that do not model it) the member always counts as present. */
export const ALWAYS_ACTIVE: IdleSource = {
  queryState: async () => 'active',
  onStateChanged: () => () => undefined,
};

export interface BadgePollDeps {
  /** The readings refresh (one shared with the popup's and the side panel's). */
  refresh: () => Promise<Result<void>>;
  store: Pick<ReadingsStore, 'readView' | 'readSync' | 'readPoll' | 'writePoll'>;
  idle: IdleSource;
  now: () => number;
  /** The session's signal: a poll of an ended session writes nothing. */
  signal: () => AbortSignal;
}

export interface BadgePoll {
  /** The poll alarm and the member's return: refreshes when the member is at the computer and a poll is due. */
  pollIfDue(): Promise<void>;
}

/** An alarm firing a little early must not skip a whole period. */
const EARLY_MS = 60_000;

/**
 * Keeps the toolbar badge (today's resting heart rate) current while no page is open, at the lowest
 * cost that keeps it fresh for someone who can see it: nothing while the computer is idle or locked,
 * a poll when the member comes back if one is due, and polls further apart (`pollIntervalMs`) while
 * the badge does not change. Due is measured from the glance's last check, so a refresh the popup or
 * side panel just made counts.
 */
export function createBadgePoll(deps: BadgePollDeps): BadgePoll {
  const { store, now } = deps;
  let polling: Promise<void> | null = null;

  async function poll(): Promise<void> {
    const signal = deps.signal();
    if ((await deps.idle.queryState(IDLE_AFTER_SECONDS).catch(() => 'active' as const)) !== 'active') return;
    const [view, sync, { unchanged }] = await Promise.all([store.readView(), store.readSync(), store.readPoll()]);
    // A planned retry owns the next attempt (it respects the server's Retry-After).
    if (sync.nextRetryAt !== null && sync.nextRetryAt > now()) return;
    const today = localIsoDate(now());
    const glance = view?.glance.today.date === today ? view.glance : null;
    if (glance && now() - glance.checkedAt < pollIntervalMs(unchanged) - EARLY_MS) return;
    const before = glance ? glance.today.restHr.value : undefined;
    const result = await deps.refresh();
    // Failures back off through the retry alarm; the poll's own count stays as it was.
    if (!result.ok) return;
    const after = (await store.readView())?.glance.today.restHr.value;
    if (signal.aborted) return;
    await store.writePoll({ unchanged: before !== undefined && after === before ? unchanged + 1 : 0 });
  }

  return {
    pollIfDue() {
      polling ??= poll().finally(() => {
        polling = null;
      });
      return polling;
    },
  };
}
