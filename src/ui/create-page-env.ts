import type { ExtensionApi } from './extension-api';
import { createFormat } from './format';
import { createPageText } from './page-text';
import { createPlatform } from './platform';
import type { UiEnv } from './ui-env';

/** A page's environment before it talks to the background: everything but the client. */
export type PageEnv = Omit<UiEnv, 'client'>;

/**
 * Browser i18n, Intl formats and the side panel / options openers, from the bare extension API:
 * no messaging library and no polyfill on any page.
 */
export function createPageEnv(api: ExtensionApi): PageEnv {
  const { t, locale } = createPageText(api);
  return { t, format: createFormat(locale, t), platform: createPlatform(api), now: Date.now };
}
