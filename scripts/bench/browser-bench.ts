import type { SandboxControl } from '../../src/sandbox/create-sandbox';
import { FRAME_CACHE_KEY, POPUP_FRAME_KEYS, POPUP_VIEW_KEYS } from '../../src/shared/popup-view-keys';
import { HISTORY_RANGES } from '../../src/shared/history-ranges';
import { poll } from '../../src/dev/ui-page';
import { type BenchBrowser, type ExtensionApi, firstFrameHolds, getStatus, send, timeMessage } from './bench-browser';
import { budget, type Row, signedMs } from './report';
import { summarize, type Summary } from './stats';

/** The marks the pages set once their content is on screen (see docs/performance.md). */
export const MARKS = {
  floor: 'floor-painted',
  popupReadings: 'readings-painted',
  sidepanelRendered: 'sidepanel-rendered',
} as const;

export const SELECTORS = {
  popupReadings: '[data-testid=popup][data-state=readings]',
  connect: '[data-testid=connect]',
  range7: '[data-testid=range-7]',
  range90: '[data-testid=range-90]',
  login: { email: '#email', password: '#password', submit: '#login', allow: '#allow' },
} as const;

/**
 * What the background keeps of the member's readings (src/storage/storage-items.ts): in
 * storage.session the day records, the snapshot, the popup view and its first frame; in storage.local
 * the last popup view and its frame, and in localStorage the frame's copy ("Keep me signed in"). Removing them all makes the next popup a cold one.
 */
export const CACHE_KEYS = {
  session: ['readings.days', 'readings.snapshot', POPUP_VIEW_KEYS.session, POPUP_FRAME_KEYS.session],
  local: [POPUP_VIEW_KEYS.local, POPUP_FRAME_KEYS.local],
  localStorage: FRAME_CACHE_KEY,
} as const;
/** The popup view the background writes. */
const VIEW_KEY = POPUP_VIEW_KEYS.session;

/** The section of the floor row: every timing row of the same browser is printed next to it. */
export const FLOOR_SECTION = 'Floor';

/** Discarded runs before the counted ones: first-use costs (code cache, JIT) that a member pays once. */
const WARMUP = 2;
const LOAD_REQUESTS = 50;
const LOAD_ROUNDS = 5;

/** The sandbox the extension talks to (src/sandbox/node.ts): its control counts requests, expires tokens, sets the clock. */
export interface BenchSandbox {
  url: string;
  control: SandboxControl;
}

export interface BrowserBenchContext {
  browser: BenchBrowser;
  sandbox: BenchSandbox;
  member: { email: string; password: string };
  runs: number;
  budgets: { popupWarmVsFloor: number; popupAfterRestartVsFloor: number; sidepanel90DaysMs: number };
  /** False when the build has no side panel (entrypoints/sidepanel missing): its row reads n/a. */
  hasSidepanel: boolean;
  /** Whether a measurement of this name runs (BENCH_ONLY; the floor always runs with the warm popup). */
  selected(measurement: string): boolean;
  step(text: string): void;
}

/**
 * One browser measurement: written once against {@link BenchBrowser}, run in every browser. To add a
 * row, add an entry to {@link BROWSER_MEASUREMENTS}; its timing rows are printed next to the floor
 * of the same browser and run without further wiring.
 */
export interface BrowserMeasurement {
  section: string;
  /** Names the measurement in the NOT MEASURED row when it fails. */
  measurement: string;
  measure(context: BrowserBenchContext): Promise<Row[]>;
}

