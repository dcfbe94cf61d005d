/**
 * The few page operations the e2e tests and the bench need, implemented over Playwright (Chromium,
 * launch-chromium.ts) and Puppeteer/WebDriver BiDi (Firefox, launch-firefox.ts), so each scenario is
 * written once and runs in both browsers.
 */
export interface UiPage {
  /** Current URL, read from the page itself (Firefox never reports extension navigations done). */
  url(): Promise<string>;
  /** Waits until an element matches, then clicks it like a user. */
  click(selector: string, options?: WaitOptions): Promise<void>;
  /** Waits until an input matches, then types the value into it (replacing what was there). */
  fill(selector: string, value: string, options?: WaitOptions): Promise<void>;
  /** Waits until a `<select>` matches, then picks the option whose value is `value`, as a user would (input and change events). */
  selectOption(selector: string, value: string, options?: WaitOptions): Promise<void>;
  /**
   * Presses a key on the keyboard ('Tab', 'Enter', 'ArrowRight', …) as a member would: it goes to the
   * focused element, and Tab moves the focus.
   */
  press(key: string): Promise<void>;
  /** Resolves once `selector` matches an element in the document. */
  waitFor(selector: string, options?: WaitOptions): Promise<void>;
  /** The attribute of the first match, or null when no element matches or it lacks the attribute. */
  attribute(selector: string, name: string): Promise<string | null>;
  /** How many elements match right now. */
  count(selector: string): Promise<number>;
  /** Runs a function in the page (it must be self-contained: it is serialized). */
  evaluate<T, A = undefined>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  /** Resizes the page's viewport (a popup is about 360–800 px wide; tabs start at 1280×720). */
  setViewportSize(size: { width: number; height: number }): Promise<void>;
  /** Emulates `prefers-color-scheme`. */
  setColorScheme(scheme: 'light' | 'dark'): Promise<void>;
  /**
   * Makes the page its window's active tab. Firefox throttles background tabs (requestAnimationFrame
   * waited ≈10 s there), and the member sees the active one anyway.
   */
  bringToFront(): Promise<void>;
  screenshot(path: string): Promise<void>;
  isClosed(): boolean;
  close(): Promise<void>;
}

export interface WaitOptions {
  timeout?: number;
}

/** How long a wait on a browser lasts unless told otherwise. */
export const DEFAULT_WAIT_MS = 20_000;

/**
 * Polls `probe` until it returns a value other than undefined; the last error (if any) is in the
 * timeout message so a failing wait says what it saw.
 */
export async function poll<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeout = DEFAULT_WAIT_MS, interval = 100 }: { timeout?: number; interval?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
