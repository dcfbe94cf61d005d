import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ALARMS } from '../../src/background/create-background';
import { sendMessage } from '../../src/messaging/protocol';
import { KEEP_ALIVE_MS } from '../../src/shared/policy';
import { broadcasts, gate, getStatus, REPLAY_WINDOW_MS, useBackground } from './support/background-harness';

/**
 * The session over its whole life, through the real background: every way it can end (and what each
 * surface then shows), the refresh replay nonce, and the races between sign-out, sign-in, refreshes
 * and readings work.
 */
const background = useBackground();

const trigger = (name: string) => fakeBrowser.alarms.onAlarm.trigger({ name, scheduledTime: background.now });
const badge = async () => ({ text: await fakeBrowser.action.getBadgeText({}), title: await fakeBrowser.action.getTitle({}) });
const sessionKeys = async () => Object.keys(await fakeBrowser.storage.session.get(null));

/** Signed in, then CardioMood forgets every refresh token it issued (revoked, or expired there). */
async function signedInThenRevoked() {
  const started = background.start();
  await sendMessage('signIn');
  started.servers.live.refresh.clear();
  return started;
}

/** Signed in, the access token expired, and a refresh CardioMood carried out whose answer was lost. */
async function signedInThenAnswerLost() {
  const started = background.start();
  await sendMessage('signIn');
  background.now += 2 * 3600_000;
  started.servers.state.loseRefreshAnswers = 1;
  await sendMessage('refreshReadings');
  return started;
}

describe('startBackground: how a session ends', () => {
  it('should ask to reconnect, naming the reason on every surface, when the keep-alive renewal meets a revoked refresh token', async () => {
    await signedInThenRevoked();
    // Nobody at the computer (no badge poll), and a day since the last renewal.
    background.idle = 'locked';
    background.now += KEEP_ALIVE_MS;
    await trigger(ALARMS.pollReadings);
    await vi.waitFor(async () =>
      expect((await getStatus()).auth).toEqual({ state: 'reconnect_required', error: null, reason: 'revoked' }),
    );
    expect((await getStatus()).readings).toBeNull();
    await vi.waitFor(async () => expect(await badge()).toEqual({ text: '!', title: 'badgeReconnect(endReason_revoked)' }));
  });

  it('should ask to reconnect with the reason when the popup refreshes on a revoked refresh token', async () => {
    await signedInThenRevoked();
    background.now += 2 * 3600_000;
    const result = await sendMessage('refreshReadings');
    expect(result.ok && result.value.auth).toEqual({ state: 'reconnect_required', error: null, reason: 'revoked' });
    expect(result.ok && result.value.readings).toBeNull();
  });

  it('should ask to reconnect with the reason when the side panel asks for history on a revoked refresh token', async () => {
    await signedInThenRevoked();
    background.now += 2 * 3600_000;
    const history = await sendMessage('getHistory', { days: 30 });
    expect(!history.ok && history.error.code).toBe('REAUTH_REQUIRED');
    expect((await getStatus()).auth).toEqual({ state: 'reconnect_required', error: null, reason: 'revoked' });
  });

  it('should ask to reconnect with the reason when the badge poll meets a revoked refresh token', async () => {
    await signedInThenRevoked();
    background.now += 2 * 3600_000;
    await trigger(ALARMS.pollReadings);
    await vi.waitFor(async () =>
      expect((await getStatus()).auth).toEqual({ state: 'reconnect_required', error: null, reason: 'revoked' }),
    );
    await vi.waitFor(async () => expect(await badge()).toEqual({ text: '!', title: 'badgeReconnect(endReason_revoked)' }));
  });

  it('should end the session as unauthorized when CardioMood refuses a freshly refreshed token', async () => {
    const { servers } = background.start();
    await sendMessage('signIn');
    servers.state.fault = '401';
    // 90 days: the days before the glance's are not cached yet, so CardioMood is asked.
    const history = await sendMessage('getHistory', { days: 90 });
    expect(!history.ok && history.error.code).toBe('REAUTH_REQUIRED');
    expect(servers.state.refreshes).toBe(1);
    expect((await getStatus()).auth).toEqual({ state: 'reconnect_required', error: null, reason: 'unauthorized' });
    await vi.waitFor(async () => expect(await badge()).toEqual({ text: '!', title: 'badgeReconnect(endReason_unauthorized)' }));
  });

  it('should show plain Connect, without an alarm, after the member signs out', async () => {
    background.start();
    await sendMessage('signIn');
    const result = await sendMessage('signOut');
    expect(result.ok && result.value.auth).toEqual({ state: 'signed_out', error: null, reason: 'signed_out' });
    await vi.waitFor(async () => expect(await badge()).toEqual({ text: '', title: 'badgeSignedOut' }));
  });

  it('should forget the reason once the member connects again', async () => {
    await signedInThenRevoked();
    background.now += 2 * 3600_000;
    await sendMessage('refreshReadings');
    const again = await sendMessage('signIn');
    expect(again.ok && again.value.auth).toEqual({ state: 'signed_in', error: null, reason: null });
  });

  it('should keep the reason across a browser restart (it holds no token and no health data)', async () => {
    await signedInThenRevoked();
    background.now += 2 * 3600_000;
    await sendMessage('refreshReadings');
    background.stop();
    await fakeBrowser.storage.session.clear();
    background.start();
    expect((await getStatus()).auth).toEqual({ state: 'reconnect_required', error: null, reason: 'revoked' });
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toMatch(/access-|refresh-|tiles/);
  });
});

