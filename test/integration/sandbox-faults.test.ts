/**
 * Injected faults (delay, status, drop, grant-then-drop, malformed) on the sandbox's token, revoke and summaries
 * routes, and the optional /__sandbox control routes, over real HTTP.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox } from '../../src/sandbox/create-sandbox';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/node';
import { getSummaries, postToken } from '../../src/sandbox/testing/oauth-driver';
import { CHROME_REDIRECT_URI, DEV_CLIENT_ID } from '../../src/shared/extension-identity';
import { DEV_CLIENT_SECRET } from '../../src/sandbox/dev-client-secret';

const ALICE = 'alice@example.com';
const DEV = { client_id: DEV_CLIENT_ID, client_secret: DEV_CLIENT_SECRET };
const RANGE = { date_from: '2026-01-01', date_to: '2026-01-02' };

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, timeZone: 'UTC' });
});
afterEach(() => {
  sandbox.control.clearFaults();
  sandbox.control.resetStats();
});
afterAll(async () => {
  await sandbox?.close();
});

const accessToken = async () => (await sandbox.control.issueTokens(ALICE)).access_token;
const refreshGrant = async () => postToken(sandbox.url, { grant_type: 'refresh_token', refresh_token: (await sandbox.control.issueTokens(ALICE)).refresh_token, ...DEV });

describe('SandboxControl.injectFault', () => {
  it('should delay the next request by the given ms and then answer normally', async () => {
    const token = await accessToken();
    sandbox.control.injectFault({ route: 'user-summaries', kind: 'delay', ms: 300 });
    const started = performance.now();
    const response = await getSummaries(sandbox.url, token, RANGE);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(response.status).toBe(200);
    const fast = performance.now();
    await (await getSummaries(sandbox.url, token, RANGE)).arrayBuffer();
    expect(performance.now() - fast).toBeLessThan(250);
  });

  it('should answer the injected status with a default error body, then recover', async () => {
    sandbox.control.injectFault({ route: 'token', kind: 'status', status: 503 });
    const failed = await refreshGrant();
    expect(failed.status).toBe(503);
    expect(failed.body).toEqual({ error: 'server_error', error_description: 'Injected fault: HTTP 503' });
    expect((await refreshGrant()).status).toBe(200);
  });

  it('should send the injected body and Retry-After', async () => {
    sandbox.control.injectFault({ route: 'user-summaries', kind: 'status', status: 429, body: { message: 'Too Many Attempts.' }, retryAfter: 7 });
    const response = await getSummaries(sandbox.url, await accessToken(), RANGE);
    expect(response.status).toBe(429);
    expect(response.headers.get('Retry-After')).toBe('7');
    expect(await response.json()).toEqual({ message: 'Too Many Attempts.' });
  });

  it('should send a string body as-is', async () => {
    sandbox.control.injectFault({ route: 'user-summaries', kind: 'status', status: 502, body: '<html>Bad Gateway</html>' });
    const response = await getSummaries(sandbox.url, await accessToken(), RANGE);
    expect(response.status).toBe(502);
    expect(await response.text()).toBe('<html>Bad Gateway</html>');
  });

  it('should apply a fault to the next `times` requests only', async () => {
    const token = await accessToken();
    sandbox.control.injectFault({ route: 'user-summaries', kind: 'status', status: 500 }, 2);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await getSummaries(sandbox.url, token, RANGE);
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses).toEqual([500, 500, 200]);
    expect(sandbox.control.stats().faultsApplied).toBe(2);
    expect(sandbox.control.stats().userSummariesRequests).toBe(1);
  });

  it('should drop the connection without a response, then serve the next request', async () => {
    sandbox.control.injectFault({ route: 'token', kind: 'drop' });
    await expect(refreshGrant()).rejects.toThrow(/fetch failed/);
    expect((await refreshGrant()).status).toBe(200);
  });

  it('should carry out the refresh, rotate the token and then drop the connection on grant-then-drop', async () => {
    const { refresh_token: refreshToken } = await sandbox.control.issueTokens(ALICE);
    sandbox.control.injectFault({ route: 'token', kind: 'grant-then-drop' });
    await expect(postToken(sandbox.url, { grant_type: 'refresh_token', refresh_token: refreshToken, ...DEV })).rejects.toThrow(/fetch failed/);
    expect(sandbox.control.stats()).toMatchObject({ refreshes: 1, faultsApplied: 1 });
    // The grant happened: the token the client still holds has been used, and is refused as reused.
    const retried = await postToken(sandbox.url, { grant_type: 'refresh_token', refresh_token: refreshToken, ...DEV });
    expect(retried.status).toBe(400);
    expect(retried.body).toMatchObject({ error: 'invalid_grant' });
    expect(sandbox.control.stats()).toMatchObject({ refreshes: 1, refreshReuseDetections: 1 });
  });

  it('should grant and then break the response body in-process (no socket) on grant-then-drop', async () => {
    const { app, control } = createSandbox({ timeZone: 'UTC' });
    const { refresh_token: refreshToken } = await control.issueTokens(ALICE);
    control.injectFault({ route: 'token', kind: 'grant-then-drop' });
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, ...DEV });
    const request = () => app.request('/oauth/token', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form });
    await expect((await request()).text()).rejects.toThrow(/dropped/);
    expect(control.stats().refreshes).toBe(1);
    expect((await request()).status).toBe(400);
    expect(control.stats().refreshReuseDetections).toBe(1);
  });

  it('should answer 200 with a body that is not JSON when malformed', async () => {
    sandbox.control.injectFault({ route: 'user-summaries', kind: 'malformed' });
    const response = await getSummaries(sandbox.url, await accessToken(), RANGE);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toMatch(/json/);
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('should fault only its own route', async () => {
    sandbox.control.injectFault({ route: 'revoke', kind: 'status', status: 500 });
    expect((await refreshGrant()).status).toBe(200);
    const response = await getSummaries(sandbox.url, await accessToken(), RANGE);
    expect(response.status).toBe(200);
    const revoke = await postToken(sandbox.url, { token: 'x', ...DEV }, { path: '/oauth/revoke' });
    expect(revoke.status).toBe(500);
  });

  it('should answer the authorization request with the fault (an error page instead of a redirect) on authorize', async () => {
    sandbox.control.injectFault({ route: 'authorize', kind: 'status', status: 503, body: '<html>down</html>' });
    const url = new URL('/oauth/authorize', sandbox.url);
    url.search = new URLSearchParams({ response_type: 'code', client_id: DEV.client_id, redirect_uri: CHROME_REDIRECT_URI, prompt: 'none' }).toString();
    const faulted = await fetch(url, { redirect: 'manual' });
    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('Location')).toBeNull();
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(302);
  });

  it('should forget pending faults on clearFaults', async () => {
    sandbox.control.injectFault({ route: 'user-summaries', kind: 'status', status: 500 }, 5);
    sandbox.control.clearFaults();
    expect((await getSummaries(sandbox.url, await accessToken(), RANGE)).status).toBe(200);
  });

  it.each([
    ['an unknown route', { route: 'consent', kind: 'drop' }, 1],
    ['an unknown kind', { route: 'token', kind: 'explode' }, 1],
    ['a negative delay', { route: 'token', kind: 'delay', ms: -1 }, 1],
    ['a status below 200', { route: 'token', kind: 'status', status: 99 }, 1],
    ['times of 0', { route: 'token', kind: 'drop' }, 0],
  ])('should throw for %s', (_case, fault, times) => {
    expect(() => sandbox.control.injectFault(fault as never, times)).toThrow();
  });

  it('should break the response body when dropping in-process (no socket)', async () => {
    const { app, control } = createSandbox({ timeZone: 'UTC' });
    control.injectFault({ route: 'user-summaries', kind: 'drop' });
    const response = await app.request('/user-summaries');
    await expect(response.text()).rejects.toThrow(/dropped/);
  });
});

describe('/__sandbox control routes', () => {
  it('should be absent unless enableControlRoutes is set', async () => {
    const response = await fetch(`${sandbox.url}/__sandbox/tokens`, { method: 'POST', body: JSON.stringify({ email: ALICE }) });
    expect(response.status).toBe(404);
  });

  it('should expose stats, tokens, faults, clock and members when enabled', async () => {
    const demo = await startSandbox({ port: 0, timeZone: 'UTC', enableControlRoutes: true });
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${demo.url}/__sandbox${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const tokens = (await (await post('/tokens', { email: ALICE })).json()) as { access_token: string };
      expect((await getSummaries(demo.url, tokens.access_token, RANGE)).status).toBe(200);
      expect((await post('/tokens', { email: 'nobody@example.com' })).status).toBe(404);
      expect((await post('/faults', { fault: { route: 'user-summaries', kind: 'status', status: 503 } })).status).toBe(204);
      expect((await getSummaries(demo.url, tokens.access_token, RANGE)).status).toBe(503);
      expect((await post('/faults', { fault: { route: 'nowhere', kind: 'drop' } })).status).toBe(400);
      // grant-then-drop over the control routes: the refresh happens, its answer never arrives.
      expect((await post('/faults', { fault: { route: 'token', kind: 'grant-then-drop' } })).status).toBe(204);
      const grant = { grant_type: 'refresh_token', refresh_token: (await (await post('/tokens', { email: ALICE })).json()).refresh_token, ...DEV };
      await expect(postToken(demo.url, grant)).rejects.toThrow(/fetch failed/);
      expect((await postToken(demo.url, grant)).status).toBe(400);
      expect((await post('/access-tokens/expire', {})).status).toBe(204);
      expect((await getSummaries(demo.url, tokens.access_token, RANGE)).status).toBe(401);
      const stats = (await (await fetch(`${demo.url}/__sandbox/stats`)).json()) as { userSummariesRequests: number; faultsApplied: number };
      expect(stats).toMatchObject({ userSummariesRequests: 2, faultsApplied: 2 });
      expect(await (await post('/now', { ms: Date.UTC(2026, 0, 1, 12) })).json()).toEqual({ now: Date.UTC(2026, 0, 1, 12) });
      const members = (await (await fetch(`${demo.url}/__sandbox/members`)).json()) as { email: string; localToday: string }[];
      expect(members.find((member) => member.email === ALICE)?.localToday).toBe('2026-01-01');
      expect((await post('/access-token-ttl', { seconds: 0 })).status).toBe(400);
    } finally {
      await demo.close();
    }
  });
});