/** Warm popup and the floor, interleaved (alternating which goes first) so drift lands on both. */
const popupWarm: BrowserMeasurement = {
  section: 'Popup',
  measurement: 'warm time to readings',
  async measure({ browser, runs, budgets, step }) {
    step(`${browser.name}: popup warm vs floor, ${runs} runs each, interleaved`);
    const floor: number[] = [];
    const popup: number[] = [];
    for (let i = 0; i < runs + WARMUP; i++) {
      const order = i % 2 ? (['floor', 'popup'] as const) : (['popup', 'floor'] as const);
      for (const page of order) {
        if (page === 'popup') {
          // Warm means: the background runs and the glance is cached. getStatus proves both.
          const status = await getStatus(browser.control);
          if (!status.glance) throw new Error('no cached glance before a warm run');
        }
        const time =
          page === 'popup'
            ? await browser.timeToMark('popup.html', MARKS.popupReadings)
            : await browser.timeToMark('floor.html', MARKS.floor);
        if (i >= WARMUP) (page === 'popup' ? popup : floor).push(time);
      }
    }
    const floorSummary = summarize(floor);
    const popupSummary = summarize(popup);
    const ratio = popupSummary.median / floorSummary.median;
    return [
      { section: FLOOR_SECTION, measurement: 'empty extension page painted', summary: floorSummary },
      {
        section: 'Popup',
        measurement: 'warm: navigation → readings painted',
        summary: popupSummary,
        value: pairedFigure(popup, floor),
        budget: budget(`≤ ${budgets.popupWarmVsFloor}× floor`, ratio <= budgets.popupWarmVsFloor),
      },
    ];
  },
};

/** getStatus with the background running, then after stopping it (wake + start-up + the same round trip). */
const backgroundWake: BrowserMeasurement = {
  section: 'Worker',
  measurement: 'wake to first answer',
  async measure({ browser, runs, step }) {
    step(`${browser.name}: background wake, ${runs} stops`);
    const warm: number[] = [];
    const cold: number[] = [];
    let restarted = 0;
    for (let i = 0; i < runs + WARMUP; i++) {
      const running = await timeMessage(browser.control, 'getStatus');
      await browser.stopBackground();
      const woken = await timeMessage(browser.control, 'getStatus');
      await waitForRestart(browser);
      restarted++;
      if (i >= WARMUP) {
        warm.push(running.ms);
        cold.push(woken.ms);
      }
    }
    return [
      { section: 'Worker', measurement: 'getStatus answered, background running', summary: summarize(warm) },
      {
        section: 'Worker',
        measurement: 'getStatus answered, background stopped (wake)',
        summary: summarize(cold),
        value: `restart verified ${restarted}/${runs + WARMUP}`,
      },
    ];
  },
};

/** Background stopped and every cached reading removed: readings come from CardioMood (the sandbox). */
const popupCold: BrowserMeasurement = {
  section: 'Popup',
  measurement: 'cold time to readings',
  async measure({ browser, sandbox, runs, step }) {
    step(`${browser.name}: popup cold, ${runs} runs (background stopped, cached readings removed)`);
    const times: number[] = [];
    let restarted = 0;
    let fetched = 0;
    for (let i = 0; i < runs + 1; i++) {
      // Stopped first, then emptied: the last run's background may still be writing that run's
      // frames (it does so after the status), and a frame written after the removal made one run
      // of 21 paint without fetching.
      await browser.stopBackground();
      await browser.control.evaluate(async (keys) => {
        const scope = globalThis as unknown as { browser?: ExtensionApi; chrome: ExtensionApi };
        const api = scope.browser ?? scope.chrome;
        await Promise.all([api.storage.session.remove([...keys.session]), api.storage.local.remove([...keys.local])]);
        // The frame's copy too (the control page shares the extension's localStorage).
        localStorage.removeItem(keys.localStorage);
      }, CACHE_KEYS);
      const summariesBefore = sandbox.control.stats().userSummariesRequests;
      const time = await browser.timeToMark('popup.html', MARKS.popupReadings, 30_000);
      await waitForRestart(browser);
      restarted++;
      // Cold means the readings came from CardioMood (the sandbox), not from a cache.
      if (sandbox.control.stats().userSummariesRequests > summariesBefore) fetched++;
      if (i >= 1) times.push(time);
    }
    return [
      {
        section: 'Popup',
        measurement: 'cold: navigation → readings painted',
        summary: summarize(times),
        value: `restart verified ${restarted}/${runs + 1}, fetched ${fetched}/${runs + 1}`,
      },
    ];
  },
};

