/**
 * The popup, side panel and options page opened as tabs, in both browsers: the history table against
 * the sandbox's own answer (including a day without data), settings changed in the options page
 * reaching the open popup and side panel without a reload, accessibility (axe-core: no serious or
 * critical violations) and screenshots of popup and side panel in light and dark for people to look at.
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runAxe, seriousViolations } from './support/axe';
import { BROWSERS, type BrowserSession, CHROMIUM, FIREFOX, shouldSkip } from './support/browsers';
import { launchChromium } from '../../src/dev/launch-chromium';
import { intlTexts, KM_PER_MILE, pageLocale } from './support/display-format';
import { useExtensionStack } from './support/extension-stack';
import { launchFirefox } from '../../src/dev/launch-firefox';
import { chooseUnits, showTile, waitForOptions } from './support/options';
import { readTile, waitForPopupState } from './support/popup';
import { addDays, expectedMetricValue, fetchSandboxDays, parseDataValue } from './support/sandbox-readings';
import { pngSize, screenshotDir, screenshotWholePage } from './support/screenshots';
import { type HistoryTableText, readHistoryTable, readHistoryTableText, showRange, SIDEPANEL } from './support/sidepanel';
import { DEMO_MEMBERS, signIn } from './support/sign-in';
import { poll, type UiPage } from '../../src/dev/ui-page';

const alice = DEMO_MEMBERS.alice;
const POPUP_SIZE = { width: 380, height: 600 };
const SIDEPANEL_SIZE = { width: 420, height: 900 };
/** The tile the live-settings test hides: one of the four popup tiles, and a side panel column. */
const HIDDEN_TILE = 'max_hr';

async function openReadySidepanel(session: BrowserSession): Promise<UiPage> {
  const panel = await session.openExtensionPage('sidepanel.html');
  await panel.waitFor(`${SIDEPANEL}[data-state=ready]`, { timeout: 30_000 });
  return panel;
}

