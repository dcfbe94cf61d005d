import { browserExecutable, browserPathVariable, isBrowserInstalled, type BrowserName } from '../../../src/dev/browser-executable';
import type { TargetBrowser } from '../../../src/dev/build-extension';
import { launchChromium } from '../../../src/dev/launch-chromium';
import { launchFirefox } from '../../../src/dev/launch-firefox';
import type { UiPage, WaitOptions } from '../../../src/dev/ui-page';

export type { BrowserName };

/** What every scenario needs from a browser with the extension installed. */
export interface BrowserSession {
  readonly name: BrowserName;
  /** `chrome-extension://<id>` or `moz-extension://<uuid>`. */
  readonly extensionOrigin: string;
  openExtensionPage(path: string): Promise<UiPage>;
  waitForPage(prefix: string, options?: WaitOptions): Promise<UiPage>;
  /** `runtime.reload()`: the extension restarts as after an update (storage.session emptied). */
  reloadExtension(): Promise<void>;
  close(): Promise<void>;
}

export interface BrowserKind {
  name: BrowserName;
  /** The WXT target this browser loads. */
  target: TargetBrowser;
  launch(extensionDir: string): Promise<BrowserSession>;
}

export const CHROMIUM: BrowserKind = {
  name: 'chromium',
  target: 'chrome',
  launch: (extensionDir) => launchChromium({ extensionDir }),
};

export const FIREFOX: BrowserKind = {
  name: 'firefox',
  target: 'firefox',
  launch: (extensionDir) => launchFirefox({ extensionDir }),
};

export const BROWSERS = [CHROMIUM, FIREFOX] as const;

/**
 * Whether to leave a browser's tests out: only outside CI, and only when that browser is not
 * installed. In CI (`CI` set) a missing browser is a failure, never a silent skip.
 */
export function shouldSkip(kind: BrowserKind): boolean {
  return !isBrowserInstalled(kind.name) && !process.env.CI;
}

/** Throws a failure that says how to install the browser; call it first in beforeAll. */
export function assertInstalled(kind: BrowserKind): void {
  if (!isBrowserInstalled(kind.name)) {
    throw new Error(
      `${kind.name} is not installed at ${browserExecutable(kind.name)} (CI is set, so this fails instead of skipping): ` +
        `apt-get install -y ${kind.name === 'chromium' ? 'chromium' : 'firefox-esr'}, or set ${browserPathVariable(kind.name)}`,
    );
  }
}
