/**
 * `Retry-After` in milliseconds from `now`, for every answer the extension reads it from (CardioMood's
 * 429 and 5xx, the companion's): delta-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2026 07:28:00
 * GMT`), RFC 9110 §10.2.3. Undefined when absent or unreadable; a date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only a real date, not any string Date.parse happens to accept (`1.5`, `-3`).
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A response's `Retry-After` as `{ retryAfterMs }`, or `{}` when absent or unreadable (spread into an error). */
export function retryAfterOf(response: Response, now: number): { retryAfterMs?: number } {
  const retryAfterMs = parseRetryAfter(response.headers.get('Retry-After'), now);
  return retryAfterMs === undefined ? {} : { retryAfterMs };
}
