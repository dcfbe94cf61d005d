/**
 * The companion's hardening: exact redirect URIs, one JSON error shape for what Node refuses
 * before the app runs, CardioMood's error text kept out of answers, the upstream size cap applied
 * while reading, and rate-limit keys (IPv6 /64, no shared bucket, the X-Forwarded-For warning).
 */
import { connect } from 'node:net';
import type { Context } from 'hono';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCompanionApp } from '../../src/companion/app';
import { parseCompanionConfig } from '../../src/companion/config';
import { startCompanion, type RunningCompanion } from '../../src/companion/start-companion';
import { COMPANION_CSRF_HEADER, COMPANION_ROUTES } from '../../src/shared/companion-api';

const SECRET = 'hardening-test-secret-71c0d2';
const REDIRECT_URI = 'https://ikolmnhkljkbkopbpmgocbneeihjlhfp.chromiumapp.org/';
const VERIFIER = 'v'.repeat(43);
const PRESENTED_REFRESH_TOKEN = 'presented-refresh-token-4f1e0a9b8c7d6e5f';

const env = {
  CARDIOMOOD_TOKEN_URL: 'https://cardiomood.test/oauth/token',
  CARDIOMOOD_CLIENT_ID: 'client-id',
  CARDIOMOOD_CLIENT_SECRET: SECRET,
  COMPANION_REDIRECT_URIS: REDIRECT_URI,
  COMPANION_ALLOWED_ORIGINS: 'chrome-extension://ikolmnhkljkbkopbpmgocbneeihjlhfp',
  COMPANION_UPSTREAM_TIMEOUT_MS: '200',
};
const tokenJson = { token_type: 'Bearer', access_token: 'at-1', refresh_token: 'rt-1', expires_in: 3600 };

function setup(
  options: {
    env?: Record<string, string>;
    respond?: () => Response | Promise<Response>;
    clientAddress?: (c: Context) => string | undefined;
  } = {},
) {
  const fetch = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => (options.respond ?? (() => Response.json(tokenJson)))());
  const lines: object[] = [];
  const app = createCompanionApp(parseCompanionConfig({ ...env, ...options.env }), {
    fetch: fetch as unknown as typeof globalThis.fetch,
    log: (line) => lines.push(line),
    clientAddress: options.clientAddress ?? (() => '203.0.113.1'),
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [COMPANION_CSRF_HEADER]: '1', ...headers },
      body: JSON.stringify(body),
    });
  return { fetch, lines, post };
}

describe('createCompanionApp: redirect_uri', () => {
  it.each([
    ['a leading space', ` ${REDIRECT_URI}`],
    ['a trailing space', `${REDIRECT_URI} `],
    ['a trailing newline', `${REDIRECT_URI}\n`],
    ['a leading tab', `\t${REDIRECT_URI}`],
  ])('should refuse a registered redirect_uri with %s before calling CardioMood', async (_name, redirectUri) => {
    const { fetch, post } = setup();
    const res = await post(COMPANION_ROUTES.exchange, { code: 'c', code_verifier: VERIFIER, redirect_uri: redirectUri });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: '"redirect_uri" is not registered with this companion' });
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('createCompanionApp: CardioMood error text', () => {
  it('should forward the code of an OAuth error but never the description CardioMood echoed a token into', async () => {
    const { post, lines } = setup({
      respond: () => Response.json({ error: 'invalid_grant', error_description: `Refresh token ${PRESENTED_REFRESH_TOKEN} was revoked` }, { status: 400 }),
    });
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: PRESENTED_REFRESH_TOKEN });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(JSON.parse(text).error).toBe('invalid_grant');
    expect(text).not.toContain(PRESENTED_REFRESH_TOKEN);
    expect(text).not.toContain('was revoked');
    expect(JSON.stringify(lines)).not.toContain(PRESENTED_REFRESH_TOKEN);
    expect(JSON.stringify(lines)).toContain('Refresh token [redacted] was revoked');
  });

  it.each([
    ['an unknown code', 'token_revoked'],
    ['a code that carries the token', `bad_${PRESENTED_REFRESH_TOKEN}`],
  ])('should answer 502 upstream_error for %s instead of forwarding it', async (_name, code) => {
    const { post, lines } = setup({ respond: () => Response.json({ error: code }, { status: 400 }) });
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: PRESENTED_REFRESH_TOKEN });
    const text = await res.text();
    expect(res.status).toBe(502);
    expect(JSON.parse(text).error).toBe('upstream_error');
    expect(text).not.toContain(PRESENTED_REFRESH_TOKEN);
    expect(JSON.stringify(lines)).not.toContain(PRESENTED_REFRESH_TOKEN);
  });

  it('should forward invalid_client from a 401 that carries WWW-Authenticate (RFC 6749 §5.2)', async () => {
    const { post } = setup({
      respond: () =>
        Response.json(
          { error: 'invalid_client', error_description: 'Client authentication failed' },
          { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="CardioMood"' } },
        ),
    });
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: PRESENTED_REFRESH_TOKEN });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toBe('invalid_client');
  });

  it.each([
    ['access_token', { ...tokenJson, access_token: SECRET }],
    ['refresh_token', { ...tokenJson, refresh_token: `x${SECRET}x` }],
    ['scope', { ...tokenJson, scope: SECRET }],
  ])('should answer 502, without the secret, when a token response carries the client secret in %s', async (_field, reply) => {
    const { post } = setup({ respond: () => Response.json(reply) });
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: PRESENTED_REFRESH_TOKEN });
    const text = await res.text();
    expect(res.status).toBe(502);
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text).error).toBe('upstream_error');
  });
});

