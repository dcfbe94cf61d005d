import type { DayRecord } from '../cardiomood/day-record';
import type { PopupFrame, PopupView } from '../shared/popup-view';
import type { ReadingsSnapshot } from '../shared/readings';
import type { Status } from '../shared/status';
import type { PollState, StorageItems, SyncRecord } from '../storage/storage-items';
import type { StorageAreaName } from '../shared/storage-area';

export type { SyncRecord };

export const IDLE_SYNC: SyncRecord = { state: 'idle', error: null, nextRetryAt: null, attempt: 0 };

/**
 * Derived, non-secret state the background keeps so that a restarted service worker paints the same
 * thing. In storage.session (health data: memory only): the day records (the readings cache), the
 * readings snapshot and the popup view derived from them, and the sync state. In storage.local, only
 * while "Keep me signed in" is on: the last popup view. Invalid stored values count as absent.
 */
export interface ReadingsStore {
  readDays(): Promise<DayRecord[]>;
  writeDays(records: DayRecord[]): Promise<void>;
  readSnapshot(): Promise<ReadingsSnapshot | null>;
  writeSnapshot(snapshot: ReadingsSnapshot | null): Promise<void>;
  /** The popup's current first-frame view; its glance is the one Status carries. */
  readView(): Promise<PopupView | null>;
  /** Writes (or, with null, deletes) the view; the frame of the one before goes with it (see writeFrame). */
  writeView(view: PopupView | null): Promise<void>;
  /** The view kept on disk for the next browser start ("Keep me signed in"). */
  readLastView(): Promise<PopupView | null>;
  /** The first frame rendered from the kept view. */
  readLastFrame(): Promise<PopupFrame | null>;
  /** Writes (or, with null, deletes) the kept view; the frame of the one before goes with it. */
  writeLastView(view: PopupView | null): Promise<void>;
  /** Writes (or, with null, deletes) the first frame of the view already stored in `area`. */
  writeFrame(area: StorageAreaName, frame: PopupFrame | null): Promise<void>;
  readSync(): Promise<SyncRecord>;
  writeSync(sync: SyncRecord): Promise<void>;
  /** The badge poll's backoff (no poll yet: nothing unchanged). */
  readPoll(): Promise<PollState>;
  writePoll(poll: PollState): Promise<void>;
  /** Everything of the member, in both areas. */
  clear(): Promise<void>;
}

type ReadingsItems = Pick<
  StorageItems,
  'readingsDays' | 'readingsSnapshot' | 'readingsSync' | 'readingsPoll' | 'popupView' | 'lastPopupView' | 'popupFrame' | 'lastPopupFrame'
>;

export function createReadingsStore(items: ReadingsItems): ReadingsStore {
  const writeOrRemove =
    <T>(item: { set(value: T): Promise<void>; remove(): Promise<void> }) =>
    (value: T | null) =>
      value === null ? item.remove() : item.set(value);
  /** No frame outlives its view, or belongs to an older one: a view's own frame is written after it (writeFrame). */
  const writeViewAndFrame =
    (view: ReadingsItems['popupView'], frame: ReadingsItems['popupFrame']) =>
    async (value: PopupView | null) => {
      await Promise.all([writeOrRemove(view)(value), frame.remove()]);
    };
  return {
    readDays: async () => (await items.readingsDays.get()) ?? [],
    writeDays: (records) => items.readingsDays.set(records),
    readSnapshot: () => items.readingsSnapshot.get(),
    writeSnapshot: writeOrRemove(items.readingsSnapshot),
    readView: () => items.popupView.get(),
    writeView: writeViewAndFrame(items.popupView, items.popupFrame),
    readLastView: () => items.lastPopupView.get(),
    readLastFrame: () => items.lastPopupFrame.get(),
    writeLastView: writeViewAndFrame(items.lastPopupView, items.lastPopupFrame),
    writeFrame: (area, frame) => writeOrRemove(area === 'session' ? items.popupFrame : items.lastPopupFrame)(frame),
    readSync: async () => (await items.readingsSync.get()) ?? IDLE_SYNC,
    writeSync: (sync) => items.readingsSync.set(sync),
    readPoll: async () => (await items.readingsPoll.get()) ?? { unchanged: 0 },
    writePoll: (poll) => items.readingsPoll.set(poll),
    async clear() {
      const all: { remove(): Promise<void> }[] = [
        items.readingsDays,
        items.readingsSnapshot,
        items.readingsSync,
        items.readingsPoll,
        items.popupView,
        items.lastPopupView,
        items.popupFrame,
        items.lastPopupFrame,
      ];
      await Promise.all(all.map((item) => item.remove()));
    },
  };
}

export function toStatusSync(sync: SyncRecord): Status['sync'] {
  return { state: sync.state, error: sync.error, nextRetryAt: sync.nextRetryAt };
}
