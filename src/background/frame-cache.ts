import { applyFrameCache, type FrameCacheMessage, type WebStorage } from '../shared/frame-cache';
import type { PopupFrame } from '../shared/popup-view';
import { FRAME_CACHE_MESSAGE } from '../shared/popup-view-keys';
import { createSerialQueue } from '../shared/serial-queue';

/**
 * The copy of the popup's first frame in the extension's localStorage (FRAME_CACHE_KEY), which the
 * popup reads without a round trip. The background keeps it equal to the current frame while "Keep
 * me signed in" is on and deletes it otherwise; the popup still checks it against storage.
 */
export interface FrameCache {
  write(frame: PopupFrame | null): Promise<void>;
}

/** Firefox: the background is an event page, with the extension's localStorage at hand. */
export function createLocalStorageFrameCache(storage: WebStorage): FrameCache {
  return {
    async write(frame) {
      applyFrameCache(storage, frame);
    },
  };
}

/** The slice of `chrome.offscreen` and `runtime.sendMessage` the Chrome writer needs. */
export interface OffscreenDeps {
  createDocument(parameters: { url: string; reasons: string[]; justification: string }): Promise<void>;
  closeDocument(): Promise<void>;
  sendMessage(message: FrameCacheMessage): Promise<unknown>;
  /** The offscreen page of the build (`offscreen.html`). */
  url: string;
}

/**
 * Chrome: a service worker has no localStorage, so each write opens the extension's offscreen
 * document (reason LOCAL_STORAGE, made for exactly this), hands it the frame, and closes it again:
 * no page stays open in the background. Writes run one at a time, in order.
 */
export function createOffscreenFrameCache(deps: OffscreenDeps): FrameCache {
  const serial = createSerialQueue();
  return {
    write(frame) {
      return serial(async () => {
        await deps
          .createDocument({
            url: deps.url,
            reasons: ['LOCAL_STORAGE'],
            justification: "Keeps the popup's first frame where the popup reads it without waiting (Keep me signed in).",
          })
          // One left open by a write that failed half way is as good as a new one.
          .catch((error: unknown) => {
            if (!/single offscreen document/i.test(String(error))) throw error;
          });
        try {
          const applied = await deps.sendMessage({ target: FRAME_CACHE_MESSAGE, frame });
          if (applied !== true) throw new Error('The offscreen document did not apply the frame');
        } finally {
          await deps.closeDocument().catch(() => undefined);
        }
      });
    },
  };
}