for (const kind of BROWSERS) {
  describe.skipIf(shouldSkip(kind))(`side panel and options in ${kind.name}`, () => {
    const setup = useExtensionStack(kind);
    /** A launch of its own (the accessibility test starts signed out). */
    let session: BrowserSession | undefined;
    /**
     * One signed-in launch the table, live-settings and sign-out tests share (a Firefox launch and
     * sign-in take ≈7 s); each test still gets it on its own when run alone (-t). Sign-out runs last.
     */
    let shared: { session: BrowserSession; popup: UiPage; panel?: UiPage } | undefined;
    async function signedIn() {
      if (!shared) {
        const launched = await kind.launch(setup.extensionDir);
        try {
          const { popup } = await signIn(launched, { authOrigin: setup.authOrigin, ...alice });
          shared = { session: launched, popup };
        } catch (error) {
          await launched.close();
          throw error;
        }
      }
      return shared;
    }
    async function sharedPanel(): Promise<UiPage> {
      const current = await signedIn();
      current.panel ??= await openReadySidepanel(current.session);
      return current.panel;
    }
    async function closeShared() {
      await shared?.session.close();
      shared = undefined;
    }

    afterAll(async () => {
      await closeShared();
    });
    afterEach(async () => {
      await session?.close();
      session = undefined;
    });

    it("should list every day of the range in the side panel table with the sandbox's values, including a day without data", async () => {
      const panel = await sharedPanel();
      await showRange(panel, 7);

      const today = setup.stack.sandbox.control.memberLocalToday(alice.email);
      const from = addDays(today, -6);
      const rows = await readHistoryTable(panel);
      const expectedDates = Array.from({ length: 7 }, (_, index) => addDays(from, index));
      expect(rows.map((row) => row.date).sort()).toEqual(expectedDates);

      const days = new Map((await fetchSandboxDays(setup.stack, alice.email, from, today)).map((day) => [day.date, day]));
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

    it('should show imperial units and hide a tile in the open popup and side panel, without a reload, when the options page changes them', async () => {
      const { session: live, popup } = await signedIn();
      const panel = await sharedPanel();
      const locale = await pageLocale(popup);
      const km = (await intlTexts(popup, { locale, unit: 'kilometer' })).unitLabel;
      const mi = (await intlTexts(popup, { locale, unit: 'mile' })).unitLabel;

      // Before: metric, every tile shown; the expectations below are checked against this state too.
      await expectDistanceTile(popup, locale, 'kilometer');
      expect(await readTile(popup, HIDDEN_TILE)).not.toBeNull();
      const before = await readHistoryTableText(panel);
      await expectDistanceColumn(panel, before, locale, 'kilometer');
      expect(before.headers).toHaveProperty(HIDDEN_TILE);
      // A reload would lose this; the pages must change in place.
      for (const page of [popup, panel]) await page.evaluate(() => ((globalThis as { e2eNotReloaded?: boolean }).e2eNotReloaded = true));

      const options = await live.openExtensionPage('options.html');
      await waitForOptions(options);
      await chooseUnits(options, 'imperial');
      await showTile(options, HIDDEN_TILE, false);

      await poll(`the popup to hide tile-${HIDDEN_TILE} and show miles`, async () => {
        const distance = await readTile(popup, 'distance');
        return (await readTile(popup, HIDDEN_TILE)) === null && distance?.text.includes(mi) ? true : undefined;
      });
      await expectDistanceTile(popup, locale, 'mile');
      expect((await readTile(popup, 'distance'))!.text).not.toContain(km);

      const after = await poll(`the side panel table to drop ${HIDDEN_TILE} and show miles`, async () => {
        const table = await readHistoryTableText(panel);
        return !(HIDDEN_TILE in table.headers) && table.headers.distance?.includes(`(${mi})`) ? table : undefined;
      });
      await expectDistanceColumn(panel, after, locale, 'mile');
      expect(after.rows.map((row) => row.date)).toEqual(before.rows.map((row) => row.date));
      for (const row of after.rows) expect(row.cells).not.toHaveProperty(HIDDEN_TILE);

      for (const page of [popup, panel]) {
        expect(await page.evaluate(() => (globalThis as { e2eNotReloaded?: boolean }).e2eNotReloaded)).toBe(true);
      }

      // Back to the defaults for the tests that share this session (and the same path in reverse).
      await chooseUnits(options, 'metric');
      await showTile(options, HIDDEN_TILE, true);
      await poll('the popup to show metric units and every tile again', async () => {
        const distance = await readTile(popup, 'distance');
        return (await readTile(popup, HIDDEN_TILE)) !== null && distance?.text.includes(km) ? true : undefined;
      });
      await poll('the side panel table to show metric units and every column again', async () => {
        const table = await readHistoryTableText(panel);
        return HIDDEN_TILE in table.headers && table.headers.distance?.includes(`(${km})`) ? true : undefined;
      });
      await options.close();
    });

    it('should have no serious or critical accessibility violations on the popup, side panel and options page', async () => {
      session = await kind.launch(setup.extensionDir);
      const pages: Array<[string, UiPage]> = [];
      const signedOut = await session.openExtensionPage('popup.html');
      await waitForPopupState(signedOut, 'signed-out');
      pages.push(['popup (signed out)', signedOut]);
      const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice, popup: signedOut });
      pages.push(['popup (readings)', popup]);
      const panel = await openReadySidepanel(session);
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
      const { session: live } = await signedIn();
      try {
        const options = await live.openExtensionPage('options.html');
        await options.click('[data-testid=options-sign-out]');
        await options.waitFor('[data-testid=options-auth][data-state=signed_out]');
        const popup = await live.openExtensionPage('popup.html');
        await waitForPopupState(popup, 'signed-out');
      } finally {
        // Signed out now: no later test may reuse it.
        await closeShared();
      }
    });
  });
}

type LengthUnit = 'kilometer' | 'mile';
const toUnit = (km: number, unit: LengthUnit) => (unit === 'mile' ? km / KM_PER_MILE : km);

/** The popup's distance tile shows today's value (canonical km in data-value) converted to `unit`, with that unit. */
async function expectDistanceTile(popup: UiPage, locale: string, unit: LengthUnit) {
  const tile = await readTile(popup, 'distance');
  expect(tile, 'tile-distance').not.toBeNull();
  const km = parseDataValue(tile!.value);
  const texts = await intlTexts(popup, { locale, unit, measures: km === null ? [] : [toUnit(km, unit)] });
  if (km !== null) expect(tile!.valueText, 'tile-distance value').toBe(texts.measures[0]);
  // The change / median line and the sparkline summary carry the unit too (also when today has no value).
  expect(tile!.text, 'tile-distance text').toContain(texts.unitLabel);
}