/**
 * Opens the side panel page, waits for its first render, then times (in the page) from the click on
 * "90 days" to the next `sidepanel-rendered` mark. Each run first goes back to 7 days, so every
 * counted click really changes the range.
 */
const sidepanel90: BrowserMeasurement = {
  section: 'Side panel',
  measurement: 'select 90 days → rendered',
  async measure({ browser, runs, budgets, hasSidepanel, step }) {
    if (!hasSidepanel) {
      return [{ section: 'Side panel', measurement: 'select 90 days → rendered', value: 'no sidepanel.html in the build', notApplicable: true }];
    }
    step(`${browser.name}: side panel, ${runs} renders of 90 days`);
    const page = await browser.openPage('sidepanel.html');
    try {
      await page.waitFor(SELECTORS.range90);
      await poll('the side panel to set its first render mark', async () =>
        (await page.evaluate((mark) => performance.getEntriesByName(mark, 'mark').length > 0, MARKS.sidepanelRendered)) ? true : undefined,
      );
      // No named functions inside: tsx (esbuild keepNames) would wrap them in a __name() helper that
      // does not exist in the page.
      const clickAndTime = (selector: string) =>
        page.evaluate(
          async ([selector, mark]) => {
            performance.clearMarks(mark);
            const button = document.querySelector<HTMLElement>(selector);
            if (!button) throw new Error(`no ${selector}`);
            const started = performance.now();
            button.click();
            while (performance.now() < started + 20_000) {
              const entry = performance.getEntriesByName(mark, 'mark')[0];
              if (entry) return entry.startTime - started;
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
            throw new Error(`no ${mark} after clicking ${selector}`);
          },
          [selector, MARKS.sidepanelRendered] as const,
        );
      const times: number[] = [];
      for (let i = 0; i < runs + 1; i++) {
        await clickAndTime(SELECTORS.range7);
        const time = await clickAndTime(SELECTORS.range90);
        if (i >= 1) times.push(time);
      }
      const summary = summarize(times);
      return [
        {
          section: 'Side panel',
          measurement: 'select 90 days → rendered',
          summary,
          budget: budget(`< ${budgets.sidepanel90DaysMs} ms`, summary.median < budgets.sidepanel90DaysMs),
        },
      ];
    } finally {
      await page.close();
    }
  },
};

/** Every access token expired, then 50 requests at once: all answered, with exactly one refresh. */
const refreshUnderLoad: BrowserMeasurement = {
  section: 'Refresh',
  measurement: 'under load',
  async measure({ browser, sandbox, step }) {
    step(`${browser.name}: refresh under load, ${LOAD_ROUNDS} rounds of ${LOAD_REQUESTS} concurrent requests after expiry`);
    const times: number[] = [];
    const refreshCounts: number[] = [];
    for (let round = 0; round < LOAD_ROUNDS; round++) {
      const before = sandbox.control.stats().refreshes;
      sandbox.control.expireAccessTokens();
      const result = await browser.control.evaluate(async ({ count, ranges }) => {
        const scope = globalThis as unknown as { browser?: ExtensionApi; chrome: ExtensionApi };
        const api = scope.browser ?? scope.chrome;
        const started = performance.now();
        const messages = Array.from({ length: count }, (_, i) =>
          i % 2 === 0
            ? { type: 'refreshReadings', data: undefined }
            : { type: 'getHistory', data: { days: ranges[i % ranges.length] } },
        );
        const envelopes = await Promise.all(
          messages.map((message, i) => api.runtime.sendMessage({ id: i, ...message, timestamp: Date.now() })),
        );
        return { ms: performance.now() - started, envelopes };
      }, { count: LOAD_REQUESTS, ranges: HISTORY_RANGES });
      const after = sandbox.control.stats().refreshes;
      result.envelopes.forEach((envelope) => {
        const reply = envelope as { res?: { ok?: boolean; error?: { code?: string } }; err?: { message?: string } } | undefined;
        if (!reply || reply.err) throw new Error(`a request under load threw: ${reply?.err?.message ?? 'no answer'}`);
        if (reply.res?.ok === false) throw new Error(`a request under load failed: ${reply.res.error?.code ?? 'unknown'}`);
      });
      const status = await getStatus(browser.control);
      if (status.auth.state !== 'signed_in' || status.sync.state === 'error') {
        throw new Error(`after the load round: auth ${status.auth.state}, sync ${status.sync.state}`);
      }
      times.push(result.ms);
      refreshCounts.push(after - before);
    }
    return [
      {
        section: 'Refresh',
        measurement: `${LOAD_REQUESTS} concurrent requests after expiry → all answered`,
        summary: summarize(times),
        value: `refreshes at sandbox per round: ${refreshCounts.join(', ')}`,
        budget: budget('exactly 1 refresh per round', refreshCounts.every((count) => count === 1)),
      },
    ];
  },
};

/** Runs of the first-frame check: the budget is all of them. */
const FIRST_FRAME_RUNS = 20;

/**
 * Warm popup: is today's data already in the first contentful frame? Each run reads the page's
 * `first-contentful-paint` entry and the `readings-painted` mark (see firstFrameHolds).
 */
const popupFirstFrame: BrowserMeasurement = {
  section: 'Popup',
  measurement: 'readings in the first contentful frame',
  async measure({ browser, step }) {
    step(`${browser.name}: popup first contentful frame, ${FIRST_FRAME_RUNS} runs`);
    let first = 0;
    const gaps: number[] = [];
    for (let i = 0; i < FIRST_FRAME_RUNS + WARMUP; i++) {
      if (!(await getStatus(browser.control)).glance) throw new Error('no cached glance before a first-frame run');
      const times = await browser.paintTimes('popup.html', MARKS.popupReadings);
      if (i < WARMUP) continue;
      if (firstFrameHolds(times)) first++;
      if (times.fcp !== null) gaps.push(times.mark - times.fcp);
    }
    const gap = summarize(gaps);
    return [
      {
        section: 'Popup',
        measurement: 'warm: readings in the first contentful frame',
        value: `${first}/${FIRST_FRAME_RUNS} (mark − FCP median ${signedMs(gap.median)}, p90 ${signedMs(gap.p90)})`,
        budget: budget(`${FIRST_FRAME_RUNS}/${FIRST_FRAME_RUNS}`, first === FIRST_FRAME_RUNS),
      },
    ];
  },
};

/**
 * A browser restart with "Keep me signed in": storage.session emptied (tokens, day records, the
 * current popup view) and the background stopped; storage.local keeps the refresh token and the last
 * popup view. Timed to the readings mark; then the bench waits until the background has restored the
 * session and refreshed, so the next run never stops it in the middle of a token refresh.
 *
 * This row has a floor of its own, timed in the same state (background stopped and idle) and
 * interleaved with the popup runs: the browser's floor is measured minutes earlier, and one run's
 * 1.49× against it was drift (45.8 ms floor then, popup 68.2 ms). The floor never follows the popup
 * directly: the popup wakes the background, whose restart would slow a floor opened beside it; in
 * odd runs the popup goes first and the floor waits for the background to be stopped again.
 */
const popupAfterRestart: BrowserMeasurement = {
  section: 'Popup',
  measurement: 'after a browser restart',
  async measure({ browser, runs, budgets, step }) {
    step(`${browser.name}: popup after a browser restart with keep me signed in, ${runs} runs, each beside a floor run`);
    const restart = async () => {
      await settled(browser);
      await browser.control.evaluate(() => {
        const scope = globalThis as unknown as { browser?: ExtensionApi; chrome: ExtensionApi };
        return (scope.browser ?? scope.chrome).storage.session.clear();
      });
      await browser.stopBackground();
    };
    const quiet = async () => {
      await settled(browser);
      await browser.stopBackground();
    };
    const popup: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      await restart();
      let floorTime: number;
      let popupTime: number;
      if (i % 2 === 0) {
        floorTime = await browser.timeToMark('floor.html', MARKS.floor);
        popupTime = await browser.timeToMark('popup.html', MARKS.popupReadings, 30_000);
      } else {
        popupTime = await browser.timeToMark('popup.html', MARKS.popupReadings, 30_000);
        await quiet();
        floorTime = await browser.timeToMark('floor.html', MARKS.floor);
      }
      if (i >= 1) {
        popup.push(popupTime);
        floor.push(floorTime);
      }
    }
    await settled(browser);
    return [
      {
        section: 'Popup',
        measurement: 'after a browser restart (keep me signed in): navigation → readings painted',
        summary: summarize(popup),
        floor: summarize(floor),
        value: pairedFigure(popup, floor),
        vsFloor: budgets.popupAfterRestartVsFloor,
      },
    ];
  },
};

