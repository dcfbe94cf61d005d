/**
 * `npm run bench`: how fast and how small the extension is, next to an empty extension page (the
 * floor), in one run, in headless Chromium and Firefox ESR. Prints one table; see
 * docs/performance.md for what each row measures and why the budgets are what they are.
 *
 * Not a test: it exits 0 whatever the figures, and 1 only when a measurement could not be made.
 * BENCH_RUNS (default 20, as the independent harness of issue #13) sets the repetitions of each browser timing; BENCH_BROWSERS (default
 * "chromium,firefox") which browsers run; BENCH_ONLY (comma-separated parts of measurement names,
 * e.g. "warm time,after a browser restart") runs only the measurements whose names contain one of them.
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { isBrowserInstalled } from '../src/dev/browser-executable';
import { buildExtension, type TargetBrowser } from '../src/dev/build-extension';
import { PROJECT_TMP, useCheckoutTmpdir } from '../src/dev/project-root';
import { startDevStack } from '../src/dev/start-dev-stack';
import { DEV_CLIENT_SECRET } from '../src/sandbox/dev-client-secret';
import { CHROME_EXTENSION_ID, DEV_CLIENT_ID } from '../src/shared/extension-identity';
import { type BenchBrowserName, launchBenchBrowser } from './bench/bench-browser';
import { runBrowserBench } from './bench/browser-bench';
import { measureBackground, measurePage } from './bench/bundle-sizes';
import { benchCompanion } from './bench/companion-bench';
import { benchIdleDay } from './bench/idle-day-bench';
import { budget, formatTable, signedMs, sizeText, type Row } from './bench/report';

const TMP = join(PROJECT_TMP, 'bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const COMPANION_ROUNDS = Number(process.env.BENCH_COMPANION_ROUNDS ?? 2000);

/** Budgets (docs/performance.md explains each). */
export const BUDGETS = {
  popupWarmVsFloor: 1.15,
  popupAfterRestartVsFloor: 1.3,
  popupInitialJsGzipBytes: 10 * 1024,
  sidepanel90DaysMs: 100,
  companionAddedP50Ms: 2,
} as const;

const DEMO_MEMBER = { email: 'alice@example.com', password: 'alice-demo' };

/** The browsers a bench run measures, with the WXT target each one loads. */
const BROWSERS: readonly { name: BenchBrowserName; executable: 'chromium' | 'firefox'; target: TargetBrowser }[] = [
  { name: 'Chromium', executable: 'chromium', target: 'chrome' },
  { name: 'Firefox', executable: 'firefox', target: 'firefox' },
];

/** The floor page is skipped by every normal build (its `manifest.include` names no real browser). */
const FLOOR_ENTRYPOINT = 'floor';

const ONLY = process.env.BENCH_ONLY?.split(',').map((part) => part.trim()).filter(Boolean);
/** Whether the measurement named `name` runs in this bench (all of them unless BENCH_ONLY says otherwise). */
function selected(name: string): boolean {
  return !ONLY || ONLY.some((part) => name.includes(part));
}

function selectedBrowsers() {
  const wanted = (process.env.BENCH_BROWSERS ?? 'chromium,firefox').split(',').map((name) => name.trim().toLowerCase());
  return BROWSERS.filter((browser) => wanted.includes(browser.executable));
}

