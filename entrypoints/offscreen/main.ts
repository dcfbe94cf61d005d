import { browser } from 'wxt/browser';
import { applyFrameCache, isFrameCacheMessage } from '../../src/shared/frame-cache';

// Chrome's offscreen document (reason LOCAL_STORAGE): the background's service worker has no
// localStorage, so it opens this page, sends it the popup's frame to cache (or null: delete), and
// closes it once it has answered (src/background/frame-cache.ts). It does nothing else.
browser.runtime.onMessage.addListener((message: unknown, sender, sendResponse) => {
  if (!isFrameCacheMessage(message) || sender.id !== browser.runtime.id) return false;
  try {
    applyFrameCache(localStorage, message.frame);
    sendResponse(true);
  } catch (error) {
    console.error('Caching the popup frame failed', error);
    sendResponse(false);
  }
  return false;
});
