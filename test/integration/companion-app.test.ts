import type { Context } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { createCompanionApp, MAX_BODY_BYTES } from '../../src/companion/app';
import { parseCompanionConfig } from '../../src/companion/config';
import { FORWARDED_OAUTH_ERRORS } from '../../src/companion/upstream';
import { COMPANION_CSRF_HEADER, COMPANION_ROUTES } from '../../src/shared/companion-api';

const SECRET = 'app-test-client-secret-5b1f0c';
const REDIRECT_URI = 'https://ikolmnhkljkbkopbpmgocbneeihjlhfp.chromiumapp.org/';
const CHROME_ORIGIN = 'chrome-extension://ikolmnhkljkbkopbpmgocbneeihjlhfp';
const VERIFIER = 'v'.repeat(43);

const baseEnv = {
  CARDIOMOOD_TOKEN_URL: 'https://cardiomood.test/oauth/token',
  CARDIOMOOD_REVOKE_URL: 'https://cardiomood.test/oauth/revoke',
  CARDIOMOOD_CLIENT_ID: 'client-id',
  CARDIOMOOD_CLIENT_SECRET: SECRET,
  COMPANION_REDIRECT_URIS: REDIRECT_URI,
  COMPANION_ALLOWED_ORIGINS: `${CHROME_ORIGIN},moz-extension://*`,
  COMPANION_UPSTREAM_TIMEOUT_MS: '200',
};

const tokenJson = { token_type: 'Bearer', access_token: 'at-1', refresh_token: 'rt-1', expires_in: 3600 };
const CLIENT_ADDRESS = '203.0.113.1';

