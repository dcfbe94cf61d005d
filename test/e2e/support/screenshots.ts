import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ARTIFACTS_DIR } from './paths';
import type { UiPage } from '../../../src/dev/ui-page';

/** Where screenshots for people to look at go (gitignored; CI keeps the folder as an artifact). */
export async function screenshotDir(): Promise<string> {
  const dir = join(ARTIFACTS_DIR, 'screenshots');
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * A viewport as tall as the document, then a plain screenshot: a full-page capture would leave the
 * side panel's `content-visibility: auto` sections (table, day detail) blank and put the popup's
 * sticky footer mid-image. Resolves with the viewport the capture was taken at.
 */
export async function screenshotWholePage(
  page: UiPage,
  size: { width: number; height: number },
  file: string,
): Promise<{ width: number; height: number }> {
  await page.bringToFront();
  await page.setViewportSize(size);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const captured = { width: size.width, height: Math.max(size.height, height) };
  await page.setViewportSize(captured);
  // Let content-visibility render the newly visible sections before the capture.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.screenshot(file);
  await page.setViewportSize(size);
  return captured;
}

/** Width and height from a PNG's IHDR chunk; throws when the file is not a PNG. */
export async function pngSize(file: string): Promise<{ width: number; height: number }> {
  const bytes = await readFile(file);
  const signature = '89504e470d0a1a0a';
  if (bytes.subarray(0, 8).toString('hex') !== signature || bytes.subarray(12, 16).toString('latin1') !== 'IHDR') {
    throw new Error(`${file} is not a PNG`);
  }
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
