import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout root (test/e2e/support → ../../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Builds, browser profiles and TMPDIR for e2e runs; gitignored (.tmp/). */
export const E2E_TMP = join(ROOT, '.tmp', 'e2e');

/** Screenshots and other files a run leaves for people to look at; gitignored. */
export const ARTIFACTS_DIR = join(ROOT, 'test-artifacts');

/**
 * Points TMPDIR (and so os.tmpdir(), which Playwright and Puppeteer use for their own temporary
 * profiles and downloads) inside the checkout, so nothing an e2e run creates lands in /tmp.
 * Idempotent; returns the directory.
 */
export function useCheckoutTmpdir(): string {
  const dir = join(E2E_TMP, 'tmp');
  mkdirSync(dir, { recursive: true });
  process.env.TMPDIR = dir;
  return dir;
}
