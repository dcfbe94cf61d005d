/**
 * The side panel and options page opened as tabs, in both browsers: the history table against the
 * sandbox's own answer (including a day without data), accessibility (axe-core: no serious or
 * critical violations) and screenshots of popup and side panel in light and dark for people to look at.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAxe, seriousViolations } from './support/axe';
import { assertInstalled, BROWSERS, type BrowserSession, CHROMIUM, shouldSkip } from './support/browsers';
import { buildExtension } from './support/build-extension';
import { launchChromium } from './support/chromium';
import { ARTIFACTS_DIR, useCheckoutTmpdir } from './support/paths';
import { waitForPopupState } from './support/popup';
import { addDays, expectedMetricValue, fetchSandboxDays, parseDataValue } from './support/sandbox-readings';
import { type LocalStack, startLocalStack } from './support/servers';
import { readHistoryTable, showRange, SIDEPANEL } from './support/sidepanel';
import { DEMO_MEMBERS, signIn } from './support/sign-in';
import type { UiPage } from './support/ui-page';

const alice = DEMO_MEMBERS.alice;
const POPUP_SIZE = { width: 380, height: 600 };
const SIDEPANEL_SIZE = { width: 420, height: 900 };

for (const kind of BROWSERS) {
  describe.skipIf(shouldSkip(kind))(`side panel and options in ${kind.name}`, () => {
    let stack: LocalStack | undefined;
    let extensionDir = '';
    let session: BrowserSession | undefined;
    const authOrigin = () => new URL(stack!.buildConfig.authorizeUrl).origin;

    beforeAll(async () => {
      assertInstalled(kind);
      useCheckoutTmpdir();
      stack = await startLocalStack();
      extensionDir = (await buildExtension({ browser: kind.target, config: stack.buildConfig })).dir;
    });
    afterAll(async () => {
      await stack?.close();
    });
    afterEach(async () => {
      await session?.close();
      session = undefined;
    });

    it("should list every day of the range in the side panel table with the sandbox's values, including a day without data", async () => {
      session = await kind.launch(extensionDir);
      await signIn(session, { authOrigin: authOrigin(), ...alice });
      const panel = await session.openExtensionPage('sidepanel.html');
      await showRange(panel, 7);

      const today = stack!.sandbox.control.memberLocalToday(alice.email);
      const from = addDays(today, -6);
      const rows = await readHistoryTable(panel);
      const expectedDates = Array.from({ length: 7 }, (_, index) => addDays(from, index));
      expect(rows.map((row) => row.date).sort()).toEqual(expectedDates);

      const days = new Map((await fetchSandboxDays(stack!, alice.email, from, today)).map((day) => [day.date, day]));
      const gap = addDays(today, -3);
      expect(days.has(gap)).toBe(false);
      let compared = 0;
      for (const row of rows) {
        for (const [metric, shown] of Object.entries(row.cells)) {
          expect.soft(parseDataValue(shown), `${row.date} ${metric}`).toBe(expectedMetricValue(days.get(row.date), metric));
          if (shown !== '') compared += 1;
        }
      }
      // The day without data is a row with every cell empty, not a missing row.
      const gapRow = rows.find((row) => row.date === gap);
      expect(gapRow).toBeDefined();
      expect(Object.values(gapRow!.cells).every((value) => value === '')).toBe(true);
      // The four popup metrics are columns, and real values were compared.
      expect(Object.keys(rows[0]!.cells)).toEqual(expect.arrayContaining(['rest_hr', 'avg_hr', 'max_hr', 'steps']));
      expect(compared).toBeGreaterThan(6 * 4);

      await showRange(panel, 30);
      expect(await panel.count('[data-testid=history-table] tr[data-date]')).toBe(30);
    });

    it('should have no serious or critical accessibility violations on the popup, side panel and options page', async () => {
      session = await kind.launch(extensionDir);
      const pages: Array<[string, UiPage]> = [];
      const signedOut = await session.openExtensionPage('popup.html');
      await waitForPopupState(signedOut, 'signed-out');
      pages.push(['popup (signed out)', signedOut]);
      const { popup } = await signIn(session, { authOrigin: authOrigin(), ...alice, popup: signedOut });
      pages.push(['popup (readings)', popup]);
      const panel = await session.openExtensionPage('sidepanel.html');
      await panel.waitFor(`${SIDEPANEL}[data-state=ready]`, { timeout: 30_000 });
      pages.push(['side panel', panel]);
      const options = await session.openExtensionPage('options.html');
      await options.waitFor('[data-testid=keep-signed-in]');
      pages.push(['options', options]);

      const found: Record<string, unknown[]> = {};
      for (const [name, page] of pages) {
        const serious = seriousViolations(await runAxe(page));
        if (serious.length > 0) found[name] = serious;
      }
      expect(found).toEqual({});
    });

    it('should sign the member out from the options page', async () => {
      session = await kind.launch(extensionDir);
      await signIn(session, { authOrigin: authOrigin(), ...alice });
      const options = await session.openExtensionPage('options.html');
      await options.click('[data-testid=options-sign-out]');
      await options.waitFor('[data-testid=options-auth][data-state=signed_out]');
      const popup = await session.openExtensionPage('popup.html');
      await waitForPopupState(popup, 'signed-out');
    });
  });
}

/**
 * A viewport as tall as the document, then a plain screenshot: a full-page capture would leave the
 * side panel's `content-visibility: auto` sections (table, day detail) blank and put the popup's
 * sticky footer mid-image.
 */
