import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('../src/companion/worker.ts', import.meta.url));

/**
 * Bundles src/companion/worker.ts the way wrangler does (one ES module, browser/worker conditions,
 * no Node built-ins) so the test suite can run it in workerd through Miniflare without wrangler,
 * whose current versions need Node 22.
 */
export async function buildCompanionWorker(): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output for src/companion/worker.ts');
  return output.text;
}
