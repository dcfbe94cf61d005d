/** How long the probe waits for any answer. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Whether the authorization server answers at all (any HTTP status counts). Firefox reports an auth
 * window whose page could not load exactly like one the member closed, so after a "cancelled" sign-in
 * the background asks this to tell the member the truth.
 *
 * Only possible when the authorization endpoint is on the API's origin: that is the one origin with a
 * host permission and in the background's connect-src. Elsewhere there is no probe (undefined), and a
 * closed window stays "cancelled".
 */
export function createAuthorizationServerProbe(deps: {
  authorizeUrl: string;
  apiUrl: string;
  fetch: typeof fetch;
}): (() => Promise<boolean>) | undefined {
  const origin = new URL(deps.authorizeUrl).origin;
  if (origin !== new URL(deps.apiUrl).origin) return undefined;
  return async () => {
    try {
      const response = await deps.fetch(`${origin}/`, {
        method: 'HEAD',
        credentials: 'omit',
        cache: 'no-store',
        redirect: 'manual',
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await response.body?.cancel().catch(() => undefined);
      return true;
    } catch {
      return false;
    }
  };
}
