import { type FrameNode, isFrameTree } from './frame-tree';
import type { PopupFrame } from './popup-view';
import { FRAME_CACHE_KEY, FRAME_CACHE_MESSAGE, POPUP_VIEW_VERSION } from './popup-view-keys';

/** The part of the Web Storage API the frame cache uses (`localStorage`). */
export type WebStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** What the background asks Chrome's offscreen document to apply. */
export interface FrameCacheMessage {
  target: typeof FRAME_CACHE_MESSAGE;
  frame: PopupFrame | null;
}

export function isFrameCacheMessage(message: unknown): message is FrameCacheMessage {
  return typeof message === 'object' && message !== null && (message as Partial<FrameCacheMessage>).target === FRAME_CACHE_MESSAGE;
}

/** Caches `frame` in `storage`, or deletes the cached one (null). */
export function applyFrameCache(storage: WebStorage, frame: PopupFrame | null): void {
  if (frame) storage.setItem(FRAME_CACHE_KEY, JSON.stringify(frame));
  else storage.removeItem(FRAME_CACHE_KEY);
}

/**
 * A frame as the popup reads it back (isPaintableFrame): every field checked; its tree checked too
 * unless it carries its HTML, which the popup inserts with the Sanitizer API where it can and checks
 * the tree only where it cannot (in Firefox, walking the tree once cost 1.4 ms while the page loads).
 */
export type PaintableFrame = Omit<PopupFrame, 'tree' | 'html'> & ({ html: string; tree: unknown } | { html?: undefined; tree: FrameNode[] });

/**
 * Whether two frames paint the same thing: the same area's rendering (a frame's key is
 * `area@renderedAt#hash of its markup`), for the same day and browser language. A refresh that
 * brought nothing new renders a frame that differs from the last only in its time.
 */
export function paintsTheSame(a: PaintableFrame | PopupFrame, b: PaintableFrame | PopupFrame): boolean {
  const rendering = (frame: { key: string }) => frame.key.replace(/@[^#]*#/, '#');
  return rendering(a) === rendering(b) && a.date === b.date && a.language === b.language && a.lang === b.lang && a.title === b.title;
}

/** The shape checks a frame gets before it is painted (no zod on the first frame's path; see PaintableFrame). */
export function isPaintableFrame(value: unknown): value is PaintableFrame {
  const frame = value as Partial<Record<keyof PopupFrame, unknown>> | null;
  return (
    typeof frame === 'object' &&
    frame !== null &&
    frame.v === POPUP_VIEW_VERSION &&
    typeof frame.key === 'string' &&
    (typeof frame.html === 'string' || (frame.html === undefined && isFrameTree(frame.tree))) &&
    typeof frame.date === 'string' &&
    typeof frame.language === 'string' &&
    typeof frame.lang === 'string' &&
    typeof frame.title === 'string'
  );
}

/** The cached frame, synchronously; null when there is none, it is not one, or storage is unreadable. */
export function readFrameCache(storage: WebStorage): PaintableFrame | null {
  try {
    const text = storage.getItem(FRAME_CACHE_KEY);
    const value: unknown = text === null ? null : JSON.parse(text);
    return isPaintableFrame(value) ? value : null;
  } catch {
    return null;
  }
}
