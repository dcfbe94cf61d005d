import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_MANIFEST_KEY, GECKO_ID } from '../../src/shared/extension-identity';
import { DEV_CLIENT_SECRET } from '../../src/sandbox/dev-client-secret';

/**
 * Builds the store packages the way `npm run zip` does (production mode, `wxt zip`) plus one
 * development build, and pins what reviewers and members are promised: the permission set, the
 * hosts, the CSP, no content scripts, no remote code, the Firefox id and data declaration, no
 * `key` in the Chrome Web Store upload, and no secret anywhere in the files.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, '.tmp/packaging/manifest-policy');
const API = 'https://api.health.cloud.cardiomood.com';
const COMPANION = 'https://companion.example.test';
const STORE_ENV = {
  WXT_CARDIOMOOD_CLIENT_ID: 'store-test-client',
  WXT_COMPANION_URL: COMPANION,
  // Empty means "not set": production falls back to the real CardioMood URLs.
  WXT_CARDIOMOOD_API_URL: '',
  WXT_CARDIOMOOD_AUTHORIZE_URL: '',
};
const PACKAGE_VERSION = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

const hasEntrypoint = (name: string) =>
  existsSync(join(ROOT, 'entrypoints', name, 'index.html')) || existsSync(join(ROOT, 'entrypoints', `${name}.html`));
const HAS_SIDEPANEL = hasEntrypoint('sidepanel');
const HAS_OPTIONS = hasEntrypoint('options');

type Manifest = Record<string, any>;
interface Package {
  /** The unpacked build directory WXT zipped. */
  dir: string;
  /** name → contents of every file in the store zip. */
  files: Map<string, Buffer>;
  manifest: Manifest;
}

/** Runs WXT in a child process: its own environment, and WXT's global state stays out of this one. */
async function runWxt(
  command: 'build' | 'zip',
  options: { browser: string; mode: string; outDir: string },
  extraEnv: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('VITEST') || name === 'NODE_ENV' || name.startsWith('WXT_')) delete env[name];
  }
  Object.assign(env, extraEnv);
  const script = `const wxt = await import('wxt'); await wxt.${command}(${JSON.stringify({ root: ROOT, ...options })});`;
  return promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
}

async function readZip(path: string): Promise<Map<string, Buffer>> {
  const zip = await JSZip.loadAsync(await readFile(path));
  const files = new Map<string, Buffer>();
  for (const entry of Object.values(zip.files)) {
    if (!entry.dir) files.set(entry.name, await entry.async('nodebuffer'));
  }
  return files;
}

async function zipStorePackage(browser: 'chrome' | 'firefox'): Promise<Package> {
  const outDir = join(OUT, 'store');
  await runWxt('zip', { browser, mode: 'production', outDir }, STORE_ENV);
  const files = await readZip(join(outDir, `cardiomood-readings-${PACKAGE_VERSION}-${browser}.zip`));
  return {
    dir: join(outDir, `${browser}-mv3`),
    files,
    manifest: JSON.parse(files.get('manifest.json')!.toString('utf8')) as Manifest,
  };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

function cspDirectives(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name, values]),
  );
}

let chrome: Package;
let firefox: Package;
let chromeDev: Manifest;

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  // Sequential: WXT shares .wxt/ between builds of one root.
  chrome = await zipStorePackage('chrome');
  firefox = await zipStorePackage('firefox');
  const devDir = join(OUT, 'dev');
  await runWxt('build', { browser: 'chrome', mode: 'development', outDir: devDir }, {});
  chromeDev = JSON.parse(await readFile(join(devDir, 'chrome-mv3-dev', 'manifest.json'), 'utf8')) as Manifest;
}, 180_000);

afterAll(async () => {
  await rm(OUT, { recursive: true, force: true });
});

const browsers = () => [
  ['chrome', chrome],
  ['firefox', firefox],
] as const;

