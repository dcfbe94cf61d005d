import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { z } from 'zod';
import { createSettingsStore } from '../../src/background/settings-store';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { defineStoredItem, type StoredItem } from '../../src/storage/define-stored-item';
import { createStorageItems } from '../../src/storage/storage-items';
import { buildGlance } from '../../src/cardiomood/build-glance';
import type { Glance } from '../../src/shared/glance';
import { POPUP_VIEW_KEYS, POPUP_VIEW_VERSION } from '../../src/shared/popup-view-keys';
import type { PopupView } from '../../src/shared/popup-view';

const popupViewOf = (glance: Glance): PopupView => ({
  v: POPUP_VIEW_VERSION,
  glance,
  units: 'metric',
  temperature: 'celsius',
  hidden: [],
  savedAt: glance.checkedAt,
});

const secretSchema = z.object({ token: z.string().min(1), n: z.number() });
const defined: Array<{ dispose(): void }> = [];

function secretItem(options: { version?: number; migrations?: Record<number, (old: unknown) => unknown> } = {}) {
  const warn = vi.fn();
  const item = defineStoredItem('local:test.secret', { schema: secretSchema, version: options.version ?? 1, migrations: options.migrations, warn });
  defined.push(item);
  return { item, warn };
}

/** Holds storage.local reads until released (each read sees storage as it was when it started). */
function holdLocalReads() {
  const get = fakeBrowser.storage.local.get.bind(fakeBrowser.storage.local);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const spy = vi.spyOn(fakeBrowser.storage.local, 'get').mockImplementation(async (keys?: unknown) => {
    const snapshot = await get(keys as string);
    await gate;
    return snapshot;
  });
  return { release, spy };
}

beforeEach(() => {
  fakeBrowser.reset();
});
afterEach(() => {
  defined.splice(0).forEach((item) => item.dispose());
});

describe('defineStoredItem', () => {
  it('should read a value from storage once and answer later reads from memory', async () => {
    await fakeBrowser.storage.local.set({ 'test.secret': { token: 't', n: 1 } });
    const { item } = secretItem();
    expect(await item.get()).toEqual({ token: 't', n: 1 });
    const reads = vi.spyOn(fakeBrowser.storage.local, 'get');
    expect(await item.read()).toEqual({ status: 'valid', value: { token: 't', n: 1 } });
    expect(await item.get()).toEqual({ token: 't', n: 1 });
    expect(reads).not.toHaveBeenCalled();
  });

  it('should answer an absent value from memory too', async () => {
    const { item } = secretItem();
    expect(await item.read()).toEqual({ status: 'absent' });
    const reads = vi.spyOn(fakeBrowser.storage.local, 'get');
    expect(await item.get()).toBeNull();
    expect(reads).not.toHaveBeenCalled();
  });

  it('should hand out copies, so a caller changing a value does not change the cache', async () => {
    const { item } = secretItem();
    await item.set({ token: 't', n: 1 });
    const first = (await item.get())!;
    first.n = 2;
    expect(await item.get()).toEqual({ token: 't', n: 1 });
  });

  it('should see its own writes and removals at once, and write them through to storage', async () => {
    const { item } = secretItem();
    const write = item.set({ token: 't', n: 2 });
    expect(await item.get()).toEqual({ token: 't', n: 2 });
    await write;
    expect(await fakeBrowser.storage.local.get('test.secret')).toEqual({ 'test.secret': { token: 't', n: 2 } });
    await item.remove();
    expect(await item.get()).toBeNull();
    expect(await fakeBrowser.storage.local.get('test.secret')).toEqual({});
  });

  it('should forget a value another context changed and read it again from storage', async () => {
    const { item } = secretItem();
    await item.set({ token: 'old', n: 1 });
    expect((await item.get())?.token).toBe('old');
    await fakeBrowser.storage.local.set({ 'test.secret': { token: 'new', n: 1 } });
    expect((await item.get())?.token).toBe('new');
    await fakeBrowser.storage.local.remove('test.secret');
    expect(await item.get()).toBeNull();
  });

  it('should not cache a read that was overtaken by a write', async () => {
    await fakeBrowser.storage.local.set({ 'test.secret': { token: 'old', n: 1 } });
    const { item } = secretItem();
    const held = holdLocalReads();
    const slowRead = item.get();
    await vi.waitFor(() => expect(held.spy).toHaveBeenCalled());
    held.spy.mockRestore();
    await item.set({ token: 'new', n: 1 });
    held.release();
    // The slow read may report either; what it must not do is put "old" back in the cache.
    await slowRead;
    expect((await item.get())?.token).toBe('new');
  });

  it('should forget a value whose write failed, so the next read asks storage', async () => {
    const { item } = secretItem();
    await item.set({ token: 'kept', n: 1 });
    vi.spyOn(fakeBrowser.storage.local, 'set').mockRejectedValueOnce(new Error('QUOTA_BYTES quota exceeded'));
    await expect(item.set({ token: 'lost', n: 1 })).rejects.toThrow('quota');
    expect((await item.get())?.token).toBe('kept');
  });

  it('should fail closed on an invalid stored value and log where, never what', async () => {
    await fakeBrowser.storage.local.set({ 'test.secret': { token: 'secret-token-value', n: 'one' } });
    const { item, warn } = secretItem();
    expect(await item.read()).toEqual({ status: 'invalid' });
    expect(await item.get()).toBeNull();
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]![0]).toContain('"local:test.secret" (n)');
    expect(warn.mock.calls[0]![0]).not.toContain('secret-token-value');
    // Never repaired: the stored value is left as it was.
    expect(await fakeBrowser.storage.local.get('test.secret')).toEqual({ 'test.secret': { token: 'secret-token-value', n: 'one' } });
  });

  it('should refuse to write a value that does not match its schema', async () => {
    const { item } = secretItem();
    await expect(item.set({ token: '', n: 1 })).rejects.toThrow();
    expect(await fakeBrowser.storage.local.get(null)).toEqual({});
  });

  it('should migrate a value stored without version meta and record the new version', async () => {
    await fakeBrowser.storage.local.set({ 'test.secret': { token: 't' } });
    const { item } = secretItem({ version: 2, migrations: { 2: (old) => ({ ...(old as object), n: 0 }) } });
    expect(await item.get()).toEqual({ token: 't', n: 0 });
    expect(await fakeBrowser.storage.local.get(['test.secret', 'test.secret$'])).toEqual({
      'test.secret': { token: 't', n: 0 },
      'test.secret$': { v: 2 },
    });
  });

  it('should record the version with the first write of a new value', async () => {
    const { item } = secretItem({ version: 2, migrations: { 2: (old) => old } });
    await item.set({ token: 't', n: 1 });
    expect(await fakeBrowser.storage.local.get('test.secret$')).toEqual({ 'test.secret$': { v: 2 } });
  });

  it('should fail closed when a migration fails: WXT keeps the old value, the schema refuses it', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await fakeBrowser.storage.local.set({ 'test.secret': { token: 't' } });
    const { item } = secretItem({
      version: 2,
      migrations: {
        2: () => {
          throw new Error('cannot migrate');
        },
      },
    });
    expect(await item.read()).toEqual({ status: 'invalid' });
    expect(logged).toHaveBeenCalled();
    expect(await fakeBrowser.storage.local.get(['test.secret', 'test.secret$'])).toEqual({ 'test.secret': { token: 't' } });
  });

  it('should stop watching once disposed', async () => {
    const { item } = secretItem();
    await item.set({ token: 'old', n: 1 });
    await item.get();
    item.dispose();
    await fakeBrowser.storage.local.set({ 'test.secret': { token: 'new', n: 1 } });
    // No longer told about changes: the memory copy stays (a disposed item is not used any more).
    expect((await item.get())?.token).toBe('old');
  });
});

