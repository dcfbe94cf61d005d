import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineConfig, type WxtViteConfig } from 'wxt';
import { type BuildConfig, hostPermissionsFor, resolveBuildConfig } from './src/shared/build-config';
import { CHROME_MANIFEST_KEY, GECKO_ID } from './src/shared/extension-identity';

/**
 * Firefox desktop only, from 142. The built-in data collection consent (`data_collection_permissions`,
 * required by addons.mozilla.org for new add-ons) arrived in Firefox 140 on desktop and 142 on
 * Android; without a `gecko_android` key the linter checks Android against this same minimum, so 142
 * satisfies both. We declare no `gecko_android` on purpose: that key is what lists an add-on for
 * Firefox for Android, which has neither identity.launchWebAuthFlow nor sidebar_action. Every API
 * we use is older: storage.session (115), MV3 `action` (109), identity, alarms, sidebar_action.
 * https://extensionworkshop.com/documentation/develop/firefox-builtin-data-consent/
 */
export const FIREFOX_MIN_VERSION = '142.0';
/** chrome.sidePanel.open() and setPanelBehavior() need Chrome 116; storage.session needs 102. */
export const CHROME_MIN_VERSION = '116';

/**
 * What Firefox shows the member at install: the extension transmits health information (the
 * CardioMood readings it fetches) and authentication information (the OAuth code and tokens sent to
 * the companion). Both are required: without them the extension has nothing to do.
 * https://developer.mozilla.org/docs/Mozilla/Add-ons/WebExtensions/manifest.json/browser_specific_settings
 */
export const DATA_COLLECTION_PERMISSIONS = { required: ['healthInfo', 'authenticationInfo'] };

/**
 * The extension pages' CSP: only bundled scripts, no plugins, no <base> or form targets, Trusted
 * Types with no policy (so no HTML or script sink accepts a string), and network access only to the two origins the background talks to. `wxt` (dev server, HMR over a
 * websocket) is the one mode that cannot live with `connect-src`; every build, development or
 * production, gets the full policy. data: stays allowed for images and fonts because Vite inlines
 * small assets as data URLs; neither can carry script.
 */
export function extensionPagesCsp(config: BuildConfig, command: 'build' | 'serve'): string {
  const origins = [...new Set([config.apiUrl, config.companionUrl].map((url) => new URL(url).origin))];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    // DOM sinks (innerHTML, script.src, ...) refuse strings and no policy may be created: the UI
    // builds DOM through Preact only. Enforced by Chrome and by current Firefox (ESR 153 checked);
    // a browser without Trusted Types ignores these two directives.
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    ...(command === 'serve' ? [] : [`connect-src 'self' ${origins.join(' ')}`]),
  ].join('; ');
}

/** The Vite that WXT bundles (the project's own Vite is another major version). */
type WxtVitePlugin = Extract<NonNullable<WxtViteConfig['plugins']>[number], { name: string }>;

/**
 * The UI never renders HTML strings, so the bundle carries no HTML sink at all: Preact's one
 * `innerHTML` assignment (its `dangerouslySetInnerHTML` support) is replaced by a throw. That is
 * also what AMO's linter flags (UNSAFE_VAR_ASSIGNMENT). If Preact's build changes shape the build
 * fails here instead of shipping the sink silently.
 */
export function withoutHtmlSink(): WxtVitePlugin {
  const preactBuild = /[\\/]node_modules[\\/]preact[\\/]dist[\\/]preact\.mjs$/;
  const sink = /([\w$]+)\.innerHTML=([\w$]+)\.__html/g;
  return {
    name: 'cardiomood:without-html-sink',
    enforce: 'pre',
    transform(code, id) {
      if (!preactBuild.test(id.split('?')[0] ?? id)) return undefined;
      const found = code.match(sink)?.length ?? 0;
      if (found !== 1) {
        this.error(`expected exactly one "x.innerHTML=y.__html" in ${id}, found ${found}: update withoutHtmlSink()`);
      }
      return {
        code: code.replace(sink, '(()=>{throw new Error("dangerouslySetInnerHTML is not supported")})()'),
        map: null,
      };
    },
  };
}

/** Whether a Vite build's inputs are all matched by `onlyInput` (one of WXT's per-group builds). */
function buildsOnly(input: string | string[] | Record<string, string> | undefined, onlyInput: RegExp): boolean {
  const inputs = typeof input === 'string' ? [input] : Array.isArray(input) ? input : Object.values(input ?? {});
  return inputs.length > 0 && inputs.every((entry) => onlyInput.test(entry));
}