/**
 * What one popup open costs at the sandbox (CardioMood's readings and token requests): with a fresh
 * glance, and with one checked three minutes ago (the stored view's checkedAt moved back, as time
 * would). Each open waits until the background is done before counting.
 */
const requestsPerPopupOpen: BrowserMeasurement = {
  section: 'Requests',
  measurement: 'per popup open',
  async measure({ browser, sandbox, runs, step }) {
    step(`${browser.name}: requests per popup open, ${runs} fresh and ${runs} stale`);
    const counted = () => {
      const stats = sandbox.control.stats();
      return stats.userSummariesRequests + stats.tokenRequests.refresh_token;
    };
    const totals = { fresh: 0, stale: 0 };
    for (const kind of ['fresh', 'stale'] as const) {
      for (let i = 0; i < runs; i++) {
        await send(browser.control, 'refreshReadings');
        await settled(browser);
        if (kind === 'stale') {
          await browser.control.evaluate(async ([key, age]) => {
            const scope = globalThis as unknown as { browser?: ExtensionApi; chrome: ExtensionApi };
            const { session } = (scope.browser ?? scope.chrome).storage;
            const view = (await session.get(key))[key] as { glance: { checkedAt: number } };
            await session.set({ [key]: { ...view, glance: { ...view.glance, checkedAt: view.glance.checkedAt - age } } });
          }, [VIEW_KEY, 3 * 60_000] as const);
        }
        const before = counted();
        const openedAt = Date.now();
        await browser.timeToMark('popup.html', MARKS.popupReadings);
        await settled(browser, kind === 'stale' ? openedAt : undefined);
        totals[kind] += counted() - before;
      }
    }
    const per = (kind: keyof typeof totals) => (totals[kind] / runs).toFixed(2);
    return [
      {
        section: 'Requests',
        measurement: 'per popup open (fresh glance / older than 2 min)',
        value: `${per('fresh')} / ${per('stale')} (${runs} opens each)`,
        budget: budget('0 / 1', totals.fresh === 0 && totals.stale === runs),
      },
    ];
  },
};

