import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import { DEFAULT_WAIT_MS, type UiPage, type WaitOptions } from './ui-page';
import { E2E_TMP, useCheckoutTmpdir } from './paths';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function isChromiumInstalled(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export interface ChromiumSession {
  readonly name: 'chromium';
  readonly context: BrowserContext;
  /** Host of chrome-extension:// URLs (pinned by the manifest `key`). */
  readonly extensionId: string;
  readonly extensionOrigin: string;
  /** Opens an extension page (`popup.html`, `sidepanel.html`, `options.html`) as a tab. */
  openExtensionPage(path: string): Promise<UiPage>;
  /** Resolves with the first open or newly opened page whose URL starts with `prefix`. */
  waitForPage(prefix: string, options?: WaitOptions): Promise<UiPage>;
  /** The extension's current service worker (waits for one to start if none runs). */
  serviceWorker(options?: WaitOptions): Promise<Worker>;
  /** Stops the extension's service worker the way Chrome does when it goes idle; resolves once it is gone. */
  stopServiceWorker(): Promise<void>;
  /** `chrome.runtime.reload()`: the extension restarts (as after an update); resolves when the new worker runs. */
  reloadExtension(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Headless Chromium with the unpacked extension loaded, in a fresh profile under .tmp/e2e.
 * `--disable-extensions-except` is required: Playwright's default `--disable-extensions` wins otherwise.
 */
export async function launchChromium(options: { extensionDir: string }): Promise<ChromiumSession> {
  useCheckoutTmpdir();
  const extensionDir = resolve(options.extensionDir);
  await mkdir(join(E2E_TMP, 'profiles'), { recursive: true });
  const profileDir = await mkdtemp(join(E2E_TMP, 'profiles', 'chromium-'));
  let context: BrowserContext | undefined;
  try {
    await enableDeveloperMode(profileDir);
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        '--disable-gpu',
        '--disable-quic',
      ],
    });
    const ctx = context;
    const firstWorker = ctx.serviceWorkers()[0] ?? (await ctx.waitForEvent('serviceworker', { timeout: DEFAULT_WAIT_MS }));
    const extensionId = new URL(firstWorker.url()).host;
    const extensionOrigin = `chrome-extension://${extensionId}`;

    // Workers gone for good (the extension was reloaded); Playwright may not report their close.
    const stopped = new WeakSet<Worker>();
    const isOurs = (worker: Worker) => worker.url().startsWith(extensionOrigin) && !stopped.has(worker);
    const currentWorker = () => ctx.serviceWorkers().filter(isOurs).at(-1);

    const session: ChromiumSession = {
      name: 'chromium',
      context: ctx,
      extensionId,
      extensionOrigin,
      async openExtensionPage(path) {
        const page = await ctx.newPage();
        await page.goto(`${extensionOrigin}/${path.replace(/^\//, '')}`);
        return wrapPlaywrightPage(page);
      },
      async waitForPage(prefix, { timeout = DEFAULT_WAIT_MS } = {}) {
        const open = ctx.pages().find((page) => page.url().startsWith(prefix));
        const page =
          open ??
          (await ctx.waitForEvent('page', {
            timeout,
            predicate: (candidate) => candidate.url().startsWith(prefix),
          }).catch(async (error: unknown) => {
            // A page may have opened with about:blank and navigated since; look once more.
            const late = ctx.pages().find((candidate) => candidate.url().startsWith(prefix));
            if (late) return late;
            throw error;
          }));
        await page.waitForLoadState('domcontentloaded');
        return wrapPlaywrightPage(page);
      },
      async serviceWorker({ timeout = DEFAULT_WAIT_MS } = {}) {
        return (
          currentWorker() ??
          (await ctx.waitForEvent('serviceworker', {
            timeout,
            predicate: isOurs,
          }))
        );
      },
      async stopServiceWorker() {
        // The ServiceWorker domain lives on page targets; any page of this profile will do.
        const page = ctx.pages()[0] ?? (await ctx.newPage());
        const cdp = await ctx.newCDPSession(page);
        try {
          const versions = new Map<string, { scriptURL: string; runningStatus: string }>();
          let onUpdate: () => void = () => undefined;
          cdp.on('ServiceWorker.workerVersionUpdated', (event) => {
            for (const version of event.versions) versions.set(version.versionId, version);
            onUpdate();
          });
          const running = () =>
            [...versions.entries()].filter(
              ([, version]) => version.scriptURL.startsWith(extensionOrigin) && version.runningStatus !== 'stopped',
            );
          await cdp.send('ServiceWorker.enable');
          // enable() replays the current versions as events; give them a moment to arrive.
          await new Promise((resolve) => setTimeout(resolve, 200));
          // ServiceWorker.stopAllWorkers returned without stopping anything on Chromium 156;
          // stopWorker(versionId) does stop it, like chrome://serviceworker-internals' Stop button.
          for (const [versionId] of running()) await cdp.send('ServiceWorker.stopWorker', { versionId });
          await withTimeout(
            new Promise<void>((resolve) => {
              onUpdate = () => {
                if (running().length === 0) resolve();
              };
              onUpdate();
            }),
            DEFAULT_WAIT_MS,
            'the service worker to stop',
          );
        } finally {
          await cdp.detach().catch(() => undefined);
        }
        // Playwright keeps the Worker object of a stopped worker (no 'close' event): Chrome restarts the
        // same version under the same target when an event wakes it, and the object works again then.
      },
      async reloadExtension() {
        const worker = await session.serviceWorker();
        const next = ctx.waitForEvent('serviceworker', {
          timeout: DEFAULT_WAIT_MS,
          predicate: (candidate) => candidate !== worker && isOurs(candidate),
        });
        // The worker dies while evaluating; the evaluation's own rejection is expected.
        await worker.evaluate('chrome.runtime.reload()').catch(() => undefined);
        stopped.add(worker);
        await next;
      },
      async close() {
        await ctx.close().catch(() => undefined);
        await rm(profileDir, { recursive: true, force: true });
      },
    };
    return session;
  } catch (error) {
    await context?.close().catch(() => undefined);
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * chrome.runtime.reload() of an extension loaded with --load-extension disables it
 * (DISABLE_UNSUPPORTED_DEVELOPER_EXTENSION, seen in chrome://extensions-internals) unless the profile
 * has Developer mode on, as a person loading it unpacked from chrome://extensions would.
 */
async function enableDeveloperMode(profileDir: string): Promise<void> {
  await mkdir(join(profileDir, 'Default'), { recursive: true });
  await writeFile(join(profileDir, 'Default', 'Preferences'), JSON.stringify({ extensions: { ui: { developer_mode: true } } }));
}

export function wrapPlaywrightPage(page: Page): UiPage {
  return {
    async url() {
      return page.url();
    },
    async click(selector, { timeout = DEFAULT_WAIT_MS } = {}) {
      await page.locator(selector).first().click({ timeout });
    },
    async fill(selector, value, { timeout = DEFAULT_WAIT_MS } = {}) {
      await page.locator(selector).first().fill(value, { timeout });
    },
    async selectOption(selector, value, { timeout = DEFAULT_WAIT_MS } = {}) {
      await page.locator(selector).first().selectOption(value, { timeout });
    },
    async waitFor(selector, { timeout = DEFAULT_WAIT_MS } = {}) {
      await page.locator(selector).first().waitFor({ state: 'attached', timeout });
    },
    async attribute(selector, name) {
      return page.evaluate(
        ([sel, attr]) => document.querySelector(sel)?.getAttribute(attr) ?? null,
        [selector, name] as const,
      );
    },
    async count(selector) {
      return page.locator(selector).count();
    },
    async evaluate(fn, arg) {
      return page.evaluate(fn as never, arg as never);
    },
    async setViewportSize(size) {
      await page.setViewportSize(size);
    },
    async setColorScheme(scheme) {
      await page.emulateMedia({ colorScheme: scheme });
    },
    async bringToFront() {
      await page.bringToFront();
    },
    async screenshot(path) {
      await page.screenshot({ path });
    },
    isClosed() {
      return page.isClosed();
    },
    async close() {
      if (!page.isClosed()) await page.close();
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms).unref()),
  ]);
}

