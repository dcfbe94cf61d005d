import { FIREFOX_ANY_ORIGIN } from './config';

/** Firefox gives each install a random UUID host: moz-extension://<uuid>. */
const MOZ_EXTENSION_ORIGIN = /^moz-extension:\/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Exact, case-sensitive match against COMPANION_ALLOWED_ORIGINS; browsers send origins lower-case,
 * so a mismatch in case is a forgery or a misconfiguration, not something to normalise away.
 * `moz-extension://*` admits any well-formed Firefox extension origin and nothing else.
 */
export function isAllowedOrigin(origin: string, allowedOrigins: readonly string[]): boolean {
  if (allowedOrigins.includes(origin) && origin !== FIREFOX_ANY_ORIGIN) return true;
  return allowedOrigins.includes(FIREFOX_ANY_ORIGIN) && MOZ_EXTENSION_ORIGIN.test(origin);
}
