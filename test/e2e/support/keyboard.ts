import { type UiPage } from '../../../src/dev/ui-page';

/** The focused element's data-testid (or its role, or its tag), or null when nothing has the focus. */
export async function focusedTestId(page: UiPage): Promise<string | null> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    return element.getAttribute('data-testid') ?? element.getAttribute('role') ?? element.tagName.toLowerCase();
  });
}

/**
 * Presses Tab, as a keyboard-only member does, until the element matching `selector` has the focus;
 * fails after `maxPresses` (the control is then not reachable where it should be). Resolves with the
 * test ids passed on the way.
 */
export async function tabTo(page: UiPage, selector: string, maxPresses = 20): Promise<string[]> {
  const passed: string[] = [];
  for (let presses = 0; presses < maxPresses; presses += 1) {
    await page.press('Tab');
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return passed;
    passed.push((await focusedTestId(page)) ?? '(none)');
  }
  throw new Error(`${selector} did not get the focus after ${maxPresses} Tab presses (passed: ${passed.join(', ')})`);
}
