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
      launchWebAuthFlow: (details) => browser.identity.launchWebAuthFlow(details),
      getRedirectUrl: () => browser.identity.getRedirectURL(),
      idle: createBrowserIdle(),
    });
  },
});
