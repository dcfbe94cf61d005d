/**
 * The sandbox's token and revocation endpoints over real HTTP: code exchange (client, redirect URI
 * and PKCE binding, single use), refresh rotation with reuse detection, RFC 7009 revocation, and
 * what each of them does to the tokens /user-summaries accepts.
 */
import { decode } from 'hono/jwt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/node';
import { s256 } from '../../src/sandbox/random';
import { authorizeWithForms, getSummaries, postToken } from '../../src/sandbox/testing/oauth-driver';
import { CHROME_REDIRECT_URI, DEV_CLIENT_ID, FIREFOX_REDIRECT_URI } from '../../src/shared/extension-identity';
import { DEV_CLIENT_SECRET } from '../../src/sandbox/dev-client-secret';

const ALICE = { email: 'alice@example.com', password: 'alice-demo' };
const ALICE_ID = '64b7f0c2a1d3e4f5a6b7c8d1';
const OTHER = { clientId: 'other-app', clientSecret: 'other-secret', redirectUris: [CHROME_REDIRECT_URI] };
const DEV = { client_id: DEV_CLIENT_ID, client_secret: DEV_CLIENT_SECRET };
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    timeZone: 'UTC',
    clients: [{ clientId: DEV_CLIENT_ID, clientSecret: DEV_CLIENT_SECRET, redirectUris: [CHROME_REDIRECT_URI, FIREFOX_REDIRECT_URI] }, OTHER],
  });
});
afterEach(() => {
  sandbox.control.setNow(null);
  sandbox.control.setAccessTokenTtl(3600);
  sandbox.control.resetStats();
});
afterAll(async () => {
  await sandbox?.close();
});

async function newCode(options: { clientId?: string; redirectUri?: string; challenge?: string } = {}): Promise<string> {
  const location = await authorizeWithForms(sandbox.url, {
    clientId: options.clientId ?? DEV_CLIENT_ID,
    redirectUri: options.redirectUri ?? CHROME_REDIRECT_URI,
    ...(options.challenge ? { codeChallenge: options.challenge, codeChallengeMethod: 'S256' } : {}),
    ...ALICE,
  });
  const code = location.searchParams.get('code');
  if (!code) throw new Error('no code');
  return code;
}

const exchange = (code: string, extra: Record<string, string> = {}) =>
  postToken(sandbox.url, { grant_type: 'authorization_code', code, redirect_uri: CHROME_REDIRECT_URI, ...DEV, ...extra });
const refresh = (refreshToken: string, client: Record<string, string> = DEV) =>
  postToken(sandbox.url, { grant_type: 'refresh_token', refresh_token: refreshToken, ...client });
const revoke = (params: Record<string, string>) => postToken(sandbox.url, params, { path: '/oauth/revoke' });

async function summariesStatus(accessToken: string): Promise<number> {
  const response = await getSummaries(sandbox.url, accessToken, { date_from: '2026-01-01', date_to: '2026-01-02' });
  await response.arrayBuffer();
  return response.status;
}

async function tokens(): Promise<{ access_token: string; refresh_token: string }> {
  const { status, body } = await exchange(await newCode());
  expect(status).toBe(200);
  return body as { access_token: string; refresh_token: string };
}