describe('startBackground: refresh with a replay nonce', () => {
  it('should retry a refresh whose answer was lost with the same nonce and get the rotated tokens', async () => {
    const { servers } = background.start();
    await sendMessage('signIn');
    background.now += 2 * 3600_000;
    servers.state.loseRefreshAnswers = 1;
    const offline = await sendMessage('refreshReadings');
    // The answer was lost: every token is kept, the member is still signed in.
    expect(offline.ok && offline.value.auth.state).toBe('signed_in');
    background.now += 10_000;
    const recovered = await sendMessage('refreshReadings');
    expect(recovered.ok && recovered.value.sync.state).toBe('idle');
    expect(servers.state.replays).toBe(1);
    const [first, second] = servers.state.refreshCalls;
    expect(first?.replay_nonce).toMatch(/^[A-Za-z0-9_-]{22,64}$/);
    expect(second).toEqual(first);
    // The attempt is over once the rotated tokens are stored.
    expect(await sessionKeys()).not.toContain('auth.refreshAttempt');
  });

  it('should stay signed in through a silent re-authorization when the retry of a lost answer misses the replay window', async () => {
    const { servers, launchWebAuthFlow } = background.start();
    await sendMessage('signIn');
    background.now += 2 * 3600_000;
    servers.state.loseRefreshAnswers = 1;
    await sendMessage('refreshReadings');
    background.now += REPLAY_WINDOW_MS + 1000;
    const result = await sendMessage('refreshReadings');
    expect(result.ok && result.value.auth).toEqual({ state: 'signed_in', error: null, reason: null });
    expect(result.ok && result.value.sync.state).toBe('idle');
    expect(launchWebAuthFlow.mock.calls.map(([details]) => details.interactive)).toEqual([true, false]);
    expect(new URL(launchWebAuthFlow.mock.calls[1]![0].url).searchParams.get('prompt')).toBe('none');
  });

  it('should end the session as answer_lost when the retry of a lost answer misses the replay window and CardioMood wants the member', async () => {
    const { servers, launchWebAuthFlow } = background.start();
    await sendMessage('signIn');
    launchWebAuthFlow.mockRejectedValue(new Error('User interaction required.'));
    background.now += 2 * 3600_000;
    servers.state.loseRefreshAnswers = 1;
    await sendMessage('refreshReadings');
    background.now += REPLAY_WINDOW_MS + 1000;
    const result = await sendMessage('refreshReadings');
    expect(result.ok && result.value.auth).toEqual({ state: 'reconnect_required', error: null, reason: 'answer_lost' });
    expect(result.ok && result.value.readings).toBeNull();
  });

  it('should retry a lost answer with the same nonce after a browser restart when keep me signed in is on', async () => {
    const { servers } = await signedInThenAnswerLost();
    // The browser restarts before the retry: storage.session (where the attempt lived) is gone.
    background.stop();
    await fakeBrowser.storage.session.clear();
    background.start(servers);
    background.now += 10_000;
    const recovered = await sendMessage('refreshReadings');
    expect(recovered.ok && recovered.value.auth.state).toBe('signed_in');
    expect(recovered.ok && recovered.value.sync.state).toBe('idle');
    expect(servers.state.replays).toBe(1);
    const [first, second] = servers.state.refreshCalls;
    expect(second).toEqual(first);
    // Once answered, storage.local holds the new refresh token and nothing of the attempt.
    const persisted = (await fakeBrowser.storage.local.get('auth.persistedRefreshToken'))['auth.persistedRefreshToken'];
    expect(persisted).toEqual({ refreshToken: 'refresh-2' });
  });

  it.each([
    ['the worker restarts', false],
    ['the browser restarts and its alarms are gone', true],
  ])('should retry a lost answer as soon as the background starts again when %s', async (_what, browserRestart) => {
    const { servers } = await signedInThenAnswerLost();
    background.stop();
    if (browserRestart) await fakeBrowser.storage.session.clear();
    await fakeBrowser.alarms.clearAll();
    // No page asks and no alarm fires: the start alone must retry, inside the replay window.
    background.start(servers);
    await vi.waitFor(() => expect(servers.state.replays).toBe(1));
    expect(servers.state.refreshCalls[1]).toEqual(servers.state.refreshCalls[0]);
    await vi.waitFor(async () => expect((await getStatus()).auth.state).toBe('signed_in'));
  });

  it('should keep no nonce in storage.local when keep me signed in is off', async () => {
    const { servers } = background.start();
    await sendMessage('updateSettings', { keepSignedIn: false });
    await sendMessage('signIn');
    background.now += 2 * 3600_000;
    servers.state.loseRefreshAnswers = 1;
    await sendMessage('refreshReadings');
    const stored = JSON.stringify(await fakeBrowser.storage.local.get(null));
    expect(stored).not.toContain(servers.state.refreshCalls[0]!.replay_nonce!);
    expect(stored).not.toContain('refresh-');
  });

  it('should send a new nonce for the next refresh token', async () => {
    const { servers } = background.start();
    await sendMessage('signIn');
    background.now += 2 * 3600_000;
    await sendMessage('refreshReadings');
    background.now += 2 * 3600_000;
    await sendMessage('refreshReadings');
    const [first, second] = servers.state.refreshCalls;
    expect(second?.refresh_token).not.toBe(first?.refresh_token);
    expect(second?.replay_nonce).not.toBe(first?.replay_nonce);
  });
});