describe('createStorageItems', () => {
  it('should declare each stored key once, in its area', () => {
    const items = createStorageItems();
    defined.push(items);
    const keys = Object.values(items)
      .filter((value): value is StoredItem<unknown> => typeof value === 'object' && value !== null && 'key' in value)
      .map((item) => item.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((key) => key.startsWith('local:')).sort()).toEqual([
      'local:auth.persistedRefreshToken',
      'local:auth.sessionEnd',
      'local:settings',
      'local:view.lastPopup',
      'local:view.lastPopupFrame',
    ]);
  });

  it('should keep the popup views under the raw keys the popup reads bare, without a version meta key', async () => {
    const items = createStorageItems();
    defined.push(items);
    expect([items.popupView.key, items.lastPopupView.key]).toEqual([`session:${POPUP_VIEW_KEYS.session}`, `local:${POPUP_VIEW_KEYS.local}`]);
    const view = popupViewOf(buildGlance({ records: [], today: '2026-11-28', now: Date.parse('2026-11-28T12:00:00Z') }));
    await items.popupView.set(view);
    await items.lastPopupView.set(view);
    // What the popup's first frame does: a bare get of one key, no WXT, no schema.
    expect(await fakeBrowser.storage.session.get(null)).toEqual({ [POPUP_VIEW_KEYS.session]: view });
    expect(await fakeBrowser.storage.local.get(null)).toEqual({ [POPUP_VIEW_KEYS.local]: view });
  });

  it('should migrate 0.1.0 settings, giving the fields 0.1.0 defaulted their 0.1.0 defaults', async () => {
    await fakeBrowser.storage.local.set({ settings: { units: 'imperial' } });
    const items = createStorageItems();
    defined.push(items);
    expect(await items.settings.get()).toEqual({ ...DEFAULT_SETTINGS, units: 'imperial' });
    expect(await fakeBrowser.storage.local.get('settings$')).toEqual({ settings$: { v: 2 } });
  });

  it('should refuse settings that lack a field once they are version 2', async () => {
    await fakeBrowser.storage.local.set({ settings: { units: 'imperial' }, settings$: { v: 2 } });
    const items = createStorageItems({ warn: vi.fn() });
    defined.push(items);
    expect(await items.settings.read()).toEqual({ status: 'invalid' });
  });
});

describe('createSettingsStore', () => {
  it('should apply overlapping updates one after another, so neither undoes the other', async () => {
    const items = createStorageItems();
    defined.push(items);
    const store = createSettingsStore(items.settings);
    const held = holdLocalReads();
    const first = store.update({ units: 'imperial' });
    const second = store.update({ hiddenTiles: ['steps'] });
    held.release();
    await Promise.all([first, second]);
    expect(await store.get()).toEqual({ ...DEFAULT_SETTINGS, units: 'imperial', hiddenTiles: ['steps'] });
  });

  it('should go on after a failed update', async () => {
    const items = createStorageItems();
    defined.push(items);
    const store = createSettingsStore(items.settings);
    vi.spyOn(fakeBrowser.storage.local, 'set').mockRejectedValueOnce(new Error('QUOTA_BYTES quota exceeded'));
    await expect(store.update({ units: 'imperial' })).rejects.toThrow('quota');
    expect(await store.update({ temperature: 'fahrenheit' })).toEqual({ ...DEFAULT_SETTINGS, temperature: 'fahrenheit' });
  });
});
