/**
 * Properties of the companion under hostile input: whatever a client or CardioMood sends, the
 * companion answers in its one JSON shape, never with a 5xx for a client's mistake, never with the
 * client secret, and calls CardioMood only for requests that passed every check.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCompanionApp } from '../../src/companion/app';
import { parseCompanionConfig } from '../../src/companion/config';
import { COMPANION_CSRF_HEADER, COMPANION_ROUTES, exchangeRequestSchema, refreshRequestSchema, revokeRequestSchema } from '../../src/shared/companion-api';
import { tokenResponseSchema } from '../../src/shared/token-response';
import {
  CHROME_ORIGIN,
  companionEnv,
  FIREFOX_ORIGIN,
  nodeRuntime,
  REDIRECT_URI,
  SECRETS,
  startFakeUpstream,
  workerdRuntime,
  type FakeUpstream,
  type RunningRuntime,
} from './companion-harness';

const SECRET = SECRETS.clientSecret;
const env = {
  CARDIOMOOD_TOKEN_URL: 'https://cardiomood.test/oauth/token',
  CARDIOMOOD_REVOKE_URL: 'https://cardiomood.test/oauth/revoke',
  CARDIOMOOD_CLIENT_ID: 'client-id',
  CARDIOMOOD_CLIENT_SECRET: SECRET,
  COMPANION_REDIRECT_URIS: REDIRECT_URI,
  COMPANION_ALLOWED_ORIGINS: `${CHROME_ORIGIN},moz-extension://*`,
  COMPANION_UPSTREAM_TIMEOUT_MS: '50',
  COMPANION_RATE_LIMIT_PER_MINUTE: '100000',
};
const VERIFIER = 'A'.repeat(43);

/** Header values a Request can carry: visible ASCII and spaces, no CR/LF. */
const headerValue = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@AZaz[\\]^_`{|}~'.split('')), maxLength: 40 });

const methodArb = fc.oneof(
  { arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'), weight: 4 },
  fc.stringMatching(/^[A-Z]{1,8}$/).filter((method) => !['CONNECT', 'TRACE', 'TRACK'].includes(method)),
);

const pathArb = fc.oneof(
  { arbitrary: fc.constantFrom(COMPANION_ROUTES.exchange, COMPANION_ROUTES.refresh, COMPANION_ROUTES.revoke), weight: 4 },
  fc.constantFrom(COMPANION_ROUTES.health, '/', '/v1', '/v1/token', `${COMPANION_ROUTES.exchange}/`, COMPANION_ROUTES.exchange.toUpperCase(), `${COMPANION_ROUTES.health}/x`),
  fc.webPath(),
);

const originArb = fc.option(
  fc.oneof(
    { arbitrary: fc.constantFrom(CHROME_ORIGIN, FIREFOX_ORIGIN), weight: 3 },
    fc.constantFrom(CHROME_ORIGIN, FIREFOX_ORIGIN, 'null', 'moz-extension://*', `${CHROME_ORIGIN}/`, 'https://evil.example'),
    fc.webUrl().map((url) => new URL(url).origin),
    headerValue,
  ),
  { nil: undefined },
);

const contentTypeArb = fc.option(
  fc.oneof(
    { arbitrary: fc.constant('application/json'), weight: 4 },
    fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/x-www-form-urlencoded', 'application/json;x', 'multipart/form-data'),
    headerValue,
  ),
  { nil: undefined },
);

const stringish = fc.oneof(fc.string({ maxLength: 80 }), fc.constant(SECRETS.code), fc.constant(VERIFIER), fc.constant(REDIRECT_URI), fc.webUrl());

/** Bodies near the schemas (to reach deep branches) and far from them. */
const bodyArb = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      { code: SECRETS.code, code_verifier: VERIFIER, redirect_uri: REDIRECT_URI },
      { code: SECRETS.code, code_verifier: VERIFIER, redirect_uri: `${REDIRECT_URI}evil` },
      { refresh_token: SECRETS.refreshToken },
      { token: SECRETS.refreshToken, token_type_hint: 'refresh_token' },
    ).map((value) => JSON.stringify(value)),
    weight: 3,
  },
  fc.record(
    { code: stringish, code_verifier: stringish, redirect_uri: stringish, refresh_token: stringish, token: stringish, token_type_hint: fc.constantFrom('access_token', 'refresh_token', 'id_token') },
    { requiredKeys: [] },
  ).map((value) => JSON.stringify(value)),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', '{', 'null', '[]', '{"__proto__":{"x":1}}', '{"code":"a","code":"b"}', `{"refresh_token":"${'x'.repeat(9000)}"}`),
);

const requestFields = {
  method: methodArb,
  path: pathArb,
  origin: originArb,
  csrf: fc.option(fc.oneof({ arbitrary: fc.constant('1'), weight: 4 }, headerValue), { nil: undefined }),
  contentType: contentTypeArb,
  body: bodyArb,
  extraHeaders: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,10}$/), headerValue, { maxKeys: 3 }),
};

/** Mostly `valid`, sometimes anything `hostile` generates. */
const mostly = <T,>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: hostile, weight: 1 });

/** A valid token call with each part independently replaced by a hostile one now and then. */
const nearValidRequestArb = fc
  .constantFrom(
    [COMPANION_ROUTES.exchange, { code: SECRETS.code, code_verifier: VERIFIER, redirect_uri: REDIRECT_URI }],
    [COMPANION_ROUTES.refresh, { refresh_token: SECRETS.refreshToken }],
    [COMPANION_ROUTES.revoke, { token: SECRETS.refreshToken, token_type_hint: 'refresh_token' }],
  )
  .chain(([path, body]) =>
    fc.record({
      method: mostly(fc.constant('POST'), requestFields.method),
      path: mostly(fc.constant(path as string), requestFields.path),
      origin: mostly(fc.constantFrom(undefined, CHROME_ORIGIN, FIREFOX_ORIGIN), requestFields.origin),
      csrf: mostly(fc.constant<string | undefined>('1'), requestFields.csrf),
      contentType: mostly(fc.constantFrom<string | undefined>('application/json', 'application/json; charset=utf-8'), requestFields.contentType),
      body: mostly(fc.constant(JSON.stringify(body)), requestFields.body),
      extraHeaders: requestFields.extraHeaders,
    }),
  );

const requestArb = fc.oneof(fc.record(requestFields), nearValidRequestArb);
/**
 * Over real HTTP only methods the servers' parsers know: Node's parser answers an unknown method
 * with its own 400 and workerd with 501, before any application code runs.
 */
const httpRequestArb = requestArb.filter((request) => ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].includes(request.method));
type HostileRequest = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function toRequestInit(request: HostileRequest): RequestInit {
  const headers: Record<string, string> = { ...request.extraHeaders };
  if (request.origin !== undefined) headers.Origin = request.origin;
  if (request.csrf !== undefined) headers[COMPANION_CSRF_HEADER] = request.csrf;
  if (request.contentType !== undefined) headers['Content-Type'] = request.contentType;
  const hasBody = !['GET', 'HEAD'].includes(request.method);
  return { method: request.method, headers, ...(hasBody ? { body: request.body } : {}) };
}

/** What a request must satisfy before any call to CardioMood is allowed. */
function mayReachUpstream(request: HostileRequest): boolean {
  const originOk =
    request.origin === undefined || request.origin === CHROME_ORIGIN || /^moz-extension:\/\/[0-9a-f-]{36}$/.test(request.origin);
  const jsonType = request.contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
  if (request.method !== 'POST' || !originOk || request.csrf !== '1' || !jsonType) return false;
  let body: unknown;
  try {
    body = JSON.parse(request.body);
  } catch {
    return false;
  }
  if (request.path === COMPANION_ROUTES.exchange) {
    // redirect_uri byte for byte as sent: the schema's own output is trimmed.
    const parsed = exchangeRequestSchema.safeParse(body);
    return parsed.success && (body as { redirect_uri?: unknown }).redirect_uri === REDIRECT_URI;
  }
  if (request.path === COMPANION_ROUTES.refresh) return refreshRequestSchema.safeParse(body).success;
  if (request.path === COMPANION_ROUTES.revoke) return revokeRequestSchema.safeParse(body).success;
  return false;
}

async function expectOneShape(response: Response, method = 'POST') {
  const text = await response.text();
  expect(text).not.toContain(SECRET);
  if (method === 'HEAD' || response.status === 204 || response.status === 200 || response.headers.get('Content-Length') === '0') return text;
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
  expect(typeof body.error).toBe('string');
  expect(typeof body.error_description).toBe('string');
  return text;
}

describe('createCompanionApp under hostile clients', () => {
  it('should never crash, never answer 5xx, never leak the secret and only call CardioMood for valid requests', async () => {
    let reachedUpstream = 0;
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        let upstreamCalls = 0;
        const app = createCompanionApp(parseCompanionConfig(env), {
          fetch: (async () => {
            upstreamCalls++;
            return Response.json({ token_type: 'Bearer', access_token: 'at', refresh_token: 'rt', expires_in: 60, echo: SECRET });
          }) as typeof fetch,
          clientAddress: () => '203.0.113.1',
        });
        const response = await app.request(request.path, toRequestInit(request));
        expect(response.status).toBeLessThan(500);
        expect(response.headers.get('Cache-Control')).toBe('no-store');
        expect(response.headers.get('Vary')).toMatch(/Origin/);
        const allowOrigin = response.headers.get('Access-Control-Allow-Origin');
        if (allowOrigin !== null) expect(allowOrigin).toBe(request.origin);
        expect(allowOrigin).not.toBe('*');
        const text = await expectOneShape(response, request.method);
        expect(upstreamCalls).toBe(mayReachUpstream(request) ? 1 : 0);
        reachedUpstream += upstreamCalls;
        if (response.status === 200 && request.path !== COMPANION_ROUTES.health && request.path !== COMPANION_ROUTES.revoke) {
          expect(tokenResponseSchema.strict().safeParse(JSON.parse(text)).success).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
    // The generators must reach the deep branches too, not only the first guard.
    expect(reachedUpstream).toBeGreaterThan(10);
  });
});

const upstreamReplyArb = fc.record({
  status: fc.oneof(fc.constantFrom(200, 201, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503), fc.integer({ min: 200, max: 599 })),
  body: fc.oneof(
    fc.record(
      {
        token_type: fc.oneof(fc.constantFrom('Bearer', 'bearer', 'mac', ''), fc.string()),
        access_token: fc.oneof(fc.string(), fc.constant(SECRET), fc.integer()),
        refresh_token: fc.oneof(fc.string(), fc.constant(null)),
        expires_in: fc.oneof(fc.integer(), fc.string(), fc.double()),
        error: fc.oneof(fc.constantFrom('invalid_grant', 'invalid_client', 'bad error', ''), fc.string()),
        error_description: fc.oneof(fc.string(), fc.constant(`secret is ${SECRET}`)),
        client_secret: fc.constant(SECRET),
      },
      { requiredKeys: [] },
    ).map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 200 }),
    fc.constant(`<html><body>${SECRET}</body></html>`),
  ),
  retryAfter: fc.option(fc.oneof(fc.nat(), fc.string({ maxLength: 20 })).map(String), { nil: undefined }),
  failure: fc.constantFrom('none', 'none', 'none', 'throw', 'hang'),
});

describe('createCompanionApp under a hostile CardioMood', () => {
  it('should answer a validated token, a passed-through OAuth error, 429, 502 or 504 and never the secret', async () => {
    await fc.assert(
      fc.asyncProperty(upstreamReplyArb, fc.constantFrom(COMPANION_ROUTES.exchange, COMPANION_ROUTES.refresh, COMPANION_ROUTES.revoke), async (reply, path) => {
        const app = createCompanionApp(parseCompanionConfig(env), {
          fetch: (async () => {
            if (reply.failure === 'throw') throw new TypeError(`fetch failed ${SECRET}`);
            if (reply.failure === 'hang') return new Promise<Response>(() => undefined);
            const headers: Record<string, string> = {};
            if (reply.retryAfter !== undefined) headers['Retry-After'] = reply.retryAfter;
            const nullBody = [204, 205, 304].includes(reply.status) || reply.status < 200;
            return new Response(nullBody ? null : reply.body, { status: reply.status, headers });
          }) as typeof fetch,
          clientAddress: () => '203.0.113.1',
        });
        const body =
          path === COMPANION_ROUTES.exchange
            ? { code: 'c', code_verifier: VERIFIER, redirect_uri: REDIRECT_URI }
            : path === COMPANION_ROUTES.refresh
              ? { refresh_token: 'rt' }
              : { token: 't' };
        const response = await app.request(path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', [COMPANION_CSRF_HEADER]: '1' },
          body: JSON.stringify(body),
        });
        const text = await expectOneShape(response);
        expect(response.status).not.toBe(500);
        if (response.status === 200 && path !== COMPANION_ROUTES.revoke) {
          expect(tokenResponseSchema.strict().safeParse(JSON.parse(text)).success).toBe(true);
        }
        if (response.status >= 500) expect([502, 504]).toContain(response.status);
        if (reply.failure === 'hang') expect(response.status).toBe(504);
        if (reply.failure === 'throw') expect(response.status).toBe(502);
      }),
      { numRuns: 300 },
    );
  });
});

describe.each([nodeRuntime, workerdRuntime])('companion over HTTP on $name under hostile clients', (runtime) => {
  let upstream: FakeUpstream;
  let companion: RunningRuntime;

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    companion = await runtime.start(companionEnv(upstream, { COMPANION_RATE_LIMIT_PER_MINUTE: '100000' }));
  });
  afterAll(async () => {
    await companion?.close();
    await upstream?.close();
  });

  it('should answer every request in the one JSON shape without 5xx or the secret', async () => {
    await fc.assert(
      fc.asyncProperty(httpRequestArb, async (request) => {
        upstream.reset();
        // Concatenated, not resolved: '//x' must stay a path, not become a host.
        const response = await fetch(`${companion.url}/${request.path.replace(/^\//, '')}`, toRequestInit(request));
        expect(response.status).toBeLessThan(500);
        await expectOneShape(response, request.method);
        // A valid-looking request may still be refused by the fake CardioMood (wrong code); an
        // invalid one must never have reached it.
        if (!mayReachUpstream(request)) expect(upstream.requests).toHaveLength(0);
      }),
      { numRuns: 60 },
    );
  });
});
