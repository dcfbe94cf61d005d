import { resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import { build } from 'wxt';
import type { BuildConfig } from '../../src/shared/build-config';

/** The name the floor page's `manifest.include` meta lists; no real build targets it. */
export const FLOOR_ENTRYPOINT = 'floor';

export interface BenchBuild {
  /** Absolute path of the unpacked Chrome MV3 extension. */
  dir: string;
  durationMs: number;
}

/**
 * Builds the Chrome extension the way a store build is made (`--mode production`: minified, no dev
 * reload code) but configured for the servers the bench started on 127.0.0.1, through the same
 * WXT_* variables a real build reads. The floor page, skipped by every normal build, is switched on.
 */
export async function buildBenchExtension(options: { root: string; outBase: string; config: BuildConfig }): Promise<BenchBuild> {
  const { root, outBase, config } = options;
  // wxt.config.ts reads these from process.env (vite `define` and the manifest's host permissions).
  Object.assign(process.env, {
    WXT_CARDIOMOOD_AUTHORIZE_URL: config.authorizeUrl,
    WXT_CARDIOMOOD_API_URL: config.apiUrl,
    WXT_CARDIOMOOD_CLIENT_ID: config.clientId,
    WXT_COMPANION_URL: config.companionUrl,
  });
  await rm(outBase, { recursive: true, force: true });
  const started = performance.now();
  const warnings: string[] = [];
  const quiet = {
    debug: () => undefined,
    log: () => undefined,
    info: () => undefined,
    success: () => undefined,
    warn: (...args: unknown[]) => warnings.push(args.map(String).join(' ')),
    error: (...args: unknown[]) => console.error('[wxt]', ...args),
    fatal: (...args: unknown[]) => console.error('[wxt]', ...args),
    level: 3,
  };
  await build({
    root,
    mode: 'production',
    browser: 'chrome',
    outDir: outBase,
    logger: quiet,
    hooks: {
      'entrypoints:resolved': (_wxt, entrypoints) => {
        const floor = entrypoints.find((entry) => entry.name === FLOOR_ENTRYPOINT);
        if (!floor) throw new Error(`bench: entrypoints/${FLOOR_ENTRYPOINT} is missing`);
        floor.skipped = false;
      },
    },
  });
  return { dir: resolve(outBase, 'chrome-mv3'), durationMs: performance.now() - started };
}