async function screenshotWholePage(page: UiPage, size: { width: number; height: number }, file: string) {
  await page.setViewportSize(size);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
  // Let content-visibility render the newly visible sections before the capture.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.screenshot(file);
  await page.setViewportSize(size);
}

describe.skipIf(shouldSkip(CHROMIUM))('screenshots in chromium', () => {
  let stack: LocalStack | undefined;
  let extensionDir = '';
  let session: Awaited<ReturnType<typeof launchChromium>> | undefined;

  beforeAll(async () => {
    assertInstalled(CHROMIUM);
    useCheckoutTmpdir();
    stack = await startLocalStack();
    extensionDir = (await buildExtension({ browser: 'chrome', config: stack.buildConfig })).dir;
  });
  afterAll(async () => {
    await session?.close();
    await stack?.close();
  });

  it('should save the popup and the side panel in light and dark to test-artifacts/', async () => {
    session = await launchChromium({ extensionDir });
    const { popup } = await signIn(session, { authOrigin: new URL(stack!.buildConfig.authorizeUrl).origin, ...alice });
    const panel = await session.openExtensionPage('sidepanel.html');
    await panel.waitFor(`${SIDEPANEL}[data-state=ready]`, { timeout: 30_000 });
    await popup.setViewportSize(POPUP_SIZE);
    await panel.setViewportSize(SIDEPANEL_SIZE);
    const dir = join(ARTIFACTS_DIR, 'screenshots');
    await mkdir(dir, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      for (const [name, page] of [['popup', popup], ['sidepanel', panel]] as const) {
        await page.setColorScheme(scheme);
        expect(await page.evaluate((s) => matchMedia(`(prefers-color-scheme: ${s})`).matches, scheme)).toBe(true);
        const file = join(dir, `chromium-${name}-${scheme}.png`);
        await screenshotWholePage(page, name === 'popup' ? POPUP_SIZE : SIDEPANEL_SIZE, file);
        expect((await stat(file)).size).toBeGreaterThan(1_000);
      }
    }
    // Dark is really different: the page background changes with the scheme.
    await popup.setColorScheme('light');
    const light = await popup.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await popup.setColorScheme('dark');
    const dark = await popup.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(dark).not.toBe(light);
  });
});
