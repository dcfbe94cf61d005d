/**
 * How often the extension talks to CardioMood and the companion, in one place: how old a glance may
 * be before it is asked for again, how the badge poll backs off, how failed requests are retried, and
 * when tokens are renewed. Pure values and functions (no I/O, no imports), used by the background and
 * the auth session; docs/performance.md gives the request budget they add up to.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

// --- Readings freshness ---------------------------------------------------------------------------

/** A glance checked less than this long ago is shown (popup, side panel) without asking again. */
export const FRESH_FOR_MS = 2 * MINUTE_MS;

// --- The badge poll -------------------------------------------------------------------------------

/** The poll alarm's period, and the shortest time between two polls. */
export const POLL_BASE_MS = 30 * MINUTE_MS;
/** The longest time between two polls while the member is at the computer. */
export const POLL_MAX_MS = 4 * HOUR_MS;
/**
 * Without keyboard or mouse input for this long, the computer counts as idle (`idle.queryState`): no
 * poll then, since nobody sees the badge. The poll resumes when the member is back.
 */
export const IDLE_AFTER_SECONDS = 10 * 60;

/**
 * Time between polls after `unchanged` polls in a row that left the badge as it was: 30 min, 1 h,
 * 2 h, then 4 h. The badge shows today's resting heart rate, which CardioMood settles once a day; a
 * poll that changes it, and a new day, start again from 30 minutes. The interval runs from the
 * glance's last check, so a refresh the popup or side panel made counts as a poll.
 */
export function pollIntervalMs(unchanged: number): number {
  return Math.min(POLL_MAX_MS, POLL_BASE_MS * 2 ** Math.max(0, unchanged));
}

// --- Retries after a transient failure ------------------------------------------------------------

/** Retry delay after `attempt` consecutive transient failures: 30 s, 1 min, 2 min … capped at 15 min. */
export function backoffMs(attempt: number): number {
  return Math.min(15 * MINUTE_MS, 30_000 * 2 ** Math.max(0, attempt));
}

/** The later of our backoff and the server's Retry-After, so a 429 is always respected. */
export function nextRetryDelayMs(attempt: number, retryAfterMs?: number): number {
  return Math.max(backoffMs(attempt), retryAfterMs ?? 0);
}

// --- Tokens ---------------------------------------------------------------------------------------

/** When a token was issued and when it expires (epoch ms; null: the server did not say). */
export interface TokenTimes {
  issuedAt: number;
  expiresAt: number | null;
}

/** Skew for clock drift and latency: a tenth of the lifetime, at most 30 s. */
export function expirySkewMs(tokens: TokenTimes): number {
  if (tokens.expiresAt === null) return 0;
  return Math.min(30_000, Math.max(0, (tokens.expiresAt - tokens.issuedAt) / 10));
}

/**
 * Expired (with the skew): the access token is renewed when it is needed, by the request that finds
 * it expired (or gets a 401), not ahead of every expiry: ahead of time would cost a refresh an hour
 * while nobody looks.
 */
export function isExpired(tokens: TokenTimes, now: number): boolean {
  if (tokens.expiresAt === null) return false;
  return now >= tokens.expiresAt - expirySkewMs(tokens);
}

/**
 * A session nobody uses still renews its tokens this long after the last renewal, so its refresh
 * token is used long before CardioMood would expire it (the sandbox's last 30 days; the only
 * lifetime CardioMood's docs show, `refresh_ttl` of the /login tokens, is 360 days) and "Keep me
 * signed in" survives weeks of not looking.
 */
export const KEEP_ALIVE_MS = 24 * HOUR_MS;

/** When the keep-alive renewal of these tokens is due. */
export function keepAliveAt(tokens: TokenTimes): number {
  return tokens.issuedAt + KEEP_ALIVE_MS;
}

/**
 * How long a silent re-authorization (a non-interactive auth flow with `prompt=none`, after a refresh
 * answer was lost) may take in all, in Chrome (`timeoutMsForNonInteractive`). CardioMood answers it
 * with a redirect at once; a page that does not is a page that needs the member.
 */
export const SILENT_REAUTH_TIMEOUT_MS = 10_000;
