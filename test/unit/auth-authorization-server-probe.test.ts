import { describe, expect, it, vi } from 'vitest';
import { createAuthorizationServerProbe } from '../../src/auth/authorization-server-probe';

const API = 'https://api.health.cloud.cardiomood.com';

describe('createAuthorizationServerProbe', () => {
  it('should offer no probe when the authorization page is on another origin than the API', () => {
    const fetch = vi.fn();
    expect(
      createAuthorizationServerProbe({ authorizeUrl: 'https://login.example/oauth/authorize', apiUrl: API, fetch }),
    ).toBeUndefined();
  });

  it.each([
    ['any HTTP answer, even a 404', async () => new Response(null, { status: 404 }), true],
    ['a network failure', async () => Promise.reject(new TypeError('Failed to fetch')), false],
  ])('should report %s as %s', async (_name, answer, reachable) => {
    const fetch = vi.fn(answer);
    const probe = createAuthorizationServerProbe({ authorizeUrl: `${API}/oauth/authorize`, apiUrl: API, fetch: fetch as typeof globalThis.fetch });
    expect(await probe!()).toBe(reachable);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe(`${API}/`);
    expect(init).toMatchObject({ method: 'HEAD', credentials: 'omit', redirect: 'manual' });
  });
});
