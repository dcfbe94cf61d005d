import { resolveLocale } from '../../../src/ui/i18n';
import type { UiPage } from '../../../src/dev/ui-page';

/** Exact by definition (international mile). The extension converts with its own constant; this is the check. */
export const KM_PER_MILE = 1.609344;

/**
 * The locale an extension page formats numbers with: the browser's UI language when the messages
 * are in that language, else the messages' language (the same rule as src/ui/page-text.ts).
 */
export async function pageLocale(page: UiPage): Promise<string> {
  const { ui, lang } = await page.evaluate(() => {
    const api = (globalThis as unknown as { browser?: I18nHost; chrome?: I18nHost }).browser ?? (globalThis as unknown as { chrome: I18nHost }).chrome;
    return { ui: api!.i18n.getUILanguage(), lang: document.documentElement.lang };
  });
  return resolveLocale(ui, lang || 'en');
}
type I18nHost = { i18n: { getUILanguage(): string } };

/** The Intl units the side panel shows lengths and speeds in. */
export type IntlUnit = 'kilometer' | 'mile' | 'kilometer-per-hour' | 'mile-per-hour';

/**
 * Intl's own text in the page's browser (its ICU, not Node's): a length with its unit ("2.4 mi"),
 * plain numbers ("2.4"), and the unit alone ("mi"), for comparing with what the pages show; `digits`
 * decimals at most (default 1).
 */
export async function intlTexts(
  page: UiPage,
  request: { locale: string; unit: IntlUnit; digits?: number; measures?: number[]; numbers?: number[] },
): Promise<{ measures: string[]; numbers: string[]; unitLabel: string }> {
  return page.evaluate(({ locale, unit, digits = 1, measures = [], numbers = [] }) => {
    const measure = new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: digits });
    const plain = new Intl.NumberFormat(locale, { maximumFractionDigits: digits });
    const unitLabel = measure
      .formatToParts(1)
      .filter((part) => part.type === 'unit')
      .map((part) => part.value)
      .join('');
    return { measures: measures.map((value) => measure.format(value)), numbers: numbers.map((value) => plain.format(value)), unitLabel };
  }, request);
}
