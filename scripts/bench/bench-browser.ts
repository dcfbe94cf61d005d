import type { Status } from '../../src/shared/status';
import type { StorageArea, StorageAreaName } from '../../src/shared/storage-area';
import { type ChromiumSession, launchChromium } from '../../src/dev/launch-chromium';
import { type FirefoxSession, launchFirefox, wrapPuppeteerPage } from '../../src/dev/launch-firefox';
import { poll, type UiPage } from '../../src/dev/ui-page';
import type { ProtocolMap } from '../../src/messaging/protocol';

export type BenchBrowserName = 'Chromium' | 'Firefox';

/**
 * What the browser measurements need, the same in both browsers: each measurement is written once
 * against this and runs in Chromium (Playwright) and Firefox ESR (Puppeteer over WebDriver BiDi).
 */
export interface BenchBrowser {
  readonly name: BenchBrowserName;
  /** For the table's heading: name, version, headless. */
  readonly label: string;
  /** The floor page, kept open: it runs the in-page helpers and keeps an extension page alive. */
  readonly control: UiPage;
  /**
   * Opens `file` in a new tab and returns when it showed what `mark` marks (ms since the document's
   * navigation started): the startTime of its first `mark`; in Firefox, the page's first contentful
   * paint when that came later (see {@link readPaintedAt}). Nothing runs in the page while it loads.
   */
  timeToMark(file: string, mark: string, timeoutMs?: number): Promise<number>;
  /**
   * Opens `file` the same way and reads, once its first `mark` is set: that mark's time, the page's
   * first contentful paint, and how long a frame takes there (for {@link firstFrameHolds}).
   */
  paintTimes(file: string, mark: string, timeoutMs?: number): Promise<PaintTimes>;
  /** Opens an extension page as a tab and waits until it has loaded (it may be polled while loading). */
  openPage(file: string): Promise<UiPage>;
  /** The first open or newly opened page whose URL starts with `prefix` (the sign-in window). */
  waitForPage(prefix: string): Promise<UiPage>;
  /**
   * Stops the extension's background and resolves once the browser no longer runs it. Chromium: the
   * DevTools protocol stops the service worker. Firefox: the event page is suspended by Firefox
   * itself once idle (the profile's idle timeout is short, see launchBenchBrowser).
   */
  stopBackground(): Promise<void>;
  /** Whether the browser runs the extension's background right now (asking does not wake it). */
  isBackgroundRunning(): Promise<boolean>;
  close(): Promise<void>;
}

/** What a page painted when: the mark's time, the first contentful paint's (ms since navigation), a frame. */
export interface PaintTimes {
  mark: number;
  /** The `first-contentful-paint` entry's startTime; null when the browser reported none. */
  fcp: number | null;
  /** Median time between animation frames in that page, measured right after. */
  frame: number;
}

/**
 * Whether the mark was set by the first contentful frame. The pages set their marks with
 * markAfterPaint (src/ui/mark-painted.ts): requestAnimationFrame just before the frame that shows the
 * content, then a task after it. So a mark less than one frame after the first contentful paint comes
 * from that very frame; content that arrived in any later frame marks at least a frame after it.
 */
export function firstFrameHolds(times: PaintTimes): boolean {
  return times.fcp !== null && times.mark - times.fcp < times.frame;
}

/** In-page helpers see `browser` (Firefox) or `chrome` (Chromium); declared for the types. */
export interface ExtensionApi {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  storage: Record<StorageAreaName, StorageArea>;
  extension: { getViews(): Array<{ location: { pathname: string } }> };
}

/**
 * Firefox suspends an idle event page after `extensions.background.idle.timeout` ms (30 s by
 * default, like Chrome's service worker). The bench lowers it so a "stopped background" run does not
 * wait half a minute; every warm measurement asks the background right before it, which resets the
 * idle timer.
 */
export const FIREFOX_IDLE_TIMEOUT_MS = 1_000;

/** How long the bench keeps its hands off a page it is timing before it asks for the mark. */
const HANDS_OFF_MS = 250;

export async function launchBenchBrowser(name: BenchBrowserName, extensionDir: string): Promise<BenchBrowser> {
  return name === 'Chromium' ? chromiumBenchBrowser(await launchChromium({ extensionDir })) : firefoxBenchBrowser(
    await launchFirefox({
      extensionDir,
      prefs: {
        'extensions.background.idle.timeout': FIREFOX_IDLE_TIMEOUT_MS,
        // Firefox rounds performance.now() and mark times to whole milliseconds by default (a
        // fingerprinting defence); the bench wants the same resolution as in Chromium.
        'privacy.reduceTimerPrecision': false,
      },
    }),
  );
}

