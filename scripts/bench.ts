/**
 * `npm run bench`: how fast and how small the extension is, next to an empty extension page (the
 * floor), in one run on one browser. Prints one table; see docs/performance.md for what each row
 * measures and why the budgets are what they are.
 *
 * Not a test: it exits 0 whatever the figures, and 1 only when a measurement could not be made.
 * BENCH_RUNS (default 15) sets the repetitions of each browser timing.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCompanionConfig } from '../src/companion/config';
import { startCompanion } from '../src/companion/start-companion';
import { startSandbox } from '../src/sandbox/node';
import { CHROME_EXTENSION_ID, CHROME_REDIRECT_URI, DEV_CLIENT_ID, DEV_CLIENT_SECRET } from '../src/shared/extension-identity';
import { launchBenchBrowser } from './bench/bench-browser';
import { runBrowserBench } from './bench/browser-bench';
import { buildBenchExtension } from './bench/build-extension';
import { measureBackground, measurePage } from './bench/bundle-sizes';
import { benchCompanion } from './bench/companion-bench';
import { budget, formatTable, ms, sizeText, type Row } from './bench/report';

const ROOT = resolve(import.meta.dirname, '..');
const TMP = join(ROOT, '.tmp', 'bench');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const COMPANION_ROUNDS = Number(process.env.BENCH_COMPANION_ROUNDS ?? 2000);

/** Budgets (docs/performance.md explains each). */
export const BUDGETS = {
  popupWarmVsFloor: 1.5,
  popupInitialJsGzipBytes: 20 * 1024,
  sidepanel90DaysMs: 100,
  companionAddedP50Ms: 2,
} as const;

const DEMO_MEMBER = { email: 'alice@example.com', password: 'alice-demo' };

async function main(): Promise<number> {
  await mkdir(join(TMP, 'tmp'), { recursive: true });
  // Playwright's own temporary files stay inside the checkout.
  process.env.TMPDIR = join(TMP, 'tmp');
  const rows: Row[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  const started = performance.now();
  const context: string[] = [`Node ${process.version}`, `${cpus().length} cores`, `${RUNS} runs per browser timing`];
  const step = (text: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${text}`);
  /** Runs one measurement; a failure becomes a NOT MEASURED row instead of ending the run. */
  const attempt = async (section: string, measurement: string, fn: () => Promise<Row[]>) => {
    try {
      rows.push(...(await fn()));
    } catch (error) {
      step(`${section}: ${measurement} failed: ${error instanceof Error ? error.message : String(error)}`);
      rows.push({ section, measurement, value: error instanceof Error ? error.message.split('\n')[0] : String(error), failed: true });
    }
  };

  try {
    step('starting the sandbox and the companion on 127.0.0.1');
    // The per-token limit on /user-summaries (180/min, like CardioMood) would throttle the bench's
    // own hundreds of page loads; the bench measures our code, not the throttle.
    const sandbox = await startSandbox({ host: '127.0.0.1', port: 0, rateLimitPerMinute: 1_000_000 });
    cleanups.push(() => sandbox.close());
    const tokenUrl = `${sandbox.url}/oauth/token`;
    const companion = await startCompanion(
      parseCompanionConfig({
        CARDIOMOOD_TOKEN_URL: tokenUrl,
        CARDIOMOOD_CLIENT_ID: DEV_CLIENT_ID,
        CARDIOMOOD_CLIENT_SECRET: DEV_CLIENT_SECRET,
        COMPANION_REDIRECT_URIS: CHROME_REDIRECT_URI,
        COMPANION_ALLOWED_ORIGINS: `chrome-extension://${CHROME_EXTENSION_ID}`,
        // The bench's own thousands of refreshes come from one address.
        COMPANION_RATE_LIMIT_PER_MINUTE: '100000',
      }),
      { host: '127.0.0.1', port: 0, log: () => undefined },
    );
    cleanups.push(() => companion.close());

    step('building the extension (production mode, pointed at the bench servers)');
    const build = await buildBenchExtension({
      root: ROOT,
      outBase: join(TMP, 'output'),
      config: {
        authorizeUrl: `${sandbox.url}/oauth/authorize`,
        apiUrl: sandbox.url,
        clientId: DEV_CLIENT_ID,
        companionUrl: companion.url,
      },
    });
    step(`built in ${(build.durationMs / 1000).toFixed(1)} s: ${build.dir}`);

    await attempt('Size', 'popup', async () => {
      const popup = await measurePage(build.dir, 'popup.html');
      return [
        {
          section: 'Size',
          measurement: 'popup initial JS',
          value: sizeText(popup.initialJs),
          budget: budget('≤ 20 KB gzip', popup.initialJs.gzip <= BUDGETS.popupInitialJsGzipBytes),
        },
        { section: 'Size', measurement: 'popup initial CSS', value: sizeText(popup.initialCss) },
        ...(popup.lazyJs.files.length ? [{ section: 'Size', measurement: 'popup lazy JS', value: sizeText(popup.lazyJs) }] : []),
      ];
    });
    const hasSidepanel = existsSync(join(build.dir, 'sidepanel.html'));
    const noSidepanel = (measurement: string): Row => ({
      section: measurement.startsWith('select') ? 'Side panel' : 'Size',
      measurement,
      value: 'no sidepanel.html in the build (entrypoints/sidepanel is empty)',
      notApplicable: true,
    });
    await attempt('Size', 'side panel', async () => {
      if (!hasSidepanel) return [noSidepanel('side panel initial JS'), noSidepanel('side panel lazy chart JS')];
      const sidepanel = await measurePage(build.dir, 'sidepanel.html');
      return [
        { section: 'Size', measurement: 'side panel initial JS', value: sizeText(sidepanel.initialJs) },
        { section: 'Size', measurement: 'side panel initial CSS', value: sizeText(sidepanel.initialCss) },
        { section: 'Size', measurement: 'side panel lazy chart JS', value: sizeText(sidepanel.lazyJs) },
        ...(sidepanel.lazyCss.files.length
          ? [{ section: 'Size', measurement: 'side panel lazy chart CSS', value: sizeText(sidepanel.lazyCss) }]
          : []),
      ];
    });
    await attempt('Size', 'background and floor', async () => [
      { section: 'Size', measurement: 'background', value: sizeText(await measureBackground(build.dir)) },
      { section: 'Size', measurement: 'floor page JS (reference)', value: sizeText((await measurePage(build.dir, 'floor.html')).initialJs) },
    ]);

    await attempt('Companion', 'refresh round-trips', async () => {
      step(`companion: ${COMPANION_ROUNDS} refresh round-trips each way`);
      const result = await benchCompanion({
        tokenUrl,
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
          value: `p50 +${ms(result.addedP50)}, p90 +${ms(result.addedP90)}`,
          budget: budget('p50 < 2 ms', result.addedP50 < BUDGETS.companionAddedP50Ms),
        },
      ];
    });

    step('launching Chromium with the extension');
    const browser = await launchBenchBrowser(build.dir, join(TMP, 'tmp'));
    cleanups.push(() => browser.close());
    context.unshift(`Chromium ${browser.version} (headless)`);
    await runBrowserBench({
      browser,
      sandbox,
      member: DEMO_MEMBER,
      runs: RUNS,
      budgets: BUDGETS,
      attempt,
      step,
      sidepanel: hasSidepanel ? 'measure' : noSidepanel('select 90 days → rendered'),
    });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }

  console.log(`\nCardioMood Readings bench — ${context.join(', ')}`);
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
