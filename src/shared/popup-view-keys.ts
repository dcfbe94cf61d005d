import type { StorageAreaName } from './storage-area';

/**
 * Where the background keeps the popup's first-frame view (src/shared/popup-view.ts), as raw
 * storage keys: the popup's first paint reads them with the bare `chrome.storage` API, before any
 * library (no zod, no polyfill, no messaging) is loaded. This file imports nothing at runtime on purpose.
 *
 * - `session`: the current view, in storage.session (memory only), rewritten whenever it changes.
 * - `local`: the last view, in storage.local, only while "Keep me signed in" is on, so a browser
 *   restart paints the last-known readings at once (with their age); deleted on sign-out and when
 *   the option is turned off.
 */
export const POPUP_VIEW_KEYS = { session: 'view.popup', local: 'view.lastPopup' } as const satisfies Record<StorageAreaName, string>;

/** Bumped on any change a stored view cannot be painted with; the popup ignores other versions. */
export const POPUP_VIEW_VERSION = 1;
