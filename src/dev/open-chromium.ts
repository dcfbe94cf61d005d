import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { browserExecutable, browserPathVariable } from './browser-executable';

export interface OpenChromiumOptions {
  /** The unpacked extension to load. */
  extensionDir: string;
  /** Kept between runs, so the member stays signed in to the sandbox and the extension's settings survive. */
  profileDir: string;
  /** Opened in the first tab. */
  url: string;
  log?: (line: string) => void;
}

/**
 * Chromium with a window, for a person (`npm start` on a machine with a display): the extension
 * loaded unpacked, not driven by any automation. Resolves with the process (undefined when no
 * Chromium is installed); the caller stops it.
 */
export async function openChromium(options: OpenChromiumOptions): Promise<ChildProcess | undefined> {
  const log = options.log ?? console.log;
  const executable = browserExecutable('chromium');
  if (!existsSync(executable)) {
    log(`No Chromium at ${executable} (set ${browserPathVariable('chromium')}): load the extension by hand as shown above.`);
    return undefined;
  }
  const preferences = join(options.profileDir, 'Default', 'Preferences');
  if (!existsSync(preferences)) {
    // Developer mode on, as after loading it by hand, so the extension's reload button works.
    await mkdir(dirname(preferences), { recursive: true });
    await writeFile(preferences, JSON.stringify({ extensions: { ui: { developer_mode: true } } }));
  }
  const child = spawn(
    executable,
    [
      `--user-data-dir=${options.profileDir}`,
      `--load-extension=${options.extensionDir}`,
      '--no-first-run',
      '--no-default-browser-check',
      options.url,
    ],
    { stdio: 'ignore' },
  );
  child.on('error', (error) => log(`Could not start ${executable}: ${error.message}`));
  child.on('exit', (code) =>
    log(
      code === 0 || code === null
        ? 'Chromium closed; the sandbox and companion keep running (Ctrl-C to stop).'
        : `Chromium exited with code ${code} (is the display usable?); the sandbox and companion keep running.`,
    ),
  );
  log(`Opened Chromium (${executable}) with the extension loaded; its profile is ${options.profileDir}.`);
  return child;
}