describe('startBackground: races', () => {
  it('should write nothing after sign-out when a readings fetch is held open across it', async () => {
    const { servers } = background.start();
    await sendMessage('signIn');
    const held = gate();
    servers.state.summariesGate = held.wait;
    const requestsBefore = servers.state.summaryRequests;
    const refreshing = sendMessage('refreshReadings');
    await vi.waitFor(() => expect(servers.state.summaryRequests).toBe(requestsBefore + 1));
    await sendMessage('signOut');
    held.open();
    await refreshing;
    await new Promise((resolve) => setTimeout(resolve, 10));
    const keys = await sessionKeys();
    for (const key of ['readings.snapshot', 'readings.sync', 'readings.days', 'view.popup']) expect(keys).not.toContain(key);
    expect(await fakeBrowser.storage.local.get('view.lastPopup')).toEqual({});
    expect((await getStatus()).readings).toBeNull();
    expect((await getStatus()).glance).toBeNull();
  });

  it("should fetch a new session's readings while the old session's fetch is still held open", async () => {
    const { servers } = background.start();
    await sendMessage('signIn');
    const held = gate();
    servers.state.summariesGate = held.wait;
    const requestsBefore = servers.state.summaryRequests;
    const stale = sendMessage('refreshReadings');
    await vi.waitFor(() => expect(servers.state.summaryRequests).toBe(requestsBefore + 1));
    servers.state.summariesGate = null; // only that first request stays held
    await sendMessage('signOut');
    const again = await sendMessage('signIn');
    expect(again.ok && again.value.readings?.hasToday).toBe(true);
    held.open();
    await stale;
    expect((await getStatus()).readings?.hasToday).toBe(true);
  });

  it('should start a sign-in from an empty readings cache', async () => {
    const first = background.start();
    await sendMessage('signIn');
    const { readings } = await getStatus();
    background.stop();
    // Readings of an earlier session are still cached (a worker that died before cleaning up).
    await fakeBrowser.storage.session.remove(['auth.tokens']);
    await fakeBrowser.storage.local.remove(['auth.persistedRefreshToken']);
    expect(readings).not.toBeNull();
    const { messaging } = background.start(first.servers);
    const held = gate();
    first.servers.state.summariesGate = held.wait;
    const signingIn = sendMessage('signIn');
    await vi.waitFor(() => expect(broadcasts(messaging.sent).some((status) => status.auth.state === 'signed_in')).toBe(true));
    held.open();
    await signingIn;
    for (const status of broadcasts(messaging.sent).filter((each) => each.auth.state === 'signed_in')) {
      if (status.readings) expect(status.readings.fetchedAt).toBeGreaterThan(readings!.fetchedAt - 1);
    }
    expect(broadcasts(messaging.sent).find((status) => status.auth.state === 'signed_in')?.readings).toBeNull();
  });

  it('should revoke the tokens a refresh received after the member signed out', async () => {
    const { servers } = background.start();
    await sendMessage('signIn');
    background.now += 2 * 3600_000;
    const held = gate();
    servers.state.refreshGate = held.wait;
    const history = sendMessage('getHistory', { days: 7 });
    await vi.waitFor(() => expect(servers.state.refreshCalls).toHaveLength(1));
    await sendMessage('signOut');
    held.open();
    expect(await history).toMatchObject({ ok: false });
    await vi.waitFor(() =>
      expect(servers.state.revocations.map((each) => each.token)).toEqual(expect.arrayContaining(['refresh-2', 'access-2'])),
    );
    expect(await sessionKeys()).not.toContain('auth.tokens');
    expect(await fakeBrowser.storage.local.get('auth.persistedRefreshToken')).toEqual({});
  });

  it('should revoke both tokens on sign-out, refresh token first', async () => {
    const { servers } = background.start();
    await sendMessage('signIn');
    await sendMessage('signOut');
    await vi.waitFor(() =>
      expect(servers.state.revocations).toEqual([
        { token: 'refresh-1', token_type_hint: 'refresh_token' },
        { token: 'access-1', token_type_hint: 'access_token' },
      ]),
    );
  });

  it('should retry a failed revocation from an alarm five times at most, then drop it', async () => {
    const { servers } = background.start();
    await sendMessage('signIn');
    servers.state.revokeStatus = 503;
    await sendMessage('signOut');
    await vi.waitFor(() => expect(servers.state.revocations).toHaveLength(2));
    const pending = async () =>
      ((await fakeBrowser.storage.session.get('auth.pendingRevocations'))['auth.pendingRevocations'] ?? []) as Array<{
        attempts: number;
        nextAt: number;
      }>;
    for (let attempt = 2; attempt <= 5; attempt += 1) {
      // The failed attempt is recorded, with its backoff, before the alarm is due.
      await vi.waitFor(async () => expect((await pending()).map((each) => each.attempts)).toEqual([attempt - 1, attempt - 1]));
      const due = Math.min(...(await pending()).map((each) => each.nextAt));
      expect(due - background.now).toBe(30_000 * 2 ** (attempt - 2));
      expect((await fakeBrowser.alarms.get(ALARMS.revokeRetry))?.scheduledTime).toBe(due);
      background.now = due;
      await trigger(ALARMS.revokeRetry);
      await vi.waitFor(() => expect(servers.state.revocations).toHaveLength(2 * attempt));
    }
    await vi.waitFor(async () => expect(await sessionKeys()).not.toContain('auth.pendingRevocations'));
    expect(await fakeBrowser.alarms.get(ALARMS.revokeRetry)).toBeUndefined();
    // Pending revocations hold tokens: never in storage.local.
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toMatch(/access-|refresh-/);
  });
});