async function chromiumBenchBrowser(session: ChromiumSession): Promise<BenchBrowser> {
  try {
    const control = await session.openExtensionPage('floor.html');
    /** Opens `file`, keeps off while it loads, then reads what `read` wants from it. */
    const inLoadedPage = async <T>(file: string, read: (page: UiPage) => Promise<T>): Promise<T> => {
      // Playwright's goto resolves on the load event, seen over the DevTools protocol.
      const page = await session.openExtensionPage(file);
      try {
        await sleep(HANDS_OFF_MS);
        return await read(page);
      } finally {
        await page.close();
      }
    };
    return {
      name: 'Chromium',
      label: `Chromium ${session.version} (headless)`,
      control,
      timeToMark: (file, mark, timeoutMs) => inLoadedPage(file, (page) => readMark(page, mark, timeoutMs)),
      paintTimes: (file, mark, timeoutMs) => inLoadedPage(file, (page) => readPaintTimes(page, mark, timeoutMs)),
      openPage: (file) => session.openExtensionPage(file),
      waitForPage: (prefix) => session.waitForPage(prefix),
      stopBackground: () => session.stopServiceWorker(),
      isBackgroundRunning: () => session.isServiceWorkerRunning(),
      close: () => session.close(),
    };
  } catch (error) {
    await session.close();
    throw error;
  }
}

async function firefoxBenchBrowser(session: FirefoxSession): Promise<BenchBrowser> {
  try {
    const control = await session.openExtensionPage('floor.html');
    const isBackgroundRunning = () =>
      control.evaluate(() => {
        const api = (globalThis as unknown as { browser: ExtensionApi }).browser;
        // An event page that runs is one of the extension's views; a suspended one is not.
        return api.extension.getViews().some((view) => view.location.pathname === '/_generated_background_page.html');
      });
    /** Opens `file`, keeps off while it loads, then reads what `read` wants from it. */
    const inLoadedPage = async <T>(file: string, read: (page: UiPage) => Promise<T>): Promise<T> => {
      const url = `${session.extensionOrigin}/${file}`;
      const raw = await session.browser.newPage();
      const page = wrapPuppeteerPage(raw);
      try {
        // Firefox never reports a moz-extension:// navigation as done over BiDi, so there is no
        // load event to wait for from outside: start it, keep off for the hands-off time, then ask.
        // A page still on about:blank is asked again (that touches only about:blank).
        raw.goto(url).catch(() => undefined);
        await sleep(HANDS_OFF_MS);
        await poll(`${url} to be the tab's document`, async () => ((await page.evaluate(() => location.href)) === url ? true : undefined), {
          interval: 50,
        });
        return await read(page);
      } finally {
        await page.close();
      }
    };
    return {
      name: 'Firefox',
      label: `Firefox ${session.version} (headless)`,
      control,
      timeToMark: (file, mark, timeoutMs) => inLoadedPage(file, (page) => readPaintedAt(page, mark, timeoutMs)),
      paintTimes: (file, mark, timeoutMs) => inLoadedPage(file, (page) => readPaintTimes(page, mark, timeoutMs)),
      openPage: (file) => session.openExtensionPage(file),
      waitForPage: (prefix) => session.waitForPage(prefix),
      async stopBackground() {
        await poll('Firefox to suspend the idle event page', async () => ((await isBackgroundRunning()) ? undefined : true), {
          timeout: FIREFOX_IDLE_TIMEOUT_MS + 10_000,
          interval: 50,
        });
      },
      isBackgroundRunning,
      close: () => session.close(),
    };
  } catch (error) {
    await session.close();
    throw error;
  }
}

/**
 * Reads the first `mark` once, with a PerformanceObserver that also sees marks set before it (for a
 * page slower than the hands-off time). Polling, as before, put the bench's own tasks on the page's
 * main thread and delayed the very paint being measured.
 */
