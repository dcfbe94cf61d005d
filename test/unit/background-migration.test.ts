import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { sendMessage } from '../../src/messaging/protocol';
import { fakeServers, getStatus, T0, useBackground } from './support/background-harness';

/**
 * What 0.1.0 left in storage, key by key and shape by shape, written the way 0.1.0 wrote it: plain
 * values without WXT's `key$` version meta. Copied from 0.1.0's auth-storage.ts, readings-store.ts and
 * settings-store.ts; the snapshot is a small literal of 0.1.0's readings snapshot.
 */
const V010 = {
  session: {
    'auth.tokens': { accessToken: 'access-7', refreshToken: 'refresh-7', expiresAt: T0 + 50 * 60_000, issuedAt: T0 - 10 * 60_000 },
    'readings.snapshot': {
      today: '2026-11-28',
      fetchedAt: T0 - 60_000,
      hasToday: true,
      latestDate: '2026-11-28',
      tiles: [
        {
          id: 'rest_hr',
          family: 'heart_rate',
          field: 'rest_daily_heart_rate',
          unit: 'bpm',
          assumedUnit: false,
          value: 57,
          goalPercent: null,
          baseline: 56,
          baselineDays: 14,
          baselineNeeded: 7,
          delta: 1,
          sparkline: [55, 56, null, 57, 56, 55, 57],
        },
      ],
    },
    'readings.sync': { state: 'idle', error: null, nextRetryAt: null, attempt: 0 },
    'auth.note': { error: null, reconnectRequired: false },
  },
  local: {
    'auth.persistedRefreshToken': { refreshToken: 'refresh-7' },
    settings: { keepSignedIn: true, units: 'imperial', temperature: 'fahrenheit', hiddenTiles: ['steps'] },
  },
  pendingSignIn: {
    state: 'state-0.1.0',
    codeVerifier: 'v'.repeat(43),
    redirectUri: 'https://ikolmnhkljkbkopbpmgocbneeihjlhfp.chromiumapp.org/',
    createdAt: T0 - 60_000,
  },
};

/** Servers that know 0.1.0's tokens as live ones. */
function serversWith010Tokens(now: () => number) {
  const servers = fakeServers(now);
  servers.live.access.add('access-7');
  servers.live.refresh.add('refresh-7');
  return servers;
}

const background = useBackground();

describe('startBackground over 0.1.0 storage', () => {
  it('should keep the member signed in with their readings and settings when the worker restarts on 0.1.0 data', async () => {
    await fakeBrowser.storage.session.set(V010.session);
    await fakeBrowser.storage.local.set(V010.local);
    const { servers } = background.start(serversWith010Tokens(() => background.now));

    const status = await getStatus();
    expect(status.auth).toEqual({ state: 'signed_in', error: null, reason: null });
    // 0.1.0's snapshot is shown until the first refresh replaces it with one derived from day records.
    expect(status.readings).toEqual(V010.session['readings.snapshot']);
    expect(status.sync).toEqual({ state: 'idle', error: null, nextRetryAt: null });
    expect(status.settings).toEqual(V010.local.settings);
    await vi.waitFor(async () => expect((await getStatus()).glance?.today.date).toBe('2026-11-28'));
    expect((await getStatus()).readings?.fetchedAt).toBe(background.now);
    // The stored access token is still the one in use: no refresh was needed.
    const history = await sendMessage('getHistory', { days: 7 });
    expect(history.ok).toBe(true);
    expect(servers.state.refreshes).toBe(0);
    // Changed shapes now carry their version; nothing else of 0.1.0 was rewritten.
    const local = await fakeBrowser.storage.local.get(null);
    expect(local).toEqual({
      ...V010.local,
      settings$: { v: 2 },
      'auth.persistedRefreshToken$': { v: 2 },
      'view.lastPopup': expect.objectContaining({ v: 1 }),
    });
    const { 'readings.snapshot': _snapshot, 'readings.sync': _sync, ...kept } = V010.session;
    expect(await fakeBrowser.storage.session.get(Object.keys(kept))).toEqual({ ...kept, 'auth.note': { error: null } });
    expect(await fakeBrowser.storage.session.get('auth.note$')).toEqual({ 'auth.note$': { v: 2 } });
  });

  it('should keep the member signed in from the 0.1.0 persisted refresh token after a browser restart', async () => {
    await fakeBrowser.storage.local.set(V010.local);
    const { servers } = background.start(serversWith010Tokens(() => background.now));

    expect((await getStatus()).auth.state).toBe('signed_in');
    const refreshed = await sendMessage('refreshReadings');
    expect(refreshed.ok && refreshed.value.readings?.hasToday).toBe(true);
    expect(servers.state.refreshes).toBe(1);
    expect(await fakeBrowser.storage.local.get('auth.persistedRefreshToken')).toEqual({
      'auth.persistedRefreshToken': { refreshToken: 'refresh-1' },
    });
  });

  it('should complete 0.1.0 settings that relied on defaults, keeping what the member chose', async () => {
    await fakeBrowser.storage.local.set({ settings: { units: 'imperial', hiddenTiles: ['steps'] } });
    background.start();
    expect((await getStatus()).settings).toEqual({
      keepSignedIn: true,
      units: 'imperial',
      temperature: 'celsius',
      hiddenTiles: ['steps'],
    });
    expect(await fakeBrowser.storage.local.get(['settings', 'settings$'])).toEqual({
      settings: { keepSignedIn: true, units: 'imperial', temperature: 'celsius', hiddenTiles: ['steps'] },
      settings$: { v: 2 },
    });
  });

  it('should keep asking to reconnect after a 0.1.0 session CardioMood had ended', async () => {
    await fakeBrowser.storage.session.set({
      'auth.note': { error: { code: 'REAUTH_REQUIRED', message: 'CardioMood no longer accepts this sign-in (invalid_grant)' }, reconnectRequired: true },
    });
    await fakeBrowser.storage.local.set({ settings: V010.local.settings });
    background.start();
    // 0.1.0 did not know why; a refused refresh token is what it recorded this way.
    expect((await getStatus()).auth).toEqual({
      state: 'reconnect_required',
      error: { code: 'REAUTH_REQUIRED', message: expect.any(String) },
      reason: 'revoked',
    });
  });

  it('should end a 0.1.0 pending sign-in as interrupted: no worker started now can finish it', async () => {
    await fakeBrowser.storage.session.set({ 'auth.pendingSignIn': V010.pendingSignIn });
    background.start();
    await vi.waitFor(async () =>
      expect((await getStatus()).auth).toEqual({
        state: 'signed_out',
        error: { code: 'SIGN_IN_INTERRUPTED', message: expect.any(String) },
        reason: null,
      }),
    );
    expect(await fakeBrowser.storage.session.get('auth.pendingSignIn')).toEqual({});
  });
});
