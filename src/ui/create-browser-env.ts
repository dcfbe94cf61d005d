import { browser } from 'wxt/browser';
import { onMessage, sendMessage } from '../messaging/protocol';
import { createFormat } from './format';
import { createTranslate, resolveLocale } from './i18n';
import { createPlatform, type PlatformApi } from './platform';
import { createUiClient, type UiClientDeps } from './ui-client';
import type { UiEnv } from './ui-env';

/** The real environment of an extension page: the background over the protocol, browser i18n and Intl. */
export function createBrowserEnv(): UiEnv {
  const t = createTranslate((key, substitutions) => browser.i18n.getMessage(key as 'extName', substitutions));
  const locale = resolveLocale(browser.i18n.getUILanguage(), t('lang') || 'en');
  return {
    client: createUiClient({ sendMessage: sendMessage as UiClientDeps['sendMessage'], onMessage }),
    t,
    format: createFormat(locale, t),
    platform: createPlatform(browser as unknown as PlatformApi),
    now: Date.now,
  };
}
