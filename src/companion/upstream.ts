import * as oauth from 'oauth4webapi';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { ExchangeRequest, RevokeRequest } from '../shared/companion-api';
import { oauthErrorSchema, tokenResponseSchema, type TokenResponse } from '../shared/token-response';
import { COMPANION_ERROR, CompanionError } from './companion-error';
import { isLoopbackHttpUrl, type CompanionConfig } from './config';

/** Token responses are a few hundred bytes; anything far larger is not one. */
export const MAX_UPSTREAM_BODY_BYTES = 64 * 1024;

/**
 * The error codes a token or revocation endpoint may answer (RFC 6749 §5.2, RFC 7009 §2.2.1), each
 * with the description the companion sends instead of CardioMood's own text: a server that echoes
 * the request in its description would otherwise hand a code or token on to the extension's logs.
 */
export const FORWARDED_OAUTH_ERRORS: Readonly<Record<string, string>> = {
  invalid_request: 'CardioMood refused the request as malformed',
  invalid_client: "CardioMood did not accept this companion's client credentials",
  invalid_grant: 'CardioMood refused the authorization code or refresh token (invalid, expired, revoked or already used)',
  unauthorized_client: 'CardioMood does not allow this client to use this grant',
  unsupported_grant_type: 'CardioMood does not support this grant type',
  invalid_scope: 'CardioMood refused the requested scope',
  unsupported_token_type: 'CardioMood cannot revoke this kind of token',
};

/** What one call to CardioMood did, for the request's log line. Never a body value. */
export const upstreamCallSchema = z.object({
  status: z.number().int(),
  durationMs: z.number(),
  /** CardioMood's error code and its description, scrubbed of secrets and token-like values. */
  error: z.string().optional(),
  errorDescription: z.string().optional(),
});
export type UpstreamCall = z.infer<typeof upstreamCallSchema>;

export type ObserveUpstream = (call: UpstreamCall) => void;

export interface UpstreamDeps {
  fetch: typeof fetch;
  now: () => number;
}

export interface UpstreamCallOptions {
  observe?: ObserveUpstream;
  /** Overrides COMPANION_UPSTREAM_TIMEOUT_MS for this call (a refresh that may land in the replay window). */
  timeoutMs?: number;
}

export type UpstreamClient = ReturnType<typeof createUpstreamClient>;

/**
 * CardioMood's token and revocation endpoints through oauth4webapi (client_secret_post, as
 * CardioMood expects). The transport under it bounds each call: one timeout over headers and body,
 * no redirects (a 307 would resend the client secret), and a size cap applied while reading.
 */
export function createUpstreamClient(config: CompanionConfig, deps: UpstreamDeps) {
  const as: oauth.AuthorizationServer = {
    issuer: new URL(config.tokenUrl).origin,
    token_endpoint: config.tokenUrl,
    ...(config.revokeUrl ? { revocation_endpoint: config.revokeUrl } : {}),
  };
  const client: oauth.Client = { client_id: config.clientId };
  const clientAuth = oauth.ClientSecretPost(config.clientSecret);

  const call = async <T>(
    url: string,
    presented: readonly string[],
    options: UpstreamCallOptions,
    send: (requestOptions: oauth.TokenEndpointRequestOptions) => Promise<Response>,
    process: (response: Response) => Promise<T>,
    lost: LostCall = LOST_CALL,
  ): Promise<T> => {
    const started = deps.now();
    const response = await send({
      [oauth.customFetch]: createBoundedFetch(deps.fetch, options.timeoutMs ?? config.upstreamTimeoutMs, lost),
      // Loud and narrow: plain http only to this machine (the sandbox); config refuses it elsewhere.
      ...(isLoopbackHttpUrl(url) ? { [oauth.allowInsecureRequests]: true } : {}),
    }).catch((error: unknown) => {
      throw toCompanionError(error);
    });
    const record: UpstreamCall = { status: response.status, durationMs: deps.now() - started };
    try {
      return await process(response);
    } catch (error) {
      throw await upstreamFailure(error, response, [config.clientSecret, ...presented], record);
    } finally {
      options.observe?.(record);
    }
  };

  const toTokenResponse = (result: oauth.TokenEndpointResponse): TokenResponse => {
    const parsed = tokenResponseSchema.safeParse(result);
    // A server that echoes the client secret in a token field would hand it to the browser.
    if (!parsed.success || JSON.stringify(parsed.data).includes(config.clientSecret)) {
      throw new CompanionError(502, COMPANION_ERROR.UPSTREAM_ERROR, 'CardioMood sent a token response that does not match the contract');
    }
    // oauth4webapi lower-cases token_type (it is case-insensitive, RFC 6749 §5.1); we send RFC 6750's spelling.
    return { ...parsed.data, token_type: 'Bearer' };
  };

  return {
    async exchange(request: ExchangeRequest, options: UpstreamCallOptions = {}): Promise<TokenResponse> {
      // The extension checked `state` on its callback; the companion receives only the code.
      const callback = oauth.validateAuthResponse(as, client, new URLSearchParams({ code: request.code }), oauth.skipStateCheck);
      return call(
        config.tokenUrl,
        [request.code, request.code_verifier],
        options,
        (requestOptions) =>
          oauth
            .authorizationCodeGrantRequest(as, client, clientAuth, callback, request.redirect_uri, request.code_verifier, requestOptions)
            .then(withoutIdToken),
        async (response) => toTokenResponse(await oauth.processAuthorizationCodeResponse(as, client, response)),
      );
    },

    async refresh(refreshToken: string, options: UpstreamCallOptions = {}): Promise<TokenResponse> {
      return call(
        config.tokenUrl,
        [refreshToken],
        options,
        (requestOptions) => oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, requestOptions).then(withoutIdToken),
        async (response) => toTokenResponse(await oauth.processRefreshTokenResponse(as, client, response)),
        // CardioMood rotates a refresh token when it uses it: a refresh without an answer may have happened.
        LOST_REFRESH,
      );
    },

    async revoke(request: RevokeRequest, options: UpstreamCallOptions = {}): Promise<void> {
      const revokeUrl = config.revokeUrl;
      if (!revokeUrl) throw new CompanionError(404, COMPANION_ERROR.NOT_CONFIGURED, 'Token revocation is not configured on this companion');
      await call(
        revokeUrl,
        [request.token],
        options,
        (requestOptions) =>
          oauth.revocationRequest(as, client, clientAuth, request.token, {
            ...requestOptions,
            ...(request.token_type_hint ? { additionalParameters: { token_type_hint: request.token_type_hint } } : {}),
          }),
        async (response) => {
          // RFC 7009 §2.2 says 200; some servers answer 204 (or another 2xx) with nothing to read.
          if (response.status > 200 && response.status < 300) return;
          await oauth.processRevocationResponse(response);
        },
      );
    },
  };
}

