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
import { type ChildProcess, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

const { CHROME_EXTENSION_ID } = await import('../src/shared/extension-identity');
const { DEV_COMPANION_PORT, DEV_SANDBOX_PORT } = await import('../src/dev/dev-ports');
const { buildExtension } = await import('../src/dev/build-extension');
const { openChromium } = await import('../src/dev/open-chromium');
const { PROJECT_TMP } = await import('../src/dev/project-root');
const { startDevStack } = await import('../src/dev/start-dev-stack');

type Stack = Awaited<ReturnType<typeof startDevStack>>;

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

/** What each demo member's data looks like, from the sandbox's own description of them. */
function describeData(member: { history: { lastDaysAgo: number }; missingDaysAgo?: number[] }): string {
  const through = member.history.lastDaysAgo === 0 ? 'data through today' : 'no data yet today';
  const gaps = member.missingDaysAgo?.length ? ` (none ${member.missingDaysAgo.join(', ')} days ago)` : '';
  return through + gaps;
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
    stack = await startDevStack({
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
  console.log('Building the extension for Chrome and Firefox (development mode) …');
  let chromeDir: string;
  let firefoxDir: string;
  try {
    // The same output as `npm run build:dev[:firefox]`: .output/<browser>-mv3-dev.
    const outDir = join(ROOT, '.output');
    chromeDir = (await buildExtension({ browser: 'chrome', mode: 'development', config: stack.buildConfig, outDir })).dir;
    firefoxDir = (await buildExtension({ browser: 'firefox', mode: 'development', config: stack.buildConfig, outDir })).dir;
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
${stack.sandbox.control
  .members()
  .map((member) => `  ${member.email} / ${member.password}   ${describeData(member)}`)
  .join('\n')}
`);

  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) {
    chromium = await openChromium({
      extensionDir: chromeDir,
      profileDir: join(PROJECT_TMP, 'start', 'chromium-profile'),
      url: `chrome-extension://${CHROME_EXTENSION_ID}/popup.html`,
    });
  } else {
    console.log('No display ($DISPLAY / $WAYLAND_DISPLAY unset): not opening a browser; load the extension as shown above.');
  }
  console.log('Running. Press Ctrl-C to stop.');
}

await main();