function readMark(page: UiPage, mark: string, timeoutMs = 15_000): Promise<number> {
  // No named functions inside: tsx (esbuild keepNames) would wrap them in a __name() helper that
  // does not exist in the page.
  return page.evaluate(
    ([name, timeout]) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${name} mark within ${timeout} ms`)), timeout);
        new PerformanceObserver((list, observer) => {
          const entry = list.getEntriesByName(name, 'mark')[0];
          if (!entry) return;
          observer.disconnect();
          clearTimeout(timer);
          resolve(entry.startTime);
        }).observe({ type: 'mark', buffered: true });
      }),
    [mark, timeoutMs] as const,
  );
}

/**
 * When the page showed what `mark` marks: the later of the mark and the page's first contentful
 * paint. The marks are set a task after the frame that shows the content (markAfterPaint), but in
 * Firefox a new page's frames are not painted until it has loaded (paint suppression): a mark whose
 * requestAnimationFrame ran before the load event follows a frame that put nothing on screen, up to
 * a frame before the first paint. Measured in Firefox 153: popup marks 34.7 ms, first contentful
 * paint 44.7 ms. Chromium paints the frames before the load event, so its marks hold; it reports the
 * first contentful paint at presentation time, a few ms after the frame and coarsened, so the
 * Chromium side reads the mark alone.
 */
async function readPaintedAt(page: UiPage, mark: string, timeoutMs?: number): Promise<number> {
  const markTime = await readMark(page, mark, timeoutMs);
  const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint', 'paint')[0]?.startTime ?? null);
  return Math.max(markTime, fcp ?? markTime);
}

/**
 * {@link readMark}, then the page's first contentful paint (buffered paint entries) and its frame
 * interval (the median of five requestAnimationFrame gaps).
 */
async function readPaintTimes(page: UiPage, mark: string, timeoutMs?: number): Promise<PaintTimes> {
  const markTime = await readMark(page, mark, timeoutMs);
  return page.evaluate(
    async (markAt) => {
      const fcp = performance.getEntriesByName('first-contentful-paint', 'paint')[0]?.startTime ?? null;
      const stamps: number[] = [];
      while (stamps.length < 6) stamps.push(await new Promise<number>((resolve) => requestAnimationFrame(resolve)));
      const gaps = stamps.slice(1).map((stamp, i) => stamp - stamps[i]!).sort((a, b) => a - b);
      return { mark: markAt, fcp, frame: gaps[2]! };
    },
    markTime,
  );
}

/**
 * Sends one protocol message from an extension page, framed as @webext-core/messaging frames it
 * ({ id, type, data, timestamp }, answered with { res } or { err }; see
 * node_modules/@webext-core/messaging/dist), and times it in the page until the answer arrives.
 */
export async function timeMessage<K extends keyof ProtocolMap>(
  page: UiPage,
  type: K,
  data?: Parameters<ProtocolMap[K]>[0],
): Promise<{ ms: number; answer: ReturnType<ProtocolMap[K]> }> {
  const { ms, envelope } = await page.evaluate(
    async ([type, data]) => {
      const scope = globalThis as unknown as { browser?: ExtensionApi; chrome: ExtensionApi };
      const api = scope.browser ?? scope.chrome;
      const started = performance.now();
      const envelope = await api.runtime.sendMessage({ id: Math.floor(Math.random() * 1e9), type, data, timestamp: Date.now() });
      return { ms: performance.now() - started, envelope };
    },
    [type, data] as const,
  );
  return { ms, answer: unwrap(type, envelope) as ReturnType<ProtocolMap[K]> };
}

/** {@link timeMessage} without the time. */
export async function send<K extends keyof ProtocolMap>(
  page: UiPage,
  type: K,
  data?: Parameters<ProtocolMap[K]>[0],
): Promise<ReturnType<ProtocolMap[K]>> {
  return (await timeMessage(page, type, data)).answer;
}

/** getStatus, narrowed: the background refuses only senders that are not our pages, which the bench's are. */
export async function getStatus(page: UiPage): Promise<Status> {
  const answer = await send(page, 'getStatus');
  if ('ok' in answer) throw new Error(`bench: the background refused getStatus: ${answer.error.code}`);
  return answer;
}

export function unwrap(type: string, envelope: unknown): unknown {
  const reply = envelope as { res?: unknown; err?: { message?: string } } | undefined;
  if (!reply || typeof reply !== 'object') throw new Error(`bench: no answer to ${type}`);
  if (reply.err) throw new Error(`bench: ${type} threw in the background: ${reply.err.message ?? 'unknown'}`);
  return reply.res;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

