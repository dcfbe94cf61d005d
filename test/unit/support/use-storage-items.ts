import { afterEach, beforeEach, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createStorageItems, type StorageItems } from '../../../src/storage/storage-items';

/**
 * Registers the hooks of a test file that works on the real storage items: a fresh fake browser and
 * fresh items before each test, their watchers stopped after it. Returns a getter for the items.
 */
export function useStorageItems(): () => StorageItems {
  let items: StorageItems | undefined;
  beforeEach(() => {
    fakeBrowser.reset();
    items = createStorageItems({ warn: vi.fn() });
  });
  afterEach(() => items?.dispose());
  return () => {
    if (!items) throw new Error('useStorageItems: the items exist only inside a test');
    return items;
  };
}
