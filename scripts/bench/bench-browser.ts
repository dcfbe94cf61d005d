import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import type { ProtocolMap } from '../../src/messaging/protocol';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The slice of the extension API the in-page helpers use (they run in an extension page). */
declare const chrome: {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  storage: { session: { remove(key: string): Promise<void> } };
};

export interface BenchBrowser {
  context: BrowserContext;
  extensionId: string;
  /** Chromium's version string. */
  version: string;
  /** The floor page, kept open: it runs the in-page helpers and keeps the extension's process alive. */
  control: Page;
  pageUrl(file: string): string;
  /** Sends one protocol message from an extension page, framed as @webext-core/messaging frames it. */
  send<K extends keyof ProtocolMap>(type: K, ...data: Parameters<ProtocolMap[K]>): Promise<ReturnType<ProtocolMap[K]>>;
  /** Stops the background service worker and waits until Chromium lists no worker for us. */
  stopWorker(): Promise<void>;
  /** The id of the running worker target, or undefined while none runs. */
  workerTargetId(): Promise<string | undefined>;
  /**
   * Waits until Chromium lists a worker for us again. After stopWorker() saw the list empty, this
   * proves the worker really started anew (Chromium reuses the target id, so the id proves nothing).
   */
  waitForRestart(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** One fresh profile, headless Debian Chromium, only our extension loaded. */
export async function launchBenchBrowser(extensionDir: string, tmpDir: string): Promise<BenchBrowser> {
  const profile = await mkdtemp(join(tmpDir, 'profile-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        '--disable-gpu',
        '--disable-quic',
      ],
    });
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
    const extensionId = new URL(worker.url()).host;
    const pageUrl = (file: string) => `chrome-extension://${extensionId}/${file}`;
    const control = await context.newPage();
    await control.goto(pageUrl('floor.html'));
    const browser = context.browser();
    const cdp: CDPSession = browser ? await browser.newBrowserCDPSession() : await context.newCDPSession(control);

    const workerTargets = async () =>
      (await cdp.send('Target.getTargets')).targetInfos.filter(
        (target) => target.type === 'service_worker' && target.url.startsWith(`chrome-extension://${extensionId}/`),
      );
    const workerTargetId = async () => (await workerTargets())[0]?.targetId;
    const ownContext = context;

    return {
      context,
      extensionId,
      version: browser?.version() ?? 'unknown',
      control,
      pageUrl,
      send: (type, ...data) => sendFromPage(control, type, data[0]),
      workerTargetId,
      async stopWorker() {
        const running = await workerTargets();
        if (!running.length) throw new Error('bench: no service worker was running to stop');
        // Target.closeTarget on a worker target is what puppeteer's WebWorker.close() sends; Chrome's
        // docs use it to test service worker termination.
        for (const target of running) await cdp.send('Target.closeTarget', { targetId: target.targetId });
        await poll(async () => (await workerTargets()).length === 0, 5_000, 'the service worker did not stop');
      },
      async waitForRestart(timeoutMs = 10_000) {
        await poll(async () => (await workerTargetId()) !== undefined, timeoutMs, 'the service worker did not restart');
      },
      async close() {
        await ownContext.close().catch(() => undefined);
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The frame @webext-core/messaging sends ({ id, type, data, timestamp }) and the envelope it answers
 * with ({ res } or { err }); see node_modules/@webext-core/messaging/dist. Sent with
 * chrome.runtime.sendMessage from an extension page, so the background sees our own extension id.
 */
export async function sendFromPage<K extends keyof ProtocolMap>(
  page: Page,
  type: K,
  data: unknown,
): Promise<ReturnType<ProtocolMap[K]>> {
  const envelope = await page.evaluate(
    ([type, data]) => chrome.runtime.sendMessage({ id: Math.floor(Math.random() * 1e9), type, data, timestamp: Date.now() }),
    [type, data] as const,
  );
  return unwrap(type, envelope) as ReturnType<ProtocolMap[K]>;
}

export function unwrap(type: string, envelope: unknown): unknown {
  const reply = envelope as { res?: unknown; err?: { message?: string } } | undefined;
  if (!reply || typeof reply !== 'object') throw new Error(`bench: no answer to ${type}`);
  if (reply.err) throw new Error(`bench: ${type} threw in the background: ${reply.err.message ?? 'unknown'}`);
  return reply.res;
}

/** How long the bench keeps its hands off a page it is timing before it asks for the mark. */
const HANDS_OFF_MS = 250;

/**
 * Opens `url` in a new tab and returns the startTime of the first `mark` (ms since the document's
 * navigation started). Nothing runs in the page while it loads: the bench waits for the load event
 * from outside, leaves the page alone for HANDS_OFF_MS, then asks once (a PerformanceObserver that
 * also sees marks set before it, for a page slower than that). Polling, as before, put the bench's
 * own tasks on the page's main thread and delayed the very paint being measured.
 */
export async function timeToMark(context: BrowserContext, url: string, mark: string, timeoutMs = 15_000): Promise<number> {
  const page = await context.newPage();
  try {
    await page.goto(url);
    await new Promise((resolve) => setTimeout(resolve, HANDS_OFF_MS));
    // No named functions inside: tsx (esbuild keepNames) would wrap them in a __name() helper that
    // does not exist in the page.
    return await page.evaluate(
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
  } finally {
    await page.close();
  }
}

export async function poll(check: () => Promise<boolean>, timeoutMs: number, failure: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: ${failure} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
