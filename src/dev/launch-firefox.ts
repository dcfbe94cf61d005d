import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type KeyInput, type Page } from 'puppeteer-core';
import { GECKO_ID } from '../shared/extension-identity';
import { browserExecutable } from './browser-executable';
import { DEFAULT_WAIT_MS, poll, type UiPage } from './ui-page';
import { PROJECT_TMP, useCheckoutTmpdir } from './project-root';

export interface FirefoxSession {
  readonly name: 'firefox';
  readonly browser: Browser;
  /** Firefox's version string. */
  readonly version: string;
  /** Pinned moz-extension host (extensions.webextensions.uuids), so page URLs are known in advance. */
  readonly extensionUuid: string;
  readonly extensionOrigin: string;
  openExtensionPage(path: string): Promise<UiPage>;
  /** Resolves with the first open or newly opened page whose URL starts with `prefix`. */
  waitForPage(prefix: string, options?: { timeout?: number }): Promise<UiPage>;
  /**
   * `browser.runtime.reload()`, as after an update: the background restarts and storage.session is
   * emptied; the temporary add-on stays installed under the same pinned UUID. Resolves once an
   * extension page loads again.
   */
  reloadExtension(): Promise<void>;
  close(): Promise<void>;
}

export interface LaunchFirefoxOptions {
  /** The unpacked extension (`.output/firefox-mv3…`), installed as a temporary add-on. */
  extensionDir: string;
  /** prefers-color-scheme for every page (Firefox cannot switch it per page over BiDi). */
  colorScheme?: 'light' | 'dark';
  /** Where the fresh profile folder is made (and removed on close); default `.tmp/profiles`. */
  profilesDir?: string;
  /** More Firefox preferences for the profile. */
  prefs?: Record<string, unknown>;
}

/**
 * Headless Firefox ESR driven over WebDriver BiDi (Playwright's Firefox does not work with Debian's
 * build), with the extension installed as a temporary add-on in a fresh profile.
 * `-remote-allow-system-access` is what lets automation open moz-extension:// pages.
 */
