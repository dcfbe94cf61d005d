import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startBackground } from '../../src/background/create-background';
import { createCompanionApp } from '../../src/companion/app';
import { parseCompanionConfig } from '../../src/companion/config';
import { removeAllListeners, sendMessage } from '../../src/messaging/protocol';
import { createSandbox } from '../../src/sandbox/create-sandbox';
import { resolveBuildConfig } from '../../src/shared/build-config';
import { COMPANION_ROUTES } from '../../src/shared/companion-api';
import { CHROME_EXTENSION_ID, CHROME_REDIRECT_URI, DEV_CLIENT_ID, EXTENSION_REDIRECT_URIS } from '../../src/shared/extension-identity';
import { DEV_CLIENT_SECRET } from '../../src/sandbox/dev-client-secret';
import { installChromeMessaging } from './support/chrome-messaging';
import { createFormDriver } from './support/form-driver';

/**
 * The real background against the real sandbox and the real companion, wired in-process (each server's
 * Hono `fetch` stands in for the network): the contract between the three parts, with the sandbox's
 * own rotation and reuse detection as the referee.
 */
const config = resolveBuildConfig({}, 'development');
const SANDBOX = config.apiUrl;
const COMPANION = config.companionUrl;

let offset = 0;
let stop: (() => void) | undefined;

function wire() {
  // One clock for both sides: the tests move it (offset) past token lifetimes, and the sandbox's
  // "today" must be the background's, also when the offset crosses midnight.
  const sandbox = createSandbox({ now: () => Date.now() + offset });
  const sandboxFetch = (input: string | URL | Request, init?: RequestInit) =>
    Promise.resolve(sandbox.app.fetch(new Request(input, init)));
  const companion = createCompanionApp(
    parseCompanionConfig({
      CARDIOMOOD_TOKEN_URL: `${SANDBOX}/oauth/token`,
      CARDIOMOOD_REVOKE_URL: `${SANDBOX}/oauth/revoke`,
      CARDIOMOOD_CLIENT_ID: DEV_CLIENT_ID,
      CARDIOMOOD_CLIENT_SECRET: DEV_CLIENT_SECRET,
      COMPANION_REDIRECT_URIS: EXTENSION_REDIRECT_URIS.join(','),
      COMPANION_ALLOWED_ORIGINS: `chrome-extension://${CHROME_EXTENSION_ID},moz-extension://*`,
      COMPANION_RATE_LIMIT_PER_MINUTE: '1000',
    }),
    // In-process there is no socket; the companion refuses requests without a client address.
    { fetch: sandboxFetch as typeof fetch, clientAddress: () => '127.0.0.1' },
  );
  /** What the next refresh calls do on the wire, in order: pass, lose the answer, or change the nonce. */
  const refreshFaults: Array<'lose-answer' | 'other-nonce'> = [];
  const network = vi.fn(async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    const headers = new Headers(init?.headers);
    // What the browser adds to an extension's cross-origin request.
    headers.set('Origin', `chrome-extension://${CHROME_EXTENSION_ID}`);
    if (url === `${COMPANION}${COMPANION_ROUTES.refresh}` && refreshFaults.length > 0) {
      const fault = refreshFaults.shift();
      if (fault === 'other-nonce') {
        // A broken client: the retry of the same refresh token carries a nonce of its own.
        const body = { ...(JSON.parse(String(init?.body)) as object), replay_nonce: 'a-nonce-of-a-broken-client-0123456789' };
        return companion.fetch(new Request(url, { ...init, headers, body: JSON.stringify(body) }));
      }
      // The companion carries the refresh out (CardioMood rotates, the window keeps the answer); the answer is lost on the way back.
      await (await companion.fetch(new Request(url, { ...init, headers }))).text();
      throw new TypeError('Failed to fetch');
    }
    if (url.startsWith(COMPANION)) return companion.fetch(new Request(url, { ...init, headers }));
    if (url.startsWith(SANDBOX)) return sandboxFetch(url, { ...init, headers });
    throw new TypeError('Failed to fetch');
  });
  const auth = createFormDriver((url, init) => sandboxFetch(url, init));
  let decision: 'allow' | 'deny' = 'allow';
  const launchWebAuthFlow = vi.fn(async ({ url, interactive }: { url: string; interactive: boolean }) => {
    const login = await auth.open(url);
    // Without a window, as the browsers do it: the flow succeeds only if the first load lands on the redirect URI.
    if (!interactive) {
      if (login.kind === 'redirect') return login.location;
      throw new Error('User interaction required.');
    }
    const consent = login.kind === 'page' && login.html.includes('id="password"')
      ? await auth.submit(login, { email: 'alice@example.com', password: 'alice-demo' })
      : login;
    const done = await auth.submit(consent, {}, { name: 'decision', value: decision });
    if (done.kind !== 'redirect') throw new Error(`the consent did not redirect (HTTP ${done.status})`);
    return done.location;
  });
  installChromeMessaging();
  stop = startBackground({
    config,
    fetch: network as typeof fetch,
    now: () => Date.now() + offset,
    launchWebAuthFlow,
    getRedirectUrl: () => CHROME_REDIRECT_URI,
    // The quick refresh retries never fire on their own: the tests retry by asking, on their clock.
    setTimer: () => () => undefined,
  });
  return { sandbox, network, refreshFaults, launchWebAuthFlow, deny: () => (decision = 'deny') };
}