/** The side panel's distance column: header with `unit`, every value converted from its canonical km. */
async function expectDistanceColumn(panel: UiPage, table: HistoryTableText, locale: string, unit: LengthUnit) {
  const valued = table.rows.flatMap((row) => {
    const cell = row.cells.distance;
    return cell && cell.value !== '' ? [{ date: row.date, km: Number(cell.value), text: cell.text }] : [];
  });
  expect(valued.length, 'days with a distance').toBeGreaterThan(0);
  const texts = await intlTexts(panel, { locale, unit, numbers: valued.map((cell) => toUnit(cell.km, unit)) });
  expect(table.headers.distance).toContain(`(${texts.unitLabel})`);
  expect(valued.map((cell) => `${cell.date} ${cell.text}`)).toEqual(valued.map((cell, index) => `${cell.date} ${texts.numbers[index]}`));
}

const PAGES = [
  ['popup', POPUP_SIZE],
  ['sidepanel', SIDEPANEL_SIZE],
] as const;

/**
 * Saves `<browser>-<page>-<scheme>.png` for the popup and the side panel, after checking that each page
 * really is in `scheme`; checks the file is a PNG of the captured viewport. Resolves with each page's
 * computed body background, so light and dark can be compared.
 */
async function captureScheme(
  browser: string,
  scheme: 'light' | 'dark',
  pages: { popup: UiPage; sidepanel: UiPage },
): Promise<Record<'popup' | 'sidepanel', string>> {
  const dir = await screenshotDir();
  const backgrounds = { popup: '', sidepanel: '' };
  for (const [name, size] of PAGES) {
    const page = pages[name];
    expect(await page.evaluate((s) => matchMedia(`(prefers-color-scheme: ${s})`).matches, scheme), `${name} in ${scheme}`).toBe(true);
    const file = join(dir, `${browser}-${name}-${scheme}.png`);
    // A file left by an earlier run must not pass for this one.
    await rm(file, { force: true });
    const captured = await screenshotWholePage(page, size, file);
    const ratio = await page.evaluate(() => devicePixelRatio);
    expect(await pngSize(file)).toEqual({ width: Math.round(captured.width * ratio), height: Math.round(captured.height * ratio) });
    expect((await stat(file)).size).toBeGreaterThan(1_000);
    backgrounds[name] = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  }
  return backgrounds;
}

describe.skipIf(shouldSkip(CHROMIUM))('screenshots in chromium', () => {
  const setup = useExtensionStack(CHROMIUM);
  let session: Awaited<ReturnType<typeof launchChromium>> | undefined;

  afterAll(async () => {
    await session?.close();
  });

  it('should save the popup and the side panel in light and dark to test-artifacts/', async () => {
    session = await launchChromium({ extensionDir: setup.extensionDir });
    const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice });
    const sidepanel = await openReadySidepanel(session);
    const backgrounds: Record<string, Record<string, string>> = {};
    // Chromium switches prefers-color-scheme per page: one launch for both schemes.
    for (const scheme of ['light', 'dark'] as const) {
      for (const page of [popup, sidepanel]) await page.setColorScheme(scheme);
      backgrounds[scheme] = await captureScheme('chromium', scheme, { popup, sidepanel });
    }
    // Dark is really different: the page background changes with the scheme.
    expect(backgrounds.dark!.popup).not.toBe(backgrounds.light!.popup);
    expect(backgrounds.dark!.sidepanel).not.toBe(backgrounds.light!.sidepanel);
  });
});

describe.skipIf(shouldSkip(FIREFOX))('screenshots in firefox', () => {
  const setup = useExtensionStack(FIREFOX);
  let session: Awaited<ReturnType<typeof launchFirefox>> | undefined;

  afterAll(async () => {
    await session?.close();
  });

  it('should save the popup and the side panel in light and dark to test-artifacts/', async () => {
    const backgrounds: Record<string, Record<string, string>> = {};
    // Firefox takes the scheme for the whole profile at launch: one launch per scheme.
    for (const scheme of ['light', 'dark'] as const) {
      session = await launchFirefox({ extensionDir: setup.extensionDir, colorScheme: scheme });
      const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice });
      const sidepanel = await openReadySidepanel(session);
      backgrounds[scheme] = await captureScheme('firefox', scheme, { popup, sidepanel });
      await session.close();
      session = undefined;
    }
    expect(backgrounds.dark!.popup).not.toBe(backgrounds.light!.popup);
    expect(backgrounds.dark!.sidepanel).not.toBe(backgrounds.light!.sidepanel);
  });
});