describe('createCompanionApp: upstream body size', () => {
  /** An endless body, counting what was pulled from it. */
  const endless = () => {
    const stats = { pulled: 0, cancelled: false };
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"token_type":"Bearer","access_token":"'));
      },
      pull(controller) {
        stats.pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        stats.cancelled = true;
      },
    });
    return { stats, response: () => new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } }) };
  };

  it('should stop reading an endless body at the cap and answer 502 before the timeout', async () => {
    const { stats, response } = endless();
    const { post } = setup({ respond: response });
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
    expect(res.status).toBe(502);
    expect((await res.json()).error).toBe('upstream_error');
    expect(stats.pulled).toBeLessThan(256 * 1024);
    expect(stats.cancelled).toBe(true);
  });

  it('should refuse a body whose Content-Length is over the cap without reading it', async () => {
    const { stats, response } = endless();
    const { post } = setup({
      respond: () => {
        const endlessResponse = response();
        return new Response(endlessResponse.body, { status: 200, headers: { 'Content-Type': 'application/json', 'Content-Length': String(10 * 1024 * 1024) } });
      },
    });
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
    expect(res.status).toBe(502);
    expect(stats.pulled).toBeLessThanOrEqual(16 * 1024);
  });
});

describe('createCompanionApp: rate-limit keys', () => {
  const limitedTo = (limit: number, addresses: string[]) => {
    let next = 0;
    return setup({ env: { COMPANION_RATE_LIMIT_PER_MINUTE: String(limit) }, clientAddress: () => addresses[next++] });
  };

  it('should count every address of one IPv6 /64 in one bucket', async () => {
    const { post } = limitedTo(1, ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:fffe', '2001:db8:1:3::1']);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' })).status);
    expect(statuses).toEqual([200, 429, 200]);
  });

  it('should count an IPv4-mapped IPv6 address as the IPv4 address', async () => {
    const { post } = limitedTo(1, ['::ffff:198.51.100.7', '198.51.100.7']);
    expect((await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' })).status).toBe(200);
    expect((await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' })).status).toBe(429);
  });

  it('should refuse a request without a client address instead of counting it in a shared bucket', async () => {
    const { fetch, post } = setup({ clientAddress: () => undefined });
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'The client address is unknown, so no rate limit could apply' });
    expect(fetch).not.toHaveBeenCalled();
  });
});

/** One raw HTTP/1.1 exchange on 127.0.0.1: what Node answers, byte for byte. */
function rawExchange(port: number, request: string, idleMs = 300): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
    socket.write(request);
    // Ends our side once Node had time to answer (it may keep a valid connection open).
    setTimeout(() => socket.end(), idleMs);
  });
}

