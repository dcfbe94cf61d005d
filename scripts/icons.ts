/**
 * Rasterises the one source image, public/icon.svg, into the PNG sizes the stores and browsers use.
 * WXT picks up public/icon/<size>.png by name and lists them under `icons` in the manifest.
 * Run after changing the SVG: `npm run icons`, then commit the PNGs.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';

/** 16/32: toolbar (1x/2x); 48: extensions page; 96: Firefox 2x; 128: install prompt and store. */
const ICON_SIZES = [16, 32, 48, 96, 128] as const;

const publicDir = fileURLToPath(new URL('../public/', import.meta.url));

async function renderIcons(svg: string): Promise<Map<number, Buffer>> {
  return new Map(
    ICON_SIZES.map((size) => [size, new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng()]),
  );
}

const svg = await readFile(join(publicDir, 'icon.svg'), 'utf8');
await mkdir(join(publicDir, 'icon'), { recursive: true });
for (const [size, png] of await renderIcons(svg)) {
  await writeFile(join(publicDir, 'icon', `${size}.png`), png);
  console.log(`public/icon/${size}.png (${png.length} bytes)`);
}
