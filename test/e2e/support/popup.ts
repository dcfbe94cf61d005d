import type { UiPage, WaitOptions } from './ui-page';

/** `data-state` values of the popup root (src/ui). */
export type PopupState =
  | 'signed-out'
  | 'connecting'
  | 'loading'
  | 'readings'
  | 'no-data-today'
  | 'error'
  | 'offline'
  | 'reconnect';

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
