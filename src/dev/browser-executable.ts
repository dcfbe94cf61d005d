import { existsSync } from 'node:fs';

export type BrowserName = 'chromium' | 'firefox';

/** Debian's packages first (apt-get install -y chromium firefox-esr), then other usual places. */
const CANDIDATES: Record<BrowserName, { variable: string; paths: string[] }> = {
  chromium: { variable: 'CHROMIUM_PATH', paths: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'] },
  firefox: { variable: 'FIREFOX_PATH', paths: ['/usr/bin/firefox-esr'] },
};

/**
 * The browser's executable: `CHROMIUM_PATH` / `FIREFOX_PATH` when set (even if nothing is there, so a
 * wrong override fails loudly), else the first installed candidate, else the first candidate.
 */
export function browserExecutable(name: BrowserName): string {
  const { variable, paths } = CANDIDATES[name];
  const override = process.env[variable];
  if (override) return override;
  return paths.find((path) => existsSync(path)) ?? paths[0]!;
}

export function isBrowserInstalled(name: BrowserName): boolean {
  return existsSync(browserExecutable(name));
}

/** The variable that overrides a browser's path, for messages. */
export function browserPathVariable(name: BrowserName): string {
  return CANDIDATES[name].variable;
}
