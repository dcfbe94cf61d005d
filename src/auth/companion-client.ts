import {
  COMPANION_CLIENT_TIMEOUT_MS,
  COMPANION_CSRF_HEADER,
  COMPANION_CSRF_VALUE,
  COMPANION_ROUTES,
  type ExchangeRequest,
  type RefreshRequest,
} from '../shared/companion-api';
import { retryAfterOf } from '../shared/retry-after';
import { err, ok, type AppError, type Result } from '../shared/error-codes';
import { oauthErrorSchema, tokenResponseSchema, type TokenResponse } from '../shared/token-response';

/** An AppError with what a caller needs to decide about retrying. */
export type CompanionError = AppError & { status?: number; retryAfterMs?: number; oauthError?: string };
export type CompanionResult<T> = { ok: true; value: T } | { ok: false; error: CompanionError };

export interface CompanionClient {
  exchangeCode(request: ExchangeRequest): Promise<CompanionResult<TokenResponse>>;
  /** `replay_nonce`: the same for every retry of one refresh token (see refreshAttemptSchema). */
  refresh(request: RefreshRequest): Promise<CompanionResult<TokenResponse>>;
  /** RFC 7009 through the companion. `{ ok: true, value: false }` when the companion has no revoke URL. */
  revoke(token: string, hint: 'access_token' | 'refresh_token'): Promise<CompanionResult<boolean>>;
}

/**
 * Talks to our companion (which holds the client secret). Each call is a pair in the spirit of
 * oauth4webapi: send, then process the raw Response into a validated result.
 */
export function createCompanionClient(deps: { companionUrl: string; fetch: typeof fetch }): CompanionClient {
  async function post(path: string, body: unknown): Promise<Result<Response>> {
    try {
      const response = await deps.fetch(`${deps.companionUrl}${path}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          [COMPANION_CSRF_HEADER]: COMPANION_CSRF_VALUE,
        },
        body: JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
        // A redirect would send the body (a code, a refresh token) to wherever it points: refuse it.
        redirect: 'error',
        // Longer than the companion's own upstream timeout, so the companion always answers first.
        signal: AbortSignal.timeout(COMPANION_CLIENT_TIMEOUT_MS),
      });
      return ok(response);
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      return err(
        timedOut ? 'SERVER_ERROR' : 'NETWORK_ERROR',
        timedOut ? 'the companion did not answer in time' : 'could not reach the companion',
      );
    }
  }

  async function tokenCall(path: string, body: unknown): Promise<CompanionResult<TokenResponse>> {
    const sent = await post(path, body);
    if (!sent.ok) return sent;
    const response = sent.value;
    if (response.ok) {
      const parsed = tokenResponseSchema.safeParse(await readJson(response));
      return parsed.success
        ? ok(parsed.data)
        : err('MALFORMED_RESPONSE', `the token response is invalid: ${parsed.error.issues[0]?.message ?? ''}`);
    }
    return { ok: false, error: await processErrorResponse(response) };
  }

  return {
    exchangeCode: (request) => tokenCall(COMPANION_ROUTES.exchange, request),
    refresh: (request) => tokenCall(COMPANION_ROUTES.refresh, request),
    async revoke(token, hint) {
      const sent = await post(COMPANION_ROUTES.revoke, { token, token_type_hint: hint });
      if (!sent.ok) return sent;
      if (sent.value.ok) return ok(true);
      if (sent.value.status === 404) return ok(false);
      return { ok: false, error: await processErrorResponse(sent.value) };
    },
  };
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/** Maps a non-2xx companion answer to a stable code; the status decides, the body only refines. */
export async function processErrorResponse(response: Response): Promise<CompanionError> {
  const body = oauthErrorSchema.safeParse(await readJson(response));
  const oauthError = body.success ? body.data.error : undefined;
  const detail = body.success ? `${body.data.error}${body.data.error_description ? `: ${body.data.error_description}` : ''}` : `HTTP ${response.status}`;
  const base = { status: response.status, ...(oauthError ? { oauthError } : {}) };
  if (response.status === 429) {
    return { code: 'RATE_LIMITED', message: `rate limited (${detail})`, ...base, ...retryAfterOf(response, Date.now()) };
  }
  if (response.status >= 500) {
    return { code: 'SERVER_ERROR', message: `the token service failed (${detail})`, ...base, ...retryAfterOf(response, Date.now()) };
  }
  if (oauthError === 'invalid_grant') {
    return { code: 'REAUTH_REQUIRED', message: 'CardioMood no longer accepts this sign-in (invalid_grant)', ...base };
  }
  return { code: 'COMPANION_REJECTED', message: `the companion refused the request (${detail})`, ...base };
}
