import * as oauth from 'oauth4webapi';
import { err, ok, type Result } from '../shared/error-codes';

export interface ExpectedCallback {
  redirectUri: string;
  state: string;
  /**
   * The authorization server's issuer identifier, compared with the callback's `iss` when the server
   * sends one (RFC 9207). CardioMood publishes no metadata; we take the origin of the authorization
   * endpoint (`https://api.health.cloud.cardiomood.com`), the form RFC 8414 issuers take. A server that
   * sends no `iss` is accepted (CardioMood's Passport-style server does not).
   */
  issuer: string;
}

/** The client the callback belongs to (oauth4webapi wants one; only its shape matters here). */
const CLIENT: oauth.Client = { client_id: 'cardiomood-readings' };

/**
 * Validates the URL that identity.launchWebAuthFlow resolved with: it must be our exact redirect URI,
 * carry `iss` of our server if any, the `state` we sent (checked before the OAuth error, so an
 * attacker's error cannot be injected either), and then either a `code` or an OAuth `error`. Tokens in
 * the callback (an implicit or hybrid response) are refused: we never asked for them.
 */
export function parseCallback(callbackUrl: string, expected: ExpectedCallback): Result<{ code: string }> {
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
  // oauth4webapi refuses `token` and `id_token`; an implicit `access_token` has no code and would only
  // be reported as "no code": say what it is.
  if (params.has('access_token')) return err('INVALID_CALLBACK', 'the callback carries an access token (implicit flow), which we never ask for');
  try {
    const validated = oauth.validateAuthResponse({ issuer: expected.issuer }, CLIENT, params, expected.state);
    const code = validated.get('code');
    if (!code) return err('INVALID_CALLBACK', 'the callback carries neither "code" nor "error"');
    return ok({ code });
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      return error.error === 'access_denied'
        ? err('ACCESS_DENIED', 'the member declined access')
        : err('AUTHORIZATION_ERROR', `CardioMood answered "${error.error}"`);
    }
    if (error instanceof oauth.UnsupportedOperationError) {
      return err('INVALID_CALLBACK', 'the callback carries tokens (implicit or hybrid flow), which we never ask for');
    }
    if (error instanceof oauth.OperationProcessingError && error.code === oauth.INVALID_RESPONSE) {
      // oauth4webapi reports `iss` and `state` failures under one code, with what it expected as cause.
      const wanted = (error.cause as { expected?: unknown } | undefined)?.expected;
      if (wanted === expected.state) return err('STATE_MISMATCH', `"state" does not match: ${error.message}`);
      if (wanted === expected.issuer) return err('ISSUER_MISMATCH', `"iss" is not ${expected.issuer}: ${error.message}`);
      return err('INVALID_CALLBACK', error.message);
    }
    throw error;
  }
}
