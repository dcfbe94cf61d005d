import { describe, expect, it } from 'vitest';
import { parseCallback } from '../../src/auth/parse-callback';

const redirectUri = 'https://ikolmnhkljkbkopbpmgocbneeihjlhfp.chromiumapp.org/';
const issuer = 'https://api.health.cloud.cardiomood.com';
const expected = { redirectUri, state: 'state-123', issuer };
const iss = (value: string) => `iss=${encodeURIComponent(value)}`;

describe('parseCallback', () => {
  it('should return the code when state matches', () => {
    expect(parseCallback(`${redirectUri}?code=abc&state=state-123`, expected)).toEqual({
      ok: true,
      value: { code: 'abc' },
    });
  });

  it('should accept a callback whose iss is our authorization server (RFC 9207)', () => {
    expect(parseCallback(`${redirectUri}?code=abc&state=state-123&${iss(issuer)}`, expected)).toEqual({
      ok: true,
      value: { code: 'abc' },
    });
  });

  it.each([
    ['a different state', `${redirectUri}?code=abc&state=other`, 'STATE_MISMATCH'],
    ['no state', `${redirectUri}?code=abc`, 'STATE_MISMATCH'],
    ['an error with a wrong state', `${redirectUri}?error=access_denied&state=other`, 'STATE_MISMATCH'],
    ['access_denied', `${redirectUri}?error=access_denied&state=state-123`, 'ACCESS_DENIED'],
    ['another OAuth error', `${redirectUri}?error=server_error&state=state-123`, 'AUTHORIZATION_ERROR'],
    ['neither code nor error', `${redirectUri}?state=state-123`, 'INVALID_CALLBACK'],
    ['another origin', `https://evil.example/?code=abc&state=state-123`, 'INVALID_CALLBACK'],
    ['another path', `${redirectUri}other?code=abc&state=state-123`, 'INVALID_CALLBACK'],
    ['not a URL', 'not a url', 'INVALID_CALLBACK'],
    ['another issuer', `${redirectUri}?code=abc&state=state-123&${iss('https://evil.example')}`, 'ISSUER_MISMATCH'],
    ['our issuer with a path', `${redirectUri}?code=abc&state=state-123&${iss(`${issuer}/`)}`, 'ISSUER_MISMATCH'],
    ['an error from another issuer', `${redirectUri}?error=access_denied&state=state-123&${iss('https://evil.example')}`, 'ISSUER_MISMATCH'],
    ['an implicit-flow token', `${redirectUri}?code=abc&state=state-123&token=t`, 'INVALID_CALLBACK'],
    ['an id_token (hybrid flow)', `${redirectUri}?code=abc&state=state-123&id_token=x.y.z`, 'INVALID_CALLBACK'],
    ['an access_token in the fragment', `${redirectUri}#access_token=t&token_type=bearer&state=state-123`, 'INVALID_CALLBACK'],
  ])('should fail with the exact code when the callback has %s', (_name, url, code) => {
    const result = parseCallback(url, expected);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('should quote the culprit when state does not match', () => {
    const result = parseCallback(`${redirectUri}?code=abc&state=other`, expected);
    expect(!result.ok && result.error.message).toMatch(/"state"/);
  });

  it('should never put a token from the callback in its message', () => {
    const result = parseCallback(`${redirectUri}?code=abc&state=state-123&token=secret-token`, expected);
    expect(!result.ok && result.error.message).not.toContain('secret-token');
  });
});
