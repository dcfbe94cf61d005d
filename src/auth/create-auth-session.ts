import * as oauth from 'oauth4webapi';
import { COMPANION_CLIENT_TIMEOUT_MS, REFRESH_OUTCOME_UNKNOWN, type ExchangeRequest } from '../shared/companion-api';
import { err, ok, type AppError, type ErrorCode, type Result } from '../shared/error-codes';
import { isExpired, keepAliveAt, SILENT_REAUTH_TIMEOUT_MS } from '../shared/policy';
import { createSerialQueue } from '../shared/serial-queue';
import { needsReconnect, type SessionEndReason, type Status } from '../shared/status';
import type { TokenResponse } from '../shared/token-response';
import type { AuthStorage, PendingRevocations, RefreshAttempt, StoredTokens } from './auth-storage';
import { createAuthorizationRequest } from './authorization-request';
import type { CompanionClient, CompanionError } from './companion-client';
import { parseCallback } from './parse-callback';
import { tokenSubject } from './token-subject';

/**
 * What the session asks identity.launchWebAuthFlow for. The two Chrome options bound a
 * non-interactive flow (Chrome 113+); Firefox does not know them, so its wiring leaves them out.
 */
export interface WebAuthFlowDetails {
  url: string;
  interactive: boolean;
  abortOnLoadForNonInteractive?: boolean;
  timeoutMsForNonInteractive?: number;
}

/** The alarms the session plans; they outlive a stopped worker. */
export type AuthAlarm = 'refreshRetry' | 'revokeRetry';

export interface AuthSessionDeps {
  storage: AuthStorage;
  companion: CompanionClient;
  config: { authorizeUrl: string; clientId: string };
  getRedirectUrl: () => string;
  /**
   * identity.launchWebAuthFlow; rejects when the window is closed or its page cannot load, and (not
   * interactive) when the flow does not land on the redirect URI without a window.
   */
  launchWebAuthFlow: (details: WebAuthFlowDetails) => Promise<string | undefined>;
  /** Whether the refresh token may live in storage.local (false as well when the settings are unreadable). */
  keepSignedIn: () => Promise<boolean>;
  fetch: typeof fetch;
  now: () => number;
  /** Plans (at: epoch ms) or cancels (null) one of the session's alarms. */
  schedule: (alarm: AuthAlarm, at: number | null) => Promise<void>;
  /** A timer in this worker, for retries sooner than an alarm may fire (Chrome clamps alarms to 30 s). */
  setTimer: (run: () => void, ms: number) => () => void;
  /**
   * Whether the authorization server answers at all, asked when the auth window closed without an
   * answer: Firefox reports an unreachable page like a closed window (it shows its own error page).
   */
  probeAuthorizationServer?: () => Promise<boolean>;
  /** Drops everything derived from the member's data: the session ended, or a new one begins. */
  clearMemberData: () => Promise<void>;
  /** Called whenever what authStatus() reports may have changed. */
  onChange: () => void;
}

/** The abort reason of a session's signal: why the session's work stopped. */
export class SessionEndedError extends Error {
  constructor(readonly reason: SessionEndReason | 'replaced') {
    super(`the session ended (${reason})`);
    this.name = 'SessionEndedError';
  }
}

export type TokenResult = { ok: true; value: string } | { ok: false; error: CompanionError };

