import type { ExchangeRequest } from '../shared/companion-api';
import { err, ok, type AppError, type Result } from '../shared/error-codes';
import type { TokenResponse } from '../shared/token-response';
import type { AuthStorage, StoredTokens } from './auth-storage';
import { createAuthorizationRequest } from './authorization-request';
import type { CompanionClient, CompanionError } from './companion-client';
import { parseCallback } from './parse-callback';

export interface AuthSessionDeps {
  storage: AuthStorage;
  companion: CompanionClient;
  config: { authorizeUrl: string; clientId: string };
  getRedirectUrl: () => string;
  /** identity.launchWebAuthFlow; rejects when the window is closed. */
  launchWebAuthFlow: (details: { url: string; interactive: boolean }) => Promise<string | undefined>;
  keepSignedIn: () => Promise<boolean>;
  fetch: typeof fetch;
  now: () => number;
  /** Plans the refresh-ahead alarm (null: cancel it). */
  scheduleRefresh: (at: number | null) => Promise<void>;
  /** Called whenever connecting / signed-in state may have changed. */
  onChange: () => void;
}

export type TokenResult = { ok: true; value: string } | { ok: false; error: CompanionError };

export interface AuthSession {
  isConnecting(): boolean;
  /** Signed in: live tokens in storage.session, or a persisted refresh token to restore from. */
  hasSession(): Promise<boolean>;
  signIn(): Promise<Result<void>>;
  signOut(): Promise<void>;
  getAccessToken(): Promise<TokenResult>;
  /** fetch with the Bearer token; on 401 refreshes once and retries once. */
  authorizedFetch(url: string, init?: RequestInit): Promise<Result<Response>>;
  /** Alarm handler: refresh ahead of expiry when the access token is close to it. */
  refreshAhead(): Promise<void>;
  /** Drops the local session without revoking (CardioMood already refuses it). */
  forget(): Promise<void>;
  /** The member switched "keep me signed in": persist or forget the refresh token now. */
  setKeepSignedIn(on: boolean): Promise<void>;
}

/** Refresh this long before expiry: a fifth of the lifetime, at most five minutes. */
export function refreshLeadMs(tokens: Pick<StoredTokens, 'expiresAt' | 'issuedAt'>): number {
  if (tokens.expiresAt === null) return 0;
  return Math.min(5 * 60_000, Math.max(0, (tokens.expiresAt - tokens.issuedAt) / 5));
}

/** Expired, with a small skew (a tenth of the lifetime, at most 30 s) for clock drift and latency. */
export function isExpired(tokens: Pick<StoredTokens, 'expiresAt' | 'issuedAt'>, now: number): boolean {
  if (tokens.expiresAt === null) return false;
  const skew = Math.min(30_000, Math.max(0, (tokens.expiresAt - tokens.issuedAt) / 10));
  return now >= tokens.expiresAt - skew;
}

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
 * The background's sign-in and token lifecycle. Tokens live in storage.session (the service worker can
 * be stopped at any time, so nothing important lives only in memory, except the single-flight promises
 * that deduplicate concurrent work inside one worker lifetime).
 */