beforeEach(() => {
  fakeBrowser.reset();
  offset = 0;
  vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((key: string) => key);
});

afterEach(async () => {
  stop?.();
  removeAllListeners();
  // Messages already on their way finish against the stubbed chrome before it goes.
  await new Promise((resolve) => setTimeout(resolve, 0));
  vi.unstubAllGlobals();
});

describe('background with the sandbox and the companion', () => {
  it('should sign in through the real pages and show what the sandbox holds for today', async () => {
    const { sandbox } = wire();
    const result = await sendMessage('signIn');
    expect(result.ok).toBe(true);
    const readings = result.ok ? result.value.readings : null;
    const today = sandbox.control.memberLocalToday('alice@example.com');
    expect(readings?.today).toBe(today);
    const tokens = await sandbox.control.issueTokens('alice@example.com');
    const response = await sandbox.app.request(`/user-summaries?date_from=${today}&date_to=${today}`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    const [summary] = ((await response.json()) as { data: { heart_rate: Record<string, number>; activity: Record<string, number> }[] }).data;
    const value = (id: string) => readings?.tiles.find((tile) => tile.id === id)?.value;
    expect(value('rest_hr')).toBe(summary!.heart_rate.rest_daily_heart_rate);
    expect(value('avg_hr')).toBe(summary!.heart_rate.avg_daily_heart_rate);
    expect(value('max_hr')).toBe(summary!.heart_rate.max_daily_heart_rate);
    expect(value('steps')).toBe(summary!.activity.total_steps);
    expect(sandbox.control.stats().codeExchanges).toBe(1);
  });

  it('should make exactly one refresh at the sandbox for 50 simultaneous requests with an expired token', async () => {
    const { sandbox } = wire();
    await sendMessage('signIn');
    sandbox.control.expireAccessTokens();
    offset = 2 * 3600_000;
    sandbox.control.resetStats();
    const results = await Promise.all(Array.from({ length: 50 }, () => sendMessage('getHistory', { days: 7 })));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(sandbox.control.stats().tokenRequests.refresh_token).toBe(1);
    expect(sandbox.control.stats().refreshReuseDetections).toBe(0);
  });

  it('should recover from a token the sandbox expired early with one refresh and one retry', async () => {
    const { sandbox } = wire();
    await sendMessage('signIn');
    sandbox.control.expireAccessTokens();
    sandbox.control.resetStats();
    const result = await sendMessage('refreshReadings');
    expect(result.ok && result.value.sync.state).toBe('idle');
    expect(sandbox.control.stats()).toMatchObject({ refreshes: 1, refreshReuseDetections: 0, userSummariesRequests: 2 });
  });

  it('should recover a lost refresh answer from the replay window with exactly one rotation at the sandbox and no reuse', async () => {
    const { sandbox, refreshFaults } = wire();
    await sendMessage('signIn');
    offset = 2 * 3600_000;
    sandbox.control.resetStats();
    refreshFaults.push('lose-answer');
    const lost = await sendMessage('refreshReadings');
    expect(lost.ok && lost.value.auth.state).toBe('signed_in');
    expect(lost.ok && lost.value.sync.state).toBe('offline');
    expect(sandbox.control.stats().refreshes).toBe(1);
    // The retry (same refresh token, same nonce) is answered by the companion from its window.
    offset += 10_000;
    const recovered = await sendMessage('refreshReadings');
    expect(recovered.ok && recovered.value.auth).toEqual({ state: 'signed_in', error: null, reason: null });
    expect(recovered.ok && recovered.value.sync.state).toBe('idle');
    expect(recovered.ok && recovered.value.readings?.today).toBe(sandbox.control.memberLocalToday('alice@example.com'));
    expect(sandbox.control.stats()).toMatchObject({ refreshes: 1, refreshReuseDetections: 0, codeExchanges: 0 });
    expect(sandbox.control.stats().tokenRequests.refresh_token).toBe(1);
  });

  it('should end the session as answer_lost when the retry of a lost answer carries another nonce (reuse detection revoked the sign-in)', async () => {
    const { sandbox, refreshFaults, launchWebAuthFlow } = wire();
    await sendMessage('signIn');
    offset = 2 * 3600_000;
    sandbox.control.resetStats();
    refreshFaults.push('lose-answer', 'other-nonce');
    await sendMessage('refreshReadings');
    offset += 10_000;
    const refused = await sendMessage('refreshReadings');
    // The window does not open for another nonce: the used token went to CardioMood, which refused it
    // and revoked the sign-in; the silent re-authorization then finds nothing to approve without asking.
    expect(refused.ok && refused.value.auth).toEqual({ state: 'reconnect_required', error: null, reason: 'answer_lost' });
    expect(refused.ok && refused.value.readings).toBeNull();
    expect(launchWebAuthFlow.mock.calls.filter(([details]) => !details.interactive)).toHaveLength(1);
    expect(sandbox.control.stats()).toMatchObject({ refreshes: 1, refreshReuseDetections: 1, silentApprovals: 0, codeExchanges: 0 });
  });

  it('should keep the member signed in when CardioMood rotates and then cuts the companion off (grant-then-drop), without presenting the used token again', async () => {
    // The limit of the replay window: it keeps answers the companion received. Here the sandbox
    // rotates and then drops its connection to the companion, so no one ever holds the new tokens;
    // the companion says so (refresh_outcome_unknown) and the background signs in again silently.
    const { sandbox, launchWebAuthFlow } = wire();
    await sendMessage('signIn');
    offset = 2 * 3600_000;
    sandbox.control.resetStats();
    sandbox.control.injectFault({ route: 'token', kind: 'grant-then-drop' });
    const recovered = await sendMessage('refreshReadings');
    expect(recovered.ok && recovered.value.auth).toEqual({ state: 'signed_in', error: null, reason: null });
    expect(recovered.ok && recovered.value.sync.state).toBe('idle');
    expect(recovered.ok && recovered.value.readings?.today).toBe(sandbox.control.memberLocalToday('alice@example.com'));
    expect(launchWebAuthFlow.mock.calls.filter(([details]) => !details.interactive)).toHaveLength(1);
    // One refresh (the lost one), never a reuse; one silent approval and its exchange; the orphaned sign-in revoked.
    expect(sandbox.control.stats()).toMatchObject({ refreshes: 1, refreshReuseDetections: 0, silentApprovals: 1, codeExchanges: 1 });
    expect(sandbox.control.stats().tokenRequests.refresh_token).toBe(1);
    await vi.waitFor(() => expect(sandbox.control.stats().revocations).toBe(1));
    // The session goes on with the new tokens.
    offset += 2 * 3600_000;
    const later = await sendMessage('refreshReadings');
    expect(later.ok && later.value.auth.state).toBe('signed_in');
    expect(sandbox.control.stats()).toMatchObject({ refreshes: 2, refreshReuseDetections: 0 });
  });

  it('should report a denied consent as ACCESS_DENIED', async () => {
    const { deny } = wire();
    deny();
    const result = await sendMessage('signIn');
    expect(!result.ok && result.error.code).toBe('ACCESS_DENIED');
  });

  it('should revoke at the sandbox on sign out, the refresh token and then the access token', async () => {
    const { sandbox } = wire();
    await sendMessage('signIn');
    await sendMessage('signOut');
    // Revoking the refresh token revokes its family, the access token with it; the second request finds it revoked.
    await vi.waitFor(() => expect(sandbox.control.stats()).toMatchObject({ revokeRequests: 2, revocations: 1 }));
  });
});
