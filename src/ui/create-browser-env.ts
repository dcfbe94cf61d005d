import { browser } from 'wxt/browser';
import { onMessage, sendMessage } from '../messaging/protocol';
import { createFormat } from './format';
import { createTranslate, resolveLocale } from './i18n';
import { createPlatform, type PlatformApi } from './platform';
import { createUiClient, type UiClient, type UiClientDeps } from './ui-client';
import type { UiEnv } from './ui-env';

/** The background over the protocol: all a page needs to send its first request. */
export function createBrowserClient(): UiClient {
  return createUiClient({ sendMessage: sendMessage as UiClientDeps['sendMessage'], onMessage });
}

/** The real environment of an extension page: the background over the protocol, browser i18n and Intl. */
export function createBrowserEnv(client: UiClient = createBrowserClient()): UiEnv {
  const t = createTranslate((key, substitutions) => browser.i18n.getMessage(key as 'extName', substitutions));
  const locale = resolveLocale(browser.i18n.getUILanguage(), t('lang') || 'en');
  return {
    client,
    t,
    format: createFormat(locale, t),
    platform: createPlatform(browser as unknown as PlatformApi),
    now: Date.now,
  };
}
