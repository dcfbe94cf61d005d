import { execFile } from 'node:child_process';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `web-ext lint` runs addons-linter, the validator addons.mozilla.org runs on upload. The Firefox
 * production build must pass it with no errors and no warnings. The negative cases prove the lint
 * really checks what our manifest choices are for (a linter that flags nothing proves nothing).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, '.tmp/packaging/web-ext-lint');
const BUILD = join(OUT, 'firefox-mv3');

interface LintMessage {
  _type: 'error' | 'warning' | 'notice';
  code: string;
  message: string;
  file?: string;
}
interface LintResult {
  errors: LintMessage[];
  warnings: LintMessage[];
  notices: LintMessage[];
}

interface WebExt {
  cmd: { lint(options: { sourceDir: string; output: 'none' }, runOptions: { shouldExitProgram: false }): Promise<unknown> };
}

async function lint(sourceDir: string): Promise<LintResult> {
  // web-ext ships no type declarations: a non-literal specifier keeps tsc from looking for them.
  const specifier: string = 'web-ext';
  const { default: webExt } = (await import(specifier)) as { default: WebExt };
  // `output: 'none'` keeps the report off stdout; the result object carries it.
  return (await webExt.cmd.lint({ sourceDir, output: 'none' }, { shouldExitProgram: false })) as LintResult;
}

/** A production build in a child process: its own environment, WXT's global state untouched here. */
async function buildFirefox(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('VITEST') || name === 'NODE_ENV') delete env[name];
  Object.assign(env, {
    WXT_CARDIOMOOD_CLIENT_ID: 'store-test-client',
    WXT_COMPANION_URL: 'https://companion.example.test',
    WXT_CARDIOMOOD_API_URL: '',
    WXT_CARDIOMOOD_AUTHORIZE_URL: '',
  });
  const options = { root: ROOT, browser: 'firefox', mode: 'production', outDir: OUT };
  const script = `const { build } = await import('wxt'); await build(${JSON.stringify(options)});`;
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
}

function codes(result: LintResult): string[] {
  return [...result.errors, ...result.warnings].map((message) => message.code);
}

beforeAll(async () => {
  await rm(OUT, { recursive: true, force: true });
  await buildFirefox();
}, 120_000);

afterAll(async () => {
  await rm(OUT, { recursive: true, force: true });
});

describe('web-ext lint', () => {
  it('should report no errors and no warnings when linting the Firefox production build', async () => {
    const result = await lint(BUILD);

    // The whole messages, so a failure says what the linter objected to.
    expect([...result.errors, ...result.warnings].map(({ code, message, file }) => ({ code, message, file }))).toEqual(
      [],
    );
  });

  interface NegativeCase {
    what: string;
    manifest?: (manifest: Record<string, any>) => void;
    addFile?: { name: string; text: string };
    codes: string[];
  }
  const negativeCases: NegativeCase[] = [
    {
      what: 'the data collection declaration is missing',
      manifest: (m) => delete m.browser_specific_settings.gecko.data_collection_permissions,
      codes: ['MISSING_DATA_COLLECTION_PERMISSIONS'],
    },
    {
      what: 'the minimum is the desktop data collection release (Android got it in 142)',
      manifest: (m) => (m.browser_specific_settings.gecko.strict_min_version = '140.0'),
      codes: ['KEY_FIREFOX_ANDROID_UNSUPPORTED_BY_MIN_VERSION'],
    },
    {
      what: 'the minimum predates the data collection consent',
      manifest: (m) => (m.browser_specific_settings.gecko.strict_min_version = '115.0'),
      codes: ['KEY_FIREFOX_ANDROID_UNSUPPORTED_BY_MIN_VERSION', 'KEY_FIREFOX_UNSUPPORTED_BY_MIN_VERSION'],
    },
    {
      what: 'the CSP allows a remote script origin',
      manifest: (m) =>
        (m.content_security_policy.extension_pages = m.content_security_policy.extension_pages.replace(
          "script-src 'self'",
          "script-src 'self' https://cdn.example.com",
        )),
      codes: ['MANIFEST_CSP'],
    },
    {
      what: 'a script assigns innerHTML (the Preact sink that wxt.config.ts removes)',
      addFile: { name: 'sink.js', text: 'export function paint(el, html) { el.innerHTML = html; }\n' },
      codes: ['UNSAFE_VAR_ASSIGNMENT'],
    },
  ];
  it.each(negativeCases.map((negative) => ({ ...negative, flags: negative.codes.join(' and ') })))(
    'should flag $flags when $what',
    async ({ manifest, addFile, codes: expected }) => {
      const dir = join(OUT, `negative-${expected.join('+')}-${manifest ? 'manifest' : 'file'}`);
      await cp(BUILD, dir, { recursive: true });
      if (manifest) {
        const file = join(dir, 'manifest.json');
        const parsed = JSON.parse(await readFile(file, 'utf8')) as Record<string, any>;
        manifest(parsed);
        await writeFile(file, JSON.stringify(parsed));
      }
      if (addFile) await writeFile(join(dir, addFile.name), addFile.text);

      expect(codes(await lint(dir)).sort()).toEqual(expected);
    },
  );
});
