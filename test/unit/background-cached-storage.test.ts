import { describe, expect, it, vi } from 'vitest';
import type { StorageArea } from '../../src/auth/auth-storage';
import { createCachedStorageArea } from '../../src/background/cached-storage-area';
import { createSettingsStore } from '../../src/background/settings-store';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';

/** An in-memory storage area that counts reads, can hold them, and reports changes like browser.storage. */
function fakeArea() {
  const data = new Map<string, unknown>();
  const listeners = new Set<(keys: string[]) => void>();
  let gate: Promise<void> | null = null;
  const area = {
    reads: 0,
    failWrites: false,
    hold() {
      let release!: () => void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = null;
        release();
      };
    },
    async get(keys?: string | string[] | null) {
      area.reads += 1;
      const snapshot = new Map(data);
      if (gate) await gate;
      const wanted = keys === null || keys === undefined ? [...snapshot.keys()] : Array.isArray(keys) ? keys : [keys];
      return Object.fromEntries(wanted.filter((key) => snapshot.has(key)).map((key) => [key, structuredClone(snapshot.get(key))]));
    },
    async set(items: Record<string, unknown>) {
      if (area.failWrites) throw new Error('QUOTA_BYTES quota exceeded');
      for (const [key, value] of Object.entries(items)) data.set(key, structuredClone(value));
      listeners.forEach((listener) => listener(Object.keys(items)));
    },
    async remove(keys: string | string[]) {
      const list = Array.isArray(keys) ? keys : [keys];
      list.forEach((key) => data.delete(key));
      listeners.forEach((listener) => listener(list));
    },
    /** A write by someone else (another extension page, devtools): storage changes, an event follows. */
    external(key: string, value: unknown) {
      data.set(key, value);
      listeners.forEach((listener) => listener([key]));
    },
    watch(listener: (keys: string[]) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return area satisfies StorageArea & Record<string, unknown>;
}

function cached(area = fakeArea()) {
  return { area, storage: createCachedStorageArea(area, (listener) => area.watch(listener)) };
}

describe('createCachedStorageArea', () => {
  it('should read a key from storage once and answer later reads from memory, absent keys included', async () => {
    const { area, storage } = cached();
    await area.set({ a: { n: 1 } });
    const reads = area.reads;
    expect(await storage.get('a')).toEqual({ a: { n: 1 } });
    expect(await storage.get(['a', 'missing'])).toEqual({ a: { n: 1 } });
    expect(await storage.get('missing')).toEqual({});
    expect(area.reads - reads).toBe(2);
  });

  it('should hand out copies, so a caller changing a value does not change the cache', async () => {
    const { storage } = cached();
    await storage.set({ a: { list: [1] } });
    const first = (await storage.get('a')).a as { list: number[] };
    first.list.push(2);
    expect(await storage.get('a')).toEqual({ a: { list: [1] } });
  });

  it('should see its own writes and removals at once, and write them through to storage', async () => {
    const { area, storage } = cached();
    await storage.get('a');
    const write = storage.set({ a: 2 });
    expect(await storage.get('a')).toEqual({ a: 2 });
    await write;
    expect(await area.get('a')).toEqual({ a: 2 });
    await storage.remove('a');
    expect(await storage.get('a')).toEqual({});
    expect(await area.get('a')).toEqual({});
  });

  it('should forget a key another context changed and read it again from storage', async () => {
    const { area, storage } = cached();
    await storage.set({ 'readings.snapshot': 'old' });
    expect(await storage.get('readings.snapshot')).toEqual({ 'readings.snapshot': 'old' });
    area.external('readings.snapshot', 'new');
    expect(await storage.get('readings.snapshot')).toEqual({ 'readings.snapshot': 'new' });
  });

  it('should not cache a read that was overtaken by a write to the same key', async () => {
    const { area, storage } = cached();
    await area.set({ a: 'old' });
    const release = area.hold();
    const slowRead = storage.get('a');
    await storage.set({ a: 'new' });
    release();
    // The slow read may report either; what it must not do is put "old" back in the cache.
    await slowRead;
    expect(await storage.get('a')).toEqual({ a: 'new' });
  });

  it('should forget a key whose write failed, so the next read asks storage', async () => {
    const { area, storage } = cached();
    await storage.set({ a: 'kept' });
    area.failWrites = true;
    await expect(storage.set({ a: 'lost' })).rejects.toThrow('quota');
    expect(await storage.get('a')).toEqual({ a: 'kept' });
  });

  it('should stop listening once disposed', async () => {
    const area = fakeArea();
    const unwatch = vi.fn();
    const storage = createCachedStorageArea(area, () => unwatch);
    storage.dispose();
    expect(unwatch).toHaveBeenCalledOnce();
  });
});

describe('createSettingsStore', () => {
  it('should apply overlapping updates one after another, so neither undoes the other', async () => {
    const area = fakeArea();
    const store = createSettingsStore(area);
    const release = area.hold();
    const first = store.update({ units: 'imperial' });
    const second = store.update({ hiddenTiles: ['steps'] });
    release();
    await Promise.all([first, second]);
    expect(await store.get()).toEqual({ ...DEFAULT_SETTINGS, units: 'imperial', hiddenTiles: ['steps'] });
  });

  it('should go on after a failed update', async () => {
    const area = fakeArea();
    const store = createSettingsStore(area);
    area.failWrites = true;
    await expect(store.update({ units: 'imperial' })).rejects.toThrow('quota');
    area.failWrites = false;
    expect(await store.update({ temperature: 'fahrenheit' })).toEqual({ ...DEFAULT_SETTINGS, temperature: 'fahrenheit' });
  });
});