/** The errors a call answers when it went out and its answer did not come back. */
export interface LostCall {
  /** The connection broke after the request may have reached CardioMood (502). */
  broken: (during: 'request' | 'answer') => CompanionError;
  /** No answer within the timeout (504). */
  timedOut: (timeoutMs: number) => CompanionError;
}

const LOST_CALL: LostCall = {
  broken: (during) =>
    during === 'request'
      ? new CompanionError(502, COMPANION_ERROR.UPSTREAM_UNREACHABLE, 'CardioMood could not be reached')
      : new CompanionError(502, COMPANION_ERROR.UPSTREAM_ERROR, 'The connection to CardioMood broke during its answer'),
  timedOut: (timeoutMs) => new CompanionError(504, COMPANION_ERROR.UPSTREAM_TIMEOUT, `CardioMood did not answer within ${timeoutMs} ms`),
};

/** What a refresh answers when it went out and no answer came: the refresh token may have been used. */
export const LOST_REFRESH: LostCall = {
  broken: () =>
    new CompanionError(
      502,
      COMPANION_ERROR.REFRESH_OUTCOME_UNKNOWN,
      'The connection to CardioMood broke after the refresh was sent: the refresh token may have been used',
    ),
  timedOut: (timeoutMs) =>
    new CompanionError(504, COMPANION_ERROR.REFRESH_OUTCOME_UNKNOWN, `CardioMood did not answer the refresh within ${timeoutMs} ms`),
};

/**
 * Failures that happen before a request leaves this machine (no connection, no name, a refused
 * certificate): CardioMood cannot have seen it. Any other transport failure (reset, closed socket,
 * or a runtime that names no cause, as Workers' fetch does) may come after CardioMood received it.
 */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function neverSent(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 4; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_SENT_CODES.has(code)) return true;
  }
  return false;
}

/**
 * oauth4webapi's fetch: one timeout over connecting, headers and body; the body read into memory
 * while counting, aborted as soon as it passes MAX_UPSTREAM_BODY_BYTES (an endless body must cost
 * neither memory nor the whole timeout). The returned Response holds the bytes already read, so
 * oauth4webapi's processing never waits on the network.
 */
function createBoundedFetch(upstreamFetch: typeof fetch, timeoutMs: number, lost: LostCall) {
  return async (url: string, init: RequestInit): Promise<Response> => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(lost.timedOut(timeoutMs));
      }, timeoutMs);
    });
    const exchange = async (): Promise<Response> => {
      let response: Response;
      try {
        // redirect: 'manual' again here, whatever the caller asked: following one would resend the secret.
        response = await upstreamFetch(url, { ...init, redirect: 'manual', signal: controller.signal });
      } catch (error) {
        if (controller.signal.aborted) throw error;
        // Not the error's message: fetch errors can name the URL, which the client needs no more than the cause.
        if (neverSent(error)) throw LOST_CALL.broken('request');
        throw lost.broken('request');
      }
      let body: Uint8Array<ArrayBuffer>;
      try {
        body = await readCapped(response, controller);
      } catch (error) {
        if (error instanceof CompanionError || controller.signal.aborted) throw error;
        // The answer started and the connection broke: CardioMood has carried the request out.
        throw lost.broken('answer');
      }
      const nullBody = [101, 204, 205, 304].includes(response.status);
      return new Response(nullBody ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
    };
    try {
      // A race, not only the abort signal: a fetch that ignores its signal must still time out.
      return await Promise.race([exchange(), timedOut]);
    } finally {
      clearTimeout(timer);
      // The losing promise must not surface as an unhandled rejection.
      timedOut.catch(() => undefined);
    }
  };
}

