import type { ReadingsSnapshot } from '../shared/readings';
import type { Status } from '../shared/status';
import type { StorageItems, SyncRecord } from '../storage/storage-items';

export type { SyncRecord };

export const IDLE_SYNC: SyncRecord = { state: 'idle', error: null, nextRetryAt: null, attempt: 0 };

/**
 * Derived, non-secret state the background keeps in storage.session so that a restarted service
 * worker paints the same thing: the readings snapshot (health data: session storage only, never
 * storage.local) and the sync state. Invalid stored values count as absent.
 */
export interface ReadingsStore {
  readSnapshot(): Promise<ReadingsSnapshot | null>;
  writeSnapshot(snapshot: ReadingsSnapshot | null): Promise<void>;
  readSync(): Promise<SyncRecord>;
  writeSync(sync: SyncRecord): Promise<void>;
  clear(): Promise<void>;
}

export function createReadingsStore(items: Pick<StorageItems, 'readingsSnapshot' | 'readingsSync'>): ReadingsStore {
  return {
    readSnapshot: () => items.readingsSnapshot.get(),
    writeSnapshot: (snapshot) => (snapshot ? items.readingsSnapshot.set(snapshot) : items.readingsSnapshot.remove()),
    readSync: async () => (await items.readingsSync.get()) ?? IDLE_SYNC,
    writeSync: (sync) => items.readingsSync.set(sync),
    async clear() {
      await Promise.all([items.readingsSnapshot.remove(), items.readingsSync.remove()]);
    },
  };
}

export function toStatusSync(sync: SyncRecord): Status['sync'] {
  return { state: sync.state, error: sync.error, nextRetryAt: sync.nextRetryAt };
}
