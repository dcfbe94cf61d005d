import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type CDPSession, type Page, type Worker } from 'playwright-core';
import { browserExecutable } from './browser-executable';
import { DEFAULT_WAIT_MS, poll, type UiPage, type WaitOptions } from './ui-page';
import { PROJECT_TMP, useCheckoutTmpdir } from './project-root';

export interface ChromiumSession {
  readonly name: 'chromium';
  readonly context: BrowserContext;
  /** Chromium's version string. */
  readonly version: string;
  /** Host of chrome-extension:// URLs (pinned by the manifest `key`). */
  readonly extensionId: string;
  readonly extensionOrigin: string;
  /**
   * Opens an extension page (`popup.html`, `sidepanel.html`, `options.html`) as a tab and resolves
   * once its load event fired, observed over the DevTools protocol: nothing runs in the page.
   */
  openExtensionPage(path: string): Promise<UiPage>;
  /** Resolves with the first open or newly opened page whose URL starts with `prefix`. */
  waitForPage(prefix: string, options?: WaitOptions): Promise<UiPage>;
  /** The extension's current service worker (waits for one to start if none runs). */
  serviceWorker(options?: WaitOptions): Promise<Worker>;
  /**
   * Stops the extension's service worker the way Chrome does when it goes idle; resolves once Chromium
   * lists none. With `awaitUnlisted: false` it resolves as soon as the worker reported itself stopped:
   * an open extension page may wake a new one at once, so the list need never be empty.
   */
  stopServiceWorker(options?: { awaitUnlisted?: boolean }): Promise<void>;
  /**
   * Whether Chromium lists a running service worker for the extension. After stopServiceWorker() saw
   * the list empty, true proves the worker really started anew (the target id is reused, so the id
   * proves nothing).
   */
  isServiceWorkerRunning(): Promise<boolean>;
  /** `chrome.runtime.reload()`: the extension restarts (as after an update); resolves when the new worker runs. */
  reloadExtension(): Promise<void>;
  close(): Promise<void>;
}

export interface LaunchChromiumOptions {
  /** The unpacked extension (`.output/chrome-mv3…`). */
  extensionDir: string;
  /** Where the fresh profile folder is made (and removed on close); default `.tmp/profiles`. */
  profilesDir?: string;
}

/**
 * Headless Chromium with the unpacked extension loaded, in a fresh profile.
 * `--disable-extensions-except` is required: Playwright's default `--disable-extensions` wins otherwise.
 */
export async function launchChromium(options: LaunchChromiumOptions): Promise<ChromiumSession> {
  useCheckoutTmpdir();
  const extensionDir = resolve(options.extensionDir);
  const profilesDir = options.profilesDir ?? join(PROJECT_TMP, 'profiles');
  await mkdir(profilesDir, { recursive: true });
  const profileDir = await mkdtemp(join(profilesDir, 'chromium-'));
  let context: BrowserContext | undefined;
  try {
    await enableDeveloperMode(profileDir);
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: browserExecutable('chromium'),
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
    // Target.getTargets lists the extension's worker only while it runs; one browser-wide session
    // answers it whatever pages come and go.
    const browserCdp: CDPSession = await (ctx.browser()?.newBrowserCDPSession() ?? ctx.newCDPSession(ctx.pages()[0] ?? (await ctx.newPage())));
    const { product } = await browserCdp.send('Browser.getVersion');
    const workerTargets = async () =>
      (await browserCdp.send('Target.getTargets')).targetInfos.filter(
        (target) => target.type === 'service_worker' && target.url.startsWith(`${extensionOrigin}/`),
      );

    // Workers gone for good (the extension was reloaded); Playwright may not report their close.
    const stopped = new WeakSet<Worker>();
    const isOurs = (worker: Worker) => worker.url().startsWith(extensionOrigin) && !stopped.has(worker);
    const currentWorker = () => ctx.serviceWorkers().filter(isOurs).at(-1);

    const session: ChromiumSession = {
      name: 'chromium',
      context: ctx,
      version: product.replace(/^[^/]*\//, ''),
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
      async stopServiceWorker({ awaitUnlisted = true } = {}) {
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
        if (!awaitUnlisted) return;
        await poll('Chromium to list no service worker for the extension', async () =>
          (await workerTargets()).length === 0 ? true : undefined,
        );
        // Playwright keeps the Worker object of a stopped worker (no 'close' event): Chrome restarts the
        // same version under the same target when an event wakes it, and the object works again then.
      },
      async isServiceWorkerRunning() {
        return (await workerTargets()).length > 0;
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
    async press(key) {
      await page.keyboard.press(key);
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

