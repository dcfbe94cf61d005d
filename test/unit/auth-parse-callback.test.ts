import { describe, expect, it } from 'vitest';
import { parseCallback } from '../../src/auth/parse-callback';

const redirectUri = 'https://ikolmnhkljkbkopbpmgocbneeihjlhfp.chromiumapp.org/';
const expected = { redirectUri, state: 'state-123' };

describe('parseCallback', () => {
  it('should return the code when state matches', () => {
    expect(parseCallback(`${redirectUri}?code=abc&state=state-123`, expected)).toEqual({
      ok: true,
      value: { code: 'abc' },
    });
  });

  it('should ignore an iss parameter (single authorization server)', () => {
    expect(parseCallback(`${redirectUri}?code=abc&state=state-123&iss=https%3A%2F%2Fx`, expected).ok).toBe(true);
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
  ])('should fail with the exact code when the callback has %s', (_name, url, code) => {
    const result = parseCallback(url, expected);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('should quote the culprit when state does not match', () => {
    const result = parseCallback(`${redirectUri}?code=abc&state=other`, expected);
    expect(!result.ok && result.error.message).toMatch(/"state"/);
  });
});
