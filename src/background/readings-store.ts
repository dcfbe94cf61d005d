import type { ReadingsSnapshot } from '../shared/readings';
import type { Status } from '../shared/status';
import type { AuthNote, StorageItems, SyncRecord } from '../storage/storage-items';

export type { AuthNote, SyncRecord };

export const IDLE_SYNC: SyncRecord = { state: 'idle', error: null, nextRetryAt: null, attempt: 0 };
const NO_AUTH_NOTE: AuthNote = { error: null, reconnectRequired: false };

/**
 * Derived, non-secret state the background keeps in storage.session so that a restarted service
 * worker paints the same thing: the readings snapshot (health data: session storage only, never
 * storage.local), the sync state and the outcome of the last sign-in. Invalid stored values count as
 * absent.
 */
export interface ReadingsStore {
  readSnapshot(): Promise<ReadingsSnapshot | null>;
  writeSnapshot(snapshot: ReadingsSnapshot | null): Promise<void>;
  readSync(): Promise<SyncRecord>;
  writeSync(sync: SyncRecord): Promise<void>;
  readAuthNote(): Promise<AuthNote>;
  writeAuthNote(note: AuthNote): Promise<void>;
  clear(): Promise<void>;
}

export function createReadingsStore(items: Pick<StorageItems, 'readingsSnapshot' | 'readingsSync' | 'authNote'>): ReadingsStore {
  return {
    readSnapshot: () => items.readingsSnapshot.get(),
    writeSnapshot: (snapshot) => (snapshot ? items.readingsSnapshot.set(snapshot) : items.readingsSnapshot.remove()),
    readSync: async () => (await items.readingsSync.get()) ?? IDLE_SYNC,
    writeSync: (sync) => items.readingsSync.set(sync),
    readAuthNote: async () => (await items.authNote.get()) ?? NO_AUTH_NOTE,
    writeAuthNote: (note) => items.authNote.set(note),
    async clear() {
      await Promise.all([items.readingsSnapshot.remove(), items.readingsSync.remove()]);
    },
  };
}

export function toStatusSync(sync: SyncRecord): Status['sync'] {
  return { state: sync.state, error: sync.error, nextRetryAt: sync.nextRetryAt };
}
