import type { ExtensionApi } from './extension-api';
import { createTranslate, resolveLocale, type Translate } from './i18n';

/** Browser i18n: the page's messages, and the locale Intl formats in (see resolveLocale). */
export function createPageText(api: Pick<ExtensionApi, 'i18n'>): { t: Translate; locale: string } {
  const t = createTranslate((key, substitutions) => api.i18n.getMessage(key, substitutions));
  return { t, locale: resolveLocale(api.i18n.getUILanguage(), t('lang') || 'en') };
}
