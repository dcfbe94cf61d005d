/**
 * The popup, side panel and options page opened as tabs, in both browsers, signed in as the richest
 * demo member (Alice: every family): the popup fits in 600 px at its width without a scroll area of
 * its own, Yesterday (reached with the keyboard alone) shows the sandbox's values for that day, the
 * side panel table and its CSV export (also keyboard only) hold the sandbox's values, settings
 * changed in the options page reach the open popup and side panel without a reload, accessibility
 * (axe-core: no serious or critical violations, light and dark, with readings, on an error and on
 * Reconnect) and screenshots of the popup in the morning, the evening and on yesterday for people to
 * look at.
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { launchChromium } from '../../src/dev/launch-chromium';
import { launchFirefox } from '../../src/dev/launch-firefox';
import { poll, type UiPage } from '../../src/dev/ui-page';
import { zonedTimeToUtc } from '../../src/sandbox/time-zone';
import { addDays } from '../../src/shared/local-date';
import { runAxe, seriousViolations } from './support/axe';
import { BROWSERS, type BrowserKind, type BrowserSession, CHROMIUM, FIREFOX, shouldSkip } from './support/browsers';
import { intlTexts, pageLocale, type IntlUnit } from './support/display-format';
import { useExtensionStack, type ExtensionStack } from './support/extension-stack';
import { focusedTestId, tabTo } from './support/keyboard';
import { chooseUnits, showTile, waitForOptions } from './support/options';
import { glanceDay, popupLayout, readMetric, waitForPopupState } from './support/popup';
import { refreshReadings } from './support/refresh';
import { expectedMetricValue, fetchSandboxDays, parseDataValue, type SummaryDay } from './support/sandbox-readings';
import { pngSize, screenshotDir, screenshotWholePage } from './support/screenshots';
import { captureDownloads, type HistoryTableText, readCapturedDownloads, readHistoryTable, readHistoryTableText, showRange, SIDEPANEL } from './support/sidepanel';
import { DEMO_MEMBERS, signIn } from './support/sign-in';

const alice = DEMO_MEMBERS.alice;
/** Chrome sizes a popup to its content, up to 800 × 600: the popup is 400 px wide. */
const POPUP_WIDTH = 400;
const POPUP_MAX_HEIGHT = 600;
const POPUP_SIZE = { width: POPUP_WIDTH, height: POPUP_MAX_HEIGHT };
const SIDEPANEL_SIZE = { width: 420, height: 900 };
/** What the live-settings test hides: a row of the popup, and a side panel column. */
const HIDDEN_METRIC = 'max_hr';
/** The metrics the Yesterday test compares with the sandbox. */
const YESTERDAY_METRICS = ['rest_hr', 'max_hr', 'steps'] as const;

async function openReadySidepanel(session: BrowserSession): Promise<UiPage> {
  const panel = await session.openExtensionPage('sidepanel.html');
  await panel.waitFor(`${SIDEPANEL}[data-state=ready]`, { timeout: 30_000 });
  return panel;
}

async function showDay(popup: UiPage, day: 'today' | 'yesterday'): Promise<void> {
  await popup.click(`[data-testid=day-${day}]`);
  await popup.waitFor(`[data-testid=glance][data-day=${day}]`);
}

