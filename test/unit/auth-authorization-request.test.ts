import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tokenSubject } from '../../src/auth/token-subject';
import { createAuthorizationRequest } from '../../src/auth/authorization-request';

describe('createAuthorizationRequest', () => {
  const options = {
    authorizeUrl: 'http://127.0.0.1:8787/oauth/authorize?tenant=1',
    clientId: 'client-1',
    redirectUri: 'https://id.chromiumapp.org/',
  };

  it('should build a code request with state and an S256 challenge of the verifier', async () => {
    const request = await createAuthorizationRequest(options);
    const params = request.url.searchParams;
    expect(request.url.origin + request.url.pathname).toBe('http://127.0.0.1:8787/oauth/authorize');
    expect(params.get('tenant')).toBe('1');
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe('client-1');
    expect(params.get('redirect_uri')).toBe('https://id.chromiumapp.org/');
    expect(params.get('state')).toBe(request.state);
    expect(params.get('code_challenge_method')).toBe('S256');
    const challenge = createHash('sha256').update(request.codeVerifier).digest('base64url');
    expect(params.get('code_challenge')).toBe(challenge);
    expect(request.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    expect(params.has('scope')).toBe(false);
  });

  it('should use a fresh state and verifier every time', async () => {
    const [a, b] = await Promise.all([createAuthorizationRequest(options), createAuthorizationRequest(options)]);
    expect(a.state).not.toBe(b.state);
    expect(a.codeVerifier).not.toBe(b.codeVerifier);
    expect(a.state.length).toBeGreaterThanOrEqual(32);
  });

  it('should send prompt only when asked: none for the silent re-authorization', async () => {
    expect(new URL((await createAuthorizationRequest(options)).url).searchParams.has('prompt')).toBe(false);
    const silent = await createAuthorizationRequest({ ...options, prompt: 'none' });
    expect(silent.url.searchParams.get('prompt')).toBe('none');
    expect(silent.url.searchParams.get('code_challenge_method')).toBe('S256');
  });
});

describe('tokenSubject', () => {
  const jwt = (payload: object) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

  it.each([
    ['a JWT with a string sub', jwt({ sub: '5f1d7a3b2c9e4a0012345678' }), '5f1d7a3b2c9e4a0012345678'],
    ['a JWT with a numeric sub', jwt({ sub: 42 }), '42'],
    ['a JWT without sub', jwt({ jti: 'x' }), undefined],
    ['an opaque token', 'opaque-token-value', undefined],
    ['a JWT whose payload is not JSON', 'e30.bm90LWpzb24.c2ln', undefined],
  ])('should read %s', (_case, token, expected) => {
    expect(tokenSubject(token)).toBe(expected);
  });
});
