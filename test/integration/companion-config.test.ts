import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CompanionConfigError, parseCompanionConfig } from '../../src/companion/config';
import * as worker from '../../src/companion/worker';
import { WORKER_BINDINGS } from '../../src/companion/worker-env';
import { COMPANION_CLIENT_TIMEOUT_MS, MAX_UPSTREAM_TIMEOUT_MS } from '../../src/shared/companion-api';
import { EXTENSION_REDIRECT_URIS } from '../../src/shared/extension-identity';

const SECRET = 'config-test-secret-9d2c41';
const valid = {
  CARDIOMOOD_TOKEN_URL: 'https://api.health.cloud.cardiomood.com/oauth/token',
  CARDIOMOOD_CLIENT_ID: 'client',
  CARDIOMOOD_CLIENT_SECRET: SECRET,
  COMPANION_REDIRECT_URIS: 'https://ikolmnhkljkbkopbpmgocbneeihjlhfp.chromiumapp.org/',
  COMPANION_ALLOWED_ORIGINS: 'chrome-extension://ikolmnhkljkbkopbpmgocbneeihjlhfp',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseCompanionConfig(env);
  } catch (error) {
    if (error instanceof CompanionConfigError) {
      expect(error.message).not.toContain(SECRET);
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected a CompanionConfigError');
}

describe('parseCompanionConfig', () => {
  it('should apply the defaults when only the required variables are set', () => {
    expect(parseCompanionConfig(valid)).toEqual({
      tokenUrl: valid.CARDIOMOOD_TOKEN_URL,
      clientId: 'client',
      clientSecret: SECRET,
      redirectUris: [valid.COMPANION_REDIRECT_URIS],
      allowedOrigins: [valid.COMPANION_ALLOWED_ORIGINS],
      host: '127.0.0.1',
      port: 8788,
      upstreamTimeoutMs: 10_000,
      rateLimitPerMinute: 60,
      trustProxy: 0,
      refreshReplaySeconds: 120,
    });
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['900', 900],
  ])('should read COMPANION_REFRESH_REPLAY_SECONDS=%s as a window of %i seconds (0 = off)', (value, seconds) => {
    expect(parseCompanionConfig({ ...valid, COMPANION_REFRESH_REPLAY_SECONDS: value }).refreshReplaySeconds).toBe(seconds);
  });

  it('should accept an upstream timeout of exactly MAX_UPSTREAM_TIMEOUT_MS', () => {
    expect(parseCompanionConfig({ ...valid, COMPANION_UPSTREAM_TIMEOUT_MS: String(MAX_UPSTREAM_TIMEOUT_MS) }).upstreamTimeoutMs).toBe(MAX_UPSTREAM_TIMEOUT_MS);
  });

  it('should refuse an upstream timeout the extension would not wait for, and say why', () => {
    expect(problemsOf({ ...valid, COMPANION_UPSTREAM_TIMEOUT_MS: String(MAX_UPSTREAM_TIMEOUT_MS + 1) })).toEqual([
      `COMPANION_UPSTREAM_TIMEOUT_MS: must be at most ${MAX_UPSTREAM_TIMEOUT_MS}: the extension gives up after ${COMPANION_CLIENT_TIMEOUT_MS} ms, so a longer wait would answer nobody`,
    ]);
  });

  it('should refuse the placeholder client id wrangler.toml ships with', () => {
    expect(problemsOf({ ...valid, CARDIOMOOD_CLIENT_ID: 'replace-with-your-client-id' })).toEqual([
      'CARDIOMOOD_CLIENT_ID: is still the placeholder "replace-with-your-client-id"; set your CardioMood client id',
    ]);
  });

  it('should split comma-separated lists and trim their entries', () => {
    const config = parseCompanionConfig({
      ...valid,
      COMPANION_REDIRECT_URIS: ` ${EXTENSION_REDIRECT_URIS.join(' , ')} ,`,
      COMPANION_ALLOWED_ORIGINS: 'chrome-extension://abc, moz-extension://*',
    });
    expect(config.redirectUris).toEqual([...EXTENSION_REDIRECT_URIS]);
    expect(config.allowedOrigins).toEqual(['chrome-extension://abc', 'moz-extension://*']);
  });

  it.each([
    ['true', 1],
    ['false', 0],
    ['2', 2],
  ])('should read COMPANION_TRUST_PROXY=%s as %i trusted proxies', (value, hops) => {
    expect(parseCompanionConfig({ ...valid, COMPANION_TRUST_PROXY: value }).trustProxy).toBe(hops);
  });

  it.each(Object.keys(valid))('should name %s when it is missing', (name) => {
    expect(problemsOf({ ...valid, [name]: undefined })).toEqual([`${name}: must be set`]);
  });

  it('should treat a blank variable as missing', () => {
    expect(problemsOf({ ...valid, CARDIOMOOD_CLIENT_SECRET: '   ' })).toEqual(['CARDIOMOOD_CLIENT_SECRET: must be set']);
  });

  it('should list every problem at once when several variables are wrong', () => {
    expect(problemsOf({ CARDIOMOOD_CLIENT_SECRET: SECRET })).toHaveLength(4);
  });

  it.each([
    ['CARDIOMOOD_TOKEN_URL', 'not a url', /absolute http\(s\) URL/],
    ['CARDIOMOOD_TOKEN_URL', 'http://cardiomood.example/oauth/token', /must use https/],
    ['CARDIOMOOD_TOKEN_URL', 'https://user:pw@cardiomood.example/oauth/token', /credentials/],
    ['CARDIOMOOD_TOKEN_URL', 'ftp://cardiomood.example/token', /absolute http\(s\) URL/],
    ['CARDIOMOOD_REVOKE_URL', 'http://10.0.0.1/revoke', /must use https/],
    ['COMPANION_REDIRECT_URIS', 'https://ok.example/,nope', /"nope" is not an absolute URL/],
    ['COMPANION_ALLOWED_ORIGINS', 'https://*.example.org', /wildcard/],
    ['COMPANION_ALLOWED_ORIGINS', '*', /wildcard/],
    ['COMPANION_ALLOWED_ORIGINS', 'chrome-extension://*', /wildcard/],
    ['COMPANION_ALLOWED_ORIGINS', 'https://example.org/', /not an origin/],
    ['COMPANION_ALLOWED_ORIGINS', 'null', /not an origin/],
    ['COMPANION_ALLOWED_ORIGINS', ',', /at least one origin/],
    ['PORT', '70000', /.+/],
    ['PORT', 'eighty', /.+/],
    ['COMPANION_UPSTREAM_TIMEOUT_MS', '0', /.+/],
    ['COMPANION_RATE_LIMIT_PER_MINUTE', '-5', /.+/],
    ['COMPANION_TRUST_PROXY', 'yes', /.+/],
    ['COMPANION_UPSTREAM_TIMEOUT_MS', '120000', /must be at most 15000/],
    ['COMPANION_REFRESH_REPLAY_SECONDS', '-1', /.+/],
    ['COMPANION_REFRESH_REPLAY_SECONDS', '901', /.+/],
    ['COMPANION_REFRESH_REPLAY_SECONDS', 'two minutes', /.+/],
  ])('should name %s when it is %j', (name, value, message) => {
    const problems = problemsOf({ ...valid, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
    expect(problems[0]).toMatch(message);
  });

  it('should allow plain http only for loopback token URLs (the local sandbox)', () => {
    for (const url of ['http://127.0.0.1:8787/oauth/token', 'http://localhost:8787/oauth/token', 'http://[::1]:8787/oauth/token']) {
      expect(parseCompanionConfig({ ...valid, CARDIOMOOD_TOKEN_URL: url }).tokenUrl).toBe(url);
    }
  });

  it('should never print the secret when the secret is the only thing set', () => {
    const problems = problemsOf({ CARDIOMOOD_CLIENT_SECRET: SECRET });
    expect(problems.join('\n')).not.toContain(SECRET);
  });
});

describe('wrangler.toml', () => {
  const toml = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');
  const vars = toml.slice(toml.indexOf('[vars]'));
  const env = Object.fromEntries([...vars.matchAll(/^([A-Z_]+) = "([^"]*)"$/gm)].map((match) => [match[1], match[2]]));
  /** The keys of one [table] (up to the next table header). */
  const table = (name: string) => {
    const start = toml.indexOf(`\n[${name}]\n`);
    if (start < 0) return {};
    const body = toml.slice(start + name.length + 4).split(/\n\[/)[0] ?? '';
    return Object.fromEntries([...body.matchAll(/^([a-z_]+) = (.+)$/gm)].map((match) => [match[1], match[2]?.trim()]));
  };

  it('should refuse to run until the placeholder client id is replaced, then configure a valid companion once the secret is added', () => {
    expect(toml).toMatch(/^main = "src\/companion\/worker\.ts"$/m);
    expect(toml).not.toMatch(/^CARDIOMOOD_CLIENT_SECRET\s*=/m);
    expect(problemsOf({ ...env, CARDIOMOOD_CLIENT_SECRET: SECRET })).toEqual([
      'CARDIOMOOD_CLIENT_ID: is still the placeholder "replace-with-your-client-id"; set your CardioMood client id',
    ]);
    const config = parseCompanionConfig({ ...env, CARDIOMOOD_CLIENT_ID: 'a-real-client-id', CARDIOMOOD_CLIENT_SECRET: SECRET });
    expect(config.redirectUris).toEqual([...EXTENSION_REDIRECT_URIS]);
    expect(config.allowedOrigins).toContain('moz-extension://*');
    expect(config.refreshReplaySeconds).toBeGreaterThan(0);
  });

  it('should keep invocation logs (request headers, client IP) out of Workers Logs', () => {
    expect(table('observability')).toMatchObject({ enabled: 'true' });
    expect(table('observability.logs')).toMatchObject({ invocation_logs: 'false' });
  });

  it('should bind and migrate both Durable Object classes worker.ts exports', () => {
    const bindings = [...toml.matchAll(/\[\[durable_objects\.bindings\]\]\nname = "([A-Z_]+)"\nclass_name = "(\w+)"/g)].map((match) => [match[1], match[2]]);
    expect(Object.fromEntries(bindings)).toEqual({ [WORKER_BINDINGS.refreshReplay]: 'RefreshReplayObject', [WORKER_BINDINGS.rateLimit]: 'RateLimitObject' });
    expect(toml).toMatch(/\[\[migrations\]\]\ntag = "v1"\nnew_sqlite_classes = \["RefreshReplayObject", "RateLimitObject"\]/);
    expect(Object.keys(worker)).toEqual(expect.arrayContaining(['RefreshReplayObject', 'RateLimitObject']));
  });
});

describe('.gitignore', () => {
  it.each(['.dev.vars', '.env'])('should keep %s (local secrets) out of git', (name) => {
    const ignored = readFileSync(new URL('../../.gitignore', import.meta.url), 'utf8').split('\n').map((line) => line.trim());
    expect(ignored).toContain(name);
  });
});
