import { describe, expect, it, vi } from 'vitest';
import { createCompanionClient } from '../../src/auth/companion-client';
import { COMPANION_CLIENT_TIMEOUT_MS, COMPANION_ROUTES } from '../../src/shared/companion-api';

const tokens = { token_type: 'Bearer', access_token: 'at', expires_in: 3600, refresh_token: 'rt' };

function clientAnswering(response: Response | Error) {
  const fetch = vi.fn(async (_url: string | URL | Request, _init?: RequestInit) => {
    if (response instanceof Error) throw response;
    return response;
  });
  return { fetch, client: createCompanionClient({ companionUrl: 'http://127.0.0.1:9', fetch: fetch as typeof globalThis.fetch }) };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('createCompanionClient', () => {
  it('should post JSON with the CSRF header and return the validated tokens', async () => {
    const { fetch, client } = clientAnswering(json(200, { ...tokens, extra: 'dropped' }));
    const result = await client.exchangeCode({
      code: 'c',
      code_verifier: 'v'.repeat(43),
      redirect_uri: 'https://id.chromiumapp.org/',
    });
    expect(result).toEqual({ ok: true, value: tokens });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe(`http://127.0.0.1:9${COMPANION_ROUTES.exchange}`);
    const headers = new Headers(init?.headers);
    expect(headers.get('X-CardioMood-Readings')).toBe('1');
    expect(headers.get('Content-Type')).toBe('application/json');
    expect(init?.credentials).toBe('omit');
  });

  it.each([
    ['invalid_grant', json(400, { error: 'invalid_grant' }), 'REAUTH_REQUIRED'],
    ['a rate limit', json(429, { error: 'rate_limited' }, { 'Retry-After': '7' }), 'RATE_LIMITED'],
    ['a bad gateway', json(502, { error: 'bad_gateway' }), 'SERVER_ERROR'],
    ['an HTML 500', new Response('<html>', { status: 500 }), 'SERVER_ERROR'],
    ['a refused redirect URI', json(400, { error: 'invalid_request' }), 'COMPANION_REJECTED'],
    ['a 200 without access_token', json(200, { token_type: 'Bearer' }), 'MALFORMED_RESPONSE'],
    ['a 200 that is not JSON', new Response('nope', { status: 200 }), 'MALFORMED_RESPONSE'],
    ['a network failure', new TypeError('Failed to fetch'), 'NETWORK_ERROR'],
  ])('should map %s to its code on refresh', async (_name, response, code) => {
    const { client } = clientAnswering(response);
    const result = await client.refresh({ refresh_token: 'rt' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('should carry Retry-After on a rate limit', async () => {
    const { client } = clientAnswering(json(429, { error: 'rate_limited' }, { 'Retry-After': '7' }));
    const result = await client.refresh({ refresh_token: 'rt' });
    expect(!result.ok && result.error.retryAfterMs).toBe(7000);
  });

  it('should send the replay nonce with the refresh token', async () => {
    const { fetch, client } = clientAnswering(json(200, tokens));
    await client.refresh({ refresh_token: 'rt', replay_nonce: 'n'.repeat(43) });
    expect(JSON.parse(String(fetch.mock.calls[0]![1]?.body))).toEqual({ refresh_token: 'rt', replay_nonce: 'n'.repeat(43) });
  });

  it('should wait for the companion as long as the contract says, and no longer', async () => {
    const timeout = vi.spyOn(AbortSignal, 'timeout');
    const { client } = clientAnswering(json(200, tokens));
    await client.refresh({ refresh_token: 'rt' });
    expect(timeout).toHaveBeenCalledWith(COMPANION_CLIENT_TIMEOUT_MS);
  });

  it('should not let a redirect carry the refresh token to another URL', async () => {
    const reached: string[] = [];
    // fetch's own redirect handling: follow with the same body unless told otherwise.
    const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      reached.push(String(url));
      if (String(url).startsWith('http://127.0.0.1:9/')) {
        if (init?.redirect === 'error') throw new TypeError('Failed to fetch: redirect refused');
        return fetch('https://elsewhere.example/collect', init);
      }
      return json(200, tokens);
    });
    const client = createCompanionClient({ companionUrl: 'http://127.0.0.1:9', fetch: fetch as typeof globalThis.fetch });
    const result = await client.refresh({ refresh_token: 'rt' });
    expect(!result.ok && result.error.code).toBe('NETWORK_ERROR');
    expect(reached).toEqual([`http://127.0.0.1:9${COMPANION_ROUTES.refresh}`]);
  });

  it('should report an unconfigured revocation endpoint as not revoked', async () => {
    const { client } = clientAnswering(json(404, { error: 'not_configured' }));
    expect(await client.revoke('rt', 'refresh_token')).toEqual({ ok: true, value: false });
  });
});
