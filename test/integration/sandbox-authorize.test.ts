/**
 * The sandbox's authorization endpoint and its login/consent pages, driven over real HTTP the way a
 * browser follows them (forms, hidden fields, the session cookie).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/node';
import { authorizeUrl, authorizeWithForms, createBrowser, postToken } from '../../src/sandbox/testing/oauth-driver';
import { CHROME_REDIRECT_URI, DEV_CLIENT_ID, FIREFOX_REDIRECT_URI } from '../../src/shared/extension-identity';
import { DEV_CLIENT_SECRET } from '../../src/sandbox/dev-client-secret';

const ALICE = { email: 'alice@example.com', password: 'alice-demo' };
const QUERY_REDIRECT = 'https://app.example.test/callback?keep=1';
const CUSTOM_SCHEME_REDIRECT = 'cardiomood://example/redirect';
const OTHER_CLIENT = { clientId: 'other-app', clientSecret: 'other-secret', redirectUris: [QUERY_REDIRECT, CUSTOM_SCHEME_REDIRECT] };
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

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
    const { status, body } = await postToken(sandbox.url, {
      grant_type: 'authorization_code',
      code: location.searchParams.get('code') ?? '',
      redirect_uri: CHROME_REDIRECT_URI,
      client_id: DEV_CLIENT_ID,
      client_secret: DEV_CLIENT_SECRET,
    });
    expect(status).toBe(200);
    expect(body.scope).toBe('summaries:read');
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
