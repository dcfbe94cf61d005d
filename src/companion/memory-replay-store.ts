import type { ReplayEntry, ReplayStore } from './refresh-replay';

/** Enough for thousands of refreshes per window; beyond it the oldest entries go first. */
export const MAX_MEMORY_REPLAY_ENTRIES = 10_000;

export interface MemoryReplayStoreOptions {
  now: () => number;
  maxEntries?: number;
}

/**
 * The replay store of one Node process. Entries live in this process only: several Node instances
 * behind a load balancer need sticky routing (or Workers, where a Durable Object holds each entry),
 * and a restart forgets every entry (retries then go to CardioMood, as without the window).
 */
export function createMemoryReplayStore({ now, maxEntries = MAX_MEMORY_REPLAY_ENTRIES }: MemoryReplayStoreOptions) {
  const entries = new Map<string, ReplayEntry>();

  /** Insertion order is expiry order (one window length), so expired entries sit at the front. */
  const sweep = () => {
    for (const [id, entry] of entries) {
      if (entry.expiresAt > now() && entries.size <= maxEntries) break;
      entries.delete(id);
    }
  };

  return {
    async get(id: string): Promise<ReplayEntry | undefined> {
      const entry = entries.get(id);
      if (entry && entry.expiresAt <= now()) {
        entries.delete(id);
        return undefined;
      }
      return entry;
    },
    async put(id: string, entry: ReplayEntry): Promise<void> {
      entries.delete(id);
      entries.set(id, entry);
      sweep();
    },
    /** What the store holds right now (diagnostics and tests: it is all ciphertext). */
    entries(): [string, ReplayEntry][] {
      sweep();
      return [...entries];
    },
  } satisfies ReplayStore & { entries(): [string, ReplayEntry][] };
}
export type MemoryReplayStore = ReturnType<typeof createMemoryReplayStore>;
