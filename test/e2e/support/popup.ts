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

/** Every tile's value as the popup shows it: `{ rest_hr: '58', steps: '' , … }` (data-value; null when absent). */
export async function tileValues(page: UiPage): Promise<Record<string, string | null>> {
  return page.evaluate(() => {
    const values: Record<string, string | null> = {};
    for (const tile of document.querySelectorAll('[data-testid^="tile-"]')) {
      const id = tile.getAttribute('data-testid')!.slice('tile-'.length);
      if (id === 'value') continue;
      values[id] = tile.querySelector('[data-testid=tile-value]')?.getAttribute('data-value') ?? null;
    }
    return values;
  });
}

export interface TileText {
  /** data-value: the canonical value (km, bpm, …) whatever the display units; '' when the tile shows none. */
  value: string;
  /** What the value line shows ("2.4 mi"). */
  valueText: string;
  /** The whole tile's text, screen-reader text included (change, median, sparkline summary). */
  text: string;
}

/** One tile of the popup as the member sees it, or null when the popup does not show that tile. */
export async function readTile(page: UiPage, id: string): Promise<TileText | null> {
  return page.evaluate((tileId) => {
    const tile = document.querySelector(`[data-testid="tile-${tileId}"]`);
    if (!tile) return null;
    const value = tile.querySelector('[data-testid=tile-value]');
    return { value: value?.getAttribute('data-value') ?? '', valueText: value?.textContent ?? '', text: tile.textContent ?? '' };
  }, id);
}
