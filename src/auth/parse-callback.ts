import * as oauth from 'oauth4webapi';
import { err, ok, type Result } from '../shared/error-codes';

/**
 * Validates the URL that identity.launchWebAuthFlow resolved with: it must be our exact redirect URI,
 * carry the `state` we sent (checked before anything else, so an attacker's error cannot be injected
 * either), and then either a `code` or an OAuth `error`.
 */
export function parseCallback(
  callbackUrl: string,
  expected: { redirectUri: string; state: string },
): Result<{ code: string }> {
  let url: URL;
  try {
    url = new URL(callbackUrl);
  } catch {
    return err('INVALID_CALLBACK', 'the callback is not a URL');
  }
  const redirect = new URL(expected.redirectUri);
  if (url.origin !== redirect.origin || url.pathname !== redirect.pathname) {
    return err('INVALID_CALLBACK', `"${url.origin}${url.pathname}" is not the registered redirect URI`);
  }
  // Parameters may come in the query (response_mode=query, the default) or, for some servers, the fragment.
  const params = new URLSearchParams(url.search || url.hash.replace(/^#/, ''));
  // One authorization server only, so RFC 9207 `iss` mix-up defence does not apply; CardioMood does not
  // document it, and an unknown issuer string must not break sign-in.
  params.delete('iss');
  try {
    const validated = oauth.validateAuthResponse(
      { issuer: redirect.origin },
      { client_id: 'cardiomood-readings' },
      params,
      expected.state,
    );
    const code = validated.get('code');
    if (!code) return err('INVALID_CALLBACK', 'the callback carries neither "code" nor "error"');
    return ok({ code });
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      return error.error === 'access_denied'
        ? err('ACCESS_DENIED', 'the member declined access')
        : err('AUTHORIZATION_ERROR', `CardioMood answered "${error.error}"`);
    }
    if (error instanceof oauth.OperationProcessingError) {
      return error.message.includes('"state"')
        ? err('STATE_MISMATCH', `"state" does not match: ${error.message}`)
        : err('INVALID_CALLBACK', error.message);
    }
    throw error;
  }
}
