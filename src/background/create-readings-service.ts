import { SessionEndedError, type AuthSession } from '../auth/create-auth-session';
import type { CardioMoodApi } from '../cardiomood/cardiomood-api';
import { buildGlance } from '../cardiomood/build-glance';
import { buildHistoryFromRecords } from '../cardiomood/build-history';
import { buildIntraday } from '../cardiomood/build-intraday';
import { BASELINE_WINDOW_DAYS, buildReadingsSnapshotFromRecords } from '../cardiomood/build-readings-snapshot';
import { buildDayRecord, emptyDayRecord, isSettled, mergeDayRecord, type DayRecord } from '../cardiomood/day-record';
import { addDays, dateRange, localIsoDate } from '../shared/local-date';
import { glanceWindows, historyWindow, intradayWindow, windowsFor, type SummariesWindow } from '../cardiomood/readings-window';
import { err, ok, type AppError, type ErrorCode, type Result } from '../shared/error-codes';
import { paintsTheSame } from '../shared/frame-cache';
import type { Glance } from '../shared/glance';
import type { PopupFrame, PopupView } from '../shared/popup-view';
import { POPUP_VIEW_VERSION } from '../shared/popup-view-keys';
import { FRESH_FOR_MS, nextRetryDelayMs } from '../shared/policy';
import { HISTORY_RANGES } from '../shared/history-ranges';
import { createSerialQueue } from '../shared/serial-queue';
import type { StorageAreaName } from '../shared/storage-area';
import type { History, Intraday } from '../shared/readings';
import type { FrameCache } from './frame-cache';
import { IDLE_SYNC, type ReadingsStore } from './readings-store';
import type { SettingsState } from './settings-store';

export interface ReadingsServiceDeps {
  /** The part of the auth session readings work needs: is there one, and its signal. */
  session: Pick<AuthSession, 'hasSession' | 'signal'>;
  api: CardioMoodApi;
  store: ReadingsStore;
  now: () => number;
  /** The display settings the popup view is painted with, and whether it may be kept on disk. */
  readSettings: () => Promise<SettingsState>;
  /** Plans (or cancels, with null) the retry alarm. */
  scheduleRetry: (at: number | null) => Promise<void>;
  /** Something pages show changed; the promise (if any) settles once the new status is out. */
  onChange: () => void | Promise<void>;
  /**
   * The popup's first frame for a view, as the page kept in `area` will paint it (the entrypoint
   * passes src/ui/popup/render-stored-popup.tsx); without it, or when it throws, views carry none
   * and the popup renders them itself.
   */
  renderFrame?: (view: PopupView, area: StorageAreaName, now: number) => PopupFrame;
  /** The frame's copy in localStorage, kept only with "Keep me signed in" (see FrameCache). */
  frameCache?: FrameCache;
}

export interface ReadingsService {
  /** Brings the glance up to date now; concurrent callers share one refresh. */
  refresh(): Promise<Result<void>>;
  /** Stale-while-revalidate: refresh in the background when the glance is missing, old, or from another day. */
  revalidateIfStale(): void;
  getHistory(days: 7 | 30 | 90): Promise<Result<History>>;
  getIntraday(date: string): Promise<Result<Intraday>>;
  /** The display settings or "Keep me signed in" changed: rewrite (or delete) the popup views. */
  settingsChanged(): Promise<void>;
  /**
   * Once per background start: the view kept on disk is deleted unless "Keep me signed in" is on and
   * there is a session to restore (settings that became unreadable, a refresh token that is gone).
   */
  start(): Promise<void>;
  /** Forget everything derived from the member's data (the session ended, or a new one begins). */
  clear(): Promise<void>;
}

/** Day records are kept for the longest history range (90 days); older ones are dropped. */
export const KEPT_DAYS = Math.max(...HISTORY_RANGES);
const TRANSIENT: ReadonlySet<ErrorCode> = new Set(['NETWORK_ERROR', 'SERVER_ERROR', 'RATE_LIMITED', 'MALFORMED_RESPONSE']);
/** No session (any more): the auth session ended it and cleared the readings; nothing to record here. */
const SIGNED_OUT: ReadonlySet<ErrorCode> = new Set(['NOT_SIGNED_IN', 'REAUTH_REQUIRED']);

