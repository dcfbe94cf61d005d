import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ALARMS } from '../../src/background/create-background';
import { addDays, dateRange, localIsoDate } from '../../src/shared/local-date';
import { sendMessage } from '../../src/messaging/protocol';
import { popupViewSchema, type PopupView } from '../../src/shared/popup-view';
import { POPUP_VIEW_KEYS, POPUP_VIEW_VERSION } from '../../src/shared/popup-view-keys';
import { broadcasts, type FakeServers, getStatus, REDIRECT, useBackground } from './support/background-harness';
import { COMPANION_ROUTES } from '../../src/shared/companion-api';

const background = useBackground();
/** The /user-summaries requests the servers got: their date range and include_slots. */
const summaryQueries = (servers: FakeServers) =>
  servers.state.requests
    .map((request) => new URL(request.url))
    .filter((url) => url.pathname === '/user-summaries')
    .map((url) => ({ from: url.searchParams.get('date_from'), to: url.searchParams.get('date_to'), slots: url.searchParams.get('include_slots') }));
const start = (servers?: FakeServers) => background.start(servers);

describe('startBackground', () => {
  it('should sign in and answer with today\'s readings', async () => {
    const { servers } = start();
    const result = await sendMessage('signIn');
    expect(result.ok).toBe(true);
    const status = result.ok ? result.value : null;
    expect(status?.auth).toEqual({ state: 'signed_in', error: null, reason: null });
    expect(status?.readings?.today).toBe(localIsoDate(background.now));
    expect(status?.readings?.fetchedAt).toBe(background.now);
    expect(status?.readings?.tiles.find((t) => t.id === 'steps')?.value).toBe(8000);
    expect(servers.state.summaryRequests).toBe(1);
  });

  it("should carry the member's glance in the status, computed from the day records", async () => {
    const { servers } = start();
    const result = await sendMessage('signIn');
    const glance = result.ok ? result.value.glance : null;
    const today = localIsoDate(background.now);
    expect(glance).toMatchObject({ v: 1, today: { date: today, hasData: true }, yesterday: { date: addDays(today, -1), complete: true }, checkedAt: background.now });
    // The fixtures: today 8,000 steps and a resting heart rate of 55; yesterday 8,100 and 56.
    expect(glance?.today.steps.value).toBe(8000);
    expect(glance?.today.restHr.value).toBe(55);
    expect(glance?.yesterday.steps.value).toBe(8100);
    expect(glance?.yesterday.restHr).toMatchObject({ value: 56, cmp: 'baseline', n: 14 });
    // Once, the whole window with slots (a finished day's slots become its profile).
    expect(summaryQueries(servers)).toEqual([{ from: addDays(today, -28), to: today, slots: '1' }]);
    const days = (await fakeBrowser.storage.session.get('readings.days'))['readings.days'] as Array<{ date: string; profile: unknown }>;
    expect(days.map((day) => day.date)).toEqual(dateRange(addDays(today, -28), today));
    expect(JSON.stringify(days)).not.toMatch(/step_count|bpm"|slots/);
  });

  it('should keep the popup view in storage.session under its bare key, with the glance and the display settings', async () => {
    start();
    const result = await sendMessage('signIn');
    const glance = result.ok ? result.value.glance : null;
    const stored = (await fakeBrowser.storage.session.get(POPUP_VIEW_KEYS.session))[POPUP_VIEW_KEYS.session];
    expect(stored).toEqual({ v: POPUP_VIEW_VERSION, glance, units: 'metric', temperature: 'celsius', hidden: [], savedAt: background.now });
    expect(popupViewSchema.safeParse(stored).success).toBe(true);
  });

  it('should rewrite the popup view with the same glance when the display settings change', async () => {
    start();
    const result = await sendMessage('signIn');
    const glance = result.ok ? result.value.glance : null;
    background.now += 60_000;
    await sendMessage('updateSettings', { units: 'imperial', temperature: 'fahrenheit', hiddenTiles: ['steps'] });
    const stored = (await fakeBrowser.storage.session.get(POPUP_VIEW_KEYS.session))[POPUP_VIEW_KEYS.session];
    expect(stored).toEqual({ v: POPUP_VIEW_VERSION, glance, units: 'imperial', temperature: 'fahrenheit', hidden: ['steps'], savedAt: background.now });
  });

  it('should rewrite the popup view when the glance changes', async () => {
    const { servers } = start();
    await sendMessage('signIn');
    background.now += 3 * 60_000;
    servers.state.days = servers.state.days.map((day) =>
      day.date === localIsoDate(background.now) ? { ...day, activity: { ...(day.activity as object), total_steps: 9100 } } : day,
    );
    await sendMessage('refreshReadings');
    const stored = (await fakeBrowser.storage.session.get(POPUP_VIEW_KEYS.session))[POPUP_VIEW_KEYS.session] as PopupView;
    expect(stored.glance.today.steps.value).toBe(9100);
    expect(stored.glance.checkedAt).toBe(background.now);
    expect((await getStatus()).glance).toEqual(stored.glance);
  });

  it('should ask only for yesterday and today, in one request, once the window is cached', async () => {
    const { servers } = start();
    await sendMessage('signIn');
    background.now += 3 * 60_000;
    await sendMessage('refreshReadings');
    const today = localIsoDate(background.now);
    expect(summaryQueries(servers).slice(1)).toEqual([{ from: addDays(today, -1), to: today, slots: '1' }]);
  });

  it.each([
    ['the glance is fresh', 60_000, 0],
    ['the glance is older than two minutes', 3 * 60_000, 1],
    ['the glance is from yesterday', 24 * 3600_000, 2],
  ])('should cost %s → %i requests per popup open (token refresh included)', async (_name, later, requests) => {
    const { servers } = start();
    await sendMessage('signIn');
    background.now += later;
    const before = servers.state.requests.length;
    await getStatus();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // A day later the access token has expired too: its refresh is the second request.
    expect(servers.state.requests.slice(before).map((request) => new URL(request.url).pathname)).toEqual(
      [COMPANION_ROUTES.refresh, '/user-summaries'].slice(2 - requests),
    );
  });

  it('should ask CardioMood once when the popup and the side panel open together', async () => {
    const { servers } = start();
    await sendMessage('signIn');
    background.now += 3 * 60_000;
    const before = servers.state.summaryRequests;
    await Promise.all([getStatus(), sendMessage('getHistory', { days: 7 }), sendMessage('refreshReadings')]);
    expect(servers.state.summaryRequests - before).toBe(1);
  });

  it('should answer the side panel from the cached days, asking only for days it does not hold', async () => {
    const { servers } = start();
    await sendMessage('signIn');
    const today = localIsoDate(background.now);
    const week = await sendMessage('getHistory', { days: 7 });
    expect(week.ok && week.value.days.map((day) => day.values.steps)).toEqual([8600, 8500, 8400, 8300, 8200, 8100, 8000]);
    expect(servers.state.summaryRequests).toBe(1);
    const quarter = await sendMessage('getHistory', { days: 90 });
    expect(quarter.ok && quarter.value.days).toHaveLength(90);
    expect(summaryQueries(servers).slice(1)).toEqual([{ from: addDays(today, -89), to: addDays(today, -29), slots: '0' }]);
    await sendMessage('getHistory', { days: 90 });
    await sendMessage('getHistory', { days: 30 });
    expect(servers.state.summaryRequests).toBe(2);
  });

  it('should never put a token, code or verifier in a message to the pages', async () => {
    const { messaging } = start();
    await sendMessage('signIn');
    await sendMessage('refreshReadings');
    await sendMessage('getHistory', { days: 7 });
    await vi.waitFor(() => expect(broadcasts(messaging.sent).length).toBeGreaterThan(0));
    const everything = JSON.stringify([messaging.sent, messaging.answers]);
    expect(everything).toContain('"tiles"');
    expect(everything).not.toMatch(/access-\d|refresh-\d|code-1|code_verifier|verifier/i);
    // Storage: tokens only in session, and only the refresh token in local.
    expect(JSON.stringify(await fakeBrowser.storage.local.get(null))).not.toMatch(/access-\d|tiles/);
  });

  it('should paint from the cache and revalidate only when stale', async () => {
    const { servers } = start();
    await sendMessage('signIn');
    await getStatus();
    await new Promise((r) => setTimeout(r, 10));
    expect(servers.state.summaryRequests).toBe(1);
    background.now += 3 * 60_000;
    const cached = await getStatus();
    expect(cached.readings?.fetchedAt).toBe(background.now - 3 * 60_000);
    await vi.waitFor(() => expect(servers.state.summaryRequests).toBe(2));
  });

  it('should make exactly one refresh for 50 simultaneous requests with an expired token', async () => {
    const { servers } = start();
    await sendMessage('signIn');
    background.now += 2 * 3600_000;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? sendMessage('getHistory', { days: 7 }) : sendMessage('getIntraday', { date: localIsoDate(background.now) }))),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(servers.state.refreshes).toBe(1);
  });

  it('should keep tokens and readings, show offline and plan a retry when the network is down', async () => {
    const { servers } = start();
    await sendMessage('signIn');
    servers.state.fault = 'network';
    const result = await sendMessage('refreshReadings');
    const status = result.ok ? result.value : null;
    expect(status?.auth.state).toBe('signed_in');
    expect(status?.readings).not.toBeNull();
    expect(status?.sync).toMatchObject({ state: 'offline', error: { code: 'NETWORK_ERROR' }, nextRetryAt: background.now + 30_000 });
    expect(await fakeBrowser.alarms.get(ALARMS.retryReadings)).toMatchObject({ scheduledTime: background.now + 30_000 });
    servers.state.fault = null;
    const recovered = await sendMessage('refreshReadings');
    expect(recovered.ok && recovered.value.sync).toEqual({ state: 'idle', error: null, nextRetryAt: null });
  });

  it('should respect Retry-After on 429', async () => {
    const { servers } = start();
    await sendMessage('signIn');
    servers.state.fault = '429';
    const result = await sendMessage('refreshReadings');
    expect(result.ok && result.value.sync).toMatchObject({ state: 'error', error: { code: 'RATE_LIMITED' }, nextRetryAt: background.now + 120_000 });
  });

  it('should keep the session when the refresh fails with 5xx', async () => {
    const { servers } = start();
    await sendMessage('signIn');
    background.now += 2 * 3600_000;
    servers.state.fault = '503';
    const result = await sendMessage('refreshReadings');
    expect(result.ok && result.value.auth.state).toBe('signed_in');
    expect(result.ok && result.value.sync.error?.code).toBe('SERVER_ERROR');
  });

  it('should ask to reconnect and drop the readings when the refresh token is rejected', async () => {
    const { servers } = start();
    await sendMessage('signIn');
    background.now += 2 * 3600_000;
    servers.state.fault = 'invalid_grant';
    const result = await sendMessage('refreshReadings');
    const status = result.ok ? result.value : null;
    expect(status?.auth.state).toBe('reconnect_required');
    expect(status?.readings).toBeNull();
    expect(await fakeBrowser.storage.session.get('readings.snapshot')).toEqual({});
    expect(await fakeBrowser.storage.local.get('auth.persistedRefreshToken')).toEqual({});
  });

  it('should report a denied consent and stay signed out', async () => {
    const { launchWebAuthFlow } = start();
    launchWebAuthFlow.mockImplementation(async ({ url }) => `${REDIRECT}?error=access_denied&state=${new URL(url).searchParams.get('state')}`);
    const result = await sendMessage('signIn');
    expect(!result.ok && result.error.code).toBe('ACCESS_DENIED');
    const status = await getStatus();
    expect(status.auth).toMatchObject({ state: 'signed_out', error: { code: 'ACCESS_DENIED' } });
  });

  it('should stay signed in across a browser restart with keep me signed in, and not without', async () => {
    const first = start();
    await sendMessage('signIn');
    background.stop();
    await fakeBrowser.storage.session.clear();
    const second = start(first.servers);
    const status = await getStatus();
    expect(status.auth.state).toBe('signed_in');
    const refreshed = await sendMessage('refreshReadings');
    expect(refreshed.ok && refreshed.value.readings?.hasToday).toBe(true);
    expect(second.servers.state.refreshes).toBe(1);

    await sendMessage('updateSettings', { keepSignedIn: false });
    background.stop();
    await fakeBrowser.storage.session.clear();
    start(first.servers);
    expect((await getStatus()).auth.state).toBe('signed_out');
  });

  it('should not bring back the persisted refresh token when another setting changes', async () => {
    start();
    await sendMessage('signIn');
    await sendMessage('updateSettings', { keepSignedIn: false });
    const result = await sendMessage('updateSettings', { units: 'imperial' });
    expect(result.ok && result.value).toMatchObject({ keepSignedIn: false, units: 'imperial' });
    expect(await fakeBrowser.storage.local.get('auth.persistedRefreshToken')).toEqual({});
  });

  it('should send the settings with the status and publish a change to open pages', async () => {
    const { messaging } = start();
    await sendMessage('signIn');
    expect((await getStatus()).settings).toMatchObject({ units: 'metric', hiddenTiles: [] });
    await sendMessage('updateSettings', { units: 'imperial', hiddenTiles: ['steps'] });
    await vi.waitFor(() =>
      expect(broadcasts(messaging.sent).at(-1)?.settings).toMatchObject({ units: 'imperial', hiddenTiles: ['steps'] }),
    );
    expect((await getStatus()).settings).toMatchObject({ units: 'imperial', hiddenTiles: ['steps'] });
  });

  it('should answer getStatus from memory yet see a change another context made in storage', async () => {
    start();
    await sendMessage('signIn');
    await getStatus();
    const reads = [vi.spyOn(fakeBrowser.storage.session, 'get'), vi.spyOn(fakeBrowser.storage.local, 'get')];
    expect((await getStatus()).readings).not.toBeNull();
    for (const read of reads) expect(read).not.toHaveBeenCalled();
    // Someone else (devtools, a test) removes the cached snapshot: the next status reflects it.
    await fakeBrowser.storage.session.remove('readings.snapshot');
    await vi.waitFor(async () => expect((await getStatus()).readings).toBeNull());
  });

  it('should clear everything on sign out', async () => {
    start();
    await sendMessage('signIn');
    expect(Object.keys(await fakeBrowser.storage.session.get(null))).toEqual(
      expect.arrayContaining(['readings.days', 'readings.snapshot', POPUP_VIEW_KEYS.session]),
    );
    const result = await sendMessage('signOut');
    expect(result.ok && result.value).toMatchObject({ auth: { state: 'signed_out' }, readings: null, glance: null });
    expect(await fakeBrowser.storage.session.get(['auth.tokens', 'readings.snapshot', 'readings.days', POPUP_VIEW_KEYS.session])).toEqual({});
    expect(await fakeBrowser.storage.local.get(['auth.persistedRefreshToken', POPUP_VIEW_KEYS.local])).toEqual({});
  });

  it.each([
    ['getHistory', { days: 12 }],
    ['getIntraday', { date: 'yesterday' }],
    ['updateSettings', { units: 'furlongs' }],
  ] as const)('should refuse an invalid %s payload with INVALID_MESSAGE', async (type, data) => {
    start();
    const result = await (sendMessage as (t: string, d: unknown) => Promise<{ ok: boolean; error?: { code: string } }>)(type, data);
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('INVALID_MESSAGE');
  });

  it("should show the glance's resting heart rate of today on the badge", async () => {
    start();
    await sendMessage('signIn');
    await vi.waitFor(async () => expect(await fakeBrowser.action.getBadgeText({})).toBe('55'));
    expect(await fakeBrowser.action.getTitle({})).toBe('badgeRestingHr(55)');
  });
});