function parseAnswer(answer: string) {
  const [head = '', ...rest] = answer.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  let body = rest.join('\r\n\r\n');
  // Chunked answers (Node's own) are one chunk here.
  if (headers['transfer-encoding'] === 'chunked') body = body.split('\r\n')[1] ?? '';
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

describe('startCompanion over raw HTTP', () => {
  let companion: RunningCompanion;
  let port: number;

  beforeAll(async () => {
    companion = await startCompanion(parseCompanionConfig(env), { host: '127.0.0.1', port: 0, log: () => undefined });
    port = Number(new URL(companion.url).port);
  });
  afterAll(async () => {
    await companion?.close();
  });

  it.each([
    ['a backslash in the path', 'GET /\\evil HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'invalid_request'],
    ['a target that starts with backslashes', 'GET \\\\evil.example/x HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'invalid_request'],
    ['a broken absolute-form target', 'GET http://[::1/x HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'invalid_request'],
    ['the asterisk-form target', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'invalid_request'],
    ['a Host with a space', `GET ${COMPANION_ROUTES.health} HTTP/1.1\r\nHost: a b\r\n\r\n`, 400, 'invalid_request'],
    ['no Host at all', `GET ${COMPANION_ROUTES.health} HTTP/1.1\r\n\r\n`, 400, 'invalid_request'],
    ['a method with a bad character', `FO@O ${COMPANION_ROUTES.health} HTTP/1.1\r\nHost: x\r\n\r\n`, 400, 'invalid_request'],
    ['a control byte in a header name', `GET ${COMPANION_ROUTES.health} HTTP/1.1\r\nHost: x\r\nX-A\u0001: b\r\n\r\n`, 400, 'invalid_request'],
    ['Content-Length with Transfer-Encoding', `POST ${COMPANION_ROUTES.refresh} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'invalid_request'],
    ['an unknown HTTP version', `GET ${COMPANION_ROUTES.health} HTTP/9.9\r\nHost: x\r\n\r\n`, 400, 'invalid_request'],
    ['headers over 16 KB', `GET ${COMPANION_ROUTES.health} HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'invalid_request'],
    ['an Expect other than 100-continue', `POST ${COMPANION_ROUTES.refresh} HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}`, 417, 'invalid_request'],
    ['CONNECT', 'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n', 405, 'method_not_allowed'],
  ])('should answer %s in the JSON error shape with no-store', async (_name, request, status, code) => {
    const answer = parseAnswer(await rawExchange(port, request));
    expect(answer.status).toBe(status);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(answer.body)).toEqual({ error: code, error_description: expect.any(String) });
  });

  it('should answer 408 in the JSON shape, within the extension\'s wait, when the headers never finish', async () => {
    // The longest upstream timeout leaves the least time for receiving a request.
    const strict = await startCompanion(parseCompanionConfig({ ...env, COMPANION_UPSTREAM_TIMEOUT_MS: '15000' }), {
      host: '127.0.0.1',
      port: 0,
      log: () => undefined,
    });
    try {
      const started = performance.now();
      const answer = parseAnswer(await rawExchange(Number(new URL(strict.url).port), `GET ${COMPANION_ROUTES.health} HTTP/1.1\r\nHost: x\r\n`, 10_000));
      // 20 s (the extension) - 15 s (CardioMood) - 1 s (margin) = what a request may take to arrive.
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(answer.status).toBe(408);
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(JSON.parse(answer.body)).toEqual({ error: 'request_timeout', error_description: expect.any(String) });
    } finally {
      await strict.close();
    }
  });

  it('should log one warning, on the first X-Forwarded-For, when no proxy is trusted', async () => {
    const lines: Record<string, unknown>[] = [];
    const proxied = await startCompanion(parseCompanionConfig(env), { host: '127.0.0.1', port: 0, log: (line) => lines.push(line as Record<string, unknown>) });
    try {
      await fetch(new URL(COMPANION_ROUTES.health, proxied.url));
      expect(lines.filter((line) => line.level === 'warn')).toEqual([]);
      for (let i = 0; i < 3; i++) await fetch(new URL(COMPANION_ROUTES.health, proxied.url), { headers: { 'X-Forwarded-For': `198.51.100.${i}` } });
      const warnings = lines.filter((line) => String(line.msg).includes('COMPANION_TRUST_PROXY'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 'warn' });
      expect(JSON.stringify(lines)).not.toContain('198.51.100.');
    } finally {
      await proxied.close();
    }
  });

  it('should not warn about X-Forwarded-For when a proxy is trusted', async () => {
    const lines: Record<string, unknown>[] = [];
    const proxied = await startCompanion(parseCompanionConfig({ ...env, COMPANION_TRUST_PROXY: '1' }), {
      host: '127.0.0.1',
      port: 0,
      log: (line) => lines.push(line as Record<string, unknown>),
    });
    try {
      await fetch(new URL(COMPANION_ROUTES.health, proxied.url), { headers: { 'X-Forwarded-For': '198.51.100.1' } });
      expect(lines.filter((line) => String(line.msg).includes('COMPANION_TRUST_PROXY'))).toEqual([]);
    } finally {
      await proxied.close();
    }
  });
});
