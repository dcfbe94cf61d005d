/**
 * Stable error codes that cross the messaging boundary and the companion's HTTP API.
 * The UI maps each code to a localized message; the English `message` travels along for logs.
 */
export const ERROR_CODES = [
  /** The member declined consent on the CardioMood page (`error=access_denied`). */
  'ACCESS_DENIED',
  /** The auth window was closed before finishing. */
  'AUTH_CANCELLED',
  /** The authorization page could not be loaded (offline, DNS, TLS, server down). */
  'AUTH_PAGE_UNREACHABLE',
  /** The background stopped while the auth window was open; that sign-in can no longer finish. */
  'SIGN_IN_INTERRUPTED',
  /** The callback's `state` did not match the pending sign-in (possible CSRF or stale window). */
  'STATE_MISMATCH',
  /** The callback URL was not the expected redirect URI, carried neither `code` nor `error`, or carried implicit-flow tokens. */
  'INVALID_CALLBACK',
  /** The callback's `iss` (RFC 9207) is not our authorization server: a mix-up attempt or a misconfiguration. */
  'ISSUER_MISMATCH',
  /** CardioMood's authorization endpoint returned an OAuth error other than access_denied. */
  'AUTHORIZATION_ERROR',
  /** Another sign-in is already running. */
  'SIGN_IN_IN_PROGRESS',
  /** No session: the member must connect first. */
  'NOT_SIGNED_IN',
  /** The refresh token was rejected: the member must connect again. */
  'REAUTH_REQUIRED',
  /** Could not reach CardioMood or the companion. */
  'NETWORK_ERROR',
  /** CardioMood or the companion asked us to slow down (HTTP 429). */
  'RATE_LIMITED',
  /** CardioMood or the companion failed (5xx or timeout). */
  'SERVER_ERROR',
  /** A response did not match the contract. */
  'MALFORMED_RESPONSE',
  /** The companion refused the request (bad configuration, redirect URI not allowed, ...). */
  'COMPANION_REJECTED',
  /** A message from a UI page did not match the protocol. */
  'INVALID_MESSAGE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppError {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err(code: ErrorCode, message: string): { ok: false; error: AppError } {
  return { ok: false, error: { code, message } };
}
