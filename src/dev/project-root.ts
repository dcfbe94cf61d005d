import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The checkout (src/dev → ../..): builds, profiles and the WXT project all live under it. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/** Scratch space of the dev stack, its scripts and the tests; gitignored. */
export const PROJECT_TMP = join(PROJECT_ROOT, '.tmp');

/**
 * Points TMPDIR (and so os.tmpdir(), which Playwright and Puppeteer use for their own temporary
 * profiles and downloads) inside the checkout, so nothing a browser run creates lands in /tmp.
 * Idempotent; returns the directory.
 */
export function useCheckoutTmpdir(): string {
  const dir = join(PROJECT_TMP, 'tmp');
  mkdirSync(dir, { recursive: true });
  process.env.TMPDIR = dir;
  return dir;
}
