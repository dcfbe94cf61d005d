import type { Glance } from '../../shared/glance';
import { isPaintableFrame, type PaintableFrame } from '../../shared/frame-cache';
import type { PopupView } from '../../shared/popup-view';
import { POPUP_FRAME_KEYS, POPUP_VIEW_KEYS, POPUP_VIEW_VERSION } from '../../shared/popup-view-keys';
import type { StorageAreaName } from '../../shared/storage-area';
import type { ExtensionApi } from '../extension-api';
import type { PopupState } from './popup-state';

/** A view the background stored for the popup's first frame, and where it was kept. */
export interface StoredPopupView {
  view: PopupView;
  /** `session`: current; `local`: kept from an earlier browser session ("Keep me signed in"). */
  area: StorageAreaName;
}

/**
 * The checks a view gets before it is painted, without zod (which the first frame cannot afford):
 * the version the background wrote it with (a new version means a shape this popup does not know),
 * and the parts the popup reads first. The background wrote it through its schema; this guards
 * against another version of the extension, not against a forger (storage is ours alone).
 */
function isPaintable(value: unknown): value is PopupView {
  const view = value as Partial<PopupView> | null;
  return (
    typeof view === 'object' &&
    view !== null &&
    view.v === POPUP_VIEW_VERSION &&
    typeof view.glance?.today === 'object' &&
    typeof view.glance.yesterday === 'object' &&
    Array.isArray(view.hidden)
  );
}

/** A frame the background rendered from a stored view, and where it was kept. */
export interface StoredPopupFrame {
  frame: PaintableFrame;
  area: StorageAreaName;
}

/**
 * The value under `keys.session` in storage.session, else the one under `keys.local` in
 * storage.local, when `valid`. Both are asked at once: after a browser restart the session is empty,
 * and a second round trip in a row would delay the first frame; a current value does not wait for the
 * kept one. Null when there is none or the storage cannot be read.
 */
async function readEitherArea<T>(
  storage: ExtensionApi['storage'],
  keys: Record<StorageAreaName, string>,
  valid: (value: unknown) => value is T,
): Promise<{ value: T; area: StorageAreaName } | null> {
  const read = async (area: StorageAreaName) => {
    const found: unknown = (await storage[area].get(keys[area]))[keys[area]];
    return valid(found) ? { value: found, area } : null;
  };
  try {
    const local = read('local');
    local.catch(() => undefined);
    return (await read('session')) ?? (await local);
  } catch (error) {
    console.error('Reading the stored popup view failed', error);
    return null;
  }
}

/**
 * The popup's stored view: `storage.session`'s current view, else the last one kept in
 * `storage.local`. Null when there is none (signed out, first run, another version) or the storage
 * cannot be read: the popup then asks the background as before.
 */
export async function readPopupView(storage: ExtensionApi['storage']): Promise<StoredPopupView | null> {
  const found = await readEitherArea(storage, POPUP_VIEW_KEYS, isPaintable);
  return found && { view: found.value, area: found.area };
}

/** The first frame rendered from the stored view, from the same area as readPopupView would take it. */
export async function readPopupFrame(storage: ExtensionApi['storage']): Promise<StoredPopupFrame | null> {
  const found = await readEitherArea(storage, POPUP_FRAME_KEYS, isPaintableFrame);
  return found && { frame: found.value, area: found.area };
}

/** The screen of a glance painted before any status (from storage): today's data decides. */
export function storedViewState(glance: Glance): PopupState {
  return glance.today.hasData ? 'readings' : 'no-data-today';
}
