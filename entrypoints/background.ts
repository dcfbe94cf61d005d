import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { createBrowserIdle } from '../src/background/browser-idle';
import { startBackground } from '../src/background/create-background';
import { getRuntimeConfig } from '../src/shared/runtime-config';

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
    });
  },
});