export interface AuthSession {
  /** Connecting, signed in, or why not: what the pages show. */
  authStatus(): Promise<Status['auth']>;
  /** Signed in: live tokens in storage.session, or a persisted refresh token to restore from. */
  hasSession(): Promise<boolean>;
  /**
   * The current session's signal: aborted when it ends (any reason), replaced when a new one starts.
   * Work done for a session passes it to its requests and checks it before every write.
   */
  signal(): AbortSignal;
  signIn(): Promise<Result<void>>;
  /** The member's own sign-out: ends the session and revokes both tokens. */
  signOut(): Promise<void>;
  getAccessToken(): Promise<TokenResult>;
  /** fetch with the Bearer token; on 401 refreshes once and retries once; a second 401 ends the session. */
  authorizedFetch(url: string, init?: RequestInit): Promise<Result<Response>>;
  /**
   * Periodic check (the poll alarm): renews the tokens of a session nobody used for `KEEP_ALIVE_MS`,
   * and restores a kept session the browser restarted with, so the refresh token is used long before
   * CardioMood would expire it. Access tokens are otherwise renewed only when a request needs one.
   */
  keepAlive(): Promise<void>;
  /** Timer and alarm handler: retry a refresh whose answer was lost, with the same nonce. */
  retryRefresh(): Promise<void>;
  /** Alarm handler: try the revocations still pending again. */
  retryRevocations(): Promise<void>;
  /** Once per worker start: ends a sign-in whose flow died with the previous worker, resumes revocations and an unanswered refresh. */
  start(): Promise<void>;
  /** The member switched "keep me signed in": persist or forget the refresh token now. */
  setKeepSignedIn(on: boolean): Promise<void>;
  /**
   * Before "keep me signed in" goes off: a session that lives only on disk (restored after a browser
   * restart, not refreshed since) is renewed into storage.session while the option still allows it,
   * or switching the option off would sign the member out. Fails, keeping the token on disk, when the
   * renewal fails for a reason that may pass (offline, 5xx, 429).
   */
  restoreFromDisk(): Promise<Result<void>>;
  /** Cancels this worker's timers. */
  dispose(): void;
}

/**
 * Quick retries of a refresh whose answer was lost, after its first, second and third send. The
 * companion keeps a rotated answer for 120 s; with every send timing out (20 s, the client timeout)
 * the sends go at 0, 22, 52 and 102 s, all inside that window. Later retries follow the readings'
 * backoff; one past the window gets invalid_grant, which ends the session as `reuse_refused`.
 */
export const REFRESH_RETRY_DELAYS_MS = [2_000, 10_000, 30_000] as const;
/** A revocation that keeps failing is given up after this many attempts. */
export const MAX_REVOCATION_ATTEMPTS = 5;
/** Wait after a failed revocation attempt: 30 s, 1, 2, 4 min (alarms fire after 30 s at the earliest). */
export const revocationDelayMs = (attempts: number) => 30_000 * 2 ** Math.max(0, attempts - 1);

/** The answer may have been lost after CardioMood rotated the refresh token: retry with the same nonce. */
const LOST_ANSWER: ReadonlySet<ErrorCode> = new Set(['NETWORK_ERROR', 'SERVER_ERROR', 'MALFORMED_RESPONSE']);
/**
 * The companion's answer when its connection to CardioMood broke after the refresh went out (502
 * refresh_outcome_unknown): the refresh token may be used up and no answer will ever come. A 504 with
 * the same code means CardioMood is late; the companion keeps a late answer for a retry.
 */
function isLostUpstream(error: CompanionError): boolean {
  return error.oauthError === REFRESH_OUTCOME_UNKNOWN && error.status === 502;
}
/** Failures worth another revocation attempt (the others will not get better). */
const REVOCATION_RETRYABLE: ReadonlySet<ErrorCode> = new Set(['NETWORK_ERROR', 'SERVER_ERROR', 'RATE_LIMITED', 'MALFORMED_RESPONSE']);

export function toStoredTokens(
  response: TokenResponse,
  now: number,
  previousRefreshToken: string | null,
): StoredTokens {
  return {
    accessToken: response.access_token,
    // A server that does not rotate may omit refresh_token on refresh: keep using the previous one.
    refreshToken: response.refresh_token ?? previousRefreshToken,
    expiresAt: response.expires_in === undefined ? null : now + response.expires_in * 1000,
    issuedAt: now,
  };
}

/**
 * The background's sign-in and token lifecycle, and the one owner of a session's end. Everything that
 * must survive a stopped worker is in storage (tokens, the pending sign-in, a refresh attempt and its
 * nonce, revocations still to make, why the last session ended); memory holds only what deduplicates
 * work inside one worker lifetime (single-flight promises, the session's AbortController, timers).
 */
