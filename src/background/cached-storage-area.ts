import type { StorageArea } from '../auth/auth-storage';

/** Subscribes to the changed keys of one storage area; returns the unsubscribe. */
export type WatchStorageArea = (listener: (changedKeys: string[]) => void) => () => void;

export interface CachedStorageArea extends StorageArea {
  /** Stops listening for changes (the cache then only knows its own writes). */
  dispose(): void;
}

/**
 * A storage area that answers repeated reads of a key from memory: the popup's first message must
 * not wait for a storage round trip per key it needs (docs/performance.md, "popup warm").
 *
 * Storage stays the truth. Our own writes update the cache at once (a read after a write sees it,
 * as storage itself guarantees); a failed write forgets the key; and every change event, ours or
 * anyone's, forgets the keys it names, so the next read goes back to storage. A read that was in
 * flight while its key changed is not cached. Only the values are kept, in the background's own
 * memory, where they are read anyway.
 */
export function createCachedStorageArea(area: StorageArea, watch: WatchStorageArea): CachedStorageArea {
  const cache = new Map<string, unknown>();
  /** Bumped on every write or change of a key: a read started before that must not fill the cache. */
  const versions = new Map<string, number>();
  const bump = (key: string) => versions.set(key, (versions.get(key) ?? 0) + 1);
  const forget = (key: string) => {
    cache.delete(key);
    bump(key);
  };
  const unwatch = watch((changedKeys) => changedKeys.forEach(forget));

  const keysOf = (keys: string | string[]) => (Array.isArray(keys) ? keys : [keys]);

  return {
    async get(keys) {
      // Whole-area reads are rare (none in the background today) and go straight to storage.
      if (keys === null || keys === undefined) return area.get(keys);
      const wanted = keysOf(keys);
      const missing = wanted.filter((key) => !cache.has(key));
      if (missing.length) {
        const started = missing.map((key) => versions.get(key) ?? 0);
        const stored = await area.get(missing);
        // A key written or changed meanwhile: this answer may be older than that, ask storage again.
        if (missing.some((key, i) => (versions.get(key) ?? 0) !== started[i])) return area.get(keys);
        for (const key of missing) cache.set(key, stored[key]);
      }
      const result: Record<string, unknown> = {};
      for (const key of wanted) {
        const value = cache.get(key);
        if (value !== undefined) result[key] = structuredClone(value);
      }
      return result;
    },
    async set(items) {
      for (const [key, value] of Object.entries(items)) {
        bump(key);
        cache.set(key, structuredClone(value));
      }
      try {
        await area.set(items);
      } catch (error) {
        Object.keys(items).forEach(forget);
        throw error;
      }
    },
    async remove(keys) {
      for (const key of keysOf(keys)) {
        bump(key);
        cache.set(key, undefined);
      }
      try {
        await area.remove(keys);
      } catch (error) {
        keysOf(keys).forEach(forget);
        throw error;
      }
    },
    dispose: unwatch,
  };
}
