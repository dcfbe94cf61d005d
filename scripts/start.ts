/**
 * `npm start`: everything needed to try the extension locally, in one process.
 * - the sandbox (CardioMood stand-in) on 127.0.0.1:8787 and the companion on 127.0.0.1:8788, wired to
 *   each other (the development client secret goes to the companion only);
 * - development builds of the extension for Chrome and Firefox against them (.output/*-dev);
 * - how to load them, the demo members, and (when a display is available) Chromium with the
 *   extension loaded.
 * Ctrl-C / SIGTERM stops the browser it started and both servers.
 * Env: SANDBOX_PORT, COMPANION_PORT (a non-default port is baked into the builds).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// On a fresh clone `npm start` needs scripts/start.mjs (plain Node) to install tsx first; this check
// repairs a checkout whose node_modules lost packages before the imports below need them.
if (!existsSync(join(ROOT, 'node_modules', 'wxt'))) {
  console.log('node_modules is missing: running npm ci …');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const { CHROME_EXTENSION_ID, DEV_COMPANION_PORT, DEV_SANDBOX_PORT } = await import('../src/shared/extension-identity');
const { buildEnvFor } = await import('../test/e2e/support/build-extension');
const { DEMO_MEMBERS } = await import('../test/e2e/support/sign-in');
const { startLocalStack } = await import('../test/e2e/support/servers');

type Stack = Awaited<ReturnType<typeof startLocalStack>>;

const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    console.error(`${name} must be a port number (1-65535), got "${raw}"`);
    process.exit(1);
  }
  return value;
}

/** `wxt build --mode development [-b firefox]`: the same command as `npm run build:dev[:firefox]`. */
function buildExtension(browser: 'chrome' | 'firefox', env: Record<string, string>): Promise<string> {
  const args = ['build', '--mode', 'development', ...(browser === 'firefox' ? ['-b', 'firefox'] : [])];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'wxt'), args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise(join(ROOT, '.output', `${browser}-mv3-dev`));
      else reject(new Error(`wxt ${args.join(' ')} failed (exit ${code}):\n${output}`));
    });
  });
}

async function openChromium(extensionDir: string): Promise<ChildProcess | undefined> {
  const executable = CHROMIUM_CANDIDATES.find((candidate) => candidate && existsSync(candidate));
  if (!executable) {
    console.log('No Chromium found (set CHROMIUM_PATH): load the extension by hand as shown above.');
    return undefined;
  }
  const profile = join(ROOT, '.tmp', 'start', 'chromium-profile');
  const preferences = join(profile, 'Default', 'Preferences');
  if (!existsSync(preferences)) {
    // Developer mode on, as after loading it by hand, so the extension's reload button works.
    await mkdir(dirname(preferences), { recursive: true });
    await writeFile(preferences, JSON.stringify({ extensions: { ui: { developer_mode: true } } }));
  }
  const child = spawn(
    executable,
    [
      `--user-data-dir=${profile}`,
      `--load-extension=${extensionDir}`,
      '--no-first-run',
      '--no-default-browser-check',
      `chrome-extension://${CHROME_EXTENSION_ID}/popup.html`,
    ],
    { stdio: 'ignore' },
  );
  child.on('error', (error) => console.error(`Could not start ${executable}: ${error.message}`));
  child.on('exit', (code) =>
    console.log(
      code === 0 || code === null
        ? 'Chromium closed; the sandbox and companion keep running (Ctrl-C to stop).'
        : `Chromium exited with code ${code} (is the display usable?); the sandbox and companion keep running.`,
    ),
  );
  console.log(`Opened Chromium (${executable}) with the extension loaded; its profile is ${profile}.`);
  return child;
}

async function main(): Promise<void> {
  const sandboxPort = port('SANDBOX_PORT', DEV_SANDBOX_PORT);
  const companionPort = port('COMPANION_PORT', DEV_COMPANION_PORT);

  let stack: Stack | undefined;
  let chromium: ChildProcess | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping …`);
    if (chromium && chromium.exitCode === null && chromium.pid) chromium.kill('SIGTERM');
    await stack?.close().catch((error: unknown) => console.error('error while closing the servers:', error));
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  try {
    stack = await startLocalStack({
      sandboxPort,
      companionPort,
      onCompanionLog: (line) => console.log(`[companion] ${JSON.stringify(line)}`),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`Could not start the sandbox/companion: ${message}`);
    if (message.includes('EADDRINUSE')) {
      console.error('A port is taken: stop the other process or set SANDBOX_PORT / COMPANION_PORT.');
    }
    process.exit(1);
  }
  console.log(`Sandbox (CardioMood stand-in): ${stack.sandbox.url}`);
  console.log(`Companion (token exchange):   ${stack.companion.url}`);

  // The development defaults already point at 8787/8788; the variables matter when the ports differ.
  const env = buildEnvFor(stack.buildConfig);
  console.log('Building the extension for Chrome and Firefox (development mode) …');
  let chromeDir: string;
  let firefoxDir: string;
  try {
    chromeDir = await buildExtension('chrome', env);
    firefoxDir = await buildExtension('firefox', env);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    await stack.close();
    process.exit(1);
  }

  console.log(`
Load the extension
  Chrome/Chromium: chrome://extensions → turn on Developer mode → Load unpacked → select
      ${chromeDir}
  Firefox:         about:debugging → This Firefox → Load Temporary Add-on… → select
      ${join(firefoxDir, 'manifest.json')}

Demo members (sign in from the extension's Connect button)
  ${DEMO_MEMBERS.alice.email} / ${DEMO_MEMBERS.alice.password}   data through today (none 3 days ago)
  ${DEMO_MEMBERS.bob.email} / ${DEMO_MEMBERS.bob.password}       no data yet today
`);

  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) {
    chromium = await openChromium(chromeDir);
  } else {
    console.log('No display ($DISPLAY / $WAYLAND_DISPLAY unset): not opening a browser; load the extension as shown above.');
  }
  console.log('Running. Press Ctrl-C to stop.');
}

await main();
