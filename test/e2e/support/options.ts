import type { Settings } from '../../../src/shared/settings';
import { poll, type UiPage } from '../../../src/dev/ui-page';

/** Waits for the options page to show the member's settings (its controls render once they arrive). */
export async function waitForOptions(page: UiPage): Promise<void> {
  await page.waitFor('[data-testid=units]');
}

/** Picks the units in the options page's own select, and waits until the page shows the choice. */
export async function chooseUnits(page: UiPage, units: Settings['units']): Promise<void> {
  await page.selectOption('[data-testid=units]', units);
  await poll(`the units select to show ${units}`, async () =>
    (await page.evaluate(() => document.querySelector<HTMLSelectElement>('[data-testid=units]')?.value)) === units ? true : undefined,
  );
}

/** Ticks or unticks a tile's checkbox in the options page (a click, as a member would), when it is not already so. */
export async function showTile(page: UiPage, id: string, shown: boolean): Promise<void> {
  const selector = `[data-testid="tile-toggle-${id}"]`;
  const checked = () => page.evaluate((sel) => document.querySelector<HTMLInputElement>(sel)?.checked, selector);
  await page.waitFor(selector);
  if ((await checked()) !== shown) await page.click(selector);
  await poll(`${selector} to be ${shown ? 'ticked' : 'unticked'}`, async () => ((await checked()) === shown ? true : undefined));
}