/**
 * Resolves once the background is signed in, not loading, and holds a glance checked at or after
 * `since` (epoch ms) when given.
 */
async function settled(browser: BenchBrowser, since?: number): Promise<void> {
  await poll(
    'the background to settle',
    async () => {
      const status = await getStatus(browser.control);
      if (status.auth.state !== 'signed_in') throw new Error(`signed ${status.auth.state} while the bench ran`);
      const done = status.sync.state !== 'loading' && status.glance !== null && (since === undefined || status.glance.checkedAt >= since);
      return done ? true : undefined;
    },
    { timeout: 30_000, interval: 50 },
  );
}

/** The browser measurements, in the order they run; each runs in every browser. */
export const BROWSER_MEASUREMENTS: readonly BrowserMeasurement[] = [
  popupWarm,
  popupFirstFrame,
  backgroundWake,
  popupCold,
  popupAfterRestart,
  requestsPerPopupOpen,
  sidepanel90,
  refreshUnderLoad,
];

/**
 * Signs in through the real flow, then runs every measurement in `context.browser`. A failing
 * measurement becomes a NOT MEASURED row (through `attempt`) and the others still run. Every timing
 * row comes back with the floor measured in the same browser.
 */
export async function runBrowserBench(
  context: BrowserBenchContext,
  attempt: (section: string, measurement: string, fn: () => Promise<Row[]>) => Promise<Row[]>,
): Promise<Row[]> {
  const { browser } = context;
  const rows: Row[] = [];
  rows.push(
    ...(await attempt('Sign-in', 'real flow', async () => {
      context.step(`${browser.name}: signing in through the real flow (Connect, sandbox login, Allow)`);
      await signIn(context);
      return [];
    })),
  );
  if (rows.some((row) => row.failed)) return rows.map((row) => ({ ...row, browser: browser.name }));
  for (const measurement of BROWSER_MEASUREMENTS) {
    if (!context.selected(measurement.measurement)) continue;
    rows.push(...(await attempt(measurement.section, measurement.measurement, () => measurement.measure(context))));
  }
  const floor: Summary | undefined = rows.find((row) => row.section === FLOOR_SECTION && row.summary)?.summary;
  return rows.map((row) => {
    // A row that timed a floor of its own is judged against it; the others against the browser's.
    const rowFloor = row.floor ?? floor;
    const withFloor = row.summary && rowFloor && row.section !== FLOOR_SECTION;
    const verdict =
      withFloor && row.vsFloor !== undefined ? { budget: budget(`≤ ${row.vsFloor}× floor`, row.summary!.median / rowFloor.median <= row.vsFloor) } : {};
    return { ...row, browser: browser.name, ...(withFloor ? { floor: rowFloor } : {}), ...verdict };
  });
}

