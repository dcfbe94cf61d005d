import { z } from 'zod';

/**
 * The companion's HTTP contract, shared by the companion (server) and the background (client).
 *
 * POST {companion}/v1/token/exchange  body: exchangeRequestSchema  → 200 tokenResponseSchema
 * POST {companion}/v1/token/refresh   body: refreshRequestSchema   → 200 tokenResponseSchema
 * POST {companion}/v1/token/revoke    body: revokeRequestSchema    → 200 {} (RFC 7009; 404 when not configured)
 * GET  {companion}/healthz                                          → 200 {"status":"ok"}
 * Errors: 4xx/5xx { error, error_description } (RFC 6749 §5.2 style).
 *
 * Every token call must carry COMPANION_CSRF_HEADER so that a web page cannot send it without a
 * CORS preflight, and Content-Type: application/json.
 *
 * Timeouts nest: the extension waits COMPANION_CLIENT_TIMEOUT_MS for the companion, and the companion
 * never waits longer than MAX_UPSTREAM_TIMEOUT_MS for CardioMood, so the companion always answers (a
 * result or its own timeout error) before the extension gives up on it.
 */
export const COMPANION_CSRF_HEADER = 'X-CardioMood-Readings';
export const COMPANION_CSRF_VALUE = '1';

export const COMPANION_ROUTES = {
  exchange: '/v1/token/exchange',
  refresh: '/v1/token/refresh',
  revoke: '/v1/token/revoke',
  health: '/healthz',
} as const;

/** RFC 7636 §4.1: 43–128 characters from the unreserved set. */
export const codeVerifierSchema = z.string().regex(/^[A-Za-z0-9\-._~]{43,128}$/, 'invalid code_verifier');

export const exchangeRequestSchema = z.strictObject({
  code: z.string().min(1).max(2048),
  code_verifier: codeVerifierSchema,
  redirect_uri: z.url().max(2048),
});
export type ExchangeRequest = z.infer<typeof exchangeRequestSchema>;

/** How long the extension waits for any companion answer. */
export const COMPANION_CLIENT_TIMEOUT_MS = 20_000;
/** What the companion's upstream timeout may be at most: the client's wait minus a margin for its own work. */
export const MAX_UPSTREAM_TIMEOUT_MS = COMPANION_CLIENT_TIMEOUT_MS - 5_000;

/**
 * A random value the extension generates for one refresh attempt and keeps (storage.session) until the
 * rotated tokens are stored, sending the same one again when it retries the same refresh token after a
 * lost answer. The companion's replay window binds its cached answer to it, so a stolen old refresh
 * token alone cannot fetch the answer (base64url, 128 to 384 bits).
 */
export const replayNonceSchema = z.string().regex(/^[A-Za-z0-9_-]{22,64}$/, 'invalid replay_nonce');

/**
 * The error code of a refresh whose outcome the companion does not know: it sent the refresh token
 * to CardioMood and no answer came back, so CardioMood may have used (rotated) it.
 * - 502: the connection to CardioMood broke after the request went out (reset, closed, cut mid-answer).
 *   No answer will ever come: presenting the same refresh token again would be reuse if CardioMood
 *   did rotate it, which a server with reuse detection answers by revoking the whole sign-in.
 * - 504: CardioMood has not answered in time. With the replay window on, the companion keeps waiting
 *   for a while and keeps a late answer, so a retry with the same replay_nonce may still receive it.
 */
export const REFRESH_OUTCOME_UNKNOWN = 'refresh_outcome_unknown';

export const refreshRequestSchema = z.strictObject({
  refresh_token: z.string().min(1).max(4096),
  /** Optional for older clients: without it the companion does not replay an answer. */
  replay_nonce: replayNonceSchema.optional(),
});
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const revokeRequestSchema = z.strictObject({
  token: z.string().min(1).max(4096),
  token_type_hint: z.enum(['access_token', 'refresh_token']).optional(),
});
export type RevokeRequest = z.infer<typeof revokeRequestSchema>;