describe('POST /oauth/token (authorization_code)', () => {
  it('should answer a Bearer token response with a tymon-style HS256 JWT and no-store headers', async () => {
    const { status, body, headers } = await exchange(await newCode());
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    expect(headers.get('Cache-Control')).toBe('no-store');
    expect(headers.get('Pragma')).toBe('no-cache');
    const { header, payload } = decode(String(body.access_token));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload.iss).toBe(`${sandbox.url}/oauth/token`);
    expect(payload.sub).toBe(ALICE_ID);
    expect(payload.sub).toMatch(/^[0-9a-f]{24}$/);
    expect(Number(payload.exp) - Number(payload.iat)).toBe(3600);
    expect(payload.nbf).toBe(payload.iat);
    expect(typeof payload.jti).toBe('string');
    expect(payload.prv).toMatch(/^[0-9a-f]{40}$/);
    expect(String(body.refresh_token)).not.toContain('.');
    expect(await summariesStatus(String(body.access_token))).toBe(200);
  });

  it('should accept a JSON body', async () => {
    const code = await newCode();
    const { status } = await postToken(sandbox.url, { grant_type: 'authorization_code', code, redirect_uri: CHROME_REDIRECT_URI, ...DEV }, { json: true });
    expect(status).toBe(200);
  });

  it('should accept HTTP Basic client authentication', async () => {
    const code = await newCode();
    const { status } = await postToken(
      sandbox.url,
      { grant_type: 'authorization_code', code, redirect_uri: CHROME_REDIRECT_URI },
      { basic: { clientId: DEV_CLIENT_ID, clientSecret: DEV_CLIENT_SECRET } },
    );
    expect(status).toBe(200);
  });

  it.each([
    ['the secret is missing', { client_id: DEV_CLIENT_ID }],
    ['the secret is wrong', { client_id: DEV_CLIENT_ID, client_secret: 'wrong' }],
    ['the client is unknown', { client_id: 'nobody', client_secret: DEV_CLIENT_SECRET }],
    ['no client is sent', {}],
    ["the secret is another client's", { client_id: DEV_CLIENT_ID, client_secret: OTHER.clientSecret }],
  ])('should answer 401 invalid_client when %s', async (_case, client) => {
    const code = await newCode();
    const { status, body, headers } = await postToken(sandbox.url, { grant_type: 'authorization_code', code, redirect_uri: CHROME_REDIRECT_URI, ...client });
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
    expect(typeof body.error_description).toBe('string');
    expect(headers.get('WWW-Authenticate')).toMatch(/^Basic/);
    expect(headers.get('Cache-Control')).toBe('no-store');
  });

  it('should answer 401 invalid_client for wrong Basic credentials', async () => {
    const { status, body } = await postToken(
      sandbox.url,
      { grant_type: 'authorization_code', code: await newCode(), redirect_uri: CHROME_REDIRECT_URI },
      { basic: { clientId: DEV_CLIENT_ID, clientSecret: 'wrong' } },
    );
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
  });

  it('should answer 400 invalid_request when Basic and client_secret are both sent', async () => {
    const { status, body } = await postToken(
      sandbox.url,
      { grant_type: 'authorization_code', code: await newCode(), redirect_uri: CHROME_REDIRECT_URI, client_secret: DEV_CLIENT_SECRET },
      { basic: { clientId: DEV_CLIENT_ID, clientSecret: DEV_CLIENT_SECRET } },
    );
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
  });

  it('should refuse a code issued to another client with invalid_grant', async () => {
    const code = await newCode({ clientId: OTHER.clientId });
    const { status, body } = await exchange(code);
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it.each([
    ['another registered redirect URI', FIREFOX_REDIRECT_URI],
    ['a trailing-slash variant', CHROME_REDIRECT_URI.slice(0, -1)],
    ['an unregistered URI', 'https://evil.example/'],
  ])('should answer invalid_grant when redirect_uri is %s', async (_case, redirectUri) => {
    const { status, body } = await exchange(await newCode(), { redirect_uri: redirectUri });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('should answer invalid_request when redirect_uri is missing', async () => {
    const code = await newCode();
    const { status, body } = await postToken(sandbox.url, { grant_type: 'authorization_code', code, ...DEV });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
  });

  it('should answer invalid_request when code is missing', async () => {
    const { status, body } = await postToken(sandbox.url, { grant_type: 'authorization_code', redirect_uri: CHROME_REDIRECT_URI, ...DEV });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
  });

  it('should answer invalid_grant for a code the sandbox never issued', async () => {
    const { status, body } = await exchange('made-up-code');
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('should answer invalid_grant when the code has expired (60 s)', async () => {
    const code = await newCode();
    sandbox.control.setNow(Date.now() + 61_000);
    const { status, body } = await exchange(code);
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('should still accept the code just before it expires', async () => {
    const code = await newCode();
    sandbox.control.setNow(Date.now() + 55_000);
    expect((await exchange(code)).status).toBe(200);
  });

  it('should revoke the tokens issued from a code that is used twice, and count it', async () => {
    const code = await newCode();
    const first = await exchange(code);
    expect(first.status).toBe(200);
    const second = await exchange(code);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
    expect(await summariesStatus(String(first.body.access_token))).toBe(401);
    const refreshed = await refresh(String(first.body.refresh_token));
    expect(refreshed.body.error).toBe('invalid_grant');
    expect(sandbox.control.stats().codeReuseDetections).toBe(1);
  });

  it('should count token requests by grant type', async () => {
    const { refresh_token } = await tokens();
    await refresh(refresh_token);
    await postToken(sandbox.url, { grant_type: 'password', ...DEV });
    const stats = sandbox.control.stats();
    expect(stats.tokenRequests).toEqual({ authorization_code: 1, refresh_token: 1, other: 1 });
    expect(stats.codeExchanges).toBe(1);
    expect(stats.refreshes).toBe(1);
  });
});

describe('POST /oauth/token (PKCE)', () => {
  it('should issue tokens when the S256 verifier matches', async () => {
    const code = await newCode({ challenge: await s256(VERIFIER) });
    expect((await exchange(code, { code_verifier: VERIFIER })).status).toBe(200);
  });

  it.each([
    ['the verifier is wrong', { code_verifier: `${VERIFIER.slice(0, -1)}Y` }],
    ['the verifier is missing', {}],
    ['the verifier is the challenge itself (plain)', { code_verifier: 'CHALLENGE' }],
    ['the verifier is too short', { code_verifier: 'abc' }],
  ])('should answer invalid_grant when %s', async (_case, extra) => {
    const challenge = await s256(VERIFIER);
    const code = await newCode({ challenge });
    const params = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v === 'CHALLENGE' ? challenge : v]));
    const { status, body } = await exchange(code, params);
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('should burn the code after a wrong verifier, so the right one no longer works', async () => {
    const code = await newCode({ challenge: await s256(VERIFIER) });
    expect((await exchange(code, { code_verifier: 'x'.repeat(43) })).body.error).toBe('invalid_grant');
    expect((await exchange(code, { code_verifier: VERIFIER })).body.error).toBe('invalid_grant');
  });

  it('should accept an exchange without a verifier when no challenge was sent', async () => {
    expect((await exchange(await newCode())).status).toBe(200);
  });
});

describe('POST /oauth/token (other requests)', () => {
  it.each([
    ['grant_type is unknown', { grant_type: 'password', ...DEV }, 400, 'unsupported_grant_type'],
    ['grant_type is client_credentials', { grant_type: 'client_credentials', ...DEV }, 400, 'unsupported_grant_type'],
    ['grant_type is missing', { ...DEV }, 400, 'invalid_request'],
    ['refresh_token is missing', { grant_type: 'refresh_token', ...DEV }, 400, 'invalid_request'],
  ])('should answer %s with %i %s', async (_case, params, status, error) => {
    const response = await postToken(sandbox.url, params as Record<string, string>);
    expect(response.status).toBe(status);
    expect(response.body.error).toBe(error);
  });

  it('should refuse a repeated form parameter', async () => {
    const response = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `grant_type=refresh_token&refresh_token=a&refresh_token=b&client_id=${DEV_CLIENT_ID}&client_secret=${DEV_CLIENT_SECRET}`,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it.each([
    ['text/plain', 'grant_type=refresh_token'],
    ['application/json', '{not json'],
    ['application/json', '["an", "array"]'],
    ['application/json', '{"grant_type": 5}'],
  ])('should answer invalid_request for a %s body %s', async (type, body) => {
    const response = await fetch(`${sandbox.url}/oauth/token`, { method: 'POST', headers: { 'Content-Type': type }, body });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('should refuse a body over 16 KB', async () => {
    const response = await fetch(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `grant_type=refresh_token&refresh_token=${'a'.repeat(20_000)}`,
    });
    expect(response.status).toBe(413);
  });
});

describe('POST /oauth/token (refresh_token)', () => {
  it('should rotate: a new refresh token, and the old refresh and access tokens stop working', async () => {
    const first = await tokens();
    const { status, body } = await refresh(first.refresh_token);
    expect(status).toBe(200);
    expect(body.refresh_token).not.toBe(first.refresh_token);
    expect(body.access_token).not.toBe(first.access_token);
    expect(body.expires_in).toBe(3600);
    expect(await summariesStatus(first.access_token)).toBe(401);
    expect(await summariesStatus(String(body.access_token))).toBe(200);
    expect(sandbox.control.stats().refreshes).toBe(1);
  });

  it('should revoke the whole family when a rotated refresh token comes back, and count the reuse', async () => {
    const first = await tokens();
    const second = (await refresh(first.refresh_token)).body as { access_token: string; refresh_token: string };
    const third = (await refresh(second.refresh_token)).body as { access_token: string; refresh_token: string };
    const reuse = await refresh(first.refresh_token);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    expect(await summariesStatus(third.access_token)).toBe(401);
    expect((await refresh(third.refresh_token)).body.error).toBe('invalid_grant');
    expect(sandbox.control.stats()).toMatchObject({ reuseDetections: 1, refreshReuseDetections: 1 });
  });

  it('should leave other sign-ins of the same member alone when one family is revoked', async () => {
    const victim = await tokens();
    const bystander = await tokens();
    await refresh(victim.refresh_token);
    await refresh(victim.refresh_token);
    expect(await summariesStatus(bystander.access_token)).toBe(200);
    expect((await refresh(bystander.refresh_token)).status).toBe(200);
  });

  it('should refuse a refresh token presented by another client', async () => {
    const { refresh_token } = await tokens();
    const { status, body } = await refresh(refresh_token, { client_id: OTHER.clientId, client_secret: OTHER.clientSecret });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
    expect((await refresh(refresh_token)).status).toBe(200);
  });

  it('should answer invalid_grant for an unknown refresh token', async () => {
    expect((await refresh('unknown')).body.error).toBe('invalid_grant');
  });

  it('should answer invalid_grant for an expired refresh token', async () => {
    const { refresh_token } = await tokens();
    sandbox.control.setNow(Date.now() + 31 * 86_400_000);
    expect((await refresh(refresh_token)).body.error).toBe('invalid_grant');
  });

  it('should use the new access token TTL for tokens issued after setAccessTokenTtl', async () => {
    sandbox.control.setAccessTokenTtl(5);
    const { refresh_token, access_token } = await tokens();
    const refreshed = await refresh(refresh_token);
    expect(refreshed.body.expires_in).toBe(5);
    const { payload } = decode(access_token);
    expect(Number(payload.exp) - Number(payload.iat)).toBe(5);
    sandbox.control.setNow(Date.now() + 6_000);
    expect(await summariesStatus(String(refreshed.body.access_token))).toBe(401);
  });

  it('should expire every current access token on expireAccessTokens but keep refresh working', async () => {
    const { access_token, refresh_token } = await tokens();
    sandbox.control.expireAccessTokens();
    expect(await summariesStatus(access_token)).toBe(401);
    const refreshed = await refresh(refresh_token);
    expect(refreshed.status).toBe(200);
    expect(await summariesStatus(String(refreshed.body.access_token))).toBe(200);
  });
});

describe('POST /oauth/revoke', () => {
  it('should revoke the whole family when given a refresh token', async () => {
    const { access_token, refresh_token } = await tokens();
    const { status } = await revoke({ token: refresh_token, token_type_hint: 'refresh_token', ...DEV });
    expect(status).toBe(200);
    expect(await summariesStatus(access_token)).toBe(401);
    expect((await refresh(refresh_token)).body.error).toBe('invalid_grant');
    expect(sandbox.control.stats().revocations).toBe(1);
  });

  it('should revoke only the access token when given one (hint or not)', async () => {
    const { access_token, refresh_token } = await tokens();
    expect((await revoke({ token: access_token, token_type_hint: 'refresh_token', ...DEV })).status).toBe(200);
    expect(await summariesStatus(access_token)).toBe(401);
    expect((await refresh(refresh_token)).status).toBe(200);
  });

  it('should answer 200 for an unknown token without counting a revocation', async () => {
    const { status, headers } = await revoke({ token: 'never-issued', ...DEV });
    expect(status).toBe(200);
    expect(headers.get('Cache-Control')).toBe('no-store');
    expect(sandbox.control.stats().revocations).toBe(0);
    expect(sandbox.control.stats().revokeRequests).toBe(1);
  });

  it("should answer 200 but leave another client's token alone", async () => {
    const { access_token, refresh_token } = await tokens();
    expect((await revoke({ token: refresh_token, client_id: OTHER.clientId, client_secret: OTHER.clientSecret })).status).toBe(200);
    expect(await summariesStatus(access_token)).toBe(200);
  });

  it.each([
    ['no client is sent', {}],
    ['the secret is wrong', { client_id: DEV_CLIENT_ID, client_secret: 'nope' }],
  ])('should answer 401 invalid_client when %s', async (_case, client) => {
    const { refresh_token, access_token } = await tokens();
    const { status, body } = await revoke({ token: refresh_token, ...client });
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
    expect(await summariesStatus(access_token)).toBe(200);
  });

  it('should answer 400 invalid_request when token is missing', async () => {
    const { status, body } = await revoke({ ...DEV });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
  });
});

describe('access token checks at /user-summaries', () => {
  it('should refuse a token whose signature was tampered with', async () => {
    const { access_token } = await tokens();
    const [header, payload] = access_token.split('.');
    expect(await summariesStatus(`${header}.${payload}.${'A'.repeat(43)}`)).toBe(401);
  });

  it('should refuse a token whose payload was changed (another sub)', async () => {
    const { access_token } = await tokens();
    const [header, payload, signature] = access_token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: '64b7f0c2a1d3e4f5a6b7c8d2' })).toString('base64url');
    expect(await summariesStatus(`${header}.${forged}.${signature}`)).toBe(401);
  });

  it('should refuse a token from another sandbox instance (per-instance signing key)', async () => {
    const other = await startSandbox({ port: 0, timeZone: 'UTC' });
    try {
      const foreign = await other.control.issueTokens(ALICE.email);
      expect(await summariesStatus(foreign.access_token)).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('should refuse an unsigned (alg none) token', async () => {
    const { access_token } = await tokens();
    const payload = access_token.split('.')[1];
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    expect(await summariesStatus(none)).toBe(401);
  });

  it('should refuse a token once its exp has passed', async () => {
    const { access_token } = await tokens();
    sandbox.control.setNow(Date.now() + 3601_000);
    expect(await summariesStatus(access_token)).toBe(401);
  });

  it('should accept tokens from control.issueTokens over HTTP', async () => {
    const issued = await sandbox.control.issueTokens('ALICE@example.com');
    expect(decode(issued.access_token).payload.sub).toBe(ALICE_ID);
    expect(await summariesStatus(issued.access_token)).toBe(200);
    expect((await refresh(issued.refresh_token)).status).toBe(200);
  });

  it('should throw from control.issueTokens for an unknown member', async () => {
    await expect(sandbox.control.issueTokens('mallory@example.com')).rejects.toThrow(/no member/);
  });
});
