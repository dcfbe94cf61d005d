import { type PaintableFrame, paintsTheSame, readFrameCache, type WebStorage } from '../../shared/frame-cache';
import { localIsoDate } from '../../shared/local-date';
import { buildFrameTree, isFrameTree, setFrameHtml } from '../../shared/frame-tree';
import { FRAME_CACHE_KEY } from '../../shared/popup-view-keys';
import type { ExtensionApi } from '../extension-api';
import { markAfterPaint } from '../mark-painted';
import { createPageText } from '../page-text';
import { readPopupFrame, readPopupView, type StoredPopupView } from './read-popup-view';

/**
 * Mounts the interactive popup (PopupApp with its messaging client) over `root`; `painted` says the
 * first frame already shows `stored`.
 */
export type MountPopupApp = (root: HTMLElement, api: ExtensionApi, stored: StoredPopupView | null, painted: boolean) => void;

export interface StartPopupDeps {
  /** The page's extension API, asked for only after a first frame from the copy. */
  api(): ExtensionApi;
  /** The rest of the popup, as a dynamic import(): loaded after the first frame. */
  loadApp(): Promise<MountPopupApp>;
  /** Runs `task` after the next frame is on screen. */
  afterPaint?(task: () => void): void;
  /** The clock (epoch ms); tests pass their own. */
  now?(): number;
  /** Where the background caches the frame (the page's localStorage; null: none); tests pass their own. */
  cache?: WebStorage | null;
}

/**
 * After the next frame on screen: requestAnimationFrame runs just before it, a task queued from there
 * after it. Counted from the load event: Firefox paints a new page only once it has loaded (paint
 * suppression), so a frame before it shows nothing, and work started then (the storage reads, the
 * rest of the popup's script) delays the load event and with it the first paint by 5 ms or more
 * (docs/performance.md). The timeout is a floor for a page whose frames are throttled (a background tab).
 */
function afterNextPaint(task: () => void): void {
  let done = false;
  const once = () => {
    if (!done) {
      done = true;
      task();
    }
  };
  const afterFrame = () => {
    requestAnimationFrame(() => setTimeout(once, 0));
    setTimeout(once, 100);
  };
  if (document.readyState === 'complete') afterFrame();
  else addEventListener('load', afterFrame, { once: true });
}

/** How a frame was put on screen (see paintFrame). */
type FramePaint = 'sanitizer' | 'tree';

/**
 * Paints the frame the background rendered from the stored view, when it still holds: rendered today
 * (its "Today", "Yesterday" and times of day are relative to the day) and in this browser language;
 * with it, the page's language and title. Says how it was put on screen: `sanitizer`, its HTML through
 * the Sanitizer API's safe setHTML (one native parse); `tree`, its tree built with createElement where
 * the browser has no setHTML (or the frame no HTML). Null when there is no such frame: the
 * interactive popup then renders the view itself. No extension API is called on the way (the first
 * call of i18n alone cost up to 5 ms while the page loads).
 */
function paintFrame(root: HTMLElement, frame: PaintableFrame, now: number): FramePaint | null {
  if (frame.date !== localIsoDate(now) || frame.language !== navigator.language) return null;
  root.replaceChildren();
  let paint: FramePaint = 'sanitizer';
  if (frame.html === undefined) {
    paint = 'tree';
    buildFrameTree(root, frame.tree);
  } else if (!setFrameHtml(root, frame.html)) {
    // Its tree was left unchecked for the Sanitizer API: checked now, before it is built.
    if (!isFrameTree(frame.tree)) return null;
    paint = 'tree';
    buildFrameTree(root, frame.tree);
  }
  document.documentElement.lang = frame.lang;
  document.title = frame.title;
  return paint;
}

/**
 * The popup's start. With a stored view whose frame still holds, the first frame is that frame, built
 * from plain data with createElement: from the localStorage copy before any round trip, else from
 * storage once read. No Preact, zod, polyfill or messaging is loaded for it; a frame from the copy
 * does not even touch the extension API, and the storage check follows it. Only after that frame is
 * on screen does the rest load: the interactive popup, which renders over the frame and asks the
 * background for the live status.
 * Without one (signed out, first run, a frame from another day) the rest loads at once.
 */
export async function startPopup(root: HTMLElement, deps: StartPopupDeps): Promise<void> {
  const { loadApp, afterPaint = afterNextPaint, now = Date.now, cache = safeLocalStorage() } = deps;
  const tryPaint = (frame: PaintableFrame): boolean => {
    try {
      const paint = paintFrame(root, frame, now());
      // How the frame went on screen, for tests and a look in DevTools (see paintFrame).
      if (paint) root.dataset.paint = paint;
      return paint !== null;
    } catch (error) {
      // A frame this popup cannot paint must not leave it half done: the interactive popup renders anew.
      console.error('Painting the stored popup frame failed', error);
      root.replaceChildren();
      return false;
    }
  };
  // The bench's mark, after the frame that shows a frame of readings (if one is still up by then).
  let markAsked = false;
  const mark = () => {
    if (markAsked) return;
    markAsked = true;
    markAfterPaint('readings-painted', () => root.dataset.frame !== undefined);
  };
  // Synchronously, before any round trip: the frame's copy in localStorage ("Keep me signed in").
  const cached = cache ? readFrameCache(cache) : null;
  let painted = cached !== null && tryPaint(cached);
  if (painted) {
    // Where the first frame came from, for tests and for a look in DevTools; Preact leaves the root's own attributes alone.
    root.dataset.frame = 'cache';
    mark();
    // Nothing else runs before that frame: Firefox paints a page only once it has loaded, and
    // touching the extension API (its first use builds the bindings) and starting the storage reads
    // delayed that by a few ms (docs/performance.md).
    await new Promise<void>((resolve) => afterPaint(resolve));
  }
  const api = deps.api();
  // The storage reads, both at once: the frame is the small one, the view is for the interactive popup.
  const storedPromise = readPopupView(api.storage);
  const found = await readPopupFrame(api.storage);
  if (cached && !(found && paintsTheSame(found.frame, cached))) {
    // storage.session (or .local) is the truth: a copy that paints other than its frame is replaced
    // at once, and one with nothing behind it (no view: the session ended) is taken down and
    // deleted. A view whose frame is still being rendered (the background writes it after the
    // status) leaves the copy alone: the background skips rewriting a copy it believes is there.
    if (!found && !(await storedPromise)) cache?.removeItem(FRAME_CACHE_KEY);
    root.replaceChildren();
    delete root.dataset.frame;
    delete root.dataset.paint;
    painted = false;
  }
  let paintedNow = false;
  if (!painted && found) {
    painted = paintedNow = tryPaint(found.frame);
    if (painted) {
      root.dataset.frame = found.area;
      mark();
    }
  }
  const mount = () =>
    Promise.all([loadApp(), storedPromise]).then(
      ([mountApp, stored]) => mountApp(root, api, stored, painted),
      (error: unknown) => {
        console.error('Loading the popup failed', error);
        const message = document.createElement('p');
        message.setAttribute('role', 'status');
        message.textContent = createPageText(api).t('backgroundUnreachable');
        root.replaceChildren(message);
      },
    );
  if (paintedNow) afterPaint(() => void mount());
  else await mount();
}

/** The page's localStorage, or null where reading it throws (storage disabled). */
function safeLocalStorage(): WebStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