describe('startBackground: switching keep me signed in off', () => {
  it('should stay signed in when the option is switched off after a browser restart, before any page asked', async () => {
    const { servers } = background.start();
    await sendMessage('signIn');
    background.stop();
    await fakeBrowser.storage.session.clear();
    background.start(servers);
    // The session is on disk only (the persisted refresh token) until its first refresh.
    const saved = await sendMessage('updateSettings', { keepSignedIn: false });
    expect(saved.ok && saved.value.keepSignedIn).toBe(false);
    expect((await getStatus()).auth).toEqual({ state: 'signed_in', error: null, reason: null });
    expect(await fakeBrowser.storage.local.get('auth.persistedRefreshToken')).toEqual({});
    expect(servers.state.refreshes).toBe(1);
  });

  it('should refuse the switch and keep the session on disk when it cannot be renewed now', async () => {
    const { servers } = background.start();
    await sendMessage('signIn');
    background.stop();
    await fakeBrowser.storage.session.clear();
    background.start(servers);
    servers.state.fault = 'network';
    const saved = await sendMessage('updateSettings', { keepSignedIn: false });
    expect(!saved.ok && saved.error.code).toBe('NETWORK_ERROR');
    expect((await getStatus()).settings.keepSignedIn).toBe(true);
    expect(await fakeBrowser.storage.local.get('auth.persistedRefreshToken')).not.toEqual({});
    servers.state.fault = null;
    expect((await sendMessage('updateSettings', { keepSignedIn: false })).ok).toBe(true);
    expect((await getStatus()).auth.state).toBe('signed_in');
  });
});