export function createAuthSession(deps: AuthSessionDeps): AuthSession {
  const { storage, companion, now } = deps;
  const issuer = new URL(deps.config.authorizeUrl).origin;
  let signInFlight: Promise<Result<void>> | null = null;
  let refreshFlight: Promise<TokenResult> | null = null;
  let revoking: Promise<void> | null = null;
  let revokeAgain = false;
  let cancelRefreshTimer: (() => void) | null = null;
  let started: Promise<void> = Promise.resolve();
  /** The current session: aborted when it ends, replaced when a new one begins. */
  let epoch = new AbortController();
  const ending = createSerialQueue();

  /**
   * Token writes and "keep me signed in" changes run one at a time, so that switching it off while a
   * refresh saves its tokens cannot leave the new refresh token persisted.
   */
  const serialized = createSerialQueue();

  /** Attempts are written in the same queue: with "keep me signed in" their nonce goes next to the persisted token. */
  const writeAttempt = (attempt: RefreshAttempt | null) => serialized(() => storage.writeAttempt(attempt));

  async function saveTokens(tokens: StoredTokens): Promise<void> {
    await serialized(async () => storage.writeTokens(tokens, { persistRefreshToken: await deps.keepSignedIn() }));
  }

  /** The persisted refresh token, if "keep me signed in" (still) allows it; otherwise it is deleted. */
  async function restorableRefreshToken(): Promise<string | null> {
    const token = await storage.readPersistedRefreshToken();
    if (!token || (await deps.keepSignedIn())) return token;
    await serialized(() => storage.persistRefreshToken(null));
    return null;
  }

  async function hasSession(): Promise<boolean> {
    return (await storage.readTokens()) !== null || (await restorableRefreshToken()) !== null;
  }

  function stopRefreshTimer(): void {
    cancelRefreshTimer?.();
    cancelRefreshTimer = null;
  }

  /**
   * Ends the session and records why; the one place that does. `from` is the session the caller was
   * working for: if it has ended already (or another began), there is nothing left to end. The member's
   * own sign-out passes none: it always ends whatever is there. Ends run one after another, so the
   * reason recorded last is the one of the last end.
   */
  function endSession(reason: SessionEndReason, from?: AbortController): Promise<void> {
    return ending(() => finishSession(reason, from));
  }

  async function finishSession(reason: SessionEndReason, from: AbortController | undefined): Promise<void> {
    if (from && (from !== epoch || from.signal.aborted)) return;
    const ended = epoch;
    stopRefreshTimer();
    const [tokens, persisted] = await Promise.all([storage.readTokens(), storage.readPersistedRefreshToken()]);
    await serialized(() => storage.clearTokens());
    await Promise.all([
      writeAttempt(null),
      storage.writeSessionEnd({ reason, at: now() }),
      deps.schedule('refreshRetry', null),
    ]);
    // Recorded: from here on the ended session's work stops and writes nothing (it checks this signal).
    ended.abort(new SessionEndedError(reason));
    await deps.clearMemberData();
    deps.onChange();
    if (reason === 'signed_out') {
      await revokeTokens(tokens?.refreshToken ?? persisted, tokens?.accessToken);
    }
  }

  /** A new session: the old one (if any) and its member's data end here, the new tokens are stored. */
  async function beginSession(tokens: StoredTokens): Promise<void> {
    epoch.abort(new SessionEndedError('replaced'));
    epoch = new AbortController();
    stopRefreshTimer();
    await deps.clearMemberData();
    await writeAttempt(null);
    await saveTokens(tokens);
    await storage.writeSessionEnd(null);
  }

  async function failSignIn(error: AppError): Promise<{ ok: false; error: AppError }> {
    await storage.writeSignInError(error);
    return { ok: false, error };
  }

  /**
   * Chrome rejects with "Authorization page could not be loaded." when the page fails to load and
   * "The user did not approve access." when the window is closed. Firefox rejects both with "User
   * cancelled or denied access." (an unreachable page shows its own error page in the window), so
   * there we ask whether the server answers at all.
   */
  async function launchFailure(error: unknown): Promise<AppError> {
    const message = error instanceof Error ? error.message : String(error);
    const unreachable = { code: 'AUTH_PAGE_UNREACHABLE' as const, message: `the authorization page could not be loaded (${message})` };
    if (/could not be loaded/i.test(message)) return unreachable;
    if (deps.probeAuthorizationServer && !(await deps.probeAuthorizationServer().catch(() => false))) return unreachable;
    return { code: 'AUTH_CANCELLED', message: `the sign-in window was closed (${message})` };
  }

  async function doSignIn(): Promise<Result<void>> {
    await started;
    await storage.writeSignInError(null);
    const redirectUri = deps.getRedirectUrl();
    const request = await createAuthorizationRequest({
      authorizeUrl: deps.config.authorizeUrl,
      clientId: deps.config.clientId,
      redirectUri,
    });
    await storage.writePending({ state: request.state, codeVerifier: request.codeVerifier, redirectUri, createdAt: now() });
    let callbackUrl: string | undefined;
    try {
      callbackUrl = await deps.launchWebAuthFlow({ url: request.url.href, interactive: true });
    } catch (error) {
      await storage.takePending(now());
      return failSignIn(await launchFailure(error));
    }
    // State and verifier come back from storage and are deleted in the same step: single use.
    const pending = await storage.takePending(now());
    if (!pending || pending.state !== request.state) {
      return failSignIn({ code: 'STATE_MISMATCH', message: 'the pending sign-in expired or was replaced' });
    }
    if (!callbackUrl) return failSignIn({ code: 'INVALID_CALLBACK', message: 'the sign-in ended without a callback URL' });
    const tokens = await exchangeCallback(callbackUrl, pending);
    if (!tokens.ok) return failSignIn(tokens.error);
    await beginSession(toStoredTokens(tokens.value, now(), null));
    return ok(undefined);
  }

  /**
   * The callback checked (exact redirect URI, `iss` when present, `state`, then `error`) and its code
   * exchanged through the companion with the verifier: the one path of the interactive sign-in and
   * the silent re-authorization alike.
   */
  async function exchangeCallback(
    callbackUrl: string,
    expected: { state: string; codeVerifier: string; redirectUri: string },
  ): Promise<Result<TokenResponse>> {
    const callback = parseCallback(callbackUrl, { redirectUri: expected.redirectUri, state: expected.state, issuer });
    if (!callback.ok) return callback;
    const exchange: ExchangeRequest = {
      code: callback.value.code,
      code_verifier: expected.codeVerifier,
      redirect_uri: expected.redirectUri,
    };
    const tokens = await companion.exchangeCode(exchange);
    if (tokens.ok) return tokens;
    const { code, message } = tokens.error;
    // invalid_grant on the exchange is a failed sign-in, not an expired session.
    return err(code === 'REAUTH_REQUIRED' ? 'AUTHORIZATION_ERROR' : code, message);
  }

  /**
   * After a refresh answer that may have rotated the refresh token was lost, one try to sign the
   * member in again without them: a fresh authorization request (new state, PKCE S256) with
   * `prompt=none` in a flow that shows no window. CardioMood answers with a code only when the member
   * is still signed in there and still holds a valid token of this client (a revoked sign-in never
   * qualifies), else with an error; either way the member sees nothing. Returns the new access token,
   * or why it did not work. The caller decides what ends the session.
   */
  async function reauthorizeSilently(from: AbortController, attempt: RefreshAttempt, previous: StoredTokens | null): Promise<Result<string>> {
    // Recorded before the flow starts: once per lost answer, even if this worker stops halfway.
    await writeAttempt({ ...attempt, silentReauth: true });
    const redirectUri = deps.getRedirectUrl();
    const request = await createAuthorizationRequest({
      authorizeUrl: deps.config.authorizeUrl,
      clientId: deps.config.clientId,
      redirectUri,
      prompt: 'none',
    });
    let callbackUrl: string | undefined;
    try {
      callbackUrl = await deps.launchWebAuthFlow({
        url: request.url.href,
        interactive: false,
        abortOnLoadForNonInteractive: true,
        timeoutMsForNonInteractive: SILENT_REAUTH_TIMEOUT_MS,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return err('AUTHORIZATION_ERROR', `signing in again without the member was not possible (${message})`);
    }
    if (from !== epoch || from.signal.aborted) return err('NOT_SIGNED_IN', 'the session ended during the silent re-authorization');
    if (!callbackUrl) return err('INVALID_CALLBACK', 'the silent re-authorization ended without a callback URL');
    const tokens = await exchangeCallback(callbackUrl, { state: request.state, codeVerifier: request.codeVerifier, redirectUri });
    if (!tokens.ok) return tokens;
    const received = toStoredTokens(tokens.value, now(), null);
    const revokeReceived = () => revokeTokens(received.refreshToken, received.accessToken);
    if (from !== epoch || from.signal.aborted) {
      // A sign-out won while the code was exchanged: what it brought must not live on.
      await revokeReceived();
      return err('NOT_SIGNED_IN', 'the session ended during the silent re-authorization');
    }
    const before = previous ? tokenSubject(previous.accessToken) : undefined;
    const after = tokenSubject(received.accessToken);
    if (before !== undefined && after !== undefined && before !== after) {
      // Someone else is signed in at CardioMood in this browser now: never continue as them unasked.
      await revokeReceived();
      return err('AUTHORIZATION_ERROR', 'CardioMood signed in another member');
    }
    // The member's data stays only when the new tokens are known to be theirs.
    if (before === undefined || after === undefined) await deps.clearMemberData();
    await saveTokens(received);
    stopRefreshTimer();
    await Promise.all([writeAttempt(null), deps.schedule('refreshRetry', null)]);
    // The old refresh token is either used up or still live with nobody to use it: revoking it also
    // takes down whatever CardioMood issued in the answer that was lost.
    await revokeLater([{ token: attempt.refreshToken, hint: 'refresh_token' }]);
    deps.onChange();
    return ok(received.accessToken);
  }

  /**
   * One refresh at a time. `seenAccessToken` is the token the caller found expired or had rejected:
   * if storage already holds a different, valid one, another caller refreshed meanwhile: use it.
   */
  function refresh(seenAccessToken: string | null): Promise<TokenResult> {
    refreshFlight ??= doRefresh(seenAccessToken).finally(() => {
      refreshFlight = null;
    });
    return refreshFlight;
  }

  /** Stores the attempt before sending: the same refresh token keeps its nonce, a new one gets a new nonce. */
  async function beginAttempt(refreshToken: string): Promise<{ attempt: RefreshAttempt; mayHaveRotated: boolean }> {
    const previous = await storage.readAttempt();
    const same = previous?.refreshToken === refreshToken ? previous : null;
    const attempt: RefreshAttempt = {
      refreshToken,
      // 256 random bits (crypto.getRandomValues), base64url.
      nonce: same?.nonce ?? oauth.generateRandomNonce(),
      sends: (same?.sends ?? 0) + 1,
      unanswered: true,
      ...(same?.silentReauth ? { silentReauth: true as const } : {}),
    };
    await writeAttempt(attempt);
    return { attempt, mayHaveRotated: same?.unanswered ?? false };
  }

  async function planRefreshRetry(sends: number): Promise<void> {
    const delay = REFRESH_RETRY_DELAYS_MS[sends - 1];
    // Past the quick retries, the readings' backoff asks again: no alarm of ours keeps sending.
    if (delay === undefined) return deps.schedule('refreshRetry', null);
    stopRefreshTimer();
    cancelRefreshTimer = deps.setTimer(() => {
      cancelRefreshTimer = null;
      retryRefresh().catch((error: unknown) => console.error('Retrying the refresh failed', error));
    }, delay);
    // The alarm is the fallback for a worker stopped before the timer fires.
    await deps.schedule('refreshRetry', now() + delay);
  }

  async function doRefresh(seenAccessToken: string | null): Promise<TokenResult> {
    const from = epoch;
    const current = await storage.readTokens();
    if (current && current.accessToken !== seenAccessToken && !isExpired(current, now())) {
      return ok(current.accessToken);
    }
    const refreshToken = current?.refreshToken ?? (await restorableRefreshToken());
    if (!refreshToken) {
      if (!current) return err('NOT_SIGNED_IN', 'connect CardioMood first');
      await endSession('expired', from);
      return err('REAUTH_REQUIRED', 'the access token expired and there is no refresh token to renew it');
    }
    const { attempt, mayHaveRotated } = await beginAttempt(refreshToken);
    // A worker stopped while this request is on the wire never learns its answer, and no timer of
    // its survives: this alarm starts a new worker that retries (same nonce) while the companion
    // still holds the answer. Every answer below replaces or cancels it.
    await deps.schedule('refreshRetry', now() + COMPANION_CLIENT_TIMEOUT_MS);
    const response = await companion.refresh({ refresh_token: refreshToken, replay_nonce: attempt.nonce });
    if (from !== epoch || from.signal.aborted) {
      // The session ended while this refresh ran: what it received must not live on.
      if (response.ok) await revokeTokens(response.value.refresh_token, response.value.access_token);
      return err('NOT_SIGNED_IN', 'the session ended while its tokens were being refreshed');
    }
    if (response.ok) {
      // The rotated refresh token is stored before anything else happens with the response.
      await saveTokens(toStoredTokens(response.value, now(), refreshToken));
      stopRefreshTimer();
      await Promise.all([writeAttempt(null), deps.schedule('refreshRetry', null)]);
      deps.onChange();
      return ok(response.value.access_token);
    }
    if (response.error.code === 'REAUTH_REQUIRED') {
      const latest = await storage.readTokens();
      const stored = latest?.refreshToken ?? (await storage.readPersistedRefreshToken());
      if (latest && stored !== refreshToken) {
        // Lost a race with a rotation we did not see: the stored tokens are the newer ones.
        return ok(latest.accessToken);
      }
      // A plain refusal (revoked, expired) never gets a silent re-authorization: only a refusal of a
      // token whose earlier send went unanswered, so that the lost answer may have used it.
      if (!mayHaveRotated) {
        await endSession('revoked', from);
        return response;
      }
      if (!attempt.silentReauth) {
        const silent = await reauthorizeSilently(from, attempt, current);
        if (silent.ok || silent.error.code === 'NOT_SIGNED_IN') return silent;
      }
      await endSession('answer_lost', from);
      return err('REAUTH_REQUIRED', 'CardioMood’s answer to a refresh was lost and signing in again without the member was not possible');
    }
    if (isLostUpstream(response.error) && !attempt.silentReauth) {
      // The companion sent the refresh and its connection to CardioMood broke: no answer will come,
      // and sending the same refresh token again would be reuse if CardioMood did rotate it.
      const silent = await reauthorizeSilently(from, attempt, current);
      if (silent.ok || silent.error.code === 'NOT_SIGNED_IN') return silent;
      // Perhaps CardioMood never used the token (the connection broke before it did): the retry
      // below tries it once more, and a refusal then ends the session as answer_lost.
    }
    // Every other failure keeps every token.
    if (LOST_ANSWER.has(response.error.code)) await planRefreshRetry(attempt.sends);
    else await Promise.all([writeAttempt({ ...attempt, unanswered: false }), deps.schedule('refreshRetry', null)]);
    return response;
  }

  async function retryRefresh(): Promise<void> {
    const attempt = await storage.readAttempt();
    if (!attempt) return;
    const tokens = await storage.readTokens();
    if (attempt.refreshToken !== (tokens?.refreshToken ?? (await restorableRefreshToken()))) {
      // Left behind by a rotation that was stored: nothing to retry.
      await writeAttempt(null);
      return;
    }
    await refresh(tokens?.accessToken ?? null);
  }

  async function getAccessToken(): Promise<TokenResult> {
    const tokens = await storage.readTokens();
    if (!tokens) {
      if (await restorableRefreshToken()) return refresh(null);
      return err('NOT_SIGNED_IN', 'connect CardioMood first');
    }
    if (isExpired(tokens, now())) return refresh(tokens.accessToken);
    return ok(tokens.accessToken);
  }

  async function send(url: string, init: RequestInit | undefined, accessToken: string): Promise<Result<Response>> {
    const headers = new Headers(init?.headers);
    headers.set('Authorization', `Bearer ${accessToken}`);
    try {
      // redirect: 'error': a redirect must never become a second request carrying the token.
      return ok(await deps.fetch(url, { ...init, headers, credentials: 'omit', cache: 'no-store', redirect: 'error' }));
    } catch (error) {
      if (init?.signal?.aborted) throw error;
      return err('NETWORK_ERROR', 'could not reach CardioMood');
    }
  }

  /**
   * Read, change and write the revocation queue as one step: a pass that finishes while tokens are
   * queued must not write its older copy over them.
   */
  const revocationEdits = createSerialQueue();
  function editRevocations(change: (queued: PendingRevocations) => PendingRevocations): Promise<PendingRevocations> {
    return revocationEdits(async () => {
      const next = change(await storage.readRevocations());
      await storage.writeRevocations(next);
      return next;
    });
  }

  /** Queues a session's tokens for revocation, the refresh token first (RFC 7009: a server may revoke the access tokens issued with it). */
  function revokeTokens(refreshToken: string | null | undefined, accessToken: string | undefined): Promise<void> {
    return revokeLater([
      ...(refreshToken ? [{ token: refreshToken, hint: 'refresh_token' as const }] : []),
      ...(accessToken ? [{ token: accessToken, hint: 'access_token' as const }] : []),
    ]);
  }

  /** Queues tokens for revocation (storage.session only) and starts revoking them. */
  async function revokeLater(tokens: Array<{ token: string; hint: 'refresh_token' | 'access_token' }>): Promise<void> {
    if (tokens.length === 0) return;
    await editRevocations((queued) => [...queued, ...tokens.map((each) => ({ ...each, attempts: 0, nextAt: now() }))]);
    // The worker may stop before the attempt ends: the alarm brings the revocations back.
    await deps.schedule('revokeRetry', now() + revocationDelayMs(1));
    void runRevocations().catch((error: unknown) => console.error('Revoking tokens failed', error));
  }

  function runRevocations(): Promise<void> {
    if (revoking) {
      revokeAgain = true;
      return revoking;
    }
    revoking = (async () => {
      do {
        revokeAgain = false;
        await revokeDue();
      } while (revokeAgain);
    })().finally(() => {
      revoking = null;
    });
    return revoking;
  }

  /** One pass over the revocations that are due; failures wait for their backoff, the last one gives up. */
  async function revokeDue(): Promise<void> {
    const queued = await storage.readRevocations();
    const handled = new Map<string, PendingRevocations[number] | null>();
    for (const entry of queued) {
      if (entry.nextAt > now()) continue;
      const result = await companion.revoke(entry.token, entry.hint);
      const attempts = entry.attempts + 1;
      const retry = !result.ok && REVOCATION_RETRYABLE.has(result.error.code) && attempts < MAX_REVOCATION_ATTEMPTS;
      handled.set(entry.token, retry ? { ...entry, attempts, nextAt: now() + revocationDelayMs(attempts) } : null);
    }
    // Re-read: revocations queued while this pass ran are kept as they are.
    const remaining = await editRevocations((latest) =>
      latest.flatMap((entry) => {
        const outcome = handled.get(entry.token);
        return outcome === undefined ? [entry] : outcome ? [outcome] : [];
      }),
    );
    const next = Math.min(...remaining.map((entry) => entry.nextAt));
    await deps.schedule('revokeRetry', remaining.length > 0 ? next : null);
  }

  async function recover(): Promise<void> {
    // A fresh worker runs no sign-in: a pending one lost its flow when the previous worker stopped.
    if (await storage.discardPending()) {
      await storage.writeSignInError({
        code: 'SIGN_IN_INTERRUPTED',
        message: 'the background stopped while the sign-in window was open',
      });
      deps.onChange();
    }
    if ((await storage.readRevocations()).length > 0) void runRevocations().catch((error: unknown) => console.error('Revoking tokens failed', error));
    // A refresh the previous worker sent and never heard back from: retry it now, while the companion
    // may still hold its answer. Its alarm may be gone (Chrome may clear alarms when it restarts).
    if ((await storage.readAttempt())?.unanswered) void retryRefresh().catch((error: unknown) => console.error('Retrying the refresh failed', error));
  }

  return {
    async authStatus() {
      await started;
      const [signedIn, error, end] = await Promise.all([hasSession(), storage.readSignInError(), storage.readSessionEnd()]);
      const reason = signedIn ? null : (end?.reason ?? null);
      const state = signInFlight ? 'connecting' : signedIn ? 'signed_in' : needsReconnect(reason) ? 'reconnect_required' : 'signed_out';
      return { state, error, reason };
    },
    hasSession,
    signal: () => epoch.signal,
    signIn() {
      if (!signInFlight) {
        signInFlight = doSignIn().finally(() => {
          signInFlight = null;
          deps.onChange();
        });
        deps.onChange();
      }
      return signInFlight;
    },
    signOut: () => endSession('signed_out'),
    getAccessToken,
    async authorizedFetch(url, init) {
      const token = await getAccessToken();
      if (!token.ok) return token;
      const first = await send(url, init, token.value);
      if (!first.ok || first.value.status !== 401) return first;
      await first.value.body?.cancel().catch(() => undefined);
      // 401: refresh once and retry once, never loop.
      const from = epoch;
      const renewed = await refresh(token.value);
      if (!renewed.ok) return renewed;
      const second = await send(url, init, renewed.value);
      if (!second.ok || second.value.status !== 401) return second;
      await second.value.body?.cancel().catch(() => undefined);
      // CardioMood refuses the token it has just issued: this session cannot go on.
      await endSession('unauthorized', from);
      return err('REAUTH_REQUIRED', 'CardioMood refused a freshly refreshed access token (HTTP 401)');
    },
    async keepAlive() {
      const tokens = await storage.readTokens();
      if (tokens) {
        if (now() >= keepAliveAt(tokens)) await refresh(tokens.accessToken);
      } else if (await restorableRefreshToken()) {
        // A browser restart left only the kept refresh token and nobody has used it since.
        await refresh(null);
      }
    },
    retryRefresh,
    retryRevocations: () => runRevocations(),
    start() {
      started = recover();
      return started;
    },
    async restoreFromDisk() {
      if ((await storage.readTokens()) || !(await restorableRefreshToken())) return ok(undefined);
      const renewed = await refresh(null);
      // Refused by CardioMood (the session has ended) or already gone: nothing is left to keep.
      if (renewed.ok || renewed.error.code === 'REAUTH_REQUIRED' || renewed.error.code === 'NOT_SIGNED_IN') return ok(undefined);
      return err(renewed.error.code, `the session kept on disk could not be renewed, so it stays kept (${renewed.error.message})`);
    },
    setKeepSignedIn: (on) =>
      serialized(async () => {
        const tokens = await storage.readTokens();
        await storage.persistRefreshToken(on ? (tokens?.refreshToken ?? null) : null);
      }),
    dispose: stopRefreshTimer,
  };
}
