import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ImportType, init, parse } from 'es-module-lexer';
import { Window } from 'happy-dom';

export interface SizeRow {
  files: string[];
  raw: number;
  gzip: number;
}

export interface PageBundle {
  /** Loaded before the page can run: the entry script, its static imports, modulepreloads, stylesheets. */
  initialJs: SizeRow;
  initialCss: SizeRow;
  /** Reached only through import(): loaded on demand (e.g. the side panel's chart). */
  lazyJs: SizeRow;
  lazyCss: SizeRow;
}

/**
 * gzip at level 9, each file on its own (files are fetched one by one; a store zips the package
 * but the browser reads each file uncompressed from disk, so gzip is a size proxy, not transfer).
 */
export function gzipSize(content: Buffer): number {
  return gzipSync(content, { level: 9 }).length;
}

async function sizeOf(root: string, files: Iterable<string>): Promise<SizeRow> {
  const list = [...files].sort();
  let raw = 0;
  let gzip = 0;
  for (const file of list) {
    const content = await readFile(join(root, file));
    raw += content.length;
    gzip += gzipSize(content);
  }
  return { files: list, raw, gzip };
}

/** `row` with the page's inline stylesheets added. */
function withInline(row: SizeRow, htmlFile: string, styles: Buffer[]): SizeRow {
  return styles.reduce<SizeRow>(
    (sum, style) => ({ files: [...sum.files, `${htmlFile} <style>`], raw: sum.raw + style.length, gzip: sum.gzip + gzipSize(style) }),
    row,
  );
}

/** Extension-root-relative path for a URL found in `fromFile` (itself root-relative). */
function resolveRef(fromFile: string, ref: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref) || ref.startsWith('//')) return undefined; // another origin
  const clean = ref.split(/[?#]/)[0]!;
  return clean.startsWith('/') ? clean.slice(1) : posix.normalize(posix.join(posix.dirname(fromFile), clean));
}

interface ModuleImports {
  staticDeps: string[];
  dynamicDeps: string[];
  /** CSS files named as string literals (Vite's preload list for a lazy chunk's stylesheet). */
  cssRefs: string[];
}

async function readModuleImports(root: string, file: string): Promise<ModuleImports> {
  await init;
  const code = await readFile(join(root, file), 'utf8');
  const [imports] = parse(code);
  const staticDeps: string[] = [];
  const dynamicDeps: string[] = [];
  for (const entry of imports) {
    if (!entry.n) continue;
    const target = resolveRef(file, entry.n);
    if (!target) continue;
    if (entry.t === ImportType.Static) staticDeps.push(target);
    else if (entry.t === ImportType.Dynamic) dynamicDeps.push(target);
  }
  // Vite writes preload lists as root-relative strings ("assets/chart-abc.css").
  const cssRefs = [...code.matchAll(/["'`]\/?((?:[\w.-]+\/)*[\w.-]+\.css)["'`]/g)].map((match) => match[1]!);
  return { staticDeps, dynamicDeps, cssRefs };
}

/** Follows static imports from `entries`; returns the closure and the dynamic imports it meets. */
async function staticClosure(root: string, entries: string[]) {
  const seen = new Set<string>();
  const dynamic = new Set<string>();
  const cssRefs = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const imports = await readModuleImports(root, file);
    queue.push(...imports.staticDeps);
    imports.dynamicDeps.forEach((dep) => dynamic.add(dep));
    imports.cssRefs.forEach((ref) => cssRefs.add(ref));
  }
  return { files: seen, dynamic, cssRefs };
}

/**
 * Measures one HTML page of the built extension: what it loads up front (module scripts with their
 * static import closure, modulepreloads, stylesheets) and what it may load later (dynamic imports
 * not already loaded, with the stylesheets Vite preloads for them).
 */
export async function measurePage(root: string, htmlFile: string): Promise<PageBundle> {
  const html = await readFile(join(root, htmlFile), 'utf8');
  // Parsed only: happy-dom neither fetches nor runs what the page references.
  const window = new Window({
    settings: { disableJavaScriptFileLoading: true, disableJavaScriptEvaluation: true, disableCSSFileLoading: true },
  });
  const document = new window.DOMParser().parseFromString(html, 'text/html');
  await window.happyDOM.close();
  const scripts = [...document.querySelectorAll('script[src]')]
    .map((el) => resolveRef(htmlFile, el.getAttribute('src')!))
    .filter((file): file is string => !!file);
  const preloads = [...document.querySelectorAll('link[rel=modulepreload][href]')]
    .map((el) => resolveRef(htmlFile, el.getAttribute('href')!))
    .filter((file): file is string => !!file);
  const stylesheets = [...document.querySelectorAll('link[rel=stylesheet][href]')]
    .map((el) => resolveRef(htmlFile, el.getAttribute('href')!))
    .filter((file): file is string => !!file);
  // A stylesheet inlined into the page (the popup's, see inlineStylesheet() in wxt.config.ts) counts
  // as initial CSS too, listed as "<page> <style>".
  const inlineStyles = [...document.querySelectorAll('style')].map((el) => Buffer.from(el.textContent ?? '', 'utf8'));

  const initial = await staticClosure(root, [...scripts, ...preloads]);
  const lazyEntries = [...initial.dynamic].filter((file) => !initial.files.has(file));
  const lazy = await staticClosure(root, lazyEntries);
  const lazyJs = [...lazy.files].filter((file) => !initial.files.has(file));
  const knownCss = new Set(stylesheets);
  const lazyCss = [...new Set([...initial.cssRefs, ...lazy.cssRefs])]
    .map((ref) => ref.replace(/^\//, ''))
    .filter((ref) => !knownCss.has(ref));
  const existing = await Promise.all(
    lazyCss.map(async (file) => ((await readFile(join(root, file)).catch(() => undefined)) ? file : undefined)),
  );
  return {
    initialJs: await sizeOf(root, initial.files),
    initialCss: withInline(await sizeOf(root, stylesheets), htmlFile, inlineStyles),
    lazyJs: await sizeOf(root, lazyJs),
    lazyCss: await sizeOf(root, existing.filter((file): file is string => !!file)),
  };
}

/** The background: the manifest's service worker (or MV2 scripts) and its static imports. */
export async function measureBackground(root: string): Promise<SizeRow> {
  const manifest = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')) as {
    background?: { service_worker?: string; scripts?: string[] };
  };
  const entries = [manifest.background?.service_worker, ...(manifest.background?.scripts ?? [])].filter(
    (file): file is string => !!file,
  );
  if (!entries.length) throw new Error('bench: the manifest declares no background');
  // A classic worker has no imports; a module worker's are followed like a page's.
  const closure = await staticClosure(root, entries);
  return sizeOf(root, closure.files);
}

