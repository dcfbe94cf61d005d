import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { findMemberByEmail, type SandboxClient, type SandboxContext } from './sandbox-context';
import { consentPage, errorPage, loginPage, type FormFields } from './oauth-pages';
import { randomToken, timingSafeEqual } from './random';
import { SANDBOX_ERROR } from './sandbox-error';

/**
 * `/oauth/authorize` and the login/consent pages behind it, as Laravel Passport's
 * AuthorizationController runs them: login, then a consent screen, which is skipped when the member
 * already holds a valid token for this client with the same scopes (TokenStore.hasValidToken). The
 * `prompt` parameter: `none` answers at once (a code when it may approve without asking, else
 * `login_required` without a signed-in session or `consent_required`), `consent` always shows the
 * consent screen, `login` signs the session out and asks for the password again. This is Passport's
 * behaviour, inferred; CardioMood documents neither (docs/cardiomood-api.md). The pending request
 * lives server-side under a random id; the forms carry only that id and a CSRF token, both bound to
 * the browser's session cookie, so redirect_uri and state can never be swapped through a hidden field.
 */

export const SESSION_COOKIE = 'cardiomood_sandbox_session';
const PENDING_TTL_MS = 15 * 60_000;

interface Session {
  memberId: string | undefined;
  expiresAt: number;
}

interface PendingRequest {
  client: SandboxClient;
  redirectUri: string;
  state: string | undefined;
  codeChallenge: string | undefined;
  scope: string | undefined;
  /** `consent`: the consent screen is shown even when the member could be approved without it. */
  prompt: Prompt | undefined;
  sessionId: string;
  csrfToken: string;
  expiresAt: number;
}

type PageVariables = { Variables: { nonce: string } };

/** The `prompt` values Passport acts on (OpenID Connect Core §3.1.2.1); others are ignored, as Passport does. */
const PROMPTS = ['none', 'login', 'consent'] as const;
type Prompt = (typeof PROMPTS)[number];
const isPrompt = (value: string | undefined): value is Prompt => (PROMPTS as readonly string[]).includes(value ?? '');