function setup(
  env: Record<string, string | undefined> = {},
  respond: () => Response | Promise<Response> = () => Response.json(tokenJson),
  clientAddress: (c: Context) => string | undefined = () => CLIENT_ADDRESS,
) {
  const fetch = vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => respond());
  const lines: Record<string, unknown>[] = [];
  const app = createCompanionApp(parseCompanionConfig({ ...baseEnv, ...env }), {
    fetch: fetch as unknown as typeof globalThis.fetch,
    log: (line) => lines.push(line as Record<string, unknown>),
    clientAddress,
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [COMPANION_CSRF_HEADER]: '1', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { app, fetch, lines, post };
}

const sentForm = (fetch: ReturnType<typeof setup>['fetch'], call = 0) =>
  Object.fromEntries(new URLSearchParams(String(fetch.mock.calls[call]?.[1]?.body)));

describe('createCompanionApp', () => {
  describe('token exchange', () => {
    it('should forward the code, PKCE verifier and client credentials form-encoded when the request is valid', async () => {
      const { fetch, post } = setup();
      const res = await post(COMPANION_ROUTES.exchange, { code: 'the-code', code_verifier: VERIFIER, redirect_uri: REDIRECT_URI });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(tokenJson);
      expect(fetch).toHaveBeenCalledTimes(1);
      expect(String(fetch.mock.calls[0]?.[0])).toBe('https://cardiomood.test/oauth/token');
      const init = fetch.mock.calls[0]?.[1];
      expect(init?.method).toBe('POST');
      expect(init?.redirect).toBe('manual');
      expect(new Headers(init?.headers).get('Content-Type')).toMatch(/^application\/x-www-form-urlencoded(;|$)/);
      expect(sentForm(fetch)).toEqual({
        grant_type: 'authorization_code',
        client_id: 'client-id',
        client_secret: SECRET,
        code: 'the-code',
        redirect_uri: REDIRECT_URI,
        code_verifier: VERIFIER,
      });
    });

    it('should refuse with invalid_request and never call CardioMood when redirect_uri is not registered', async () => {
      const { fetch, post } = setup();
      const res = await post(COMPANION_ROUTES.exchange, {
        code: 'c',
        code_verifier: VERIFIER,
        redirect_uri: 'https://evil.example/callback',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('redirect_uri') });
      expect(fetch).not.toHaveBeenCalled();
    });

    it('should refuse a redirect_uri that differs only by a trailing path when registered URIs are exact', async () => {
      const { fetch, post } = setup();
      const res = await post(COMPANION_ROUTES.exchange, { code: 'c', code_verifier: VERIFIER, redirect_uri: `${REDIRECT_URI}x` });
      expect(res.status).toBe(400);
      expect(fetch).not.toHaveBeenCalled();
    });

    it.each([
      ['a short code_verifier', { code: 'c', code_verifier: 'short', redirect_uri: REDIRECT_URI }],
      ['a missing code', { code_verifier: VERIFIER, redirect_uri: REDIRECT_URI }],
      ['an empty code', { code: '', code_verifier: VERIFIER, redirect_uri: REDIRECT_URI }],
      ['an unknown member', { code: 'c', code_verifier: VERIFIER, redirect_uri: REDIRECT_URI, client_secret: 'x' }],
      ['a non-URL redirect_uri', { code: 'c', code_verifier: VERIFIER, redirect_uri: 'not a url' }],
      ['an array body', [1, 2]],
      ['a null body', null],
    ])('should answer 400 invalid_request without calling CardioMood when the body has %s', async (_name, body) => {
      const { fetch, post } = setup();
      const res = await post(COMPANION_ROUTES.exchange, body);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe('invalid_request');
      expect(fetch).not.toHaveBeenCalled();
    });

    it('should answer 400 invalid_request when the body is not JSON', async () => {
      const { fetch, post } = setup();
      const res = await post(COMPANION_ROUTES.exchange, '{"code":');
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
      expect(fetch).not.toHaveBeenCalled();
    });
  });

  describe('refresh and revoke', () => {
    it('should send grant_type=refresh_token with the client credentials when refreshing', async () => {
      const { fetch, post } = setup();
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt-1' });
      expect(res.status).toBe(200);
      expect(sentForm(fetch)).toEqual({ grant_type: 'refresh_token', client_id: 'client-id', client_secret: SECRET, refresh_token: 'rt-1' });
    });

    it('should post the RFC 7009 form to the revoke URL and answer {} when revoking', async () => {
      const { fetch, post } = setup({}, () => new Response(null, { status: 200 }));
      const res = await post(COMPANION_ROUTES.revoke, { token: 'rt-1', token_type_hint: 'refresh_token' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({});
      expect(String(fetch.mock.calls[0]?.[0])).toBe('https://cardiomood.test/oauth/revoke');
      expect(sentForm(fetch)).toEqual({ token: 'rt-1', token_type_hint: 'refresh_token', client_id: 'client-id', client_secret: SECRET });
    });

    it('should accept 204 from the revoke endpoint as revoked', async () => {
      const { post } = setup({}, () => new Response(null, { status: 204 }));
      const res = await post(COMPANION_ROUTES.revoke, { token: 'rt-1' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({});
    });

    it('should pass through unsupported_token_type from the revoke endpoint', async () => {
      const { post } = setup({}, () => Response.json({ error: 'unsupported_token_type' }, { status: 400 }));
      const res = await post(COMPANION_ROUTES.revoke, { token: 'rt-1' });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'unsupported_token_type', error_description: FORWARDED_OAUTH_ERRORS.unsupported_token_type });
    });

    it('should omit token_type_hint upstream when the client sent none', async () => {
      const { fetch, post } = setup({}, () => new Response('', { status: 200 }));
      await post(COMPANION_ROUTES.revoke, { token: 'at-1' });
      expect(sentForm(fetch)).not.toHaveProperty('token_type_hint');
    });

    it('should answer 404 not_configured without calling anything when CARDIOMOOD_REVOKE_URL is unset', async () => {
      const { fetch, post } = setup({ CARDIOMOOD_REVOKE_URL: undefined });
      const res = await post(COMPANION_ROUTES.revoke, { token: 'rt-1' });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'not_configured', error_description: expect.any(String) });
      expect(fetch).not.toHaveBeenCalled();
    });
  });

  describe('request guards', () => {
    it.each([
      ['no header', {}],
      ['the wrong value', { [COMPANION_CSRF_HEADER]: 'true' }],
    ])('should answer 403 csrf_header_missing when the CSRF header has %s', async (_name, headers) => {
      const { app, fetch } = setup();
      const res = await app.request(COMPANION_ROUTES.refresh, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ refresh_token: 'rt' }),
      });
      expect(res.status).toBe(403);
      expect((await res.json()).error).toBe('csrf_header_missing');
      expect(fetch).not.toHaveBeenCalled();
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp'])(
      'should answer 415 unsupported_media_type when Content-Type is %s',
      async (contentType) => {
        const { fetch, post } = setup();
        const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' }, { 'Content-Type': contentType });
        expect(res.status).toBe(415);
        expect((await res.json()).error).toBe('unsupported_media_type');
        expect(fetch).not.toHaveBeenCalled();
      },
    );

    it('should accept application/json with a charset parameter', async () => {
      const { post } = setup();
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' }, { 'Content-Type': 'application/json; charset=utf-8' });
      expect(res.status).toBe(200);
    });

    it('should answer 413 payload_too_large when the body exceeds the cap', async () => {
      const { fetch, post } = setup();
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'x'.repeat(MAX_BODY_BYTES) });
      expect(res.status).toBe(413);
      expect((await res.json()).error).toBe('payload_too_large');
      expect(fetch).not.toHaveBeenCalled();
    });

    it.each(['GET', 'PUT', 'DELETE', 'PATCH'])('should answer 405 with Allow when %s hits a token route', async (method) => {
      const { app, fetch } = setup();
      const res = await app.request(COMPANION_ROUTES.exchange, { method, headers: { [COMPANION_CSRF_HEADER]: '1' } });
      expect(res.status).toBe(405);
      expect(res.headers.get('Allow')).toBe('POST, OPTIONS');
      expect((await res.json()).error).toBe('method_not_allowed');
      expect(fetch).not.toHaveBeenCalled();
    });

    it('should answer 404 not_found in the JSON shape when the route is unknown', async () => {
      const { app } = setup();
      const res = await app.request('/v1/token/steal', { method: 'POST' });
      expect(res.status).toBe(404);
      expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({ error: 'not_found', error_description: 'No such route' });
    });

    it('should answer {"status":"ok"} on /healthz', async () => {
      const { app } = setup();
      const res = await app.request(COMPANION_ROUTES.health);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });

    it('should answer 405 when /healthz is posted to', async () => {
      const { app } = setup();
      const res = await app.request(COMPANION_ROUTES.health, { method: 'POST' });
      expect(res.status).toBe(405);
      expect(res.headers.get('Allow')).toBe('GET, HEAD');
    });
  });

  describe('origins and CORS', () => {
    it.each([
      ['an exact allowed Chrome origin', CHROME_ORIGIN],
      ['a Firefox origin under moz-extension://*', 'moz-extension://0f6b2c1e-3a4d-4e5f-8a9b-1c2d3e4f5a6b'],
    ])('should answer the preflight and name the origin when it is %s', async (_name, origin) => {
      const { app, fetch } = setup();
      const res = await app.request(COMPANION_ROUTES.exchange, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-cardiomood-readings' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('Access-Control-Allow-Origin')).toBe(origin);
      expect(res.headers.get('Access-Control-Allow-Methods')).toBe('POST');
      expect(res.headers.get('Access-Control-Allow-Headers')).toBe(`Content-Type,${COMPANION_CSRF_HEADER}`);
      expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull();
      expect(res.headers.get('Vary')).toMatch(/Origin/);
      expect(fetch).not.toHaveBeenCalled();
    });

    it.each([
      ['a web page', 'https://evil.example'],
      ['another Chrome extension', 'chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
      ['the allowed origin with a different case', CHROME_ORIGIN.toUpperCase()],
      ['the allowed origin as a prefix', `${CHROME_ORIGIN}.evil.example`],
      ['a malformed moz-extension origin', 'moz-extension://not-a-uuid'],
      ['the literal wildcard', 'moz-extension://*'],
      ['the opaque origin', 'null'],
    ])('should refuse the preflight with 403 origin_not_allowed and no CORS headers when the origin is %s', async (_name, origin) => {
      const { app } = setup();
      const res = await app.request(COMPANION_ROUTES.exchange, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      });
      expect(res.status).toBe(403);
      expect((await res.json()).error).toBe('origin_not_allowed');
      expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
      expect(res.headers.get('Vary')).toMatch(/Origin/);
    });

    it('should refuse a POST with 403 origin_not_allowed and never call CardioMood when the origin is not allowed', async () => {
      const { fetch, post } = setup();
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' }, { Origin: 'https://evil.example' });
      expect(res.status).toBe(403);
      expect((await res.json()).error).toBe('origin_not_allowed');
      expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
      expect(fetch).not.toHaveBeenCalled();
    });

    it('should refuse a preflight without Origin with 403 origin_not_allowed', async () => {
      const { app } = setup();
      const res = await app.request(COMPANION_ROUTES.exchange, { method: 'OPTIONS' });
      expect(res.status).toBe(403);
      expect((await res.json()).error).toBe('origin_not_allowed');
    });

    it('should allow a non-browser client without Origin and send no Access-Control-Allow-Origin', async () => {
      const { post } = setup();
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
      expect(res.status).toBe(200);
      expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
      expect(res.headers.get('Vary')).toBe('Origin');
    });

    it('should name the allowed origin on the actual response and on its errors', async () => {
      const { post } = setup({}, () => Response.json({ error: 'invalid_grant' }, { status: 400 }));
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' }, { Origin: CHROME_ORIGIN });
      expect(res.status).toBe(400);
      expect(res.headers.get('Access-Control-Allow-Origin')).toBe(CHROME_ORIGIN);
    });

    it('should refuse a Firefox origin with 403 when moz-extension://* is not configured', async () => {
      const { post } = setup({ COMPANION_ALLOWED_ORIGINS: CHROME_ORIGIN });
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' }, { Origin: 'moz-extension://0f6b2c1e-3a4d-4e5f-8a9b-1c2d3e4f5a6b' });
      expect(res.status).toBe(403);
      expect((await res.json()).error).toBe('origin_not_allowed');
    });
  });

  describe('upstream faults', () => {
    it('should answer 504 refresh_outcome_unknown within the timeout when CardioMood hangs on a refresh', async () => {
      const { post } = setup({}, () => new Promise<Response>(() => undefined));
      const started = Date.now();
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
      expect(res.status).toBe(504);
      expect((await res.json()).error).toBe('refresh_outcome_unknown');
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('should abort the upstream request when it times out', async () => {
      let signal: AbortSignal | undefined;
      const hanging = createCompanionApp(parseCompanionConfig(baseEnv), {
        fetch: (async (_input: RequestInfo | URL, init?: RequestInit) => {
          signal = init?.signal ?? undefined;
          return new Promise<Response>(() => undefined);
        }) as typeof fetch,
        clientAddress: () => CLIENT_ADDRESS,
      });
      await hanging.request(COMPANION_ROUTES.refresh, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [COMPANION_CSRF_HEADER]: '1' },
        body: JSON.stringify({ refresh_token: 'rt' }),
      });
      expect(signal?.aborted).toBe(true);
    });

    const failedFetch = (code?: string) => () =>
      Promise.reject(new TypeError('fetch failed', code ? { cause: Object.assign(new Error('socket'), { code }) } : {}));

    it.each(['ECONNREFUSED', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED'])(
      'should answer 502 upstream_unreachable when the refresh never left (%s)',
      async (code) => {
        const { post } = setup({}, failedFetch(code));
        const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
        expect(res.status).toBe(502);
        expect(await res.json()).toEqual({ error: 'upstream_unreachable', error_description: 'CardioMood could not be reached' });
      },
    );

    it.each([['UND_ERR_SOCKET'], ['ECONNRESET'], [undefined]])(
      'should answer 502 refresh_outcome_unknown when the connection broke after the refresh may have arrived (%s)',
      async (code) => {
        const { post } = setup({}, failedFetch(code));
        const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
        expect(res.status).toBe(502);
        expect((await res.json()).error).toBe('refresh_outcome_unknown');
      },
    );

    it('should answer 502 refresh_outcome_unknown when the refresh answer breaks off mid-body', async () => {
      const broken = () =>
        new Response(new ReadableStream({ start: (controller) => controller.error(new TypeError('terminated')) }), { status: 200 });
      const { post } = setup({}, broken);
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
      expect(res.status).toBe(502);
      expect((await res.json()).error).toBe('refresh_outcome_unknown');
    });

    it.each([
      ['HTML with status 500', () => new Response('<html>oops</html>', { status: 500, headers: { 'Content-Type': 'text/html' } })],
      ['HTML with status 200', () => new Response('<html>login</html>', { status: 200, headers: { 'Content-Type': 'text/html' } })],
      ['malformed JSON', () => new Response('{"token_type":', { status: 200 })],
      ['a token_type other than Bearer', () => Response.json({ ...tokenJson, token_type: 'mac' })],
      ['no access_token', () => Response.json({ token_type: 'Bearer' })],
      ['a redirect', () => new Response(null, { status: 302, headers: { Location: 'https://elsewhere.example' } })],
      ['an OAuth error body with status 503', () => Response.json({ error: 'temporarily_unavailable' }, { status: 503 })],
      ['a 4xx without an OAuth error body', () => new Response('Not Found', { status: 404 })],
      ['an OAuth error code with spaces', () => Response.json({ error: 'bad thing' }, { status: 400 })],
    ])('should answer 502 upstream_error when CardioMood sends %s', async (_name, respond) => {
      const { post } = setup({}, respond);
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
      expect(res.status).toBe(502);
      expect((await res.json()).error).toBe('upstream_error');
    });

    it.each([
      [400, 'invalid_grant'],
      [401, 'invalid_client'],
      [400, 'unsupported_grant_type'],
      [400, 'invalid_request'],
      [400, 'unauthorized_client'],
      [400, 'invalid_scope'],
    ])('should forward %i %s with the companion\'s own description only', async (status, error) => {
      const { post } = setup({}, () => Response.json({ error, error_description: 'because', hint: 'internal', trace: [1] }, { status }));
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({ error, error_description: FORWARDED_OAUTH_ERRORS[error] });
    });

    it('should keep the client secret out of the answer when CardioMood echoes it in an error description', async () => {
      const { post } = setup({}, () => Response.json({ error: 'invalid_client', error_description: `bad secret ${SECRET}` }, { status: 401 }));
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
      const text = await res.text();
      expect(text).not.toContain(SECRET);
      expect(JSON.parse(text)).toEqual({ error: 'invalid_client', error_description: FORWARDED_OAUTH_ERRORS.invalid_client });
    });

    it('should pass through CardioMood 429 with its Retry-After', async () => {
      const { post } = setup({}, () => new Response('slow down', { status: 429, headers: { 'Retry-After': '42' } }));
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
      expect(res.status).toBe(429);
      expect(res.headers.get('Retry-After')).toBe('42');
      expect((await res.json()).error).toBe('rate_limited');
    });

    it('should drop a Retry-After that is neither seconds nor a date', async () => {
      const { post } = setup({}, () => new Response('', { status: 429, headers: { 'Retry-After': 'soon<script>' } }));
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
      expect(res.status).toBe(429);
      expect(res.headers.get('Retry-After')).toBeNull();
    });

    it('should return only the validated token fields when CardioMood adds others', async () => {
      const { post } = setup({}, () => Response.json({ ...tokenJson, expires_in: '3600', id_token: 'x', user: { id: 1 }, client_secret: SECRET }));
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
      expect(await res.json()).toEqual({ ...tokenJson, expires_in: 3600 });
    });
  });

  describe('response headers', () => {
    it.each([
      ['a token response', COMPANION_ROUTES.refresh, 200],
      ['an error', COMPANION_ROUTES.exchange, 400],
    ])('should send Cache-Control: no-store and Pragma: no-cache on %s', async (_name, path, status) => {
      const { post } = setup();
      const res = await post(path, { refresh_token: 'rt' });
      expect(res.status).toBe(status);
      expect(res.headers.get('Cache-Control')).toBe('no-store');
      expect(res.headers.get('Pragma')).toBe('no-cache');
    });
  });

  describe('rate limiting', () => {
    it('should send RateLimit headers and answer 429 rate_limited with Retry-After once the limit is spent', async () => {
      const { fetch, post } = setup({ COMPANION_RATE_LIMIT_PER_MINUTE: '3' });
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
        expect(res.status).toBe(200);
        expect(res.headers.get('RateLimit-Limit')).toBe('3');
        expect(Number(res.headers.get('RateLimit-Reset'))).toBeGreaterThan(0);
        remaining.push(res.headers.get('RateLimit-Remaining'));
      }
      expect(remaining).toEqual(['2', '1', '0']);
      const limited = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
      expect(limited.status).toBe(429);
      expect(await limited.json()).toEqual({ error: 'rate_limited', error_description: expect.any(String) });
      expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0);
      expect(limited.headers.get('RateLimit-Remaining')).toBe('0');
      expect(fetch).toHaveBeenCalledTimes(3);
    });

    it('should count refused requests too, so guessing costs quota', async () => {
      const { fetch, post } = setup({ COMPANION_RATE_LIMIT_PER_MINUTE: '2' });
      await post(COMPANION_ROUTES.refresh, {}); // 400
      await post(COMPANION_ROUTES.exchange, { code: 'c', code_verifier: VERIFIER, redirect_uri: 'https://x.example/' }); // 400
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' });
      expect(res.status).toBe(429);
      expect(fetch).not.toHaveBeenCalled();
    });

    it('should not count preflights', async () => {
      const { app, post } = setup({ COMPANION_RATE_LIMIT_PER_MINUTE: '1' });
      for (let i = 0; i < 3; i++) {
        const preflight = await app.request(COMPANION_ROUTES.refresh, {
          method: 'OPTIONS',
          headers: { Origin: CHROME_ORIGIN, 'Access-Control-Request-Method': 'POST' },
        });
        expect(preflight.status).toBe(204);
      }
      expect((await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' })).status).toBe(200);
    });

    it('should key on the rightmost X-Forwarded-For entry when one proxy is trusted', async () => {
      const { post } = setup({ COMPANION_RATE_LIMIT_PER_MINUTE: '1', COMPANION_TRUST_PROXY: 'true' });
      // The client controls everything left of what the proxy appended, so spoofed entries do not help.
      expect((await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' }, { 'X-Forwarded-For': '1.1.1.1, 203.0.113.7' })).status).toBe(200);
      expect((await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' }, { 'X-Forwarded-For': '2.2.2.2, 203.0.113.7' })).status).toBe(429);
      expect((await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' }, { 'X-Forwarded-For': '203.0.113.8' })).status).toBe(200);
    });

    it('should ignore X-Forwarded-For when no proxy is trusted', async () => {
      const { post } = setup({ COMPANION_RATE_LIMIT_PER_MINUTE: '1' });
      expect((await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' }, { 'X-Forwarded-For': '198.51.100.1' })).status).toBe(200);
      expect((await post(COMPANION_ROUTES.refresh, { refresh_token: 'rt' }, { 'X-Forwarded-For': '198.51.100.2' })).status).toBe(429);
    });
  });

  describe('logging', () => {
    it('should log one line per request with route, method, status and duration', async () => {
      let clock = 1_000;
      const lines: Record<string, unknown>[] = [];
      const app = createCompanionApp(parseCompanionConfig(baseEnv), {
        fetch: (async () => {
          clock += 25;
          return Response.json(tokenJson);
        }) as typeof fetch,
        now: () => clock,
        log: (line) => lines.push(line as Record<string, unknown>),
        clientAddress: () => CLIENT_ADDRESS,
      });
      await app.request(COMPANION_ROUTES.refresh, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [COMPANION_CSRF_HEADER]: '1' },
        body: JSON.stringify({ refresh_token: 'rt' }),
      });
      await app.request('/whatever/secret-looking-path');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({
        level: 'info',
        method: 'POST',
        route: COMPANION_ROUTES.refresh,
        status: 200,
        duration_ms: 25,
        upstream_status: 200,
        request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(lines[1]).toMatchObject({ route: '(unmatched)', status: 404, error: 'not_found', level: 'warn' });
      expect(JSON.stringify(lines)).not.toContain('secret-looking-path');
    });
  });
});