for (const kind of BROWSERS) {
  describe.skipIf(shouldSkip(kind))(`popup, side panel and options in ${kind.name}`, () => {
    const setup = useExtensionStack(kind);
    /** A launch of its own (the accessibility test starts signed out). */
    let session: BrowserSession | undefined;
    /**
     * One signed-in launch the other tests share (a Firefox launch and sign-in take ≈7 s); each test
     * still gets it on its own when run alone (-t). Sign-out runs last.
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
    /**
     * The shared side panel showing the 7-day range as the sandbox holds it now, and the sandbox's
     * days of that range, held still while `check` runs: today's values grow with the sandbox's
     * clock, so a panel showing readings fetched minutes earlier differed from the sandbox's at
     * compare time once a slot boundary had passed in between. The sandbox's clock is frozen, the
     * popup's Refresh fetches anew, and the panel's table is awaited until its today row shows that
     * fetch; the clock runs again afterwards.
     */
    async function withFreshPanel(check: (panel: UiPage, days: Map<string, SummaryDay>, today: string) => Promise<void>): Promise<void> {
      const { popup } = await signedIn();
      const panel = await sharedPanel();
      const control = setup.stack.sandbox.control;
      control.setNow(control.now());
      try {
        await refreshReadings(popup);
        await showRange(panel, 7);
        const today = control.memberLocalToday(alice.email);
        const days = new Map((await fetchSandboxDays(setup.stack, alice.email, addDays(today, -6), today)).map((day) => [day.date, day]));
        const steps = expectedMetricValue(days.get(today), 'steps');
        await poll('the side panel to show the refreshed readings', async () => {
          const row = (await readHistoryTable(panel)).find((entry) => entry.date === today);
          return row && parseDataValue(row.cells.steps ?? null) === steps ? true : undefined;
        });
        await check(panel, days, today);
      } finally {
        control.setNow(null);
      }
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
      setup.stack.sandbox.control.clearFaults();
    });

    it('should fit the signed-in popup in 600 px at its width, today and yesterday, with no scroll area of its own', async () => {
      const { popup } = await signedIn();
      await popup.bringToFront();
      // A short viewport: the document's height is then what the browser would size its popup to.
      await popup.setViewportSize({ width: POPUP_WIDTH, height: 300 });
      try {
        for (const day of ['today', 'yesterday'] as const) {
          await showDay(popup, day);
          const layout = await popupLayout(popup);
          console.info(`${kind.name} popup, ${day}: ${layout.height} × ${layout.width} px`);
          expect(layout.height, `${day}: height`).toBeLessThanOrEqual(POPUP_MAX_HEIGHT);
          expect(layout.width, `${day}: width`).toBeLessThanOrEqual(POPUP_WIDTH);
          expect(layout.scrollers, `${day}: elements that scroll`).toEqual([]);
          // Alice has every family: the sleep card and the three heart and activity rows are all there.
          for (const id of ['rest_hr', 'sleep', 'steps', 'avg_hr', 'max_hr', 'active_minutes']) {
            expect(await readMetric(popup, id), `${day}: metric-${id}`).not.toBeNull();
          }
        }
      } finally {
        await showDay(popup, 'today');
      }
    });

    it("should switch to Yesterday with the keyboard alone and show the sandbox's resting and maximum heart rate and steps of that day", async () => {
      const { session: live } = await signedIn();
      const popup = await live.openExtensionPage('popup.html');
      try {
        await waitForPopupState(popup, 'readings');
        await popup.bringToFront();
        await tabTo(popup, '[data-testid=day-today]');
        // The focus is visible: a real outline, not the browser's none.
        const outline = await popup.evaluate(() => {
          const style = getComputedStyle(document.activeElement!);
          return { style: style.outlineStyle, width: style.outlineWidth };
        });
        expect(outline.style).not.toBe('none');
        expect(outline.width).not.toBe('0px');
        await popup.press('ArrowRight');
        await popup.waitFor('[data-testid=glance][data-day=yesterday]');
        expect(await focusedTestId(popup)).toBe('day-yesterday');
        expect(await popup.attribute('[data-testid=day-yesterday]', 'aria-selected')).toBe('true');

        const today = setup.stack.sandbox.control.memberLocalToday(alice.email);
        const yesterday = addDays(today, -1);
        expect((await glanceDay(popup))?.date).toBe(yesterday);
        const [day] = await fetchSandboxDays(setup.stack, alice.email, yesterday, yesterday);
        expect(day, `the sandbox has ${yesterday}`).toBeDefined();
        for (const id of YESTERDAY_METRICS) {
          const shown = await readMetric(popup, id);
          expect(shown, `metric-${id}`).not.toBeNull();
          expect(parseDataValue(shown!.value), `metric-${id}`).toBe(expectedMetricValue(day, id));
        }
        // At least one has a value (Alice's resting heart rate is missing every fifth day), so the
        // comparison cannot pass on empty metrics.
        expect(YESTERDAY_METRICS.some((id) => expectedMetricValue(day, id) !== null)).toBe(true);

        await popup.press('ArrowLeft');
        await popup.waitFor('[data-testid=glance][data-day=today]');
      } finally {
        await popup.close();
      }
    });

    it("should list every day of the range in the side panel table with the sandbox's values, including a day without data", async () => {
      await withFreshPanel(async (panel, days, today) => {
        const from = addDays(today, -6);
        const rows = await readHistoryTable(panel);
        const expectedDates = Array.from({ length: 7 }, (_, index) => addDays(from, index));
        expect(rows.map((row) => row.date).sort()).toEqual(expectedDates);

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
        // The popup's metrics and the walking speed are columns, and real values were compared.
        expect(Object.keys(rows[0]!.cells)).toEqual(expect.arrayContaining(['rest_hr', 'avg_hr', 'max_hr', 'steps', 'gait_speed']));
        expect(compared).toBeGreaterThan(6 * 4);

        await showRange(panel, 30);
        expect(await panel.count('[data-testid=history-table] tr[data-date]')).toBe(30);
      });
    });

    it("should export the range as CSV with the keyboard alone: a row a day, ISO dates, the table's columns and the sandbox's values", async () => {
      await withFreshPanel(async (panel, days, today) => {
        const table = await readHistoryTableText(panel);
        await captureDownloads(panel);
        await panel.bringToFront();
        await panel.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        await tabTo(panel, '[data-testid=export-csv]');
        await panel.press('Enter');
        const [file] = await poll('the CSV download', async () => {
          const files = await readCapturedDownloads(panel);
          return files.length > 0 ? files : undefined;
        });

        const from = addDays(today, -6);
        expect(file!.name).toBe(`cardiomood-${from}_${today}.csv`);
        expect(file!.type).toBe('text/csv;charset=utf-8');
        const lines = file!.text.split('\r\n');
        expect(lines.pop()).toBe('');
        const [header, ...rows] = lines.map((line) => line.split(','));
        expect(header!.slice(1)).toEqual(Object.values(table.headers));
        expect(rows.map((row) => row[0])).toEqual(Array.from({ length: 7 }, (_, index) => addDays(from, index)));
        const columns = Object.keys(table.headers);
        for (const id of ['rest_hr', 'max_hr', 'steps'] as const) {
          const column = columns.indexOf(id) + 1;
          for (const row of rows) {
            const expected = expectedMetricValue(days.get(row[0]!), id);
            expect(row[column], `${row[0]} ${id}`).toBe(expected === null ? '' : String(expected));
          }
        }
        // Decimals with ".", whatever the language: walking speed (km/h, one decimal).
        const speed = columns.indexOf('gait_speed') + 1;
        expect(rows.filter((row) => row[speed] !== '').every((row) => /^\d+\.\d$/.test(row[speed]!))).toBe(true);
      });
    });

    it('should show imperial units and hide a metric in the open popup and side panel, without a reload, when the options page changes them', async () => {
      const { session: live, popup } = await signedIn();
      const panel = await sharedPanel();
      const locale = await pageLocale(panel);

      // Before: metric, every metric shown; the expectations below are checked against this state too.
      expect(await readMetric(popup, HIDDEN_METRIC)).not.toBeNull();
      const before = await readHistoryTableText(panel);
      await expectColumn(panel, before, locale, 'distance', 'kilometer', 2);
      await expectColumn(panel, before, locale, 'gait_speed', 'kilometer-per-hour', 1);
      expect(before.headers).toHaveProperty(HIDDEN_METRIC);
      // A reload would lose this; the pages must change in place.
      for (const page of [popup, panel]) await page.evaluate(() => ((globalThis as { e2eNotReloaded?: boolean }).e2eNotReloaded = true));

      const options = await live.openExtensionPage('options.html');
      await waitForOptions(options);
      await chooseUnits(options, 'imperial');
      await showTile(options, HIDDEN_METRIC, false);

      await poll(`the popup to hide metric-${HIDDEN_METRIC}`, async () => ((await readMetric(popup, HIDDEN_METRIC)) === null ? true : undefined));
      const mph = (await intlTexts(panel, { locale, unit: 'mile-per-hour' })).unitLabel;
      const after = await poll(`the side panel table to drop ${HIDDEN_METRIC} and show mph`, async () => {
        const table = await readHistoryTableText(panel);
        return !(HIDDEN_METRIC in table.headers) && table.headers.gait_speed?.includes(`(${mph})`) ? table : undefined;
      });
      await expectColumn(panel, after, locale, 'distance', 'mile', 2);
      await expectColumn(panel, after, locale, 'gait_speed', 'mile-per-hour', 1);
      expect(after.rows.map((row) => row.date)).toEqual(before.rows.map((row) => row.date));
      for (const row of after.rows) expect(row.cells).not.toHaveProperty(HIDDEN_METRIC);

      for (const page of [popup, panel]) {
        expect(await page.evaluate(() => (globalThis as { e2eNotReloaded?: boolean }).e2eNotReloaded)).toBe(true);
      }

      // Back to the defaults for the tests that share this session (and the same path in reverse).
      await chooseUnits(options, 'metric');
      await showTile(options, HIDDEN_METRIC, true);
      await poll('the popup to show every metric again', async () => ((await readMetric(popup, HIDDEN_METRIC)) !== null ? true : undefined));
      const kmh = (await intlTexts(panel, { locale, unit: 'kilometer-per-hour' })).unitLabel;
      await poll('the side panel table to show metric units and every column again', async () => {
        const table = await readHistoryTableText(panel);
        return HIDDEN_METRIC in table.headers && table.headers.gait_speed?.includes(`(${kmh})`) ? true : undefined;
      });
      await options.close();
    });

    it('should have no serious or critical accessibility violations, light and dark, signed out, on an error, with readings and on Reconnect', async () => {
      const found: Record<string, unknown[]> = {};
      // Chromium switches the scheme per page; Firefox takes it for the whole profile at launch.
      const launches = kind === FIREFOX ? (['light', 'dark'] as const).map((scheme) => [scheme] as const) : [['light', 'dark'] as const];
      for (const schemes of launches) {
        session = await launchFor(kind, setup, schemes.length === 1 ? schemes[0] : undefined);
        const check = async (name: string, page: UiPage) => {
          for (const scheme of schemes) {
            if (schemes.length > 1) await page.setColorScheme(scheme);
            const serious = seriousViolations(await runAxe(page));
            if (serious.length > 0) found[`${name}, ${scheme}`] = serious;
          }
        };
        await axeTour(session, setup, check);
        await session.close();
        session = undefined;
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

async function launchFor(kind: BrowserKind, setup: ExtensionStack, scheme?: 'light' | 'dark'): Promise<BrowserSession> {
  if (kind === FIREFOX && scheme) return launchFirefox({ extensionDir: setup.extensionDir, colorScheme: scheme });
  return kind.launch(setup.extensionDir);
}

/**
 * Every screen the member can meet, each checked with `check`: the popup signed out, on a sync error
 * (CardioMood answering 503 to the first readings), with readings, with the side panel and the
 * options page, and on Reconnect (CardioMood refusing the refresh token).
 */
async function axeTour(session: BrowserSession, setup: ExtensionStack, check: (name: string, page: UiPage) => Promise<void>): Promise<void> {
  const control = setup.stack.sandbox.control;
  try {
    const popup = await session.openExtensionPage('popup.html');
    await waitForPopupState(popup, 'signed-out');
    await check('popup (signed out)', popup);

    control.injectFault({ route: 'user-summaries', kind: 'status', status: 503 }, 1_000);
    await signIn(session, { authOrigin: setup.authOrigin, ...alice, popup, expectState: 'error' });
    await check('popup (error)', popup);
    control.clearFaults();
    await popup.click('[data-testid=retry]');
    await waitForPopupState(popup, 'readings');
    await check('popup (readings)', popup);

    const panel = await openReadySidepanel(session);
    await check('side panel', panel);
    const options = await session.openExtensionPage('options.html');
    await options.waitFor('[data-testid=keep-signed-in]');
    await check('options', options);

    control.expireAccessTokens();
    control.injectFault({ route: 'token', kind: 'status', status: 400, body: { error: 'invalid_grant', error_description: 'revoked' } }, 10);
    await popup.click('[data-testid=refresh]');
    await waitForPopupState(popup, 'reconnect');
    await check('popup (reconnect)', popup);
    await panel.waitFor(`${SIDEPANEL}[data-state=reconnect]`);
    await check('side panel (reconnect)', panel);
    await check('options (reconnect)', options);
  } finally {
    control.clearFaults();
  }
}

/**
 * A side panel column: header with the unit, every value converted from its canonical `data-value`
 * with the column's decimals, as the page's own Intl writes it.
 */
async function expectColumn(panel: UiPage, table: HistoryTableText, locale: string, id: string, unit: IntlUnit, digits: number) {
  const factor = { kilometer: 1, mile: 1 / 1.609344, 'kilometer-per-hour': 3.6, 'mile-per-hour': 3600 / 1609.344 }[unit];
  const valued = table.rows.flatMap((row) => {
    const cell = row.cells[id];
    return cell && cell.value !== '' ? [{ date: row.date, canonical: Number(cell.value), text: cell.text }] : [];
  });
  expect(valued.length, `days with ${id}`).toBeGreaterThan(0);
  const texts = await intlTexts(panel, { locale, unit, digits, numbers: valued.map((cell) => cell.canonical * factor) });
  expect(table.headers[id]).toContain(`(${texts.unitLabel})`);
  expect(valued.map((cell) => `${cell.date} ${cell.text}`)).toEqual(valued.map((cell, index) => `${cell.date} ${texts.numbers[index]}`));
}

/**
 * Saves `<browser>-popup-<moment>-<scheme>.png` (400 px wide, as tall as the popup) after checking
 * the page really is in `scheme`; checks the file is a PNG of the captured viewport.
 */
async function capture(browser: string, name: string, page: UiPage, size: { width: number; height: number }, scheme: 'light' | 'dark'): Promise<string> {
  expect(await page.evaluate((s) => matchMedia(`(prefers-color-scheme: ${s})`).matches, scheme), `${name} in ${scheme}`).toBe(true);
  const file = join(await screenshotDir(), `${browser}-${name}-${scheme}.png`);
  // A file left by an earlier run must not pass for this one.
  await rm(file, { force: true });
  const captured = await screenshotWholePage(page, size, file);
  const ratio = await page.evaluate(() => devicePixelRatio);
  expect(await pngSize(file)).toEqual({ width: Math.round(captured.width * ratio), height: Math.round(captured.height * ratio) });
  expect((await stat(file)).size).toBeGreaterThan(1_000);
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

/** The sandbox's clock at a local time of Alice's today (the extension's own clock stays real: same day). */
function aliceAt(setup: ExtensionStack, minuteOfDay: number): number {
  const control = setup.stack.sandbox.control;
  return zonedTimeToUtc(control.memberLocalToday(alice.email), minuteOfDay, control.memberTimeZone(alice.email));
}

/**
 * The popup in the morning (07:30 on the sandbox's clock: sleep and resting heart rate lead), in the
 * evening (19:00: steps lead) and on Yesterday, then the side panel, each in `schemes`.
 */
async function captureMoments(browser: string, setup: ExtensionStack, session: BrowserSession, schemes: ReadonlyArray<'light' | 'dark'>) {
  const control = setup.stack.sandbox.control;
  const backgrounds: Record<string, string> = {};
  const shoot = async (name: string, page: UiPage, size: { width: number; height: number }) => {
    for (const scheme of schemes) {
      if (schemes.length > 1) await page.setColorScheme(scheme);
      backgrounds[`${name}-${scheme}`] = await capture(browser, name, page, size, scheme);
    }
  };
  control.setNow(aliceAt(setup, 7 * 60 + 30));
  const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice });
  await popup.waitFor('[data-testid=glance][data-lead=morning]');
  await shoot('popup-morning', popup, POPUP_SIZE);

  control.setNow(aliceAt(setup, 19 * 60));
  await popup.click('[data-testid=refresh]');
  await poll('the evening glance (steps lead)', async () => ((await glanceDay(popup))?.lead === 'day' ? true : undefined), { timeout: 30_000 });
  await shoot('popup-evening', popup, POPUP_SIZE);
  await showDay(popup, 'yesterday');
  await shoot('popup-yesterday', popup, POPUP_SIZE);

  const sidepanel = await openReadySidepanel(session);
  await shoot('sidepanel', sidepanel, SIDEPANEL_SIZE);
  return backgrounds;
}

describe.skipIf(shouldSkip(CHROMIUM))('screenshots in chromium', () => {
  const setup = useExtensionStack(CHROMIUM);
  let session: Awaited<ReturnType<typeof launchChromium>> | undefined;

  afterAll(async () => {
    setup.stack.sandbox.control.setNow(null);
    await session?.close();
  });

  it('should save the popup (morning, evening, yesterday) and the side panel in light and dark to test-artifacts/', async () => {
    session = await launchChromium({ extensionDir: setup.extensionDir });
    const backgrounds = await captureMoments('chromium', setup, session, ['light', 'dark']);
    // Dark is really different: the page background changes with the scheme.
    expect(backgrounds['popup-morning-dark']).not.toBe(backgrounds['popup-morning-light']);
    expect(backgrounds['sidepanel-dark']).not.toBe(backgrounds['sidepanel-light']);
  });
});

describe.skipIf(shouldSkip(FIREFOX))('screenshots in firefox', () => {
  const setup = useExtensionStack(FIREFOX);
  let session: Awaited<ReturnType<typeof launchFirefox>> | undefined;

  afterAll(async () => {
    setup.stack.sandbox.control.setNow(null);
    await session?.close();
  });

  it('should save the popup (morning, evening, yesterday) and the side panel in light and dark to test-artifacts/', async () => {
    const backgrounds: Record<string, string> = {};
    // Firefox takes the scheme for the whole profile at launch: one launch per scheme.
    for (const scheme of ['light', 'dark'] as const) {
      session = await launchFirefox({ extensionDir: setup.extensionDir, colorScheme: scheme });
      Object.assign(backgrounds, await captureMoments('firefox', setup, session, [scheme]));
      await session.close();
      session = undefined;
      setup.stack.sandbox.control.setNow(null);
    }
    expect(backgrounds['popup-morning-dark']).not.toBe(backgrounds['popup-morning-light']);
    expect(backgrounds['sidepanel-dark']).not.toBe(backgrounds['sidepanel-light']);
  });
});