export function createAuthorizeRoutes(ctx: SandboxContext) {
  const sessions = new Map<string, Session>();
  const pending = new Map<string, PendingRequest>();
  const app = new Hono<PageVariables>();

  const prune = () => {
    const now = ctx.now();
    for (const [id, request] of pending) if (request.expiresAt <= now) pending.delete(id);
    for (const [id, session] of sessions) if (session.expiresAt <= now) sessions.delete(id);
  };

  // Pages: a nonce-based CSP (one style block, no script), no framing, nothing cached or referred.
  app.use('*', async (c, next) => {
    const nonce = randomToken(16);
    c.set('nonce', nonce);
    await next();
    c.res.headers.set('Content-Security-Policy', `default-src 'none'; style-src 'nonce-${nonce}'; frame-ancestors 'none'; base-uri 'none'`);
    c.res.headers.set('X-Frame-Options', 'DENY');
    c.res.headers.set('Referrer-Policy', 'no-referrer');
    c.res.headers.set('Cache-Control', 'no-store');
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
  });

  // The forms carry a few short fields; anything large is not from our pages.
  app.use('*', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.text('Payload too large', 413) }));

  const showError = (c: Context<PageVariables>, status: ContentfulStatusCode, title: string, message: string) =>
    c.html(errorPage({ nonce: c.get('nonce'), title, message }), status);

  const currentSession = (c: Context): { id: string; session: Session } | undefined => {
    const id = getCookie(c, SESSION_COOKIE);
    const session = id ? sessions.get(id) : undefined;
    if (!id || !session || session.expiresAt <= ctx.now()) return undefined;
    return { id, session };
  };

  const startSession = (c: Context, memberId: string | undefined): string => {
    const id = randomToken(32);
    sessions.set(id, { memberId, expiresAt: ctx.now() + ctx.sessionTtlMs });
    setCookie(c, SESSION_COOKIE, id, { httpOnly: true, sameSite: 'Lax', path: '/' });
    return id;
  };

  const fieldsOf = (requestId: string, request: PendingRequest): FormFields => ({ requestId, csrfToken: request.csrfToken });

  const renderLogin = (c: Context<PageVariables>, requestId: string, request: PendingRequest, error?: { email: string; message: string }) =>
    c.html(
      loginPage({
        nonce: c.get('nonce'),
        fields: fieldsOf(requestId, request),
        clientId: request.client.clientId,
        members: ctx.members,
        ...(error ? { email: error.email, error: error.message } : {}),
      }),
      error ? 401 : 200,
    );

  const renderConsent = (c: Context<PageVariables>, requestId: string, request: PendingRequest, memberId: string) => {
    const member = ctx.members.find((candidate) => candidate.id === memberId);
    if (!member) return showError(c, 400, 'Cannot sign in', 'Your session is no longer valid.');
    return c.html(
      consentPage({
        nonce: c.get('nonce'),
        fields: fieldsOf(requestId, request),
        clientId: request.client.clientId,
        memberEmail: member.email,
        ...(request.scope !== undefined ? { scope: request.scope } : {}),
      }),
    );
  };

  /** A single-use code for the member goes back to the client, with its `state`. */
  type CodeRequest = Pick<PendingRequest, 'client' | 'redirectUri' | 'state' | 'codeChallenge' | 'scope'>;
  const issueCode = (c: Context, request: CodeRequest, memberId: string) => {
    const code = ctx.store.createCode({
      memberId,
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      scope: request.scope,
    });
    return c.redirect(callbackUrl(request.redirectUri, { code, state: request.state }), 302);
  };

  /** The member allowed (or needs not be asked): the pending request ends in a code. */
  const approve = (c: Context, requestId: string, request: PendingRequest, memberId: string) => {
    pending.delete(requestId);
    return issueCode(c, request, memberId);
  };

  /** Passport skips the consent screen for a member who already holds a valid token of this client with these scopes. */
  const mayApproveWithoutAsking = (request: PendingRequest, memberId: string) =>
    request.prompt !== 'consent' && ctx.store.hasValidToken(memberId, request.client.clientId, request.scope);

  /** A signed-in member: approved at once when Passport would, else the consent screen. */
  const consentOrApprove = (c: Context<PageVariables>, requestId: string, request: PendingRequest, memberId: string) => {
    if (mayApproveWithoutAsking(request, memberId)) {
      ctx.stats.autoApprovals++;
      return approve(c, requestId, request, memberId);
    }
    return renderConsent(c, requestId, request, memberId);
  };

  app.get('/authorize', (c) => {
    prune();
    const query = c.req.queries();
    const single = (name: string): string | undefined => query[name]?.[0];
    const repeated = Object.entries(query).find(([, values]) => values.length > 1)?.[0];
    const clientId = single('client_id');
    const redirectUri = single('redirect_uri');
    // Until client and redirect URI are known good, nothing may be sent anywhere (RFC 6749 §4.1.2.1).
    const client = ctx.clients.find((candidate) => candidate.clientId === clientId);
    if (!clientId || !client || query.client_id?.length !== 1) {
      return showError(c, 400, 'Unknown application', 'The application that sent you here is not registered with CardioMood ("client_id" is missing or unknown).');
    }
    if (!redirectUri || query.redirect_uri?.length !== 1 || !client.redirectUris.includes(redirectUri)) {
      return showError(c, 400, 'Invalid redirect address', 'The address this application asked to return to ("redirect_uri") is not registered for it.');
    }
    const state = single('state');
    const fail = (error: string, description: string) => c.redirect(callbackUrl(redirectUri, { error, error_description: description, state }), 302);
    if (repeated) return fail(SANDBOX_ERROR.INVALID_REQUEST, `"${repeated}" is repeated`);
    const responseType = single('response_type');
    if (!responseType) return fail(SANDBOX_ERROR.INVALID_REQUEST, '"response_type" is required');
    if (responseType !== 'code') return fail(SANDBOX_ERROR.UNSUPPORTED_RESPONSE_TYPE, 'Only response_type=code is supported');
    const codeChallenge = single('code_challenge');
    const method = single('code_challenge_method');
    if (codeChallenge !== undefined || method !== undefined) {
      if (codeChallenge === undefined) return fail(SANDBOX_ERROR.INVALID_REQUEST, '"code_challenge_method" was sent without "code_challenge"');
      // No method means "plain" (RFC 7636 §4.3), which is refused like an explicit plain.
      if (method !== 'S256') return fail(SANDBOX_ERROR.INVALID_REQUEST, '"code_challenge_method" must be S256');
      if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) return fail(SANDBOX_ERROR.INVALID_REQUEST, '"code_challenge" must be a base64url SHA-256 (43 characters)');
    }
    const promptValue = single('prompt');
    const prompt = isPrompt(promptValue) ? promptValue : undefined;
    const scope = single('scope');
    let existing = currentSession(c);
    if (prompt === 'none') {
      // Answer at once, never a page (OpenID Connect Core §3.1.2.6); nothing is kept pending.
      const memberId = existing?.session.memberId;
      if (!memberId) return fail(SANDBOX_ERROR.LOGIN_REQUIRED, 'The member is not signed in at CardioMood');
      if (!ctx.store.hasValidToken(memberId, client.clientId, scope)) {
        return fail(SANDBOX_ERROR.CONSENT_REQUIRED, 'The member has not approved this application, or the approval was revoked');
      }
      ctx.stats.silentApprovals++;
      return issueCode(c, { client, redirectUri, state, codeChallenge, scope }, memberId);
    }
    if (prompt === 'login' && existing?.session.memberId) {
      // Passport logs the member out and asks for the password again; the old session is worth nothing.
      sessions.delete(existing.id);
      existing = undefined;
    }
    const sessionId = existing?.id ?? startSession(c, undefined);
    const requestId = randomToken(24);
    const request: PendingRequest = {
      client,
      redirectUri,
      state,
      codeChallenge,
      scope,
      prompt,
      sessionId,
      csrfToken: randomToken(24),
      expiresAt: ctx.now() + PENDING_TTL_MS,
    };
    pending.set(requestId, request);
    const memberId = existing?.session.memberId;
    return memberId ? consentOrApprove(c, requestId, request, memberId) : renderLogin(c, requestId, request);
  });

  /**
   * The pending request a form post refers to, when the post comes from the browser that started it
   * (session cookie) and carries its CSRF token. Anything else gets an error page, never a redirect.
   */
  async function formRequest(c: Context<PageVariables>) {
    const body = await c.req.parseBody();
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
    const requestId = text('request_id') ?? '';
    const request = pending.get(requestId);
    if (!request || request.expiresAt <= ctx.now()) {
      return { response: showError(c, 400, 'Sign-in expired', 'This sign-in request has expired or is unknown.') };
    }
    const session = currentSession(c);
    const csrfToken = text('csrf_token') ?? '';
    if (!session || session.id !== request.sessionId || !timingSafeEqual(csrfToken, request.csrfToken)) {
      return { response: showError(c, 403, 'Cannot continue', 'This form was not sent from the sign-in page this browser opened (CSRF check failed).') };
    }
    return { requestId, request, session, text };
  }

  app.post('/login', async (c) => {
    const form = await formRequest(c);
    if ('response' in form) return form.response;
    const { requestId, request, session, text } = form;
    const email = text('email') ?? '';
    const member = findMemberByEmail(ctx.members, email);
    if (!member || !timingSafeEqual(text('password') ?? '', member.password)) {
      ctx.stats.failedLogins++;
      return renderLogin(c, requestId, request, { email, message: 'The e-mail address or password is incorrect.' });
    }
    ctx.stats.logins++;
    // A new session id at login: a session fixed before sign-in is worth nothing afterwards.
    sessions.delete(session.id);
    request.sessionId = startSession(c, member.id);
    request.csrfToken = randomToken(24);
    return c.redirect(`/oauth/consent?request_id=${encodeURIComponent(requestId)}`, 303);
  });

  app.get('/consent', (c) => {
    const requestId = c.req.query('request_id') ?? '';
    const request = pending.get(requestId);
    const session = currentSession(c);
    if (!request || request.expiresAt <= ctx.now() || !session || session.id !== request.sessionId) {
      return showError(c, 400, 'Sign-in expired', 'This sign-in request has expired or is unknown.');
    }
    // After the login, as Passport does when it sends the member back to the authorization request.
    return session.session.memberId ? consentOrApprove(c, requestId, request, session.session.memberId) : renderLogin(c, requestId, request);
  });

  app.post('/consent', async (c) => {
    const form = await formRequest(c);
    if ('response' in form) return form.response;
    const { requestId, request, session, text } = form;
    const memberId = session.session.memberId;
    if (!memberId) return renderLogin(c, requestId, request);
    const decision = text('decision');
    if (decision !== 'allow' && decision !== 'deny') return showError(c, 400, 'Cannot continue', 'Choose Allow or Deny.');
    if (decision === 'allow') return approve(c, requestId, request, memberId);
    pending.delete(requestId);
    return c.redirect(
      callbackUrl(request.redirectUri, { error: SANDBOX_ERROR.ACCESS_DENIED, error_description: 'The member denied access', state: request.state }),
      302,
    );
  });

  app.post('/logout', async (c) => {
    const form = await formRequest(c);
    if ('response' in form) return form.response;
    const { requestId, request, session } = form;
    sessions.delete(session.id);
    request.sessionId = startSession(c, undefined);
    request.csrfToken = randomToken(24);
    return c.redirect(`/oauth/consent?request_id=${encodeURIComponent(requestId)}`, 303);
  });

  return app;
}

/** The registered redirect URI with the response parameters added (its own query is kept, RFC 6749 §3.1.2). */
export function callbackUrl(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.append(name, value);
  return url.toString();
}