/** What work of an ended session reports: REAUTH_REQUIRED when CardioMood ended it, NOT_SIGNED_IN otherwise. */
function sessionEnded(signal: AbortSignal): { ok: false; error: AppError } {
  const reason = signal.reason instanceof SessionEndedError ? signal.reason.reason : 'signed_out';
  const byCardioMood = reason !== 'signed_out' && reason !== 'replaced';
  return err(byCardioMood ? 'REAUTH_REQUIRED' : 'NOT_SIGNED_IN', `the session ended (${reason}) while readings were being fetched`);
}

/** True when the glance must be asked for again: none, another day's, or checked too long ago. */
export function isStale(glance: Glance | null | undefined, now: number): boolean {
  return !glance || glance.today.date !== localIsoDate(now) || now - glance.checkedAt > FRESH_FOR_MS;
}

/**
 * The stored records with freshly fetched ones merged in (a fetch without slots keeps a finished
 * day's profile), ascending, without days after `today` or older than the longest history range.
 */
function mergeRecords(stored: readonly DayRecord[], fresh: readonly DayRecord[], today: string): DayRecord[] {
  const byDate = new Map(stored.map((record) => [record.date, record]));
  for (const record of fresh) byDate.set(record.date, mergeDayRecord(byDate.get(record.date), record));
  const oldest = addDays(today, -(KEPT_DAYS - 1));
  return [...byDate.values()]
    .filter((record) => record.date >= oldest && record.date <= today)
    .sort((a, b) => (a.date < b.date ? -1 : 1));
}

/**
 * Readings for the signed-in member, from a per-day cache (storage.session): CardioMood is asked only
 * for the days the cache does not hold or that may still change (`glanceWindows`). Every piece of work
 * belongs to one session: it passes the session's signal to its requests and checks it before each
 * write, so nothing of a member is written (or handed to a page) after their session ended.
 */