/**
 * Vite wraps every dynamic import() in a preload helper that fetches the imported chunk's CSS and
 * chunks first: 1.2 KB (~0.5 KB gzip) even with nothing to preload (vitejs/vite#13952). The popup is
 * built on its own (see `entrypoints:grouped` below) with a 10 KB budget for its first file, and its
 * second chunk has no stylesheet or chunk of its own to preload (the popup has one stylesheet). In
 * that build only, the helper becomes a plain call; the build fails if a dynamic import there ever
 * needs preloading (Vite then lists the files with `__vite__mapDeps`).
 */
export function withoutPreloadHelper(onlyInput: RegExp): WxtVitePlugin {
  const helperId = '\0vite/preload-helper.js';
  let applies = false;
  return {
    name: 'cardiomood:without-preload-helper',
    enforce: 'pre',
    buildStart(options) {
      applies = buildsOnly(options.input, onlyInput);
    },
    load(id) {
      return applies && id === helperId ? 'export const __vitePreload = (load) => load();' : undefined;
    },
    generateBundle(_options, bundle) {
      if (!applies) return;
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === 'chunk' && chunk.code.includes('__vite__mapDeps')) {
          this.error(`${chunk.fileName} preloads files on a dynamic import: withoutPreloadHelper() cannot apply to this build`);
        }
      }
    },
  };
}

/** CSP hashes of the stylesheets `inlineStylesheet()` put into pages, for the manifest's `style-src`. */
const inlinedStyleHashes = new Set<string>();

/**
 * The popup's one stylesheet, inlined into popup.html: a linked stylesheet is one more file an
 * extension page fetches from the browser process, and the page's script waits for it before it
 * runs, so the popup's first frame (which needs both) came a frame after an empty page's. Applies to
 * the popup's own build only (see `entrypoints:grouped`); the stylesheet's SHA-256 joins the
 * extension pages' `style-src` (`build:manifestGenerated`), so no other inline style is allowed.
 */
