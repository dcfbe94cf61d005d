import * as oauth from 'oauth4webapi';

export interface AuthorizationRequest {
  url: URL;
  state: string;
  codeVerifier: string;
}

/**
 * Builds the authorization URL with a fresh `state` and a PKCE S256 challenge (RFC 9700 §2.1.1).
 * CardioMood documents only client_id, redirect_uri and response_type; state and PKCE are sent
 * anyway (a Passport server honours them; others ignore them and the companion's secret still
 * protects the exchange).
 */
export async function createAuthorizationRequest(options: {
  authorizeUrl: string;
  clientId: string;
  redirectUri: string;
  scope?: string;
  /**
   * OpenID Connect's `prompt`; `none` asks the server to answer at once, without any page: a code
   * when the member is signed in there and has approved this client, else an error (Laravel Passport
   * honours it, docs/cardiomood-api.md §11 #25).
   */
  prompt?: 'none';
}): Promise<AuthorizationRequest> {
  const state = oauth.generateRandomState();
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  const url = new URL(options.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('redirect_uri', options.redirectUri);
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  if (options.scope) url.searchParams.set('scope', options.scope);
  if (options.prompt) url.searchParams.set('prompt', options.prompt);
  return { url, state, codeVerifier };
}
