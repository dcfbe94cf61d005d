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

/**
 * Where the background keeps the first frame rendered from each of those views (PopupFrame in
 * src/shared/popup-view.ts), in the same areas, written and deleted with them.
 */
export const POPUP_FRAME_KEYS = { session: 'view.popupFrame', local: 'view.lastPopupFrame' } as const satisfies Record<StorageAreaName, string>;

/** Bumped on any change a stored view cannot be painted with; the popup ignores other versions. */
export const POPUP_VIEW_VERSION = 1;

/**
 * The first frame's copy in the extension's `localStorage`, the one store a page reads without a
 * round trip: the popup paints from it synchronously (src/ui/popup/start-popup.ts). Only while
 * "Keep me signed in" is on (it is on disk), written and deleted by the background (src/shared/frame-cache.ts).
 */
export const FRAME_CACHE_KEY = 'cardiomood.popupFrame';

/** The message the background sends Chrome's offscreen document with a frame to cache (or null: delete). */
export const FRAME_CACHE_MESSAGE = 'cardiomood.frameCache';