async function readCapped(response: Response, controller: AbortController): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () => {
    controller.abort();
    return new CompanionError(502, COMPANION_ERROR.UPSTREAM_ERROR, `CardioMood sent more than ${MAX_UPSTREAM_BODY_BYTES} bytes`);
  };
  const declared = Number(response.headers.get('Content-Length'));
  if (declared > MAX_UPSTREAM_BODY_BYTES) {
    response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_UPSTREAM_BODY_BYTES) {
      reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * We never forward an id_token (it is not in the contract), and oauth4webapi would validate one as
 * an OpenID Connect ID Token, which CardioMood does not issue: an unexpected member must not fail a
 * sign-in that is otherwise valid.
 */
async function withoutIdToken(response: Response): Promise<Response> {
  if (response.status !== 200) return response;
  let json: unknown;
  try {
    json = await response.clone().json();
  } catch {
    return response;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !('id_token' in json)) return response;
  const { id_token: _dropped, ...rest } = json as Record<string, unknown>;
  return new Response(JSON.stringify(rest), { status: response.status, headers: response.headers });
}

/** Errors of the transport (ours) pass; anything else oauth4webapi threw before sending is a bug or misconfiguration. */
function toCompanionError(error: unknown): CompanionError {
  if (error instanceof CompanionError) return error;
  if (error instanceof oauth.OperationProcessingError && error.code === oauth.HTTP_REQUEST_FORBIDDEN) {
    return new CompanionError(500, COMPANION_ERROR.SERVER_MISCONFIGURED, 'The CardioMood URL must use https');
  }
  throw error;
}

/**
 * The one CompanionError the client sees for a reply oauth4webapi refused: CardioMood's 429 with its
 * Retry-After; a forwarded OAuth error (status and code, our own description); else 502. CardioMood's
 * own description goes to the log only, scrubbed, through `record`.
 */
async function upstreamFailure(error: unknown, response: Response, redact: readonly string[], record: UpstreamCall): Promise<CompanionError> {
  if (error instanceof CompanionError) return error;
  if (response.status === 429) {
    const retryAfter = response.headers.get('Retry-After');
    return new CompanionError(
      429,
      COMPANION_ERROR.RATE_LIMITED,
      'CardioMood rate limit reached; retry later',
      retryAfter && isRetryAfter(retryAfter) ? { 'Retry-After': retryAfter } : {},
    );
  }
  const body =
    error instanceof oauth.ResponseBodyError
      ? oauthErrorSchema.safeParse(error.cause)
      : error instanceof oauth.WWWAuthenticateChallengeError && response.status >= 400 && response.status < 500
        ? // A 401 with WWW-Authenticate (RFC 6749 §5.2) still carries its error in the body, unread.
          oauthErrorSchema.safeParse(await response.json().catch(() => undefined))
        : undefined;
  if (body?.success) {
    const description = Object.hasOwn(FORWARDED_OAUTH_ERRORS, body.data.error) ? FORWARDED_OAUTH_ERRORS[body.data.error] : undefined;
    record.error = description !== undefined ? body.data.error : scrubForLog(body.data.error, redact).slice(0, 64);
    if (body.data.error_description !== undefined) record.errorDescription = scrubForLog(body.data.error_description, redact).slice(0, 200);
    if (description !== undefined && response.status >= 400 && response.status < 500) {
      return new CompanionError(response.status as ContentfulStatusCode, body.data.error, description);
    }
    return new CompanionError(502, COMPANION_ERROR.UPSTREAM_ERROR, `CardioMood answered HTTP ${response.status} with an error this companion does not forward`);
  }
  if (response.status === 200) {
    return new CompanionError(502, COMPANION_ERROR.UPSTREAM_ERROR, 'CardioMood sent a token response that does not match the contract');
  }
  return new CompanionError(502, COMPANION_ERROR.UPSTREAM_ERROR, `CardioMood answered HTTP ${response.status} without a usable body`);
}

/** Delay-seconds or an HTTP-date (RFC 9110 §10.2.3); anything else is dropped rather than forwarded. */
function isRetryAfter(value: string): boolean {
  return /^\d{1,7}$/.test(value) || (value.length <= 40 && /^[A-Za-z0-9 ,:]+$/.test(value) && !Number.isNaN(Date.parse(value)));
}

/** Runs of characters that could be a token, a code, a verifier or a secret (JWTs, opaque tokens, base64). */
const TOKEN_LIKE = /[A-Za-z0-9\-._~+/=]{20,}/g;

/**
 * CardioMood's text made fit for a log line: the client secret and every value the client presented
 * removed, then anything long enough to be a credential of any kind (a new token echoed back, too).
 */
function scrubForLog(text: string, redact: readonly string[]): string {
  let result = text;
  for (const secret of redact) if (secret) result = result.split(secret).join('[redacted]');
  return result.replace(TOKEN_LIKE, '[redacted]');
}