export function createReadingsService(deps: ReadingsServiceDeps): ReadingsService {
  const { session, api, store, now } = deps;
  let inflight: Promise<Result<void>> | null = null;
  /** The frames of the views written last, still to render (writeViews); a newer write replaces them. */
  let framesDue: (() => Promise<void>) | null = null;
  /** What this background last copied to localStorage (null: deleted); unknown after a start or a failed write. */
  let copied: PopupFrame | null | undefined;
  /** Read-modify-write of the records and what is derived from them, one at a time. */
  const exclusive = createSerialQueue();

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

  /** The records of `windows` as fetched `today`: a day CardioMood left out is a day without data. */
  async function fetchRecords(
    windows: readonly SummariesWindow[],
    today: string,
    signal: AbortSignal,
  ): Promise<{ ok: true; value: DayRecord[] } | { ok: false; error: AppError & { retryAfterMs?: number } }> {
    const results = await Promise.all(windows.map((window) => api.fetchSummaries({ ...window, signal })));
    const records: DayRecord[] = [];
    for (const [i, result] of results.entries()) {
      if (!result.ok) return result;
      const window = windows[i]!;
      const byDate = new Map(result.value.map((summary) => [summary.date, summary]));
      for (const date of dateRange(window.dateFrom, window.dateTo)) {
        const summary = byDate.get(date);
        records.push(summary ? buildDayRecord(summary, { fetchedOn: today, withSlots: window.includeSlots }) : emptyDayRecord(date, today));
      }
    }
    return { ok: true, value: records };
  }

  /**
   * Writes the popup's view of `glance` with the current display settings; on disk too with "Keep me
   * signed in". The views go without frames (older frames are deleted with them): their two renders
   * cost 20 ms and more in a worker that has just started, which the status the pages wait for must
   * not pay. The frames are due, for {@link writeDueFrames}.
   */
  async function writeViews(glance: Glance, signal: AbortSignal): Promise<void> {
    const { settings } = await deps.readSettings();
    if (signal.aborted) return;
    const view: PopupView = {
      v: POPUP_VIEW_VERSION,
      glance,
      units: settings.units,
      temperature: settings.temperature,
      hidden: settings.hiddenTiles,
      savedAt: now(),
    };
    await store.writeView(view);
    if (signal.aborted) return;
    await store.writeLastView(settings.keepSignedIn ? view : null);
    if (signal.aborted) return;
    if (!settings.keepSignedIn) cacheFrame(null);
    framesDue = () => writeFrames(view, settings.keepSignedIn, signal);
  }

  /** Renders and stores the first frames of `view`, and copies the current one, while it is still the stored view. */
  async function writeFrames(view: PopupView, keepSignedIn: boolean, signal: AbortSignal): Promise<void> {
    if (!deps.renderFrame) return;
    // Views are written only under `exclusive`, as this runs: a view read here stays until it is done.
    if (signal.aborted || (await store.readView())?.savedAt !== view.savedAt) return;
    const frame = frameOf(view, 'session');
    await store.writeFrame('session', frame);
    if (keepSignedIn) await store.writeFrame('local', frameOf(view, 'local'));
    if (signal.aborted) return;
    if (keepSignedIn) cacheFrame(frame);
  }

  /** Renders and writes the frames due, if any are; the caller holds `exclusive`. */
  async function takeDueFrames(): Promise<void> {
    const due = framesDue;
    framesDue = null;
    await due?.();
  }

  /** {@link takeDueFrames}, once `published` (the status going out) has settled. */
  function writeDueFrames(published?: void | Promise<void>): void {
    void Promise.resolve(published)
      .then(() => exclusive(takeDueFrames))
      .catch((error: unknown) => console.error('Writing the popup frames failed', error));
  }

  /**
   * Updates the frame's localStorage copy without waiting for it: in Chrome a write opens and closes
   * an offscreen document (tens of ms), which must not hold back the status the pages are waiting
   * for. The cache runs its writes in order. A failure only costs the popup its fastest first frame.
   */
  function cacheFrame(frame: PopupFrame | null): void {
    if (!deps.frameCache) return;
    // In Chrome each write opens and closes an offscreen document: one that would change nothing is skipped.
    if (copied !== undefined && (frame === null ? copied === null : copied !== null && paintsTheSame(frame, copied))) return;
    copied = frame;
    deps.frameCache.write(frame).catch((error: unknown) => {
      copied = undefined;
      console.error('Caching the popup frame failed', error);
    });
  }

  /** The first frame of `view` as the popup kept in `area` paints it; null without a renderer or when it fails. */
  function frameOf(view: PopupView, area: StorageAreaName): PopupFrame | null {
    if (!deps.renderFrame) return null;
    try {
      return deps.renderFrame(view, area, view.savedAt);
    } catch (error) {
      console.error('Rendering the popup frame failed; the popup will render the view itself', error);
      return null;
    }
  }

  /** Merges fetched records into the cache and derives the glance, the snapshot and the views from it. */
  function saveRecords(fresh: readonly DayRecord[], today: string, signal: AbortSignal, derive: boolean): Promise<DayRecord[] | null> {
    return exclusive(async () => {
      const records = mergeRecords(await store.readDays(), fresh, today);
      if (signal.aborted) return null;
      await store.writeDays(records);
      if (!derive || signal.aborted) return records;
      const checkedAt = now();
      await store.writeSnapshot(buildReadingsSnapshotFromRecords(records, today, checkedAt));
      if (signal.aborted) return records;
      await writeViews(buildGlance({ records, today, now: checkedAt }), signal);
      return records;
    });
  }

  async function doRefresh(signal: AbortSignal): Promise<Result<void>> {
    if (!(await session.hasSession())) return err('NOT_SIGNED_IN', 'connect CardioMood first');
    const previous = await store.readSync();
    if (signal.aborted) return sessionEnded(signal);
    await store.writeSync({ ...previous, state: 'loading' });
    deps.onChange();
    const today = localIsoDate(now());
    const fetched = await fetchRecords(glanceWindows(await store.readDays(), today), today, signal);
    if (signal.aborted) return sessionEnded(signal);
    if (fetched.ok) {
      await saveRecords(fetched.value, today, signal, true);
      if (signal.aborted) return sessionEnded(signal);
      await store.writeSync(IDLE_SYNC);
      await deps.scheduleRetry(null);
    } else {
      await onFailure(fetched.error, signal);
    }
    // The status goes out first; the frames for the next popup open follow it.
    writeDueFrames(deps.onChange());
    return fetched.ok ? ok(undefined) : err(fetched.error.code, fetched.error.message);
  }

  function refresh(): Promise<Result<void>> {
    // An ended session's refresh settles as soon as its signal aborts, so a new session never waits on it.
    inflight ??= doRefresh(session.signal()).finally(() => {
      inflight = null;
    });
    return inflight;
  }

  /** Refreshes when the glance is stale and no retry is planned; resolves when done (or at once). */
  async function refreshIfStale(): Promise<void> {
    if (inflight) {
      await inflight;
      return;
    }
    if (!(await session.hasSession())) return;
    const [view, sync] = await Promise.all([store.readView(), store.readSync()]);
    // While a retry is planned, the alarm owns the next attempt (respecting Retry-After).
    if (sync.nextRetryAt !== null && sync.nextRetryAt > now()) return;
    if (isStale(view?.glance, now())) await refresh();
  }

  return {
    refresh,
    revalidateIfStale() {
      refreshIfStale().catch((error: unknown) => console.error('Revalidating readings failed', error));
    },
    async getHistory(days) {
      const signal = session.signal();
      if (!(await session.hasSession())) return err('NOT_SIGNED_IN', 'connect CardioMood first');
      const today = localIsoDate(now());
      const { dateFrom, dateTo } = historyWindow(today, days);
      const glanceFrom = addDays(today, -BASELINE_WINDOW_DAYS);
      /** Asks for the days of the range matching `which` that the cache lacks (older ones: or that may still change). */
      const fill = async (which: (date: string) => boolean): Promise<Result<void>> => {
        const byDate = new Map((await store.readDays()).map((record) => [record.date, record]));
        const missing = dateRange(dateFrom, dateTo).filter((date) => {
          const record = byDate.get(date);
          return which(date) && (!record || (date < glanceFrom && !isSettled(record)));
        });
        if (missing.length === 0 || signal.aborted) return ok(undefined);
        const fetched = await fetchRecords(windowsFor(missing.map((date) => ({ date, slots: false }))), today, signal);
        if (!fetched.ok) return err(fetched.error.code, fetched.error.message);
        await saveRecords(fetched.value, today, signal, false);
        return ok(undefined);
      };
      // Days older than the glance's are asked for once (settled by then) and kept, so opening the side
      // panel again costs no request; the glance's days come up to date with the glance, meanwhile.
      const [older] = await Promise.all([fill((date) => date < glanceFrom), refreshIfStale()]);
      // What the glance could not bring (it failed, or a retry is planned) is asked for here.
      const recent = older.ok && !signal.aborted ? await fill((date) => date >= glanceFrom) : older;
      if (signal.aborted) return sessionEnded(signal);
      if (!recent.ok) return recent;
      const [records, view] = await Promise.all([store.readDays(), store.readView()]);
      return ok(buildHistoryFromRecords(records, dateFrom, dateTo, view?.glance.checkedAt ?? now()));
    },
    async getIntraday(date) {
      const signal = session.signal();
      const result = await api.fetchSummaries({ ...intradayWindow(date), signal });
      if (signal.aborted) return sessionEnded(signal);
      if (!result.ok) return err(result.error.code, result.error.message);
      return ok(buildIntraday(result.value.find((summary) => summary.date === date), date));
    },
    settingsChanged() {
      const signal = session.signal();
      return exclusive(async () => {
        const [view, { settings }] = await Promise.all([store.readView(), deps.readSettings()]);
        if (view && !signal.aborted) {
          // Nobody waits on a status here: the frames are written before the change is answered.
          await writeViews(view.glance, signal);
          await takeDueFrames();
        } else if (!settings.keepSignedIn) {
          await store.writeLastView(null);
          cacheFrame(null);
        }
      });
    },
    start() {
      return exclusive(async () => {
        const [{ settings }, signedIn] = await Promise.all([deps.readSettings(), session.hasSession()]);
        if (!settings.keepSignedIn || !signedIn) {
          await store.writeLastView(null);
          cacheFrame(null);
        } else if (!(await store.readView())) {
          // A new browser session: the cached frame is this session's no more, the kept one (with
          // its "from 22:10" notice) is what the popup should paint until fresh readings arrive.
          cacheFrame(await store.readLastFrame());
        }
      });
    },
    async clear() {
      await store.clear();
      cacheFrame(null);
      await deps.scheduleRetry(null);
    },
  };
}