describe('startBackground: settings that cannot be read', () => {
  it('should turn keep me signed in off, drop the persisted refresh token and say so until the member saves', async () => {
    const first = background.start();
    await sendMessage('signIn');
    background.stop();
    // A browser restart, and the stored settings are damaged (keepSignedIn is not a boolean).
    await fakeBrowser.storage.session.clear();
    await fakeBrowser.storage.local.set({ settings: { keepSignedIn: 'yes', units: 'imperial', temperature: 'celsius', hiddenTiles: [] } });
    expect(await fakeBrowser.storage.local.get('auth.persistedRefreshToken')).not.toEqual({});
    background.start(first.servers);

    const status = await getStatus();
    expect(status.settingsUnreadable).toBe(true);
    expect(status.settings.keepSignedIn).toBe(false);
    // Not silently back to the defaults: the refresh token on disk is neither used nor kept.
    expect(status.auth.state).toBe('signed_out');
    expect(await fakeBrowser.storage.local.get('auth.persistedRefreshToken')).toEqual({});
    expect(first.servers.state.refreshes).toBe(0);
    // Never repaired behind the member's back.
    expect((await fakeBrowser.storage.local.get('settings')).settings).toMatchObject({ keepSignedIn: 'yes' });

    const saved = await sendMessage('updateSettings', { units: 'metric' });
    expect(saved.ok && saved.value).toEqual({ keepSignedIn: false, units: 'metric', temperature: 'celsius', hiddenTiles: [] });
    expect((await getStatus()).settingsUnreadable).toBe(false);
  });

  it('should persist nothing when a sign-in happens while the settings cannot be read', async () => {
    await fakeBrowser.storage.local.set({ settings: 'not settings' });
    background.start();
    await sendMessage('signIn');
    expect(await fakeBrowser.storage.local.get('auth.persistedRefreshToken')).toEqual({});
  });
});

describe('startBackground: hardening', () => {
  const foreign = [
    ['another extension', { id: 'other-extension', url: 'chrome-extension://other-extension/page.html' }],
    ['a content script on a web page', { url: 'https://evil.example/' }],
  ] as const;
  const messages = [
    ['getStatus', undefined],
    ['signIn', undefined],
    ['signOut', undefined],
    ['refreshReadings', undefined],
    ['getHistory', { days: 7 }],
    ['getIntraday', { date: '2026-11-28' }],
    ['updateSettings', { units: 'imperial' }],
  ] as const;
  it.each(foreign.flatMap(([who, sender]) => messages.map(([type, data]) => [type, who, sender, data] as const)))(
    'should refuse %s from %s with INVALID_MESSAGE',
    async (type, _who, sender, data) => {
      background.start(undefined, { sender });
      const send = sendMessage as (t: string, d: unknown) => Promise<unknown>;
      expect(await send(type, data)).toEqual({ ok: false, error: { code: 'INVALID_MESSAGE', message: expect.any(String) } });
    },
  );

  it('should not follow a redirect from the API with the Bearer token', async () => {
    const { servers } = background.start();
    await sendMessage('signIn');
    servers.state.redirectSummariesTo = 'https://elsewhere.example/collect';
    const result = await sendMessage('refreshReadings');
    expect(servers.state.requests.filter((request) => request.url.startsWith('https://elsewhere.example/'))).toEqual([]);
    expect(result.ok && result.value.auth.state).toBe('signed_in');
  });
});
