/**
 * CardioMood's limit (docs/cardiomood-api.md §5): N requests per one-minute window, reported in
 * `x-ratelimit-limit`/`x-ratelimit-remaining` on every response. Hand-written rather than
 * hono-rate-limiter: that package speaks the IETF `RateLimit-*` headers, not CardioMood's, and the
 * window must follow the sandbox's injectable clock.
 */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (set when not allowed). */
  retryAfterSeconds?: number;
}

const WINDOW_MS = 60_000;

export function createRateLimiter(options: { limit: number; now: () => number }) {
  const windows = new Map<string, { start: number; count: number }>();

  return {
    hit(key: string): RateLimitDecision {
      const now = options.now();
      if (windows.size > 10_000) {
        for (const [k, window] of windows) if (now - window.start >= WINDOW_MS) windows.delete(k);
      }
      let window = windows.get(key);
      if (!window || now - window.start >= WINDOW_MS || now < window.start) {
        window = { start: now, count: 0 };
        windows.set(key, window);
      }
      window.count++;
      const allowed = window.count <= options.limit;
      return {
        allowed,
        limit: options.limit,
        remaining: Math.max(0, options.limit - window.count),
        ...(allowed ? {} : { retryAfterSeconds: Math.max(1, Math.ceil((window.start + WINDOW_MS - now) / 1000)) }),
      };
    },
  };
}