describe('store packages', () => {
  it.each(['chrome', 'firefox'] as const)(
    'should zip exactly the %s build directory when packaging for the store',
    async (browser) => {
      const pkg = browser === 'chrome' ? chrome : firefox;
      expect([...pkg.files.keys()].sort()).toEqual((await listFiles(pkg.dir)).sort());
    },
  );

  it('should declare exactly the permissions in use when built for each browser', () => {
    for (const [, pkg] of browsers()) {
      const expected = ['alarms', 'identity', 'idle', 'storage'];
      if (pkg === chrome && HAS_SIDEPANEL) expected.push('sidePanel');
      // Chrome's worker has no localStorage: the popup frame's copy is written by an offscreen document.
      if (pkg === chrome) expected.push('offscreen');
      expect([...pkg.manifest.permissions].sort()).toEqual(expected.sort());
      expect(pkg.manifest.optional_permissions).toBeUndefined();
      expect(pkg.manifest.optional_host_permissions).toBeUndefined();
    }
  });

  it('should request only the CardioMood API and companion hosts when built with production defaults', () => {
    for (const [, pkg] of browsers()) {
      expect(pkg.manifest.host_permissions).toEqual([`${API}/*`, `${COMPANION}/*`]);
    }
  });

  it('should have no content scripts, web-accessible resources or external connections when built', () => {
    for (const [, pkg] of browsers()) {
      expect(pkg.manifest.content_scripts).toBeUndefined();
      expect(pkg.manifest.web_accessible_resources).toBeUndefined();
    }
    // Chrome lets every other extension message us unless this is declared; Firefox has no such key.
    expect(chrome.manifest.externally_connectable).toEqual({ ids: [] });
    expect(firefox.manifest.externally_connectable).toBeUndefined();
  });

  it('should load only bundled scripts when built', () => {
    for (const [, pkg] of browsers()) {
      expect(pkg.manifest.background).toEqual(
        pkg === chrome ? { service_worker: 'background.js' } : { scripts: ['background.js'] },
      );
      for (const [name, content] of pkg.files) {
        const text = content.toString('utf8');
        if (name.endsWith('.html')) {
          const sources = [...text.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)/gi)].map((match) => match[1]);
          expect(sources.length, name).toBeGreaterThan(0);
          for (const source of sources) {
            expect(source, `${name} loads ${source}`).toMatch(/^\/?[\w./-]+\.js$/);
            expect(pkg.files.has(source!.replace(/^\//, '')), `${name} loads ${source}`).toBe(true);
          }
          expect(text, name).not.toMatch(/<script\b(?![^>]*\bsrc=)[^>]*>\s*\S/i);
        }
        if (name.endsWith('.js')) {
          expect(text, name).not.toMatch(/\bimport\s*\(\s*["'`](https?:)?\/\//);
          expect(text, name).not.toMatch(/\bimportScripts\s*\(\s*["'`](https?:)?\/\//);
        }
      }
    }
  });

  it('should set a strict extension page CSP when built for the store', () => {
    for (const [, pkg] of browsers()) {
      expect(Object.keys(pkg.manifest.content_security_policy)).toEqual(['extension_pages']);
      const policy: string = pkg.manifest.content_security_policy.extension_pages;
      expect(cspDirectives(policy)).toEqual({
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'none'"],
        'require-trusted-types-for': ["'script'"],
        'trusted-types': ["'none'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'", API, COMPANION],
        'style-src': ["'self'", expect.stringMatching(/^'sha256-[A-Za-z0-9+/]+=*'$/)],
      });
      expect(policy).not.toMatch(/unsafe-(eval|inline)|wasm-unsafe-eval|\*/);
    }
  });

  it("should allow exactly the popup's inlined stylesheet as an inline style, and link every other page's", () => {
    for (const [, pkg] of browsers()) {
      const popup = pkg.files.get('popup.html')!.toString('utf8');
      const styles = [...popup.matchAll(/<style>([^<]*)<\/style>/g)].map((match) => match[1]!);
      expect(styles).toHaveLength(1);
      expect(popup).not.toContain('rel="stylesheet"');
      const hash = createHash('sha256').update(styles[0]!, 'utf8').digest('base64');
      expect(cspDirectives(pkg.manifest.content_security_policy.extension_pages)['style-src']).toEqual(["'self'", `'sha256-${hash}'`]);
      for (const page of ['options.html', 'sidepanel.html']) {
        const html = pkg.files.get(page)?.toString('utf8');
        if (html !== undefined) expect(html).not.toContain('<style');
      }
    }
  });

  it("should add nothing to the popup's script that touches the extension API before its first frame", () => {
    for (const [, pkg] of browsers()) {
      const popup = pkg.files.get('popup.html')!.toString('utf8');
      const script = popup.match(/<script\b[^>]*\bsrc="\/?([^"]+)"/)![1]!;
      // What WXT's auto-imports used to leave behind (@wxt-dev/browser's module body, see wxt.config.ts).
      expect(pkg.files.get(script)!.toString('utf8')).not.toMatch(/runtime\?\.id/);
    }
  });

  it('should keep the strict CSP, pointed at the local servers, when built for development', () => {
    const directives = cspDirectives(chromeDev.content_security_policy.extension_pages);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['trusted-types']).toEqual(["'none'"]);
    expect(directives['connect-src']).toEqual(["'self'", 'http://127.0.0.1:8787', 'http://127.0.0.1:8788']);
  });

  it('should declare the fixed add-on id, the minimum version and data collection, desktop only, when built for Firefox', () => {
    expect(firefox.manifest.manifest_version).toBe(3);
    expect(firefox.manifest.browser_specific_settings).toEqual({
      gecko: {
        id: GECKO_ID,
        strict_min_version: '142.0',
        data_collection_permissions: { required: ['healthInfo', 'authenticationInfo'] },
      },
    });
    // Desktop only: a gecko_android key would list the add-on for Firefox for Android, which lacks
    // identity.launchWebAuthFlow.
    expect(firefox.manifest.browser_specific_settings).not.toHaveProperty('gecko_android');
  });

  it('should carry no Firefox settings and a minimum Chrome version when built for Chrome', () => {
    expect(chrome.manifest.manifest_version).toBe(3);
    expect(chrome.manifest.browser_specific_settings).toBeUndefined();
    expect(chrome.manifest.minimum_chrome_version).toBe('116');
  });

  it('should leave the manifest key out of the Chrome Web Store zip when packaging', () => {
    expect(chrome.manifest).not.toHaveProperty('key');
  });

  it('should keep the manifest key when building for development', () => {
    expect(chromeDev.key).toBe(CHROME_MANIFEST_KEY);
  });

  it('should list a PNG icon of each store size, of that size, when built', () => {
    const sizes = [16, 32, 48, 96, 128];
    for (const [, pkg] of browsers()) {
      expect(pkg.manifest.icons).toEqual(Object.fromEntries(sizes.map((size) => [String(size), `icon/${size}.png`])));
      for (const size of sizes) {
        const png = pkg.files.get(`icon/${size}.png`)!;
        // PNG signature, then the IHDR chunk: width and height as big-endian 32-bit integers.
        expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
      }
    }
  });

  it('should take the version from package.json when built', () => {
    for (const [, pkg] of browsers()) expect(pkg.manifest.version).toBe(PACKAGE_VERSION);
  });

  it('should contain no client secret when built for the store or for development', async () => {
    const devFiles = await listFiles(join(OUT, 'dev', 'chrome-mv3-dev'));
    const everything: [string, string][] = [
      ...browsers().flatMap(([browser, pkg]) =>
        [...pkg.files].map(([name, content]) => [`${browser}:${name}`, content.toString('latin1')] as [string, string]),
      ),
      ...(await Promise.all(
        devFiles.map(
          async (name) =>
            [`dev:${name}`, await readFile(join(OUT, 'dev', 'chrome-mv3-dev', name), 'latin1')] as [string, string],
        ),
      )),
    ];
    expect(everything.length).toBeGreaterThan(devFiles.length);
    for (const [name, text] of everything) {
      expect(text.includes(DEV_CLIENT_SECRET), name).toBe(false);
      expect(text, name).not.toMatch(/client_secret/i);
    }
  });

  it('should ship no source maps when packaging for the store', () => {
    for (const [, pkg] of browsers()) expect([...pkg.files.keys()].filter((name) => name.endsWith('.map'))).toEqual([]);
  });

  it('should wire the popup, and the side panel and options page when they exist, when built', () => {
    for (const [, pkg] of browsers()) {
      expect(pkg.manifest.action.default_popup).toBe('popup.html');
      if (HAS_OPTIONS) expect(pkg.manifest.options_ui?.page).toBe('options.html');
      else expect(pkg.manifest.options_ui).toBeUndefined();
    }
    if (HAS_SIDEPANEL) {
      expect(chrome.manifest.side_panel).toEqual({ default_path: 'sidepanel.html' });
      expect(firefox.manifest.sidebar_action?.default_panel).toBe('sidepanel.html');
    } else {
      expect(chrome.manifest.side_panel).toBeUndefined();
      expect(firefox.manifest.sidebar_action).toBeUndefined();
    }
  });

  it('should put the build sources, and nothing private or generated, in the Firefox sources zip', async () => {
    const sources = [...(await readZip(join(OUT, 'store', `cardiomood-readings-${PACKAGE_VERSION}-sources.zip`))).keys()];
    expect(sources).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'wxt.config.ts', 'entrypoints/background.ts']),
    );
    expect(sources.filter((name) => /(^|\/)(node_modules|\.[^/]+)(\/|$)|^test\//.test(name))).toEqual([]);
    // Only what a clone has: nothing git ignores or does not track (profiles, reports, work in progress).
    const { stdout } = await promisify(execFile)('git', ['ls-files', '-z'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    const tracked = new Set(stdout.split('\0'));
    expect(sources.filter((name) => !tracked.has(name))).toEqual([]);
  });
});

describe('production build configuration', () => {
  it.each(['WXT_CARDIOMOOD_CLIENT_ID', 'WXT_COMPANION_URL'])(
    'should fail naming %s when a store package is built without it',
    async (name) => {
      const env: Record<string, string> = { ...STORE_ENV, [name]: '' };
      const failure = await runWxt('zip', { browser: 'chrome', mode: 'production', outDir: join(OUT, 'missing') }, env)
        .then(() => undefined)
        .catch((error: { stderr?: string; stdout?: string }) => `${error.stdout}\n${error.stderr}`);
      expect(failure).toContain(`${name}: must be set for a production build`);
      expect(existsSync(join(OUT, 'missing', `cardiomood-readings-${PACKAGE_VERSION}-chrome.zip`))).toBe(false);
    },
  );

  it.each([
    ['WXT_COMPANION_URL', 'http://companion.example.org'],
    ['WXT_CARDIOMOOD_API_URL', 'http://api.example.org'],
  ])('should fail naming %s when a store package is built with %s', async (name, url) => {
    const outDir = join(OUT, 'plain-http');
    const failure = await runWxt('zip', { browser: 'chrome', mode: 'production', outDir }, { ...STORE_ENV, [name]: url })
      .then(() => undefined)
      .catch((error: { stderr?: string; stdout?: string }) => `${error.stdout}\n${error.stderr}`);
    expect(failure).toContain(`${name}: must use https:// (http:// only for 127.0.0.1, localhost or [::1])`);
    expect(existsSync(join(outDir, `cardiomood-readings-${PACKAGE_VERSION}-chrome.zip`))).toBe(false);
  });
});
