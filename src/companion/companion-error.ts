import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { REFRESH_OUTCOME_UNKNOWN } from '../shared/companion-api';

/**
 * The companion's error codes, sent as `{ error, error_description }` (RFC 6749 §5.2 shape).
 * CardioMood's RFC 6749 / RFC 7009 error codes (`invalid_grant`, `invalid_client`, ...) are forwarded
 * with their status and the companion's own description (FORWARDED_OAUTH_ERRORS in upstream.ts).
 */
export const COMPANION_ERROR = {
  /**
   * Body not JSON, not matching the schema, redirect_uri not registered, no client address, or a
   * request Node's HTTP layer cannot parse. 400 (431 for oversized headers)
   */
  INVALID_REQUEST: 'invalid_request',
  /** The client did not send its whole request in time (Node). 408 */
  REQUEST_TIMEOUT: 'request_timeout',
  /** Missing X-CardioMood-Readings: 1 header. 403 */
  CSRF_HEADER_MISSING: 'csrf_header_missing',
  /** Origin header present but not in COMPANION_ALLOWED_ORIGINS, or a preflight without Origin. 403 */
  ORIGIN_NOT_ALLOWED: 'origin_not_allowed',
  /** No such route. 404 */
  NOT_FOUND: 'not_found',
  /** The revoke route when CARDIOMOOD_REVOKE_URL is not set. 404 */
  NOT_CONFIGURED: 'not_configured',
  /** Known route, wrong method. 405 (with Allow) */
  METHOD_NOT_ALLOWED: 'method_not_allowed',
  /** Body larger than the cap. 413 */
  PAYLOAD_TOO_LARGE: 'payload_too_large',
  /** Content-Type is not application/json. 415 */
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  /** This companion's own limit, or CardioMood's 429 passed through. 429 (with Retry-After) */
  RATE_LIMITED: 'rate_limited',
  /** A bug in the companion. 500 */
  SERVER_ERROR: 'server_error',
  /** The companion is deployed without a valid configuration (Workers; Node refuses to start). 500 */
  SERVER_MISCONFIGURED: 'server_misconfigured',
  /**
   * CardioMood answered something that is not a valid token/error response (HTML, bad JSON, 5xx,
   * an error code that is not forwarded, more than 64 KB). 502
   */
  UPSTREAM_ERROR: 'upstream_error',
  /** CardioMood could not be reached (DNS, refused, TLS). 502 */
  UPSTREAM_UNREACHABLE: 'upstream_unreachable',
  /** CardioMood did not answer within COMPANION_UPSTREAM_TIMEOUT_MS. 504 */
  UPSTREAM_TIMEOUT: 'upstream_timeout',
  /**
   * A refresh was sent to CardioMood and no answer came back: the refresh token may have been used
   * (src/shared/companion-api.ts). 502 when the connection broke (no answer will come), 504 when
   * CardioMood is late (a late answer is kept in the replay window).
   */
  REFRESH_OUTCOME_UNKNOWN,
} as const;
export type CompanionErrorCode = (typeof COMPANION_ERROR)[keyof typeof COMPANION_ERROR];

/**
 * An expected failure that becomes one JSON error response (rendered by the app's onError).
 * `code` is a companion code or an OAuth error passed through from CardioMood.
 */
export class CompanionError extends Error {
  override name = 'CompanionError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${description}`);
  }
}
