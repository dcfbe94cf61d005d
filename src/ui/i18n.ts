import type enMessages from '../../public/_locales/en/messages.json';

/** Every message key the UI may ask for (the English file is the reference; a test keeps German equal). */
export type MessageKey = keyof typeof enMessages;

/** Looks a message up and fills its placeholders ($1…$9 in the order given). */
export type Translate = (key: MessageKey, ...substitutions: Array<string | number>) => string;

/** `browser.i18n.getMessage` (or a fake of it in tests). */
export type GetMessage = (key: string, substitutions?: string[]) => string;

export function createTranslate(getMessage: GetMessage): Translate {
  return (key, ...substitutions) =>
    substitutions.length === 0 ? getMessage(key) : getMessage(key, substitutions.map(String));
}

/**
 * The locale for Intl: the browser's UI language when our messages are in that language
 * (keeps regional formats such as de-CH), otherwise the language the messages fell back to, so
 * numbers and dates never come out in another language than the sentences around them.
 */
export function resolveLocale(uiLanguage: string, messagesLanguage: string): string {
  const primary = uiLanguage.toLowerCase().split(/[-_]/)[0];
  return primary === messagesLanguage.toLowerCase() ? uiLanguage.replace('_', '-') : messagesLanguage;
}
