import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { registerMessageHandlers } from '../../src/background/register-message-handlers';
import { removeAllListeners, sendMessage } from '../../src/messaging/protocol';
import { err, ok } from '../../src/shared/error-codes';
import { DEFAULT_SETTINGS, type Settings } from '../../src/shared/settings';
import type { Status } from '../../src/shared/status';
import { installChromeMessaging } from './support/chrome-messaging';

const STATUS: Status = {
  auth: { state: 'signed_in', error: null, reason: null },
  readings: null,
  glance: null,
  sync: { state: 'idle', error: null, nextRetryAt: null },
  settings: DEFAULT_SETTINGS,
  settingsUnreadable: false,
};

/** The handlers over stand-ins for what they call; every call is recorded in order. */
function setup(sender?: { id?: string; url?: string }) {
  installChromeMessaging(sender);
  const calls: string[] = [];
  const record =
    <T,>(name: string, value: T) =>
    async () => {
      calls.push(name);
      return value;
    };
  const session = {
    signIn: vi.fn(record('session.signIn', ok(undefined))),
    signOut: vi.fn(record('session.signOut', undefined)),
    setKeepSignedIn: vi.fn(async (on: boolean) => void calls.push(`session.setKeepSignedIn(${on})`)),
    restoreFromDisk: vi.fn(record('session.restoreFromDisk', ok(undefined))),
  };
  const readings = {
    refresh: vi.fn(record('readings.refresh', ok(undefined))),
    revalidateIfStale: vi.fn(() => void calls.push('readings.revalidateIfStale')),
    getHistory: vi.fn(record('readings.getHistory', err('NOT_SIGNED_IN', 'no'))),
    getIntraday: vi.fn(record('readings.getIntraday', err('NOT_SIGNED_IN', 'no'))),
    settingsChanged: vi.fn(record('readings.settingsChanged', undefined)),
    start: vi.fn(record('readings.start', undefined)),
    clear: vi.fn(record('readings.clear', undefined)),
  };
  const hub = { current: vi.fn(record('hub.current', STATUS)), changed: vi.fn(() => void calls.push('hub.changed')) };
  const settings = {
    read: vi.fn(async () => ({ settings: DEFAULT_SETTINGS, unreadable: false })),
    get: vi.fn(async () => DEFAULT_SETTINGS),
    update: vi.fn(async (patch: Partial<Settings>) => {
      calls.push('settings.update');
      return { ...DEFAULT_SETTINGS, ...patch };
    }),
  };
  const cleanup = registerMessageHandlers({
    session,
    readings,
    hub,
    settings,
    extensionId: fakeBrowser.runtime.id,
    extensionOrigin: `chrome-extension://${fakeBrowser.runtime.id}/`,
  });
  return { calls, session, readings, hub, settings, cleanup };
}

beforeEach(() => fakeBrowser.reset());
afterEach(() => {
  removeAllListeners();
  vi.unstubAllGlobals();
});

describe('registerMessageHandlers', () => {
  it('should answer getStatus from the hub and then revalidate the readings', async () => {
    const { calls } = setup();
    expect(await sendMessage('getStatus')).toEqual(STATUS);
    expect(calls).toEqual(['hub.current', 'readings.revalidateIfStale']);
  });

  it('should renew a session kept on disk, save settings, apply keep me signed in, rewrite the popup views and publish, in that order', async () => {
    const { calls } = setup();
    expect(await sendMessage('updateSettings', { keepSignedIn: false, units: 'imperial' })).toEqual(
      ok({ ...DEFAULT_SETTINGS, keepSignedIn: false, units: 'imperial' }),
    );
    expect(calls).toEqual([
      'session.restoreFromDisk',
      'settings.update',
      'session.setKeepSignedIn(false)',
      'readings.settingsChanged',
      'hub.changed',
    ]);
  });

  it('should save nothing when keep me signed in is switched off while the session on disk cannot be renewed', async () => {
    const { calls, session } = setup();
    session.restoreFromDisk.mockResolvedValueOnce(err('NETWORK_ERROR', 'offline'));
    expect(await sendMessage('updateSettings', { keepSignedIn: false })).toEqual(err('NETWORK_ERROR', 'offline'));
    expect(session.restoreFromDisk).toHaveBeenCalledOnce();
    // The stand-in answer records no call of its own: nothing after it ran.
    expect(calls).toEqual([]);
  });

  it('should fetch readings after a sign-in and answer with the status', async () => {
    const { calls } = setup();
    expect(await sendMessage('signIn')).toEqual(ok(STATUS));
    expect(calls).toEqual(['session.signIn', 'hub.changed', 'readings.refresh', 'hub.current']);
  });

  it('should answer a failed sign-in with its error and fetch nothing', async () => {
    const { calls, session } = setup();
    session.signIn.mockResolvedValueOnce(err('ACCESS_DENIED', 'denied'));
    expect(await sendMessage('signIn')).toMatchObject({ ok: false, error: { code: 'ACCESS_DENIED' } });
    expect(calls).not.toContain('readings.refresh');
  });

  it.each([
    ['getHistory', { days: 7 }, 'readings.getHistory'],
    ['getIntraday', { date: '2026-11-28' }, 'readings.getIntraday'],
    ['refreshReadings', undefined, 'readings.refresh'],
    ['signOut', undefined, 'session.signOut'],
  ] as const)('should pass %s on to the service', async (type, data, call) => {
    const { calls } = setup();
    await (sendMessage as (t: string, d: unknown) => Promise<unknown>)(type, data);
    expect(calls[0]).toBe(call);
  });

  it.each([
    ['getHistory', { days: 14 }],
    ['getIntraday', { date: '28.11.2026' }],
    ['updateSettings', { keepSignedIn: 'yes' }],
    ['updateSettings', { token: 'x' }],
  ] as const)('should refuse %s %j with INVALID_MESSAGE and call nothing', async (type, data) => {
    const { calls } = setup();
    const answer = await (sendMessage as (t: string, d: unknown) => Promise<unknown>)(type, data);
    expect(answer).toEqual({ ok: false, error: { code: 'INVALID_MESSAGE', message: expect.any(String) } });
    expect(calls).toEqual([]);
  });

  it.each([
    ['another extension', { id: 'other', url: 'chrome-extension://other/page.html' }],
    ['a web page with our id', { url: 'https://evil.example/' }],
  ])('should refuse every message from %s with INVALID_MESSAGE and call nothing', async (_who, sender) => {
    const { calls } = setup(sender);
    for (const type of ['getStatus', 'signIn', 'signOut', 'refreshReadings'] as const) {
      expect(await sendMessage(type)).toEqual({ ok: false, error: { code: 'INVALID_MESSAGE', message: expect.any(String) } });
    }
    expect(calls).toEqual([]);
  });

  it('should stop answering once cleaned up', async () => {
    const { cleanup } = setup();
    cleanup();
    await expect(sendMessage('getStatus')).rejects.toThrow();
  });
});
