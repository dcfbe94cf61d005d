import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { BUILD_CONFIG_ENV_NAMES, type BuildConfig } from '../shared/build-config';
import { PROJECT_ROOT } from './project-root';

export type TargetBrowser = 'chrome' | 'firefox';
export type BuildMode = 'development' | 'production';

export interface BuildExtensionOptions {
  browser: TargetBrowser;
  /** `development` as `npm run build:dev`; `production` as a store build (minified, no dev code). */
  mode: BuildMode;
  /** Baked in through the same WXT_* variables a real build reads (src/shared/build-config.ts). */
  config: BuildConfig;
  /** WXT's outDir: the extension lands in `<outDir>/<browser>-mv3` (`-dev` added in development). */
  outDir: string;
  /** Project to build; the checkout by default. */
  root?: string;
  /** Entrypoints every normal build skips that this build switches on (the bench's `floor` page). */
  include?: string[];
}

export interface ExtensionBuild {
  browser: TargetBrowser;
  /** Absolute path of the unpacked extension (the folder holding manifest.json). */
  dir: string;
  manifest: Record<string, unknown>;
  /** False when an identical build from earlier was reused (buildExtensionCached). */
  built: boolean;
  durationMs: number;
}

/** `WXT_*` variables for a build configuration, exactly as wxt.config.ts reads them. */
export function buildEnvFor(config: BuildConfig): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(BUILD_CONFIG_ENV_NAMES) as (keyof BuildConfig)[]).map((key) => [BUILD_CONFIG_ENV_NAMES[key], config[key]]),
  );
}

/**
 * Builds the extension with the real WXT build. The WXT CLI has no --outDir, so the build runs WXT's
 * programmatic `build()` in a child Node process: a clean environment (no NODE_ENV=test, VITEST_* or
 * stray WXT_* from the caller), no Vite-in-Vitest, and WXT's global state stays out of the caller.
 */
export async function buildExtension(options: BuildExtensionOptions): Promise<ExtensionBuild> {
  const root = options.root ?? PROJECT_ROOT;
  const started = performance.now();
  const dir = join(options.outDir, `${options.browser}-mv3${options.mode === 'development' ? '-dev' : ''}`);
  await rm(dir, { recursive: true, force: true });
  await runWxtBuild({
    root,
    browser: options.browser,
    mode: options.mode,
    outDir: options.outDir,
    include: options.include ?? [],
    env: buildEnvFor(options.config),
  });
  if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`wxt build produced no ${join(dir, 'manifest.json')}`);
  return { browser: options.browser, dir, manifest: await readManifest(dir), built: true, durationMs: performance.now() - started };
}

/** What the build reads besides the environment; a change to any of these invalidates a cached build. */
const SOURCE_PATHS = ['entrypoints', 'src', 'public', 'wxt.config.ts', 'package-lock.json', 'tsconfig.json'];
/** Server and dev-stack code never reaches the bundle (an architecture test checks that), so its edits do not count. */
const IGNORED = [/^src\/(sandbox|companion|dev)\//];
const STALE_AFTER_MS = 30 * 60 * 1000;

/**
 * {@link buildExtension} into `<cacheDir>/<browser>-<hash>`, the hash covering the options, the WXT_*
 * variables and the sources. A folder with the same hash is reused, so several test suites against
 * the same servers build once; folders older than 30 minutes are removed (builds keyed by port-0
 * server URLs are never reused by a later run).
 */
export async function buildExtensionCached(options: Omit<BuildExtensionOptions, 'outDir'> & { cacheDir: string }): Promise<ExtensionBuild> {
  const { cacheDir, ...rest } = options;
  const root = rest.root ?? PROJECT_ROOT;
  const hash = createHash('sha256')
    .update(JSON.stringify({ browser: rest.browser, mode: rest.mode, include: rest.include ?? [], env: buildEnvFor(rest.config), root }))
    .update(await sourceFingerprint(root))
    .digest('hex')
    .slice(0, 16);
  const outDir = join(cacheDir, `${rest.browser}-${hash}`);
  const marker = join(outDir, 'build-done.json');
  const started = performance.now();
  if (existsSync(marker)) {
    const { dir } = JSON.parse(await readFile(marker, 'utf8')) as { dir: string };
    return { browser: rest.browser, dir, manifest: await readManifest(dir), built: false, durationMs: performance.now() - started };
  }
  await pruneStaleBuilds(cacheDir);
  await rm(outDir, { recursive: true, force: true });
  const build = await buildExtension({ ...rest, outDir });
  await writeFile(marker, JSON.stringify({ dir: build.dir }));
  return build;
}

async function readManifest(dir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
}

const BUILD_SCRIPT = `
import { build } from 'wxt';
const { root, browser, mode, outDir, include } = JSON.parse(process.argv[1]);
const hooks = {
  'entrypoints:resolved': (_wxt, entrypoints) => {
    for (const name of include) {
      const entrypoint = entrypoints.find((entry) => entry.name === name);
      if (!entrypoint) throw new Error('entrypoints/' + name + ' is missing');
      entrypoint.skipped = false;
    }
  },
};
await build({ root, mode, browser, outDir, hooks });
`;

function runWxtBuild(args: {
  root: string;
  browser: TargetBrowser;
  mode: BuildMode;
  outDir: string;
  include: string[];
  env: Record<string, string>;
}): Promise<void> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(childEnv)) {
    if (key === 'NODE_ENV' || key === 'TEST' || key.startsWith('VITEST') || key.startsWith('WXT_')) delete childEnv[key];
  }
  Object.assign(childEnv, args.env);
  const { env: _passedAsEnvironment, ...scriptArgs } = args;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', BUILD_SCRIPT, JSON.stringify(scriptArgs)], {
      cwd: args.root,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      else reject(new Error(`wxt build (${args.browser}, ${args.mode}) failed with ${signal ?? `exit code ${code}`}:\n${output}`));
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

async function pruneStaleBuilds(cacheDir: string): Promise<void> {
  const entries = await readdir(cacheDir).catch(() => [] as string[]);
  const now = Date.now();
  await Promise.all(
    entries.map(async (entry) => {
      const info = await stat(join(cacheDir, entry)).catch(() => undefined);
      if (info && now - info.mtimeMs > STALE_AFTER_MS) await rm(join(cacheDir, entry), { recursive: true, force: true });
    }),
  );
}
