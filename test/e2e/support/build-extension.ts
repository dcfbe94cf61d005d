import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { BuildConfig } from '../../../src/shared/build-config';
import { E2E_TMP, ROOT } from './paths';

export type TargetBrowser = 'chrome' | 'firefox';

export interface ExtensionBuild {
  browser: TargetBrowser;
  /** Absolute path of the unpacked extension (the folder holding manifest.json). */
  dir: string;
  manifest: Record<string, unknown>;
  /** False when an identical build from earlier in this run was reused. */
  built: boolean;
  durationMs: number;
}

export interface BuildExtensionOptions {
  browser: TargetBrowser;
  /** Baked in through the same WXT_* variables a real build reads (see src/shared/build-config.ts). */
  config: BuildConfig;
  /** Project to build; the checkout by default (tests of the harness itself point it elsewhere). */
  root?: string;
}

/** What the build reads besides the environment; a change to any of these invalidates the cache. */
const SOURCE_PATHS = ['entrypoints', 'src', 'public', 'wxt.config.ts', 'package-lock.json', 'tsconfig.json'];
/** Server code never reaches the bundle (an architecture test checks that), so its edits do not count. */
const IGNORED = [/^src\/(sandbox|companion)\//];
const STALE_AFTER_MS = 30 * 60 * 1000;

/** `WXT_*` variables for a build configuration, exactly as wxt.config.ts reads them. */
export function buildEnvFor(config: BuildConfig): Record<string, string> {
  return {
    WXT_CARDIOMOOD_AUTHORIZE_URL: config.authorizeUrl,
    WXT_CARDIOMOOD_API_URL: config.apiUrl,
    WXT_CARDIOMOOD_CLIENT_ID: config.clientId,
    WXT_COMPANION_URL: config.companionUrl,
  };
}

/**
 * Builds the extension with the real WXT build (`wxt build --mode development [-b firefox]`) into
 * `.tmp/e2e/<browser>-<hash>`, the hash covering the browser, the WXT_* variables and the sources.
 * The WXT CLI has no --outDir, so the build runs WXT's programmatic `build()` in a child Node process:
 * a clean environment (no NODE_ENV=test or VITEST_* from the test runner) and no Vite-in-Vitest.
 * A folder with the same hash is reused, so several tests against the same servers build once.
 */
export async function buildExtension(options: BuildExtensionOptions): Promise<ExtensionBuild> {
  const root = options.root ?? ROOT;
  const env = buildEnvFor(options.config);
  const hash = createHash('sha256')
    .update(JSON.stringify({ browser: options.browser, env, root }))
    .update(await sourceFingerprint(root))
    .digest('hex')
    .slice(0, 16);
  const outDir = join(E2E_TMP, 'builds', `${options.browser}-${hash}`);
  const marker = join(outDir, 'build-done.json');
  const started = performance.now();
  if (existsSync(marker)) {
    const { dir } = JSON.parse(await readFile(marker, 'utf8')) as { dir: string };
    return { browser: options.browser, dir, manifest: await readManifest(dir), built: false, durationMs: performance.now() - started };
  }
  await pruneStaleBuilds();
  await rm(outDir, { recursive: true, force: true });
  await runWxtBuild({ root, browser: options.browser, outDir, env });
  const dirs = (await readdir(outDir, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  const target = dirs.find((entry) => existsSync(join(outDir, entry.name, 'manifest.json')));
  if (!target) throw new Error(`wxt build produced no manifest.json under ${outDir}`);
  const dir = join(outDir, target.name);
  await writeFile(marker, JSON.stringify({ dir }));
  return { browser: options.browser, dir, manifest: await readManifest(dir), built: true, durationMs: performance.now() - started };
}

async function readManifest(dir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
}

const BUILD_SCRIPT = `
import { build } from 'wxt';
const { root, browser, outDir } = JSON.parse(process.argv[1]);
await build({ root, mode: 'development', browser, outDir });
`;

function runWxtBuild(args: { root: string; browser: TargetBrowser; outDir: string; env: Record<string, string> }): Promise<void> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...args.env };
  for (const key of Object.keys(childEnv)) {
    if (key === 'NODE_ENV' || key.startsWith('VITEST') || key === 'TEST') delete childEnv[key];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', BUILD_SCRIPT, JSON.stringify({ root: args.root, browser: args.browser, outDir: args.outDir })],
      { cwd: args.root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`wxt build (${args.browser}) failed with ${signal ?? `exit code ${code}`}:\n${output}`));
    });
  });
}

/** Hash of every source file the build reads (paths and contents). */
async function sourceFingerprint(root: string): Promise<string> {
  const hash = createHash('sha256');
  const files: string[] = [];
  for (const path of SOURCE_PATHS) await collect(join(root, path), files);
  for (const file of files.sort()) {
    const rel = relative(root, file).split('\\').join('/');
    if (IGNORED.some((pattern) => pattern.test(rel))) continue;
    hash.update(rel).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

async function collect(path: string, into: string[]): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return;
  if (info.isFile()) {
    into.push(path);
    return;
  }
  if (!info.isDirectory()) return;
  for (const entry of await readdir(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    await collect(join(path, entry), into);
  }
}

/** Builds keyed by port-0 server URLs are never reused by a later run: drop old ones. */
async function pruneStaleBuilds(): Promise<void> {
  const base = join(E2E_TMP, 'builds');
  const entries = await readdir(base).catch(() => [] as string[]);
  const now = Date.now();
  await Promise.all(
    entries.map(async (entry) => {
      const info = await stat(join(base, entry)).catch(() => undefined);
      if (info && now - info.mtimeMs > STALE_AFTER_MS) await rm(join(base, entry), { recursive: true, force: true });
    }),
  );
}