/**
 * Each popup run against the floor run beside it: the machine's drift cancels within a pair, so this
 * says what the popup adds more steadily than the ratio of two medians does (docs/performance.md).
 */
function pairedFigure(popup: readonly number[], floor: readonly number[]): string {
  const added = summarize(popup.map((time, i) => time - floor[i]!));
  return `paired: popup − floor median ${signedMs(added.median)}, p90 ${signedMs(added.p90)}`;
}

/** Polls until the browser runs the background again: after a stop that saw it gone, this proves a restart. */
async function waitForRestart(browser: BenchBrowser): Promise<void> {
  await poll('the background to run again', async () => ((await browser.isBackgroundRunning()) ? true : undefined), {
    timeout: 10_000,
    interval: 20,
  });
}

async function signIn({ browser, sandbox, member }: BrowserBenchContext): Promise<void> {
  // The companion bench's refreshes leave the member valid tokens of this client, and the sandbox
  // (like Laravel Passport) would then approve without its consent screen: the bench signs in
  // through the whole flow, consent included.
  sandbox.control.expireAccessTokens();
  const popup = await browser.openPage('popup.html');
  try {
    await popup.click(SELECTORS.connect);
    const auth = await browser.waitForPage(sandbox.url);
    await auth.fill(SELECTORS.login.email, member.email);
    await auth.fill(SELECTORS.login.password, member.password);
    await auth.click(SELECTORS.login.submit);
    await auth.click(SELECTORS.login.allow);
    await popup.waitFor(SELECTORS.popupReadings, { timeout: 30_000 });
  } finally {
    await popup.close();
  }
}
