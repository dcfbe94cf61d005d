/**
 * The companion's behaviour over real HTTP, once per runtime operators run it on:
 * Node (`npm run companion`) and workerd (the Cloudflare Workers build, through Miniflare).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replayId } from '../../src/companion/refresh-replay';
import { FORWARDED_OAUTH_ERRORS, MAX_UPSTREAM_BODY_BYTES } from '../../src/companion/upstream';
import { COMPANION_CSRF_HEADER, COMPANION_ROUTES } from '../../src/shared/companion-api';
import {
  CHROME_ORIGIN,
  companionEnv,
  exchangeBody,
  FIREFOX_ORIGIN,
  jsonHeaders,
  nodeRuntime,
  SECRETS,
  startFakeUpstream,
  workerdRuntime,
  type FakeUpstream,
  type RunningRuntime,
  type Runtime,
  waitForOutput,
} from './companion-harness';

describe.each([nodeRuntime, workerdRuntime])('createCompanionApp on $name', (runtime: Runtime) => {
  let upstream: FakeUpstream;
  let companion: RunningRuntime;
  const extra: RunningRuntime[] = [];

  const post = (path: string, body: unknown, headers: Record<string, string> = {}, base = companion.url) =>
    fetch(new URL(path, base), { method: 'POST', headers: { ...jsonHeaders, ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    companion = await runtime.start(companionEnv(upstream));
  });
  afterEach(async () => {
    upstream.reset();
    await Promise.all(extra.splice(0).map((running) => running.close()));
  });
  afterAll(async () => {
    await companion?.close();
    await upstream?.close();
  });

  it('should complete exchange, refresh and revoke against CardioMood and log none of their secrets', async () => {
    const exchanged = await post(COMPANION_ROUTES.exchange, exchangeBody(), { Origin: CHROME_ORIGIN });
    expect(exchanged.status).toBe(200);
    expect(exchanged.headers.get('Access-Control-Allow-Origin')).toBe(CHROME_ORIGIN);
    expect(exchanged.headers.get('Cache-Control')).toBe('no-store');
    expect(exchanged.headers.get('Pragma')).toBe('no-cache');
    expect(await exchanged.json()).toEqual({
      token_type: 'Bearer',
      expires_in: 3600,
      access_token: SECRETS.accessToken,
      refresh_token: SECRETS.refreshToken,
    });

    const refreshed = await post(COMPANION_ROUTES.refresh, { refresh_token: SECRETS.refreshToken }, { Origin: FIREFOX_ORIGIN });
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('Access-Control-Allow-Origin')).toBe(FIREFOX_ORIGIN);
    expect((await refreshed.json()).access_token).toBe(SECRETS.accessToken);

    const revoked = await post(COMPANION_ROUTES.revoke, { token: SECRETS.refreshToken, token_type_hint: 'refresh_token' });
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toEqual({});

    expect(upstream.requests.map((request) => [request.path, request.form.grant_type ?? 'revoke'])).toEqual([
      ['/oauth/token', 'authorization_code'],
      ['/oauth/token', 'refresh_token'],
      ['/oauth/revoke', 'revoke'],
    ]);
    expect(upstream.requests.every((request) => /^application\/x-www-form-urlencoded(;|$)/.test(request.contentType ?? ''))).toBe(true);
    expect(upstream.requests[0]?.form).toMatchObject({ code_verifier: SECRETS.codeVerifier, client_secret: SECRETS.clientSecret });

    const routeLines = (output: string[]) => output.filter((line) => line.includes('"route"'));
    await waitForOutput(companion, (output) => routeLines(output).length >= 3);
    const logLines = routeLines(companion.output);
    expect(logLines.length).toBeGreaterThanOrEqual(3);
    for (const line of logLines) expect(JSON.parse(line)).toMatchObject({ method: expect.any(String), status: expect.any(Number) });
    const everything = companion.output.join('\n');
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(everything.includes(value), `${name} appears in the ${runtime.name} output`).toBe(false);
    }
  });

  it('should answer {"status":"ok"} on /healthz', async () => {
    const res = await fetch(new URL(COMPANION_ROUTES.health, companion.url));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('should forward invalid_grant with status 400 and its own description when CardioMood rejects the code', async () => {
    const res = await post(COMPANION_ROUTES.exchange, { ...exchangeBody(), code: 'wrong-code' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: FORWARDED_OAUTH_ERRORS.invalid_grant });
  });

  it('should forward only status and code when CardioMood adds members to the error', async () => {
    upstream.behave('invalid-grant');
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: SECRETS.refreshToken });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: FORWARDED_OAUTH_ERRORS.invalid_grant });
  });

  it('should keep the values CardioMood echoes out of the answer and out of the log, which gets its text scrubbed', async () => {
    upstream.behave('echo-request');
    const lines = (output: string[]) => output.filter((line) => line.includes('upstream_error_description'));
    await waitForOutput(companion, () => false, 100);
    const before = lines(companion.output).length;
    const exchanged = await post(COMPANION_ROUTES.exchange, exchangeBody());
    const refreshed = await post(COMPANION_ROUTES.refresh, { refresh_token: SECRETS.refreshToken });
    for (const res of [exchanged, refreshed]) {
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: FORWARDED_OAUTH_ERRORS.invalid_grant });
    }
    await waitForOutput(companion, (output) => lines(output).length >= before + 2);
    expect(lines(companion.output).slice(before).map((line) => JSON.parse(line).upstream_error_description)).toEqual([
      'Refused [redacted] (verifier [redacted], secret [redacted])',
      'Refused [redacted] (verifier -, secret [redacted])',
    ]);
    const everything = companion.output.join('\n');
    for (const value of [SECRETS.code, SECRETS.codeVerifier, SECRETS.refreshToken, SECRETS.clientSecret]) expect(everything).not.toContain(value);
  });

  it('should give up on an endless CardioMood body at the size cap with 502, long before the timeout', async () => {
    upstream.behave('endless-body');
    const started = performance.now();
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: SECRETS.refreshToken });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: 'upstream_error', error_description: `CardioMood sent more than ${MAX_UPSTREAM_BODY_BYTES} bytes` });
    // The timeout is 400 ms: reading on until it fired would have answered 504.
    expect(performance.now() - started).toBeLessThan(350);
    await upstream.until(() => upstream.endless.closed);
    expect(upstream.endless.bytesSent).toBeLessThan(8 * 1024 * 1024);
  });

  it('should refuse an unregistered redirect_uri with 400 invalid_request before calling CardioMood', async () => {
    const res = await post(COMPANION_ROUTES.exchange, { ...exchangeBody(), redirect_uri: 'https://attacker.example/cb' });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('invalid_request');
    expect(upstream.requests).toHaveLength(0);
  });

  it('should answer 504 refresh_outcome_unknown within the configured timeout when CardioMood hangs on a refresh', async () => {
    upstream.behave('hang');
    const started = Date.now();
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: SECRETS.refreshToken });
    expect(res.status).toBe(504);
    expect((await res.json()).error).toBe('refresh_outcome_unknown');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(upstream.requests).toHaveLength(1);
  });

  it('should answer 504 upstream_timeout when CardioMood hangs on a code exchange', async () => {
    upstream.behave('hang');
    const res = await post(COMPANION_ROUTES.exchange, exchangeBody());
    expect(res.status).toBe(504);
    expect((await res.json()).error).toBe('upstream_timeout');
  });

  it('should answer 504 refresh_outcome_unknown when CardioMood stalls in the middle of its refresh answer', async () => {
    upstream.behave('hang-body');
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: SECRETS.refreshToken });
    expect(res.status).toBe(504);
    expect((await res.json()).error).toBe('refresh_outcome_unknown');
  });

  it.each(['drop', 'drop-mid-body'] as const)(
    'should answer 502 refresh_outcome_unknown when CardioMood cuts the connection after a refresh was sent (%s)',
    async (behaviour) => {
      upstream.behave(behaviour);
      const res = await post(COMPANION_ROUTES.refresh, { refresh_token: SECRETS.refreshToken });
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual({ error: 'refresh_outcome_unknown', error_description: expect.stringContaining('may have been used') });
      expect(upstream.requests).toHaveLength(1);
    },
  );

  it('should answer 502 upstream_unreachable, not refresh_outcome_unknown, when CardioMood cuts a code exchange', async () => {
    upstream.behave('drop');
    const res = await post(COMPANION_ROUTES.exchange, exchangeBody());
    expect(res.status).toBe(502);
    expect((await res.json()).error).toBe('upstream_unreachable');
  });

  it.each([
    ['500 with HTML', 'html-500'],
    ['malformed JSON', 'malformed-json'],
    ['a schema-invalid token response', 'schema-invalid'],
    ['a redirect', 'redirect'],
  ] as const)('should answer 502 upstream_error without the secret when CardioMood sends %s', async (_name, behaviour) => {
    upstream.behave(behaviour);
    const res = await post(COMPANION_ROUTES.exchange, exchangeBody());
    const text = await res.text();
    expect(res.status).toBe(502);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(JSON.parse(text)).toEqual({ error: 'upstream_error', error_description: expect.any(String) });
    expect(text).not.toContain(SECRETS.clientSecret);
    expect(upstream.requests).toHaveLength(1);
  });

  it('should answer 502 upstream_unreachable when nothing listens at the token URL', async () => {
    const unreachable = await runtime.start(companionEnv(upstream, { CARDIOMOOD_TOKEN_URL: 'http://127.0.0.1:9/oauth/token' }));
    extra.push(unreachable);
    const res = await post(COMPANION_ROUTES.exchange, exchangeBody(), {}, unreachable.url);
    expect(res.status).toBe(502);
    expect((await res.json()).error).toBe('upstream_unreachable');
  });

  it('should pass CardioMood 429 through with its Retry-After', async () => {
    upstream.behave('rate-limited');
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: SECRETS.refreshToken });
    expect(res.status).toBe(429);
    expect(res.headers.get('Retry-After')).toBe('42');
    expect((await res.json()).error).toBe('rate_limited');
  });

  it('should scrub the client secret when CardioMood echoes it in an OAuth error', async () => {
    upstream.behave('invalid-client-echo');
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: SECRETS.refreshToken });
    const text = await res.text();
    expect(res.status).toBe(401);
    expect(JSON.parse(text).error).toBe('invalid_client');
    expect(text).not.toContain(SECRETS.clientSecret);
  });

  it('should return only the validated token fields when CardioMood sends extra members', async () => {
    upstream.behave('extra-fields');
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: SECRETS.refreshToken });
    expect(await res.json()).toEqual({ token_type: 'Bearer', access_token: SECRETS.accessToken, expires_in: 3600 });
  });

  it('should answer the preflight for an allowed origin and refuse a foreign one with 403', async () => {
    const preflight = (origin: string) =>
      fetch(new URL(COMPANION_ROUTES.exchange, companion.url), {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': `content-type,${COMPANION_CSRF_HEADER}` },
      });
    const allowed = await preflight(FIREFOX_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe(FIREFOX_ORIGIN);
    expect(allowed.headers.get('Access-Control-Allow-Headers')).toContain(COMPANION_CSRF_HEADER);
    const refused = await preflight('https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('Access-Control-Allow-Origin')).toBeNull();
    expect(refused.headers.get('Vary')).toMatch(/Origin/);
    expect((await refused.json()).error).toBe('origin_not_allowed');
  });

  it('should refuse a token call without the CSRF header with 403 before calling CardioMood', async () => {
    const res = await fetch(new URL(COMPANION_ROUTES.refresh, companion.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: CHROME_ORIGIN },
      body: JSON.stringify({ refresh_token: SECRETS.refreshToken }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error).toBe('csrf_header_missing');
    expect(upstream.requests).toHaveLength(0);
  });

  it('should refuse a text/plain body with 415 (the kind a form could send without preflight)', async () => {
    const res = await post(COMPANION_ROUTES.refresh, { refresh_token: 'x' }, { 'Content-Type': 'text/plain' });
    expect(res.status).toBe(415);
    expect((await res.json()).error).toBe('unsupported_media_type');
  });

  it('should refuse an oversized streamed body with 413', async () => {
    const res = await fetch(new URL(COMPANION_ROUTES.refresh, companion.url), {
      method: 'POST',
      headers: jsonHeaders,
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 16; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toBe('payload_too_large');
  });

  it('should answer 404 and 405 in the JSON error shape', async () => {
    const missing = await fetch(new URL('/v2/anything', companion.url));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not_found', error_description: 'No such route' });
    const wrongMethod = await fetch(new URL(COMPANION_ROUTES.refresh, companion.url), { method: 'PUT', headers: jsonHeaders, body: '{}' });
    expect(wrongMethod.status).toBe(405);
    expect((await wrongMethod.json()).error).toBe('method_not_allowed');
  });

  it('should rate-limit per client with RateLimit headers and Retry-After', async () => {
    // A generous upstream timeout: a slow first call on a busy machine is not what this test is about.
    const limited = await runtime.start(companionEnv(upstream, { COMPANION_RATE_LIMIT_PER_MINUTE: '2', COMPANION_UPSTREAM_TIMEOUT_MS: '5000' }));
    extra.push(limited);
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) {
      last = await post(COMPANION_ROUTES.refresh, { refresh_token: SECRETS.refreshToken }, {}, limited.url);
      statuses.push(last.status);
      if (i === 0) {
        expect(last.headers.get('RateLimit-Limit')).toBe('2');
        expect(last.headers.get('RateLimit-Remaining')).toBe('1');
      }
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(Number(last?.headers.get('Retry-After'))).toBeGreaterThan(0);
    expect(last?.headers.get('RateLimit-Remaining')).toBe('0');
    expect(await last?.json()).toMatchObject({ error: 'rate_limited' });
    expect(upstream.requests).toHaveLength(2);
  });

  it('should answer 404 not_configured for revoke when no revoke URL is set', async () => {
    const noRevoke = await runtime.start(companionEnv(upstream, { CARDIOMOOD_REVOKE_URL: undefined }));
    extra.push(noRevoke);
    const res = await post(COMPANION_ROUTES.revoke, { token: SECRETS.refreshToken }, {}, noRevoke.url);
    expect(res.status).toBe(404);
    expect((await res.json()).error).toBe('not_configured');
    expect(upstream.requests).toHaveLength(0);
  });

  describe('refresh replay window', () => {
    const NONCE = 'nonce-aaaaaaaaaaaaaaaaaaaaaaaa';
    const OTHER_NONCE = 'nonce-bbbbbbbbbbbbbbbbbbbbbbbb';
    // Each test starts from its own refresh token: the companion's window outlives one test.
    let refreshToken = '';
    // Its own companion with a generous upstream timeout: the slow CardioMood (300 ms) must not
    // turn into 504s on a busy machine, which the shared 400 ms companion would.
    let replaying: RunningRuntime;
    beforeAll(async () => {
      replaying = await runtime.start(companionEnv(upstream, { COMPANION_UPSTREAM_TIMEOUT_MS: '5000' }));
    });
    afterAll(async () => {
      await replaying?.close();
    });
    beforeEach(() => {
      refreshToken = `refresh-token-${randomUUID()}`;
      upstream.accept(refreshToken);
    });
    const refresh = (body: Record<string, string>, init: RequestInit = {}, base = replaying.url) =>
      fetch(new URL(COMPANION_ROUTES.refresh, base), { method: 'POST', headers: jsonHeaders, body: JSON.stringify(body), ...init });
    const tokensOf = async (res: Response) => {
      expect(res.status).toBe(200);
      const body = (await res.json()) as { access_token: string; refresh_token: string };
      return { access_token: body.access_token, refresh_token: body.refresh_token };
    };
    const replayLines = (output: string[]) =>
      output.filter((line) => line.includes('"replay"')).map((line) => JSON.parse(line) as { replay: string; upstream_status?: number });

    it('should answer a retry whose first answer was lost with the same tokens and exactly one call to CardioMood', async () => {
      const hits = () => replayLines(replaying.output).filter((line) => line.replay === 'hit').length;
      const hitsBefore = hits();
      upstream.behave('rotating-slow');
      const lost = new AbortController();
      const first = refresh({ refresh_token: refreshToken, replay_nonce: NONCE }, { signal: lost.signal });
      await upstream.received(1);
      // The extension's connection dies while CardioMood carries out (and rotates) the refresh.
      lost.abort();
      await expect(first).rejects.toThrow();
      await upstream.until(() => upstream.issued.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 400));

      const retried = await tokensOf(await refresh({ refresh_token: refreshToken, replay_nonce: NONCE }));
      expect(retried).toEqual(upstream.issued[0]);
      const again = await tokensOf(await refresh({ refresh_token: refreshToken, replay_nonce: NONCE }));
      expect(again).toEqual(upstream.issued[0]);
      expect(upstream.requests).toHaveLength(1);
      await waitForOutput(replaying, () => hits() >= hitsBefore + 2);
      expect(hits()).toBeGreaterThanOrEqual(hitsBefore + 2);
    });

    it('should make one call to CardioMood for identical refreshes arriving together', async () => {
      const joined = () => replayLines(replaying.output).filter((line) => line.replay === 'joined').length;
      const joinedBefore = joined();
      upstream.behave('rotating-slow');
      const answers = await Promise.all(
        [1, 2, 3].map(() => refresh({ refresh_token: refreshToken, replay_nonce: NONCE }).then(tokensOf)),
      );
      expect(upstream.requests).toHaveLength(1);
      expect(answers).toEqual([upstream.issued[0], upstream.issued[0], upstream.issued[0]]);
      await waitForOutput(replaying, () => joined() >= joinedBefore + 2);
      expect(joined()).toBe(joinedBefore + 2);
    });

    it('should store nothing when CardioMood fails, so the retry goes to CardioMood', async () => {
      upstream.behave('html-500');
      expect((await refresh({ refresh_token: refreshToken, replay_nonce: NONCE })).status).toBe(502);
      upstream.behave('rotating');
      const retried = await tokensOf(await refresh({ refresh_token: refreshToken, replay_nonce: NONCE }));
      expect(retried).toEqual(upstream.issued[0]);
      expect(upstream.requests).toHaveLength(2);
    });

    it('should answer 502 refresh_outcome_unknown through the replay window when CardioMood cuts the connection, and store nothing', async () => {
      upstream.behave('drop');
      const cut = await refresh({ refresh_token: refreshToken, replay_nonce: NONCE });
      expect(cut.status).toBe(502);
      expect((await cut.json()).error).toBe('refresh_outcome_unknown');
      // Nothing came back, so nothing is kept: the same nonce goes to CardioMood again.
      upstream.behave('rotating');
      expect(await tokensOf(await refresh({ refresh_token: refreshToken, replay_nonce: NONCE }))).toEqual(upstream.issued[0]);
      expect(upstream.requests).toHaveLength(2);
    });

    it.each([
      ['another nonce', { replay_nonce: OTHER_NONCE }],
      ['no nonce', {}],
    ])('should not replay to a request with %s: it goes to CardioMood, which refuses the used token', async (_name, retry) => {
      upstream.behave('rotating');
      await tokensOf(await refresh({ refresh_token: refreshToken, replay_nonce: NONCE }));
      const replayed = await refresh({ refresh_token: refreshToken, ...retry });
      expect(replayed.status).toBe(400);
      expect((await replayed.json()).error).toBe('invalid_grant');
      expect(upstream.requests).toHaveLength(2);
      // The legitimate retry still gets its answer.
      expect(await tokensOf(await refresh({ refresh_token: refreshToken, replay_nonce: NONCE }))).toEqual(upstream.issued[0]);
      expect(upstream.requests).toHaveLength(2);
    });

    it('should keep neither the refresh token, the nonce nor the returned tokens in clear in the store', async () => {
      upstream.behave('rotating');
      await tokensOf(await refresh({ refresh_token: refreshToken, replay_nonce: NONCE }));
      const stored = await replaying.storeContents();
      // The store was really read: it holds the entry's address.
      expect(stored).toContain(await replayId(refreshToken));
      for (const value of [refreshToken, NONCE, upstream.issued[0]?.access_token, upstream.issued[0]?.refresh_token]) {
        expect(value && stored.includes(value), `${value} is in the store`).toBe(false);
      }
      await waitForOutput(replaying, (output) => replayLines(output).length > 0);
      const everything = replaying.output.join('\n');
      for (const value of [refreshToken, NONCE, upstream.issued[0]?.access_token, upstream.issued[0]?.refresh_token]) {
        expect(value && everything.includes(value), `${value} is in the ${runtime.name} output`).toBe(false);
      }
    });

    it('should go to CardioMood again once the window has passed', async () => {
      const short = await runtime.start(companionEnv(upstream, { COMPANION_REFRESH_REPLAY_SECONDS: '1' }));
      extra.push(short);
      upstream.behave('rotating');
      await tokensOf(await refresh({ refresh_token: refreshToken, replay_nonce: NONCE }, {}, short.url));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const late = await refresh({ refresh_token: refreshToken, replay_nonce: NONCE }, {}, short.url);
      expect(late.status).toBe(400);
      expect(upstream.requests).toHaveLength(2);
    });

    it('should never replay when the window is 0', async () => {
      const off = await runtime.start(companionEnv(upstream, { COMPANION_REFRESH_REPLAY_SECONDS: '0' }), {
        withoutBindings: ['REFRESH_REPLAY'],
      });
      extra.push(off);
      upstream.behave('rotating');
      await tokensOf(await refresh({ refresh_token: refreshToken, replay_nonce: NONCE }, {}, off.url));
      const retried = await refresh({ refresh_token: refreshToken, replay_nonce: NONCE }, {}, off.url);
      expect(retried.status).toBe(400);
      expect(upstream.requests).toHaveLength(2);
      expect(await off.storeContents()).not.toContain(await replayId(refreshToken));
    });
  });
});

describe('worker.ts', () => {
  it('should answer 500 server_misconfigured and log the variable, not the secret, when a binding is missing', async () => {
    const upstream = await startFakeUpstream();
    const companion = await workerdRuntime.start(companionEnv(upstream, { CARDIOMOOD_CLIENT_ID: undefined }));
    try {
      const res = await fetch(new URL(COMPANION_ROUTES.health, companion.url));
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: 'server_misconfigured', error_description: expect.any(String) });
      await waitForOutput(companion, (lines) => lines.some((line) => line.includes('CARDIOMOOD_CLIENT_ID')));
      const output = companion.output.join('\n');
      expect(output).toContain('CARDIOMOOD_CLIENT_ID: must be set');
      expect(output).not.toContain(SECRETS.clientSecret);
    } finally {
      await companion.close();
      await upstream.close();
    }
  });

  it.each([
    [['RATE_LIMITER'], {}, 'RATE_LIMITER: must be a Durable Object binding'],
    [['REFRESH_REPLAY'], {}, 'REFRESH_REPLAY: must be a Durable Object binding'],
  ])('should answer 500 server_misconfigured and name the binding when %j is missing', async (withoutBindings, overrides, problem) => {
    const upstream = await startFakeUpstream();
    const companion = await workerdRuntime.start(companionEnv(upstream, overrides), { withoutBindings });
    try {
      const res = await fetch(new URL(COMPANION_ROUTES.health, companion.url));
      expect(res.status).toBe(500);
      expect((await res.json()).error).toBe('server_misconfigured');
      await waitForOutput(companion, (lines) => lines.some((line) => line.includes(problem)));
      expect(companion.output.join('\n')).toContain(problem);
    } finally {
      await companion.close();
      await upstream.close();
    }
  });

  it('should count one IPv6 /64 in one Durable Object bucket and keep client addresses out of logs and storage', async () => {
    const upstream = await startFakeUpstream();
    const companion = await workerdRuntime.start(companionEnv(upstream, { COMPANION_RATE_LIMIT_PER_MINUTE: '1', COMPANION_UPSTREAM_TIMEOUT_MS: '5000' }));
    const from = (address: string) =>
      fetch(new URL(COMPANION_ROUTES.refresh, companion.url), {
        method: 'POST',
        // Miniflare passes a client's cf-connecting-ip through, as Cloudflare's edge would set it.
        headers: { ...jsonHeaders, 'cf-connecting-ip': address, 'X-Forwarded-For': address },
        body: JSON.stringify({ refresh_token: SECRETS.refreshToken }),
      }).then((res) => res.status);
    try {
      expect(await from('2001:db8:77:1::1')).toBe(200);
      expect(await from('2001:db8:77:1:ffff::2')).toBe(429);
      expect(await from('2001:db8:77:2::1')).toBe(200);
      await waitForOutput(companion, (lines) => lines.filter((line) => line.includes('"route"')).length >= 3);
      const everything = `${companion.output.join('\n')}\n${await companion.storeContents()}`;
      expect(everything).not.toMatch(/2001:db8:77/i);
    } finally {
      await companion.close();
      await upstream.close();
    }
  });
});
