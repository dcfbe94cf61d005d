import type { Page } from 'playwright-core';
import type { ProtocolMap } from '../../src/messaging/protocol';
import type { SandboxControl } from '../../src/sandbox/create-sandbox';
import type { Status } from '../../src/shared/status';
import { poll, timeToMark, unwrap, type BenchBrowser } from './bench-browser';
import { budget, type Row } from './report';
import { summarize } from './stats';

/** The marks the pages set once their content is on screen (see docs/performance.md). */
export const MARKS = {
  floor: 'floor-painted',
  popupReadings: 'readings-painted',
  sidepanelRendered: 'sidepanel-rendered',
} as const;

export const SELECTORS = {
  popup: '[data-testid=popup]',
  popupReadings: '[data-testid=popup][data-state=readings]',
  connect: '[data-testid=connect]',
  range7: '[data-testid=range-7]',
  range90: '[data-testid=range-90]',
  login: { email: '#email', password: '#password', submit: '#login', allow: '#allow' },
} as const;

/** Where the background caches the readings snapshot (src/background/readings-store.ts). */
export const SNAPSHOT_KEY = 'readings.snapshot';

/** Discarded runs before the counted ones: first-use costs (code cache, JIT) that a member pays once. */
const WARMUP = 2;
const LOAD_REQUESTS = 50;
const LOAD_ROUNDS = 5;

/** What the bench needs of the sandbox (src/sandbox/node.ts). */
export interface BenchSandbox {
  url: string;
  control: Pick<SandboxControl, 'stats' | 'expireAccessTokens'>;
}

export interface BrowserBenchOptions {
  browser: BenchBrowser;
  sandbox: BenchSandbox;
  member: { email: string; password: string };
  runs: number;
  budgets: { popupWarmVsFloor: number; sidepanel90DaysMs: number };
  /** 'measure', or the row to print instead when the build has no side panel. */
  sidepanel: 'measure' | Row;
  attempt(section: string, measurement: string, fn: () => Promise<Row[]>): Promise<void>;
  step(text: string): void;
}

/** The in-page helpers run in the floor page; they see only `chrome`, declared here for the types. */
declare const chrome: {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  storage: { session: { remove(key: string): Promise<void> } };
};

/** Times one protocol message from the floor page: sendMessage until the background's answer arrives. */
async function timeMessage(page: Page, type: keyof ProtocolMap, data?: unknown): Promise<{ ms: number; envelope: unknown }> {
  return page.evaluate(
    async ([type, data]) => {
      const started = performance.now();
      const envelope = await chrome.runtime.sendMessage({ id: Math.floor(Math.random() * 1e9), type, data, timestamp: Date.now() });
      return { ms: performance.now() - started, envelope };
    },
    [type, data] as const,
  );
}

