/**
 * The sandbox's authorization endpoint and its login/consent pages, driven over real HTTP the way a
 * browser follows them (forms, hidden fields, the session cookie).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/node';
import { authorizeUrl, authorizeWithForms, createBrowser, postToken } from '../../src/sandbox/testing/oauth-driver';
import { CHROME_REDIRECT_URI, DEV_CLIENT_ID, FIREFOX_REDIRECT_URI } from '../../src/shared/extension-identity';
import { DEV_CLIENT_SECRET } from '../../src/sandbox/dev-client-secret';

const ALICE = { email: 'alice@example.com', password: 'alice-demo' };
const QUERY_REDIRECT = 'https://app.example.test/callback?keep=1';
const CUSTOM_SCHEME_REDIRECT = 'cardiomood://example/redirect';
const OTHER_CLIENT = { clientId: 'other-app', clientSecret: 'other-secret', redirectUris: [QUERY_REDIRECT, CUSTOM_SCHEME_REDIRECT] };
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
/** RFC 7636 Appendix B's verifier; CHALLENGE is its S256 challenge. */
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

let sandbox: RunningSandbox;
const base = { clientId: DEV_CLIENT_ID, redirectUri: CHROME_REDIRECT_URI };

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    timeZone: 'Europe/Amsterdam',
    clients: [{ clientId: DEV_CLIENT_ID, clientSecret: DEV_CLIENT_SECRET, redirectUris: [CHROME_REDIRECT_URI, FIREFOX_REDIRECT_URI] }, OTHER_CLIENT],
  });
});
afterAll(async () => {
  await sandbox?.close();
});

/** Opens the authorize URL and, when the login page shows, signs in. Returns the consent page. */
async function openConsent(browser = createBrowser(sandbox.url), params: Partial<typeof base> & { state?: string; scope?: string } = {}) {
  const first = await browser.get(authorizeUrl(sandbox.url, { ...base, state: 'state-1', ...params }));
  if (!first.html.includes('id="login"')) return { browser, consent: first };
  const login = await browser.post('/oauth/login', { ...first.fields, ...ALICE });
  return { browser, consent: await browser.get(login.headers.get('Location') ?? '') };
}

/** Exchanges the code of an authorize redirect at the token endpoint (with the PKCE verifier when `pkce`). */
async function exchange(location: URL, pkce: boolean) {
  const { status, body } = await postToken(sandbox.url, {
    grant_type: 'authorization_code',
    code: location.searchParams.get('code') ?? '',
    redirect_uri: CHROME_REDIRECT_URI,
    client_id: DEV_CLIENT_ID,
    client_secret: DEV_CLIENT_SECRET,
    ...(pkce ? { code_verifier: VERIFIER } : {}),
  });
  expect(status).toBe(200);
  return body as { access_token: string; refresh_token: string };
}