export function inlineStylesheet(onlyInput: RegExp): WxtVitePlugin {
  let applies = false;
  return {
    name: 'cardiomood:inline-stylesheet',
    enforce: 'post',
    buildStart(options) {
      applies = buildsOnly(options.input, onlyInput);
    },
    generateBundle(_options, bundle) {
      if (!applies) return;
      const html = Object.values(bundle).filter((file) => file.type === 'asset' && file.fileName.endsWith('.html'));
      for (const page of html) {
        if (page.type !== 'asset') continue;
        const text = String(page.source);
        const links = [...text.matchAll(/<link rel="stylesheet"[^>]*? href="\/([^"]+\.css)"[^>]*>/g)];
        if (links.length !== 1) this.error(`${page.fileName}: expected one stylesheet link to inline, found ${links.length}`);
        const [link, fileName] = links[0]!;
        const css = bundle[fileName!];
        if (!css || css.type !== 'asset') return this.error(`${page.fileName}: ${fileName} is not in the bundle`);
        const style = String(css.source);
        if (/<\/style|url\(/i.test(style)) this.error(`${fileName} cannot be inlined as is (url() or a closing style tag)`);
        page.source = text.replace(link, () => `<style>${style}</style>`);
        inlinedStyleHashes.add(createHash('sha256').update(style, 'utf8').digest('base64'));
        delete bundle[fileName!];
      }
    },
  };
}

/**
 * Exclude patterns for everything in the checkout that git does not track (ignored or untracked:
 * browser profiles, reports, work in progress), so the sources zip holds only what a clone holds.
 * Outside a git checkout (a reviewer rebuilding from the sources zip) there is nothing to add.
 */
export function untrackedSourcePatterns(root: string): string[] {
  let listing: string;
  try {
    listing = execFileSync('git', ['ls-files', '--others', '--directory', '-z'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return [];
  }
  return listing
    .split('\0')
    .filter(Boolean)
    .map((path) => (path.endsWith('/') ? `${path}**` : path));
}

// See https://wxt.dev/api/config.html
export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  imports: false,
  manifestVersion: 3,
  vite: (env) => ({
    plugins: [
      withoutHtmlSink(),
      withoutPreloadHelper(/[\\/]entrypoints[\\/]popup[\\/]index\.html$/),
      ...(env.command === 'build' ? [inlineStylesheet(/[\\/]entrypoints[\\/]popup[\\/]index\.html$/)] : []),
    ],
    // Every browser we support (Chrome 116, Firefox 142) preloads modules itself: no polyfill script
    // to fetch and run in each page.
    build: { modulePreload: { polyfill: false } },
    define: {
      __CARDIOMOOD_CONFIG__: JSON.stringify(resolveBuildConfig(process.env, env.mode, { lenient: true })),
    },
  }),
  zip: {
    // The sources zip is what AMO reviewers rebuild from: the build inputs, not the test suite.
    // Files git does not track are excluded too (zip:start below).
    excludeSources: ['test/**'],
  },
  hooks: {
    // `imports: false` turns off WXT's auto-import types but not its Vite plugin (unimport ignores
    // `disabled`), which still adds `import { storage } from 'wxt/utils/storage'` (and `browser`)
    // wherever a parameter happens to be named `storage`. Tree-shaking leaves one line of
    // @wxt-dev/browser behind, `globalThis.browser?.runtime?.id`, which in Firefox builds the
    // extension API bindings before the popup's first frame (about 1 ms there, docs/performance.md).
    // We import what we use explicitly, so the presets go.
    'config:resolved': (wxt) => {
      wxt.config.imports.presets = [];
      wxt.config.imports.imports = [];
    },
    // The build itself resolves strictly: a production build without a client id or companion fails.
    'build:before': (wxt) => {
      resolveBuildConfig(process.env, wxt.config.mode);
    },
    // The popup is built on its own: one script file and one stylesheet instead of four files shared
    // with the other pages. An extension page fetches each file from the browser process one after
    // another, and each extra file delayed the popup's first message by a few ms (docs/performance.md).
    'entrypoints:grouped': (_wxt, groups) => {
      for (const group of groups) {
        if (!Array.isArray(group) || group.length < 2) continue;
        const popup = group.findIndex((entry) => entry.type === 'popup');
        if (popup !== -1) groups.push(group.splice(popup, 1));
      }
    },
    // The inlined popup stylesheet, and only it, is allowed as an inline style (inlineStylesheet()).
    'build:manifestGenerated': (_wxt, manifest) => {
      const csp = manifest.content_security_policy as { extension_pages?: string } | undefined;
      if (!csp?.extension_pages || inlinedStyleHashes.size === 0) return;
      const hashes = [...inlinedStyleHashes].map((hash) => `'sha256-${hash}'`).join(' ');
      csp.extension_pages = `${csp.extension_pages}; style-src 'self' ${hashes}`;
    },
    // Before WXT collects the sources: leftovers in the checkout must not reach AMO's reviewers.
    'zip:start': (wxt) => {
      wxt.config.zip.excludeSources.push(...untrackedSourcePatterns(wxt.config.root));
    },
    // The Chrome Web Store refuses a package whose manifest has `key` ("key field is not allowed in
    // manifest"): the store assigns the published id. Only the uploaded zip drops it; every unpacked
    // build keeps it so its id, and so its redirect URI, stays the one registered for development.
    'zip:extension:start': async (wxt) => {
      if (wxt.config.browser !== 'chrome') return;
      const file = join(wxt.config.outDir, 'manifest.json');
      const { key: _storeAssignsTheId, ...manifest } = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      await writeFile(file, JSON.stringify(manifest));
    },
  },
  manifest: (env) => {
    const config = resolveBuildConfig(process.env, env.mode, { lenient: true });
    const firefox = env.browser === 'firefox';
    // WXT 0.21's manifest type predates data_collection_permissions; the object is checked by the
    // manifest test and by `web-ext lint`.
    const geckoSettings = {
      gecko: {
        id: GECKO_ID,
        strict_min_version: FIREFOX_MIN_VERSION,
        data_collection_permissions: DATA_COLLECTION_PERMISSIONS,
      },
    };
    return {
      name: '__MSG_extName__',
      description: '__MSG_extDescription__',
      default_locale: 'en',
      // Each permission is justified in docs/permissions.md; a test pins the set. WXT adds
      // `sidePanel` on Chrome itself, together with `side_panel`, when entrypoints/sidepanel exists.
      // `offscreen` (Chrome): the popup frame's localStorage copy (src/background/frame-cache.ts).
      permissions: ['identity', 'storage', 'alarms', 'idle', ...(firefox ? [] : ['offscreen'])],
      host_permissions: hostPermissionsFor(config),
      content_security_policy: { extension_pages: extensionPagesCsp(config, env.command) },
      action: { default_title: '__MSG_actionTitle__' },
      ...(firefox
        ? { browser_specific_settings: geckoSettings }
        : {
            minimum_chrome_version: CHROME_MIN_VERSION,
            // Without this key every other extension may message ours; nothing outside needs to.
            externally_connectable: { ids: [] },
            // A stable id so the redirect URI https://<id>.chromiumapp.org/ is known in advance
            // (removed from the store zip above).
            key: CHROME_MANIFEST_KEY,
          }),
    };
  },
});