export async function runBrowserBench(options: BrowserBenchOptions): Promise<void> {
  const { browser, sandbox, runs, budgets, attempt, step } = options;
  const { context, control, pageUrl } = options.browser;

  step('signing in through the real flow (Connect, sandbox login, Allow)');
  await signIn(options);

  let floorMedian = Number.NaN;
  await attempt('Popup', 'warm time to readings', async () => {
    step(`popup warm vs floor: ${runs} runs each, interleaved`);
    const floor: number[] = [];
    const popup: number[] = [];
    for (let i = 0; i < runs + WARMUP; i++) {
      const order = i % 2 ? (['floor', 'popup'] as const) : (['popup', 'floor'] as const);
      for (const page of order) {
        if (page === 'popup') {
          // Warm means: the worker runs and the snapshot is cached. getStatus proves both.
          const status = (await browser.send('getStatus')) as Status;
          if (!status.readings) throw new Error('no cached readings before a warm run');
        }
        const time =
          page === 'popup'
            ? await timeToMark(context, pageUrl('popup.html'), MARKS.popupReadings)
            : await timeToMark(context, pageUrl('floor.html'), MARKS.floor);
        if (i >= WARMUP) (page === 'popup' ? popup : floor).push(time);
      }
    }
    const floorSummary = summarize(floor);
    const popupSummary = summarize(popup);
    floorMedian = floorSummary.median;
    const ratio = popupSummary.median / floorSummary.median;
    return [
      { section: 'Floor', measurement: 'empty extension page painted', summary: floorSummary },
      {
        section: 'Popup',
        measurement: 'warm: navigation → readings painted',
        summary: popupSummary,
        value: `${ratio.toFixed(2)}× floor`,
        budget: budget(`≤ ${budgets.popupWarmVsFloor}× floor`, ratio <= budgets.popupWarmVsFloor),
      },
    ];
  });

  await attempt('Worker', 'wake to first answer', async () => {
    step(`service worker wake: ${runs} stops`);
    const warm: number[] = [];
    const cold: number[] = [];
    let restarted = 0;
    for (let i = 0; i < runs + WARMUP; i++) {
      const running = await timeMessage(control, 'getStatus');
      unwrap('getStatus', running.envelope);
      await browser.stopWorker();
      const woken = await timeMessage(control, 'getStatus');
      unwrap('getStatus', woken.envelope);
      await browser.waitForRestart();
      restarted++;
      if (i >= WARMUP) {
        warm.push(running.ms);
        cold.push(woken.ms);
      }
    }
    return [
      { section: 'Worker', measurement: 'getStatus answered, worker running', summary: summarize(warm) },
      {
        section: 'Worker',
        measurement: 'getStatus answered, worker stopped (wake)',
        summary: summarize(cold),
        value: `restart verified ${restarted}/${runs + WARMUP}`,
      },
    ];
  });

  await attempt('Popup', 'cold time to readings', async () => {
    step(`popup cold: ${runs} runs (worker stopped, snapshot removed)`);
    const times: number[] = [];
    let restarted = 0;
    let fetched = 0;
    for (let i = 0; i < runs + 1; i++) {
      await control.evaluate((key) => chrome.storage.session.remove(key), SNAPSHOT_KEY);
      await browser.stopWorker();
      const summariesBefore = sandbox.control.stats().userSummariesRequests;
      const time = await timeToMark(context, pageUrl('popup.html'), MARKS.popupReadings, 30_000);
      await browser.waitForRestart();
      restarted++;
      // Cold means the readings came from CardioMood (the sandbox), not from a cache.
      if (sandbox.control.stats().userSummariesRequests > summariesBefore) fetched++;
      if (i >= 1) times.push(time);
    }
    const summary = summarize(times);
    return [
      {
        section: 'Popup',
        measurement: 'cold: navigation → readings painted',
        summary,
        value: `${(summary.median / floorMedian).toFixed(2)}× floor; restart verified ${restarted}/${runs + 1}, fetched ${fetched}/${runs + 1}`,
      },
    ];
  });

  await attempt('Side panel', '90 days rendered', async () => {
    if (options.sidepanel !== 'measure') return [options.sidepanel];
    step(`side panel: ${runs} renders of 90 days`);
    const times = await measureSidepanel90(options);
    const summary = summarize(times);
    return [
      {
        section: 'Side panel',
        measurement: 'select 90 days → rendered',
        summary,
        budget: budget(`< ${budgets.sidepanel90DaysMs} ms`, summary.median < budgets.sidepanel90DaysMs),
      },
    ];
  });

  await attempt('Refresh', 'under load', async () => {
    step(`refresh under load: ${LOAD_ROUNDS} rounds of ${LOAD_REQUESTS} concurrent requests after expiry`);
    const times: number[] = [];
    const refreshCounts: number[] = [];
    for (let round = 0; round < LOAD_ROUNDS; round++) {
      const before = sandbox.control.stats().refreshes;
      sandbox.control.expireAccessTokens();
      const result = await control.evaluate(async (count) => {
        const started = performance.now();
        const messages = Array.from({ length: count }, (_, i) =>
          i % 2 === 0
            ? { type: 'refreshReadings', data: undefined }
            : { type: 'getHistory', data: { days: ([7, 30, 90] as const)[i % 3] } },
        );
        const envelopes = await Promise.all(
          messages.map((message, i) => chrome.runtime.sendMessage({ id: i, ...message, timestamp: Date.now() })),
        );
        return { ms: performance.now() - started, envelopes };
      }, LOAD_REQUESTS);
      const after = sandbox.control.stats().refreshes;
      result.envelopes.forEach((envelope) => {
        const answer = unwrap('load request', envelope) as { ok?: boolean; error?: { code?: string } };
        if (answer.ok === false) throw new Error(`a request under load failed: ${answer.error?.code ?? 'unknown'}`);
      });
      const status = (await browser.send('getStatus')) as Status;
      if (status.auth.state !== 'signed_in' || status.sync.state === 'error') {
        throw new Error(`after the load round: auth ${status.auth.state}, sync ${status.sync.state}`);
      }
      times.push(result.ms);
      refreshCounts.push(after - before);
    }
    const allSingle = refreshCounts.every((count) => count === 1);
    return [
      {
        section: 'Refresh',
        measurement: `${LOAD_REQUESTS} concurrent requests after expiry → all answered`,
        summary: summarize(times),
        value: `refreshes at sandbox per round: ${refreshCounts.join(', ')}`,
        budget: budget('exactly 1 refresh per round', allSingle),
      },
    ];
  });
}

async function signIn(options: BrowserBenchOptions): Promise<void> {
  const { browser, sandbox, member } = options;
  const popup = await browser.context.newPage();
  try {
    await popup.goto(browser.pageUrl('popup.html'));
    const authPage = browser.context.waitForEvent('page', {
      predicate: (page) => page.url().startsWith(sandbox.url),
      timeout: 20_000,
    });
    await popup.click(SELECTORS.connect, { timeout: 20_000 });
    const auth = await authPage;
    await auth.fill(SELECTORS.login.email, member.email, { timeout: 20_000 });
    await auth.fill(SELECTORS.login.password, member.password);
    await auth.click(SELECTORS.login.submit);
    await auth.click(SELECTORS.login.allow, { timeout: 20_000 });
    await popup.waitForSelector(SELECTORS.popupReadings, { timeout: 30_000 });
  } finally {
    await popup.close();
  }
}

/**
 * Opens the side panel page, waits for its first render, then times (in the page) from the click on
 * "90 days" to the next `sidepanel-rendered` mark. Each run first goes back to 7 days, so every
 * counted click really changes the range.
 */
async function measureSidepanel90(options: BrowserBenchOptions): Promise<number[]> {
  const { browser, runs } = options;
  const page = await browser.context.newPage();
  try {
    await page.goto(browser.pageUrl('sidepanel.html'));
    await page.waitForSelector(SELECTORS.range90, { timeout: 20_000 });
    await poll(
      () => page.evaluate((mark) => performance.getEntriesByName(mark, 'mark').length > 0, MARKS.sidepanelRendered),
      20_000,
      'the side panel never set its first render mark',
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
    return times;
  } finally {
    await page.close();
  }
}