describe('GET /oauth/authorize', () => {
  it.each([
    ['client_id is unknown', { client_id: 'nobody', redirect_uri: CHROME_REDIRECT_URI }],
    ['client_id is missing', { redirect_uri: CHROME_REDIRECT_URI }],
    ['redirect_uri is missing', { client_id: DEV_CLIENT_ID }],
    ['redirect_uri differs by a trailing character', { client_id: DEV_CLIENT_ID, redirect_uri: `${CHROME_REDIRECT_URI}x` }],
    ['redirect_uri has no trailing slash', { client_id: DEV_CLIENT_ID, redirect_uri: CHROME_REDIRECT_URI.slice(0, -1) }],
    ['redirect_uri adds a query', { client_id: DEV_CLIENT_ID, redirect_uri: `${CHROME_REDIRECT_URI}?a=1` }],
    ['redirect_uri is registered only for another client', { client_id: DEV_CLIENT_ID, redirect_uri: QUERY_REDIRECT }],
    ['redirect_uri has a different case', { client_id: DEV_CLIENT_ID, redirect_uri: CHROME_REDIRECT_URI.toUpperCase() }],
  ])('should answer 400 HTML and never redirect when %s', async (_case, query) => {
    const url = new URL('/oauth/authorize', sandbox.url);
    url.search = new URLSearchParams({ response_type: 'code', state: 's', ...query }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
    expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('role="alert"');
  });

  it('should answer 400 without redirecting when client_id is repeated', async () => {
    const url = `${authorizeUrl(sandbox.url, base).toString()}&client_id=${DEV_CLIENT_ID}`;
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
  });

  it.each([
    ['response_type is token', { responseType: 'token' }, 'unsupported_response_type'],
    ['response_type is empty', { responseType: '' }, 'invalid_request'],
    ['code_challenge_method is plain', { codeChallenge: CHALLENGE, codeChallengeMethod: 'plain' }, 'invalid_request'],
    ['code_challenge_method is missing (defaults to plain)', { codeChallenge: CHALLENGE }, 'invalid_request'],
    ['code_challenge_method is s256 in lower case', { codeChallenge: CHALLENGE, codeChallengeMethod: 's256' }, 'invalid_request'],
    ['code_challenge_method comes without a challenge', { codeChallengeMethod: 'S256' }, 'invalid_request'],
    ['code_challenge is not a SHA-256', { codeChallenge: 'short', codeChallengeMethod: 'S256' }, 'invalid_request'],
  ])('should redirect with error=%s → %s', async (_case, params, error) => {
    const response = await fetch(authorizeUrl(sandbox.url, { ...base, state: 'st/ä te', ...params }), { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('Location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CHROME_REDIRECT_URI);
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('state')).toBe('st/ä te');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('should redirect with invalid_request when a parameter is repeated', async () => {
    const response = await fetch(`${authorizeUrl(sandbox.url, { ...base, state: 'a' }).toString()}&state=b`, { redirect: 'manual' });
    expect(new URL(response.headers.get('Location') ?? '').searchParams.get('error')).toBe('invalid_request');
  });

  it('should leave state out of an error redirect when none was sent', async () => {
    const response = await fetch(authorizeUrl(sandbox.url, { ...base, responseType: 'token' }), { redirect: 'manual' });
    const location = new URL(response.headers.get('Location') ?? '');
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    expect(location.searchParams.has('state')).toBe(false);
  });

  it('should show an accessible login page with the demo credentials and set a strict session cookie', async () => {
    const response = await fetch(authorizeUrl(sandbox.url, { ...base, state: 'x' }), { redirect: 'manual' });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<h1>[^<]+<\/h1>/);
    expect(html).toMatch(/<label for="email">/);
    expect(html).toMatch(/<label for="password">/);
    expect(html).toMatch(/<input id="email" name="email"/);
    expect(html).toMatch(/<input id="password" name="password" type="password"/);
    expect(html).toContain('<button id="login"');
    for (const text of ['alice@example.com', 'alice-demo', 'bob@example.com', 'bob-demo']) expect(html).toContain(text);
    expect(html).not.toContain(CHROME_REDIRECT_URI);
    const cookie = response.headers.getSetCookie().join('\n');
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
    expect(response.headers.get('X-Frame-Options')).toBe('DENY');
    expect(response.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('Cache-Control')).toBe('no-store');
  });
});

describe('POST /oauth/login', () => {
  it.each([
    ['the password is wrong', { email: ALICE.email, password: 'nope' }],
    ['the e-mail is unknown', { email: 'mallory@example.com', password: 'alice-demo' }],
    ["the password is another member's", { email: ALICE.email, password: 'bob-demo' }],
    ['the password is empty', { email: ALICE.email, password: '' }],
  ])('should show the login page again with an alert when %s', async (_case, credentials) => {
    const browser = createBrowser(sandbox.url);
    const login = await browser.get(authorizeUrl(sandbox.url, base));
    const response = await browser.post('/oauth/login', { ...login.fields, ...credentials });
    const html = await response.text();
    expect(response.status).toBe(401);
    expect(html).toContain('role="alert"');
    expect(html).toContain('<button id="login"');
    expect(html).not.toContain('id="allow"');
  });

  it('should accept the e-mail in another case and with spaces', async () => {
    const browser = createBrowser(sandbox.url);
    const login = await browser.get(authorizeUrl(sandbox.url, base));
    const response = await browser.post('/oauth/login', { ...login.fields, email: '  ALICE@example.com ', password: ALICE.password });
    expect(response.status).toBe(303);
  });

  it('should refuse a login post from a browser without the session that opened the page', async () => {
    const login = await createBrowser(sandbox.url).get(authorizeUrl(sandbox.url, base));
    const attacker = createBrowser(sandbox.url);
    const response = await attacker.post('/oauth/login', { ...login.fields, ...ALICE });
    expect(response.status).toBe(403);
    expect(response.headers.get('Location')).toBeNull();
  });

  it.each([
    ['the CSRF token is wrong', (fields: Record<string, string>) => ({ ...fields, csrf_token: 'forged' })],
    ['the CSRF token is missing', ({ csrf_token: _csrf, ...fields }: Record<string, string>) => fields],
  ])('should answer 403 when %s', async (_case, tamper) => {
    const browser = createBrowser(sandbox.url);
    const login = await browser.get(authorizeUrl(sandbox.url, base));
    const response = await browser.post('/oauth/login', { ...tamper(login.fields), ...ALICE });
    expect(response.status).toBe(403);
  });

  it('should answer 400 for an unknown request id', async () => {
    const browser = createBrowser(sandbox.url);
    const login = await browser.get(authorizeUrl(sandbox.url, base));
    const response = await browser.post('/oauth/login', { ...login.fields, request_id: 'made-up', ...ALICE });
    expect(response.status).toBe(400);
  });

  it('should answer 400 once the pending request has expired', async () => {
    const browser = createBrowser(sandbox.url);
    const login = await browser.get(authorizeUrl(sandbox.url, base));
    sandbox.control.setNow(Date.now() + 16 * 60_000);
    try {
      const response = await browser.post('/oauth/login', { ...login.fields, ...ALICE });
      expect(response.status).toBe(400);
    } finally {
      sandbox.control.setNow(null);
    }
  });

  it('should issue a new session cookie on login (no session fixation)', async () => {
    const browser = createBrowser(sandbox.url);
    const login = await browser.get(authorizeUrl(sandbox.url, base));
    const before = [...browser.jar.values()].join();
    const response = await browser.post('/oauth/login', { ...login.fields, ...ALICE });
    expect(response.status).toBe(303);
    expect([...browser.jar.values()].join()).not.toBe(before);
  });
});

describe('consent page', () => {
  it('should name the app and what it reads, with Allow and Deny buttons', async () => {
    const { consent } = await openConsent();
    expect(consent.status).toBe(200);
    expect(consent.html).toContain(DEV_CLIENT_ID);
    expect(consent.html).toContain('heart rate and activity summaries');
    expect(consent.html).toMatch(/<button id="allow"[^>]*name="decision" value="allow"/);
    expect(consent.html).toMatch(/<button id="deny"[^>]*name="decision" value="deny"/);
    expect(consent.html).toContain('alice@example.com');
  });

  it('should always show consent, also to a member who is already signed in', async () => {
    const { browser } = await openConsent();
    const again = await browser.get(authorizeUrl(sandbox.url, { ...base, state: 'second' }));
    expect(again.html).toContain('id="allow"');
    expect(again.html).not.toContain('id="login"');
  });

  it('should redirect with a code and the state when the member allows', async () => {
    const location = await authorizeWithForms(sandbox.url, { ...base, state: 'abc 123', ...ALICE });
    expect(`${location.origin}${location.pathname}`).toBe(CHROME_REDIRECT_URI);
    expect(location.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(location.searchParams.get('state')).toBe('abc 123');
    expect(location.searchParams.has('error')).toBe(false);
  });

  it('should redirect with access_denied, a description and the state when the member denies', async () => {
    const location = await authorizeWithForms(sandbox.url, { ...base, state: 'deny-state', ...ALICE, decision: 'deny' });
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('error_description')).toBeTruthy();
    expect(location.searchParams.get('state')).toBe('deny-state');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('should keep the registered query of the redirect URI and support custom schemes', async () => {
    const other = { clientId: OTHER_CLIENT.clientId, ...ALICE };
    const withQuery = await authorizeWithForms(sandbox.url, { ...other, redirectUri: QUERY_REDIRECT, state: 's' });
    expect(withQuery.searchParams.get('keep')).toBe('1');
    expect(withQuery.searchParams.get('code')).toBeTruthy();
    const custom = await authorizeWithForms(sandbox.url, { ...other, redirectUri: CUSTOM_SCHEME_REDIRECT });
    expect(custom.protocol).toBe('cardiomood:');
    expect(custom.searchParams.get('code')).toBeTruthy();
  });

  it('should ignore a redirect_uri or state smuggled into the consent form', async () => {
    const { browser, consent } = await openConsent(undefined, { state: 'real' });
    const response = await browser.post('/oauth/consent', {
      ...consent.fields,
      decision: 'allow',
      redirect_uri: 'https://evil.example/',
      state: 'forged',
    });
    const location = new URL(response.headers.get('Location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CHROME_REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('real');
  });

  it('should use a pending request only once', async () => {
    const { browser, consent } = await openConsent();
    expect((await browser.post('/oauth/consent', { ...consent.fields, decision: 'allow' })).status).toBe(302);
    const replay = await browser.post('/oauth/consent', { ...consent.fields, decision: 'allow' });
    expect(replay.status).toBe(400);
    expect(replay.headers.get('Location')).toBeNull();
  });

  it.each([
    ['the CSRF token is wrong', (fields: Record<string, string>) => ({ ...fields, csrf_token: 'x' })],
    ['the request id is unknown', (fields: Record<string, string>) => ({ ...fields, request_id: 'x' })],
  ])('should not redirect when %s', async (_case, tamper) => {
    const { browser, consent } = await openConsent();
    const response = await browser.post('/oauth/consent', { ...tamper(consent.fields), decision: 'allow' });
    expect([400, 403]).toContain(response.status);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('should not accept a consent post from another browser', async () => {
    const { consent } = await openConsent();
    const response = await createBrowser(sandbox.url).post('/oauth/consent', { ...consent.fields, decision: 'allow' });
    expect(response.status).toBe(403);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('should refuse a decision other than allow or deny', async () => {
    const { browser, consent } = await openConsent();
    const response = await browser.post('/oauth/consent', { ...consent.fields, decision: 'maybe' });
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('should show the login page again after "Use another account"', async () => {
    const { browser, consent } = await openConsent();
    const logout = await browser.post('/oauth/logout', consent.fields);
    expect(logout.status).toBe(303);
    const page = await browser.get(logout.headers.get('Location') ?? '');
    expect(page.html).toContain('id="login"');
    const bob = await browser.post('/oauth/login', { ...page.fields, email: 'bob@example.com', password: 'bob-demo' });
    const bobConsent = await browser.get(bob.headers.get('Location') ?? '');
    expect(bobConsent.html).toContain('bob@example.com');
  });

  it('should echo the requested scope in the token response', async () => {
    const location = await authorizeWithForms(sandbox.url, { ...base, scope: 'summaries:read', ...ALICE });
    expect(((await exchange(location, false)) as { scope?: string }).scope).toBe('summaries:read');
  });
});

describe('sign-in form limits', () => {
  it('should refuse a login post over 16 KB without signing in', async () => {
    const browser = createBrowser(sandbox.url);
    const login = await browser.get(authorizeUrl(sandbox.url, base));
    const response = await browser.post('/oauth/login', { ...login.fields, ...ALICE, padding: 'x'.repeat(20_000) });
    expect(response.status).toBe(413);
    expect(response.headers.get('Location')).toBeNull();
  });
});

describe('sign-in page escaping', () => {
  it('should escape the e-mail echoed after a failed login', async () => {
    const browser = createBrowser(sandbox.url);
    const login = await browser.get(authorizeUrl(sandbox.url, base));
    const response = await browser.post('/oauth/login', { ...login.fields, email: '"><script>alert(1)</script>', password: 'x' });
    const html = await response.text();
    expect(response.status).toBe(401);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
  });

  it('should escape the requested scope on the consent page', async () => {
    const { consent } = await openConsent(undefined, { scope: '<img src=x onerror=alert(1)>' });
    expect(consent.html).not.toContain('<img');
    expect(consent.html).toContain('&lt;img');
  });
});

/**
 * Laravel Passport's consent skipping and `prompt` (inferred, docs/cardiomood-api.md): a member who
 * holds a valid token of the client with the same scopes is approved without the consent screen;
 * `prompt=none` answers at once, `prompt=consent` always asks, `prompt=login` asks for the password.
 */
describe('GET /oauth/authorize with a valid token and prompt', () => {

  // Tokens issued by earlier tests in this sandbox would let Alice be approved without asking.
  beforeEach(() => sandbox.control.expireAccessTokens());

  /** A browser signed in as Alice whose sign-in ended in tokens (so she holds a valid token). */
  async function signedInWithTokens(scope?: string) {
    const browser = createBrowser(sandbox.url);
    const { consent } = await openConsent(browser, scope === undefined ? {} : { scope });
    const allowed = await browser.post('/oauth/consent', { ...consent.fields, decision: 'allow' });
    const tokens = await exchange(new URL(allowed.headers.get('Location') ?? ''), false);
    return { browser, tokens };
  }


  /** The redirect an authorization request answers with (no page), as a URL. */
  async function redirected(browser: ReturnType<typeof createBrowser>, params: Record<string, string>) {
    const response = await browser.request(authorizeUrl(sandbox.url, { ...base, state: 'silent state', ...params }));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('Location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CHROME_REDIRECT_URI);
    expect(location.searchParams.get('state')).toBe('silent state');
    return { location, response };
  }

  it('should answer prompt=none without a session cookie with login_required, keeping state, and start no session', async () => {
    const { location, response } = await redirected(createBrowser(sandbox.url), { prompt: 'none' });
    expect(location.searchParams.get('error')).toBe('login_required');
    expect(location.searchParams.has('code')).toBe(false);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('should answer prompt=none with login_required when the session never signed in', async () => {
    const browser = createBrowser(sandbox.url);
    await browser.get(authorizeUrl(sandbox.url, base)); // the login page starts an anonymous session
    expect(browser.jar.size).toBe(1);
    const { location } = await redirected(browser, { prompt: 'none' });
    expect(location.searchParams.get('error')).toBe('login_required');
  });

  it('should answer prompt=none with consent_required for a signed-in member without a valid token', async () => {
    const { browser } = await openConsent();
    const { location } = await redirected(browser, { prompt: 'none' });
    expect(location.searchParams.get('error')).toBe('consent_required');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('should answer prompt=none with a code (PKCE bound) for a member who holds a valid token', async () => {
    const { browser } = await signedInWithTokens();
    const before = sandbox.control.stats();
    const { location } = await redirected(browser, { prompt: 'none', codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' });
    expect(location.searchParams.has('error')).toBe(false);
    const tokens = await exchange(location, true);
    expect(tokens.refresh_token).toBeTruthy();
    expect(sandbox.control.stats().silentApprovals - before.silentApprovals).toBe(1);
  });

  it('should skip the consent screen without prompt for a member who holds a valid token', async () => {
    const { browser } = await signedInWithTokens();
    const before = sandbox.control.stats();
    const { location } = await redirected(browser, {});
    expect(location.searchParams.get('code')).toBeTruthy();
    expect(sandbox.control.stats().autoApprovals - before.autoApprovals).toBe(1);
  });

  it('should show the consent screen with prompt=consent even to a member who holds a valid token', async () => {
    const { browser } = await signedInWithTokens();
    const page = await browser.get(authorizeUrl(sandbox.url, { ...base, state: 's', prompt: 'consent' }));
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="allow"');
  });

  it('should ask for the password again with prompt=login, then approve without the consent screen', async () => {
    const { browser } = await signedInWithTokens();
    const cookieBefore = browser.jar.get('cardiomood_sandbox_session');
    const login = await browser.get(authorizeUrl(sandbox.url, { ...base, state: 'again', prompt: 'login' }));
    expect(login.html).toContain('id="login"');
    expect(browser.jar.get('cardiomood_sandbox_session')).not.toBe(cookieBefore);
    // The old session is gone: it no longer passes prompt=none.
    const stale = createBrowser(sandbox.url);
    stale.jar.set('cardiomood_sandbox_session', cookieBefore ?? '');
    expect((await redirected(stale, { prompt: 'none' })).location.searchParams.get('error')).toBe('login_required');
    const signedIn = await browser.post('/oauth/login', { ...login.fields, ...ALICE });
    const back = await browser.request(signedIn.headers.get('Location') ?? '');
    expect(back.status).toBe(302);
    const location = new URL(back.headers.get('Location') ?? '');
    expect(location.searchParams.get('code')).toBeTruthy();
    expect(location.searchParams.get('state')).toBe('again');
  });

  it.each([
    ['the member revoked the refresh token', async (tokens: { refresh_token: string }) => {
      const { status } = await postToken(sandbox.url, { token: tokens.refresh_token, client_id: DEV_CLIENT_ID, client_secret: DEV_CLIENT_SECRET }, { path: '/oauth/revoke' });
      expect(status).toBe(200);
    }],
    ['reuse detection revoked the family', async (tokens: { refresh_token: string }) => {
      const refresh = (token: string) =>
        postToken(sandbox.url, { grant_type: 'refresh_token', refresh_token: token, client_id: DEV_CLIENT_ID, client_secret: DEV_CLIENT_SECRET });
      expect((await refresh(tokens.refresh_token)).status).toBe(200);
      const reuse = await refresh(tokens.refresh_token);
      expect(reuse.body.error).toBe('invalid_grant');
    }],
    ['every access token has expired', async () => {
      sandbox.control.expireAccessTokens();
    }],
  ])('should not approve without asking when %s', async (_case, retire) => {
    const { browser, tokens } = await signedInWithTokens();
    await retire(tokens);
    const { location } = await redirected(browser, { prompt: 'none' });
    expect(location.searchParams.get('error')).toBe('consent_required');
    const page = await browser.get(authorizeUrl(sandbox.url, { ...base, state: 's' }));
    expect(page.html).toContain('id="allow"');
  });

  it('should not approve without asking when the token was granted for other scopes', async () => {
    const { browser } = await signedInWithTokens('summaries:read');
    expect((await redirected(browser, { prompt: 'none', scope: 'summaries:read' })).location.searchParams.get('code')).toBeTruthy();
    expect((await redirected(browser, { prompt: 'none' })).location.searchParams.get('error')).toBe('consent_required');
    expect((await redirected(browser, { prompt: 'none', scope: 'summaries:read profile' })).location.searchParams.get('error')).toBe('consent_required');
  });

  it("should not approve Bob's session with Alice's token", async () => {
    await signedInWithTokens();
    const browser = createBrowser(sandbox.url);
    const first = await browser.get(authorizeUrl(sandbox.url, { ...base, state: 'b' }));
    const login = await browser.post('/oauth/login', { ...first.fields, email: 'bob@example.com', password: 'bob-demo' });
    const consent = await browser.get(login.headers.get('Location') ?? '');
    expect(consent.html).toContain('id="allow"');
    expect((await redirected(browser, { prompt: 'none' })).location.searchParams.get('error')).toBe('consent_required');
  });
});