export async function launchFirefox(options: LaunchFirefoxOptions): Promise<FirefoxSession> {
  useCheckoutTmpdir();
  const extensionDir = resolve(options.extensionDir);
  const profilesDir = options.profilesDir ?? join(PROJECT_TMP, 'profiles');
  await mkdir(profilesDir, { recursive: true });
  const profileDir = await mkdtemp(join(profilesDir, 'firefox-'));
  const extensionUuid = randomUUID();
  let browser: Browser | undefined;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: browserExecutable('firefox'),
      headless: true,
      userDataDir: profileDir,
      args: ['-remote-allow-system-access'],
      extraPrefsFirefox: {
        'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: extensionUuid }),
        // 0 = dark, 1 = light (https://searchfox.org/mozilla-central/search?q=prefers-color-scheme.content-override)
        ...(options.colorScheme ? { 'layout.css.prefers-color-scheme.content-override': options.colorScheme === 'dark' ? 0 : 1 } : {}),
        ...options.prefs,
      },
    });
    const installedId = await browser.installExtension(extensionDir);
    if (installedId !== GECKO_ID) throw new Error(`installed add-on id ${installedId}, expected ${GECKO_ID}`);
    const extensionOrigin = `moz-extension://${extensionUuid}`;
    const b = browser;
    const session: FirefoxSession = {
      name: 'firefox',
      browser: b,
      version: (await b.version()).replace(/^[^/]*\//, ''),
      extensionUuid,
      extensionOrigin,
      async openExtensionPage(path) {
        const url = `${extensionOrigin}/${path.replace(/^\//, '')}`;
        const page = await b.newPage();
        // Firefox loads moz-extension:// pages but never reports the navigation as finished over BiDi.
        page.goto(url).catch(() => undefined);
        await poll(`${url} to load`, async () => {
          const state = await page.evaluate(() => ({ href: location.href, ready: document.readyState }));
          return state.href === url && state.ready === 'complete' ? true : undefined;
        });
        return wrapPuppeteerPage(page);
      },
      async waitForPage(prefix, { timeout = DEFAULT_WAIT_MS } = {}) {
        const target = await b.waitForTarget((candidate) => candidate.url().startsWith(prefix), { timeout });
        const page = await target.asPage();
        await poll(`${prefix} to load`, async () =>
          (await page.evaluate(() => document.readyState)) === 'loading' ? undefined : true,
        );
        return wrapPuppeteerPage(page);
      },
      async reloadExtension() {
        const trigger = await session.openExtensionPage('popup.html');
        await trigger.evaluate(() => {
          // Deferred so the evaluation returns before the page goes away with the extension.
          setTimeout(() => (globalThis as unknown as { browser: { runtime: { reload(): void } } }).browser.runtime.reload(), 50);
        });
        await poll('the extension pages to close for the reload', async () => {
          try {
            await trigger.evaluate(() => document.readyState);
            return undefined;
          } catch {
            return true;
          }
        });
        // openExtensionPage itself waits (polls) until the reloaded extension serves the page.
        const page = await session.openExtensionPage('popup.html');
        await page.close();
      },
      async close() {
        await b.close().catch(() => undefined);
        await rm(profileDir, { recursive: true, force: true });
      },
    };
    return session;
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await rm(profileDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Puppeteer's own waits depend on navigation events that Firefox does not send for extension
 * pages, so waits here poll the DOM instead.
 */
export function wrapPuppeteerPage(page: Page): UiPage {
  const waitFor = (selector: string, timeout = DEFAULT_WAIT_MS) =>
    poll(`${selector}`, async () => ((await page.$(selector)) ? true : undefined), { timeout });
  return {
    async url() {
      return page.evaluate(() => location.href);
    },
    async click(selector, { timeout = DEFAULT_WAIT_MS } = {}) {
      await waitFor(selector, timeout);
      const handle = await page.$(selector);
      if (!handle) throw new Error(`${selector} disappeared before the click`);
      await handle.click();
    },
    async fill(selector, value, { timeout = DEFAULT_WAIT_MS } = {}) {
      await waitFor(selector, timeout);
      await page.$eval(selector, (element) => {
        (element as HTMLInputElement).value = '';
      });
      await page.type(selector, value);
    },
    async selectOption(selector, value, { timeout = DEFAULT_WAIT_MS } = {}) {
      await waitFor(selector, timeout);
      // page.select sets the value and dispatches input and change, as picking an option does.
      const picked = await page.select(selector, value);
      if (!picked.includes(value)) throw new Error(`${selector} has no option with value "${value}"`);
    },
    async waitFor(selector, { timeout = DEFAULT_WAIT_MS } = {}) {
      await waitFor(selector, timeout);
    },
    async attribute(selector, name) {
      return page.evaluate(
        (sel, attr) => document.querySelector(sel)?.getAttribute(attr) ?? null,
        selector,
        name,
      );
    },
    async count(selector) {
      return page.evaluate((sel) => document.querySelectorAll(sel).length, selector);
    },
    async evaluate(fn, arg) {
      return page.evaluate(fn as never, arg as never);
    },
    async setViewportSize(size) {
      await page.setViewport(size);
    },
    async setColorScheme() {
      // emulateMediaFeatures needs CDP; Firefox takes the scheme as a launch pref instead.
      throw new Error('Firefox: pass colorScheme to launchFirefox()');
    },
    async bringToFront() {
      await page.bringToFront();
    },
    async press(key) {
      await page.keyboard.press(key as KeyInput);
    },
    async screenshot(path) {
      await page.screenshot({ path: path as `${string}.png` });
    },
    isClosed() {
      return page.isClosed();
    },
    async close() {
      if (!page.isClosed()) await page.close();
    },
  };
}
