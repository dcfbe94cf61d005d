/** Retry delay after `attempt` consecutive transient failures: 30 s, 1 min, 2 min … capped at 15 min. */
export function backoffMs(attempt: number): number {
  return Math.min(15 * 60_000, 30_000 * 2 ** Math.max(0, attempt));
}

/** The later of our backoff and the server's Retry-After, so a 429 is always respected. */
export function nextRetryDelayMs(attempt: number, retryAfterMs?: number): number {
  return Math.max(backoffMs(attempt), retryAfterMs ?? 0);
}