async function main(): Promise<number> {
  useCheckoutTmpdir();
  const rows: Row[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  const started = performance.now();
  const browserLabels: string[] = [];
  const context: string[] = [`Node ${process.version}`, `${cpus().length} cores`, `${RUNS} runs per browser timing`, ...(ONLY ? [`only: ${ONLY.join(', ')}`] : [])];
  const step = (text: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${text}`);
  /** Runs one measurement; a failure becomes a NOT MEASURED row instead of ending the run. */
  const attempt = async (section: string, measurement: string, fn: () => Promise<Row[]>): Promise<Row[]> => {
    try {
      return await fn();
    } catch (error) {
      step(`${section}: ${measurement} failed: ${error instanceof Error ? error.message : String(error)}`);
      return [{ section, measurement, value: error instanceof Error ? error.message.split('\n')[0] : String(error), failed: true }];
    }
  };

  try {
    step('starting the sandbox and the companion on 127.0.0.1');
    const stack = await startDevStack({
      // The per-token limit on /user-summaries (180/min, like CardioMood) would throttle the bench's
      // own hundreds of page loads; the bench measures our code, not the throttle.
      sandbox: { rateLimitPerMinute: 1_000_000 },
      // The bench's own thousands of refreshes come from one address.
      companionRateLimitPerMinute: 100_000,
    });
    cleanups.push(() => stack.close());
    const { sandbox, companion } = stack;

    const browsers = selectedBrowsers();
    const builds = new Map<TargetBrowser, string>();
    for (const target of new Set<TargetBrowser>(['chrome', ...browsers.map((browser) => browser.target)])) {
      step(`building the ${target} extension (production mode, pointed at the bench servers, with the floor page)`);
      const build = await buildExtension({
        browser: target,
        mode: 'production',
        config: stack.buildConfig,
        outDir: join(TMP, 'output'),
        include: [FLOOR_ENTRYPOINT],
      });
      step(`built in ${(build.durationMs / 1000).toFixed(1)} s: ${build.dir}`);
      builds.set(target, build.dir);
    }
    const chromeDir = builds.get('chrome')!;

    rows.push(
      ...(await attempt('Size', 'popup', async () => {
        const popup = await measurePage(chromeDir, 'popup.html');
        return [
          {
            section: 'Size',
            measurement: 'popup initial JS',
            value: sizeText(popup.initialJs),
            budget: budget('≤ 10 KB gzip', popup.initialJs.gzip <= BUDGETS.popupInitialJsGzipBytes),
          },
          { section: 'Size', measurement: 'popup initial CSS', value: sizeText(popup.initialCss) },
          ...(popup.lazyJs.files.length ? [{ section: 'Size', measurement: 'popup lazy JS', value: sizeText(popup.lazyJs) }] : []),
        ];
      })),
    );
    const hasSidepanel = existsSync(join(chromeDir, 'sidepanel.html'));
    rows.push(
      ...(await attempt('Size', 'side panel', async () => {
        if (!hasSidepanel) {
          return [{ section: 'Size', measurement: 'side panel', value: 'no sidepanel.html in the build', notApplicable: true }];
        }
        const sidepanel = await measurePage(chromeDir, 'sidepanel.html');
        return [
          { section: 'Size', measurement: 'side panel initial JS', value: sizeText(sidepanel.initialJs) },
          { section: 'Size', measurement: 'side panel initial CSS', value: sizeText(sidepanel.initialCss) },
          { section: 'Size', measurement: 'side panel lazy chart JS', value: sizeText(sidepanel.lazyJs) },
          ...(sidepanel.lazyCss.files.length
            ? [{ section: 'Size', measurement: 'side panel lazy chart CSS', value: sizeText(sidepanel.lazyCss) }]
            : []),
        ];
      })),
    );
    rows.push(
      ...(await attempt('Size', 'background and floor', async () => [
        { section: 'Size', measurement: 'background', value: sizeText(await measureBackground(chromeDir)) },
        { section: 'Size', measurement: 'floor page JS (reference)', value: sizeText((await measurePage(chromeDir, 'floor.html')).initialJs) },
      ])),
    );

    if (selected('companion refresh round-trips')) rows.push(
      ...(await attempt('Companion', 'refresh round-trips', async () => {
        step(`companion: ${COMPANION_ROUNDS} refresh round-trips each way`);
        const result = await benchCompanion({
          tokenUrl: `${sandbox.url}/oauth/token`,
          companionUrl: companion.url,
          clientId: DEV_CLIENT_ID,
          clientSecret: DEV_CLIENT_SECRET,
          origin: `chrome-extension://${CHROME_EXTENSION_ID}`,
          mintRefreshToken: async () => (await sandbox.control.issueTokens(DEMO_MEMBER.email)).refresh_token,
          rounds: COMPANION_ROUNDS,
        });
        return [
          { section: 'Companion', measurement: 'refresh direct to sandbox', summary: result.direct, value: `${result.directPerSecond.toFixed(0)}/s with ${result.concurrency} chains` },
          { section: 'Companion', measurement: 'refresh via companion', summary: result.viaCompanion, value: `${result.companionPerSecond.toFixed(0)}/s with ${result.concurrency} chains` },
          {
            section: 'Companion',
            measurement: 'added latency',
            value: `p50 ${signedMs(result.addedP50)}, p90 ${signedMs(result.addedP90)}`,
            budget: budget('p50 < 2 ms', result.addedP50 < BUDGETS.companionAddedP50Ms),
          },
        ];
      })),
    );

    if (selected('requests per idle member-day')) rows.push(
      ...(await attempt('Requests', 'per idle member-day', async () => {
        step('requests per idle member-day: the simulated day (vitest, fake browser and clock)');
        return benchIdleDay(TMP);
      })),
    );

    for (const { name, executable, target } of browsers) {
      if (!isBrowserInstalled(executable)) {
        rows.push({ section: 'Browser', measurement: name, browser: name, value: `${executable} is not installed`, failed: true });
        continue;
      }
      step(`launching ${name} with the extension`);
      const launched = await attempt('Browser', `launch ${name}`, async () => {
        const browser = await launchBenchBrowser(name, builds.get(target)!);
        try {
          browserLabels.push(browser.label);
          return await runBrowserBench({ browser, sandbox, member: DEMO_MEMBER, runs: RUNS, budgets: BUDGETS, hasSidepanel, selected, step }, attempt);
        } finally {
          await browser.close();
        }
      });
      rows.push(...launched.map((row) => ({ ...row, browser: row.browser ?? name })));
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }

  console.log(`\nCardioMood Readings bench — ${[...browserLabels, ...context].join(', ')}`);
  console.log(formatTable(rows));
  step('done');
  return rows.some((row) => row.failed) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('bench: broke:', error);
    process.exit(1);
  },
);
