import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { createBrowserIdle } from '../src/background/browser-idle';
import { startBackground } from '../src/background/create-background';
import { createLocalStorageFrameCache, createOffscreenFrameCache } from '../src/background/frame-cache';
import { getRuntimeConfig } from '../src/shared/runtime-config';
import { renderPopupFrame } from '../src/ui/popup/render-stored-popup';

export default defineBackground({
  main() {
    startBackground({
      config: getRuntimeConfig(),
      fetch: (input, init) => fetch(input, init),
      now: () => Date.now(),
      // Firefox knows only url and interactive; the bounds of a non-interactive flow are Chrome's.
      launchWebAuthFlow: ({ url, interactive, ...chromeOnly }) =>
        browser.identity.launchWebAuthFlow(import.meta.env.FIREFOX ? { url, interactive } : { url, interactive, ...chromeOnly }),
      getRedirectUrl: () => browser.identity.getRedirectURL(),
      idle: createBrowserIdle(),
      // The popup's first frame, rendered into each view the background stores (docs/performance.md).
      renderPopupFrame: (view, area, now) => renderPopupFrame(view, area, browser, now),
      frameCache: import.meta.env.FIREFOX
        ? createLocalStorageFrameCache(localStorage)
        : createOffscreenFrameCache({
            createDocument: (parameters) => browser.offscreen.createDocument(parameters as Parameters<typeof browser.offscreen.createDocument>[0]),
            closeDocument: () => browser.offscreen.closeDocument(),
            sendMessage: (message) => browser.runtime.sendMessage(message),
            url: browser.runtime.getURL('/offscreen.html'),
          }),
    });
  },
});
