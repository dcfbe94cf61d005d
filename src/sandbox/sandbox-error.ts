import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** RFC 6749 §5.2 error codes the sandbox answers with, plus its own for routing/faults. */
export const SANDBOX_ERROR = {
  INVALID_REQUEST: 'invalid_request',
  INVALID_CLIENT: 'invalid_client',
  INVALID_GRANT: 'invalid_grant',
  UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  UNSUPPORTED_RESPONSE_TYPE: 'unsupported_response_type',
  ACCESS_DENIED: 'access_denied',
  /** prompt=none without a signed-in session (OpenID Connect Core §3.1.2.6). */
  LOGIN_REQUIRED: 'login_required',
  /** prompt=none for a member who would have to see the consent screen (§3.1.2.6). */
  CONSENT_REQUIRED: 'consent_required',
  SERVER_ERROR: 'server_error',
  NOT_FOUND: 'not_found',
  PAYLOAD_TOO_LARGE: 'payload_too_large',
} as const;
export type SandboxErrorCode = (typeof SANDBOX_ERROR)[keyof typeof SANDBOX_ERROR];

/** The one JSON error shape of the sandbox (the data API's 401/422 keep CardioMood's own shapes). */
export function errorJson(c: Context, status: ContentfulStatusCode, error: SandboxErrorCode, description: string) {
  return c.json({ error, error_description: description }, status);
}