export function createAuthSession(deps: AuthSessionDeps): AuthSession {
  const { storage, companion, now } = deps;
  let signInFlight: Promise<Result<void>> | null = null;
  let refreshFlight: Promise<TokenResult> | null = null;
  /** Bumped by sign-out and sign-in so that a refresh finishing afterwards cannot resurrect old tokens. */
  let generation = 0;

  async function saveTokens(tokens: StoredTokens): Promise<void> {
    await storage.writeTokens(tokens, { persistRefreshToken: await deps.keepSignedIn() });
    await deps.scheduleRefresh(tokens.expiresAt === null ? null : tokens.expiresAt - refreshLeadMs(tokens));
  }

  async function clearSession(): Promise<void> {
    await storage.clearTokens();
    await deps.scheduleRefresh(null);
  }

  async function doSignIn(): Promise<Result<void>> {
    const redirectUri = deps.getRedirectUrl();
    const request = await createAuthorizationRequest({
      authorizeUrl: deps.config.authorizeUrl,
      clientId: deps.config.clientId,
      redirectUri,
    });
    await storage.writePending({
      state: request.state,
      codeVerifier: request.codeVerifier,
      redirectUri,
      createdAt: now(),
    });
    let callbackUrl: string | undefined;
    try {
      callbackUrl = await deps.launchWebAuthFlow({ url: request.url.href, interactive: true });
    } catch (error) {
      await storage.takePending(now());
      // Chrome and Firefox reject with a generic message for a closed window or a failed load.
      return err('AUTH_CANCELLED', `the sign-in window was closed (${String((error as Error)?.message ?? error)})`);
    }
    // State and verifier come back from storage and are deleted in the same step: single use.
    const pending = await storage.takePending(now());
    if (!pending || pending.state !== request.state) {
      return err('STATE_MISMATCH', 'the pending sign-in expired or was replaced');
    }
    if (!callbackUrl) return err('INVALID_CALLBACK', 'the sign-in ended without a callback URL');
    const callback = parseCallback(callbackUrl, { redirectUri: pending.redirectUri, state: pending.state });
    if (!callback.ok) return callback;
    const exchange: ExchangeRequest = {
      code: callback.value.code,
      code_verifier: pending.codeVerifier,
      redirect_uri: pending.redirectUri,
    };
    const tokens = await companion.exchangeCode(exchange);
    if (!tokens.ok) {
      const { code, message } = tokens.error;
      // invalid_grant on the exchange is a failed sign-in, not an expired session.
      return code === 'REAUTH_REQUIRED' ? err('AUTHORIZATION_ERROR', message) : err(code, message);
    }
    generation += 1;
    await saveTokens(toStoredTokens(tokens.value, now(), null));
    return ok(undefined);
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

  async function doRefresh(seenAccessToken: string | null): Promise<TokenResult> {
    const startedIn = generation;
    const current = await storage.readTokens();
    if (current && current.accessToken !== seenAccessToken && !isExpired(current, now())) {
      return ok(current.accessToken);
    }
    const refreshToken = current?.refreshToken ?? (await storage.readPersistedRefreshToken());
    if (!refreshToken) {
      if (current) await clearSession();
      return err('NOT_SIGNED_IN', 'no refresh token: connect CardioMood');
    }
    const response = await companion.refresh(refreshToken);
    if (startedIn !== generation) {
      // Signed out (or in again) while this refresh ran: drop its result.
      const latest = await storage.readTokens();
      return latest ? ok(latest.accessToken) : err('NOT_SIGNED_IN', 'signed out during refresh');
    }
    if (response.ok) {
      await saveTokens(toStoredTokens(response.value, now(), refreshToken));
      deps.onChange();
      return ok(response.value.access_token);
    }
    if (response.error.code === 'REAUTH_REQUIRED') {
      const latest = await storage.readTokens();
      const stored = latest?.refreshToken ?? (await storage.readPersistedRefreshToken());
      if (stored !== refreshToken && latest) {
        // Lost a race with a rotation we did not see: the stored tokens are the newer ones.
        return ok(latest.accessToken);
      }
      await clearSession();
      deps.onChange();
    }
    // Transient failures (network, 5xx, 429) keep every token.
    return response;
  }

  async function getAccessToken(): Promise<TokenResult> {
    const tokens = await storage.readTokens();
    if (!tokens) {
      if (await storage.readPersistedRefreshToken()) return refresh(null);
      return err('NOT_SIGNED_IN', 'connect CardioMood first');
    }
    if (isExpired(tokens, now())) return refresh(tokens.accessToken);
    return ok(tokens.accessToken);
  }

  async function send(url: string, init: RequestInit | undefined, accessToken: string): Promise<Result<Response>> {
    const headers = new Headers(init?.headers);
    headers.set('Authorization', `Bearer ${accessToken}`);
    try {
      return ok(await deps.fetch(url, { ...init, headers, credentials: 'omit', cache: 'no-store' }));
    } catch (error) {
      if (init?.signal?.aborted) throw error;
      return err('NETWORK_ERROR', 'could not reach CardioMood');
    }
  }

  return {
    isConnecting: () => signInFlight !== null,
    async hasSession() {
      return (await storage.readTokens()) !== null || (await storage.readPersistedRefreshToken()) !== null;
    },
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
    async signOut() {
      generation += 1;
      const tokens = await storage.readTokens();
      const refreshToken = tokens?.refreshToken ?? (await storage.readPersistedRefreshToken());
      await clearSession();
      deps.onChange();
      // Local state is gone first; revocation is best effort (the server may not offer it).
      if (refreshToken) await companion.revoke(refreshToken, 'refresh_token');
      else if (tokens) await companion.revoke(tokens.accessToken, 'access_token');
    },
    getAccessToken,
    async authorizedFetch(url, init) {
      const token = await getAccessToken();
      if (!token.ok) return token;
      const first = await send(url, init, token.value);
      if (!first.ok || first.value.status !== 401) return first;
      // 401: refresh once and retry once, never loop.
      const renewed = await refresh(token.value);
      if (!renewed.ok) return renewed;
      return send(url, init, renewed.value);
    },
    async refreshAhead() {
      const tokens = await storage.readTokens();
      if (!tokens || tokens.expiresAt === null) return;
      if (now() >= tokens.expiresAt - refreshLeadMs(tokens)) await refresh(tokens.accessToken);
    },
    async forget() {
      generation += 1;
      await clearSession();
      deps.onChange();
    },
    async setKeepSignedIn(on) {
      const tokens = await storage.readTokens();
      await storage.persistRefreshToken(on ? (tokens?.refreshToken ?? null) : null);
    },
  };
}

export type { AppError };
