import type { PopupState } from '../../../src/ui/popup/popup-state';
import type { UiPage, WaitOptions } from '../../../src/dev/ui-page';

/** `data-state` values of the popup root: the popup's own type, so a renamed state fails to compile here. */
export type { PopupState };

export const POPUP = '[data-testid=popup]';
export const popupInState = (state: PopupState) => `${POPUP}[data-state="${state}"]`;

/** Waits for the popup root to reach `state`; the timeout message names the state it was in. */
export async function waitForPopupState(page: UiPage, state: PopupState, { timeout = 30_000 }: WaitOptions = {}): Promise<void> {
  try {
    await page.waitFor(popupInState(state), { timeout });
  } catch (error) {
    const actual = await page.attribute(POPUP, 'data-state').catch(() => 'unreadable');
    const authError = await page.attribute('[data-testid=auth-error]', 'data-code').catch(() => null);
    throw new Error(
      `popup did not reach data-state=${state} within ${timeout} ms (it is ${actual ?? 'missing'}` +
        `${authError ? `, auth-error ${authError}` : ''})`,
      { cause: error },
    );
  }
}

export async function popupState(page: UiPage): Promise<string | null> {
  return page.attribute(POPUP, 'data-state');
}

/** The glance's day on screen: which one, its date, and the lead. */
export async function glanceDay(page: UiPage): Promise<{ day: string; date: string; lead: string } | null> {
  return page.evaluate(() => {
    const glance = document.querySelector('[data-testid=glance]');
    if (!glance) return null;
    return { day: glance.getAttribute('data-day') ?? '', date: glance.getAttribute('data-date') ?? '', lead: glance.getAttribute('data-lead') ?? '' };
  });
}

export interface MetricText {
  /** data-value: the canonical value (bpm, steps, minutes); '' when the day has none. */
  value: string;
  /** What the value line shows ("58 bpm"). */
  valueText: string;
  /** The whole card or row, screen-reader text included (comparison, week). */
  text: string;
}

/** One metric of the glance as the member sees it (`rest_hr`, `steps`, `sleep`, `max_hr`, …), or null when not shown. */
export async function readMetric(page: UiPage, id: string): Promise<MetricText | null> {
  return page.evaluate((metricId) => {
    const card = document.querySelector(`[data-testid="metric-${metricId}"]`);
    if (!card) return null;
    const value = card.querySelector('[data-testid=metric-value]');
    return { value: value?.getAttribute('data-value') ?? '', valueText: value?.textContent ?? '', text: card.textContent ?? '' };
  }, id);
}

/**
 * How the popup lays out at the page's current width: the document's height (what a browser sizes
 * its popup to), its width, and every element that scrolls on its own (there should be none: Chrome
 * cuts a popup at 600 px, and a scroll area inside a popup hides readings).
 */
export async function popupLayout(page: UiPage): Promise<{ height: number; width: number; scrollers: string[] }> {
  return page.evaluate(() => {
    const scrollers = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((element) => {
        const style = getComputedStyle(element);
        const scrolls = (value: string) => value === 'auto' || value === 'scroll';
        return (
          (scrolls(style.overflowY) && element.scrollHeight > element.clientHeight + 1) ||
          (scrolls(style.overflowX) && element.scrollWidth > element.clientWidth + 1)
        );
      })
      .map((element) => element.getAttribute('data-testid') ?? `${element.tagName.toLowerCase()}.${element.className}`);
    return { height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth, scrollers };
  });
}


/** Every metric the popup shows for the day on screen, by id: `{ rest_hr: '58', steps: '', … }` (data-value). */
export async function metricValues(page: UiPage): Promise<Record<string, string>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('li[data-testid^="metric-"]')].map((card) => [
        card.getAttribute('data-testid')!.slice('metric-'.length),
        card.querySelector('[data-testid=metric-value]')?.getAttribute('data-value') ?? '',
      ]),
    ),
  );
}
