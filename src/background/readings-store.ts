import { z } from 'zod';
import type { StorageArea } from '../auth/auth-storage';
import { appErrorSchema } from '../shared/app-error-schema';
import { readingsSnapshotSchema, type ReadingsSnapshot } from '../shared/readings';
import { statusSchema, type Status } from '../shared/status';

/**
 * Derived, non-secret state the background keeps in storage.session so that a restarted service
 * worker paints the same thing: the readings snapshot (health data: session storage only, never
 * storage.local), the sync state and the outcome of the last sign-in.
 */
const syncSchema = statusSchema.shape.sync.extend({ attempt: z.number().int().nonnegative().default(0) });
export type SyncRecord = z.infer<typeof syncSchema>;

const authNoteSchema = z.object({
  error: appErrorSchema.nullable(),
  /** The session ended because CardioMood rejected it: show "Reconnect", not "Connect". */
  reconnectRequired: z.boolean(),
});
export type AuthNote = z.infer<typeof authNoteSchema>;

const KEYS = { snapshot: 'readings.snapshot', sync: 'readings.sync', authNote: 'auth.note' } as const;

export const IDLE_SYNC: SyncRecord = { state: 'idle', error: null, nextRetryAt: null, attempt: 0 };
const NO_AUTH_NOTE: AuthNote = { error: null, reconnectRequired: false };

export interface ReadingsStore {
  readSnapshot(): Promise<ReadingsSnapshot | null>;
  writeSnapshot(snapshot: ReadingsSnapshot | null): Promise<void>;
  readSync(): Promise<SyncRecord>;
  writeSync(sync: SyncRecord): Promise<void>;
  readAuthNote(): Promise<AuthNote>;
  writeAuthNote(note: AuthNote): Promise<void>;
  clear(): Promise<void>;
}

export function createReadingsStore(session: StorageArea): ReadingsStore {
  async function read<T>(key: string, schema: z.ZodType<T>, fallback: T): Promise<T> {
    const stored = (await session.get(key))[key];
    if (stored === undefined) return fallback;
    const parsed = schema.safeParse(stored);
    if (!parsed.success) {
      console.warn(`Ignoring invalid stored "${key}"`);
      return fallback;
    }
    return parsed.data;
  }
  return {
    readSnapshot: () => read(KEYS.snapshot, readingsSnapshotSchema.nullable(), null),
    writeSnapshot: (snapshot) =>
      snapshot ? session.set({ [KEYS.snapshot]: snapshot }) : session.remove(KEYS.snapshot),
    readSync: () => read(KEYS.sync, syncSchema, IDLE_SYNC),
    writeSync: (sync) => session.set({ [KEYS.sync]: sync }),
    readAuthNote: () => read(KEYS.authNote, authNoteSchema, NO_AUTH_NOTE),
    writeAuthNote: (note) => session.set({ [KEYS.authNote]: note }),
    clear: () => session.remove([KEYS.snapshot, KEYS.sync]),
  };
}

export function toStatusSync(sync: SyncRecord): Status['sync'] {
  return { state: sync.state, error: sync.error, nextRetryAt: sync.nextRetryAt };
}
