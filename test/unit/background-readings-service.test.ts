import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { SessionEndedError } from '../../src/auth/create-auth-session';
import { createReadingsService } from '../../src/background/create-readings-service';
import { createReadingsStore } from '../../src/background/readings-store';
import { DEFAULT_SETTINGS, type Settings } from '../../src/shared/settings';
import type { PopupFrame, PopupView } from '../../src/shared/popup-view';
import { POPUP_FRAME_KEYS, POPUP_VIEW_VERSION } from '../../src/shared/popup-view-keys';
import type { StorageAreaName } from '../../src/shared/storage-area';
import type { ApiError, CardioMoodApi, SummariesQuery } from '../../src/cardiomood/cardiomood-api';
import { addDays, dateRange, localIsoDate } from '../../src/shared/local-date';
import { summarySchema } from '../../src/cardiomood/summary-schema';
import { rawDays } from './cardiomood-fixtures';
import { useStorageItems } from './support/use-storage-items';

const T0 = Date.parse('2026-11-28T12:00:00Z');
const MINUTE = 60_000;
const items = useStorageItems();

/** The service over real storage items (WXT's fake browser), a fake API and a fake session. */
function setup() {
  const clock = { now: T0 };
  let epoch = new AbortController();
  const session = { hasSession: vi.fn(async () => true), signal: () => epoch.signal };
  const server = {
    summaries: rawDays(localIsoDate(T0 + 30 * 24 * 60 * MINUTE), 160).map((day) => summarySchema.parse(day)),
    failure: null as ApiError | null,
    gate: null as Promise<void> | null,
  };
  const queries: SummariesQuery[] = [];
  const api: CardioMoodApi = {
    fetchSummaries: vi.fn(async (query: SummariesQuery) => {
      queries.push(query);
      if (server.gate) await server.gate;
      if (server.failure) return { ok: false as const, error: server.failure };
      return { ok: true as const, value: server.summaries.filter((s) => s.date >= query.dateFrom && s.date <= query.dateTo) };
    }),
  };
  const settings = { current: DEFAULT_SETTINGS as Settings };
  const store = createReadingsStore(items());
  const scheduleRetry = vi.fn(async (_at: number | null) => undefined);
  // The status going out: at once unless a test holds it (`published`).
  const published = { gate: Promise.resolve() };
  const onChange = vi.fn(() => published.gate);
  // Stand-ins for the frame renderer (src/ui/popup/render-stored-popup.tsx) and the localStorage copy.
  const frames = { fail: false };
  const renderFrame = vi.fn((view: PopupView, area: StorageAreaName, at: number): PopupFrame => {
    if (frames.fail) throw new Error('render failed');
    return { v: POPUP_VIEW_VERSION, key: `${area}@${at}#${JSON.stringify([view.glance.today, view.units, view.hidden])}`, tree: [['p', {}, `${area} ${view.glance.today.date}`]], date: localIsoDate(at), language: 'en-US', lang: 'en', title: 'CardioMood Readings' };
  });
  const cached: (PopupFrame | null)[] = [];
  const frameCache = { write: vi.fn(async (frame: PopupFrame | null) => void cached.push(frame)) };
  const service = createReadingsService({
    session,
    api,
    store,
    now: () => clock.now,
    readSettings: async () => ({ settings: settings.current, unreadable: false }),
    scheduleRetry,
    onChange,
    renderFrame,
    frameCache,
  });
  const windows = () => queries.map((q) => [q.dateFrom, q.dateTo, q.includeSlots]);
  const today = () => localIsoDate(clock.now);
  return {
    service,
    store,
    session,
    frames,
    renderFrame,
    cached,
    frameCache,
    server,
    clock,
    settings,
    scheduleRetry,
    onChange,
    published,
    windows,
    today,
    endSession: (reason: 'signed_out' | 'revoked') => {
      epoch.abort(new SessionEndedError(reason));
      epoch = new AbortController();
    },
  };
}

/** Lets the frames due after a refresh be rendered and written (they follow the status, see writeViews). */
const framesWritten = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createReadingsService', () => {
  describe('refresh', () => {
    it('should fetch the whole window with slots once, then keep one record a day, the snapshot and the popup view', async () => {
      const { service, store, windows, today, scheduleRetry } = setup();
      expect(await service.refresh()).toEqual({ ok: true, value: undefined });
      expect(windows()).toEqual([[addDays(today(), -28), today(), true]]);
      expect((await store.readDays()).map((r) => r.date)).toEqual(dateRange(addDays(today(), -28), today()));
      expect((await store.readSnapshot())?.fetchedAt).toBe(T0);
      const view = await store.readView();
      expect(view).toMatchObject({ v: 1, units: 'metric', temperature: 'celsius', hidden: [], savedAt: T0 });
      expect(view?.glance).toMatchObject({ today: { date: today() }, checkedAt: T0 });
      expect(await store.readLastView()).toEqual(view);
      expect(await store.readSync()).toEqual({ state: 'idle', error: null, nextRetryAt: null, attempt: 0 });
      expect(scheduleRetry).toHaveBeenLastCalledWith(null);
    });

    it.each([
      ['three minutes later', 3 * MINUTE, 0],
      ['the next day', 24 * 60 * MINUTE, 1],
      ['two days later', 48 * 60 * MINUTE, 2],
    ])('should ask in one request %s', async (_when, later, extraDays) => {
      const { service, clock, windows, today } = setup();
      await service.refresh();
      clock.now += later;
      await service.refresh();
      expect(windows().slice(1)).toEqual([[addDays(today(), -1 - extraDays), today(), true]]);
    });

    it('should share one refresh between callers', async () => {
      const { service, windows } = setup();
      await Promise.all([service.refresh(), service.refresh(), service.refresh()]);
      expect(windows()).toHaveLength(1);
    });

    it('should keep the cache, show offline and plan a retry when the network fails', async () => {
      const { service, store, server, clock, scheduleRetry } = setup();
      await service.refresh();
      const view = await store.readView();
      clock.now += 3 * MINUTE;
      server.failure = { code: 'NETWORK_ERROR', message: 'could not reach CardioMood' };
      expect(await service.refresh()).toMatchObject({ ok: false, error: { code: 'NETWORK_ERROR' } });
      expect(await store.readSync()).toMatchObject({ state: 'offline', nextRetryAt: clock.now + 30_000, attempt: 1 });
      expect(scheduleRetry).toHaveBeenLastCalledWith(clock.now + 30_000);
      expect(await store.readView()).toEqual(view);
      expect(await store.readDays()).toHaveLength(29);
    });

    it("should respect the server's Retry-After when it is later than the backoff", async () => {
      const { service, store, server, clock } = setup();
      server.failure = { code: 'RATE_LIMITED', message: '429', retryAfterMs: 300_000 } as ApiError;
      await service.refresh();
      expect(await store.readSync()).toMatchObject({ state: 'error', error: { code: 'RATE_LIMITED' }, nextRetryAt: clock.now + 300_000 });
    });

    it.each([
      ['signed_out', 'NOT_SIGNED_IN'],
      ['revoked', 'REAUTH_REQUIRED'],
    ] as const)('should write nothing when the session ends (%s) while the fetch is on its way', async (reason, code) => {
      const { service, store, server, windows, endSession } = setup();
      let open!: () => void;
      server.gate = new Promise((resolve) => (open = resolve));
      const refreshing = service.refresh();
      await vi.waitFor(() => expect(windows()).toHaveLength(1));
      // What the auth session does when a session ends: abort its signal, then clear the member's data.
      endSession(reason);
      await store.clear();
      open();
      expect(await refreshing).toMatchObject({ ok: false, error: { code } });
      const stored = Object.keys(await fakeBrowser.storage.session.get(null));
      for (const key of ['readings.days', 'readings.snapshot', 'view.popup']) expect(stored).not.toContain(key);
      expect(await fakeBrowser.storage.local.get('view.lastPopup')).toEqual({});
    });

    it('should answer NOT_SIGNED_IN without a request when there is no session', async () => {
      const { service, session, windows } = setup();
      session.hasSession.mockResolvedValue(false);
      expect(await service.refresh()).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
      expect(windows()).toEqual([]);
    });

    it('should keep no record older than the longest history range', async () => {
      const { service, store, clock, today } = setup();
      await service.getHistory(90);
      clock.now += 10 * 24 * 60 * MINUTE;
      await service.refresh();
      const dates = (await store.readDays()).map((record) => record.date);
      expect(dates[0]).toBe(addDays(today(), -89));
      expect(dates.at(-1)).toBe(today());
    });
  });

  describe('revalidateIfStale', () => {
    it.each([
      ['fresh', MINUTE, 0],
      ['older than two minutes', 3 * MINUTE, 1],
      ['from yesterday', 24 * 60 * MINUTE, 1],
    ])('should ask again only when the glance is not fresh (%s)', async (_name, later, requests) => {
      const { service, clock, windows } = setup();
      await service.refresh();
      clock.now += later;
      service.revalidateIfStale();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(windows().slice(1)).toHaveLength(requests);
    });

    it('should leave the next attempt to the retry alarm while a retry is planned', async () => {
      const { service, server, clock, windows } = setup();
      server.failure = { code: 'SERVER_ERROR', message: '503' };
      await service.refresh();
      server.failure = null;
      clock.now += 10_000;
      service.revalidateIfStale();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(windows()).toHaveLength(1);
    });
  });

  describe('getHistory', () => {
    it('should answer from the cached days of the glance without asking again', async () => {
      const { service, windows, today, server } = setup();
      await service.refresh();
      const history = await service.getHistory(7);
      expect(windows()).toHaveLength(1);
      const expected = dateRange(addDays(today(), -6), today()).map((date) => server.summaries.find((s) => s.date === date)?.activity?.total_steps);
      expect(history.ok && history.value.days.map((day) => day.values.steps)).toEqual(expected);
      expect(history.ok && history.value.fetchedAt).toBe(T0);
    });

    it('should ask once, without slots, for the days before the glance, and keep them', async () => {
      const { service, windows, today } = setup();
      await service.refresh();
      expect((await service.getHistory(90)).ok).toBe(true);
      expect(windows().slice(1)).toEqual([[addDays(today(), -89), addDays(today(), -29), false]]);
      await service.getHistory(90);
      await service.getHistory(30);
      expect(windows()).toHaveLength(2);
    });

    it('should bring the glance up to date with it when the glance is stale', async () => {
      const { service, clock, windows, today } = setup();
      await service.refresh();
      clock.now += 3 * MINUTE;
      await service.getHistory(7);
      expect(windows().slice(1)).toEqual([[addDays(today(), -1), today(), true]]);
    });

    it('should answer from the cache when CardioMood cannot be reached and the cache covers the range', async () => {
      const { service, server, clock } = setup();
      await service.refresh();
      clock.now += 3 * MINUTE;
      server.failure = { code: 'NETWORK_ERROR', message: 'offline' };
      const history = await service.getHistory(7);
      expect(history.ok && history.value.fetchedAt).toBe(T0);
    });

    it('should report the failure when a day it needs cannot be fetched', async () => {
      const { service, server } = setup();
      server.failure = { code: 'SERVER_ERROR', message: '503' };
      expect(await service.getHistory(7)).toMatchObject({ ok: false, error: { code: 'SERVER_ERROR' } });
    });

    it('should answer NOT_SIGNED_IN without a request when there is no session', async () => {
      const { service, session, windows } = setup();
      session.hasSession.mockResolvedValue(false);
      expect(await service.getHistory(7)).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
      expect(windows()).toEqual([]);
    });
  });

  describe('getIntraday', () => {
    it('should ask for that day with slots, every time (raw slots are never kept)', async () => {
      const { service, windows, today } = setup();
      await service.getIntraday(today());
      await service.getIntraday(today());
      expect(windows()).toEqual([
        [today(), today(), true],
        [today(), today(), true],
      ]);
    });
  });

  describe('settingsChanged', () => {
    it('should paint the popup view with the new display settings and the same glance', async () => {
      const { service, store, settings, clock } = setup();
      await service.refresh();
      const before = await store.readView();
      clock.now += MINUTE;
      settings.current = { ...DEFAULT_SETTINGS, units: 'imperial', hiddenTiles: ['steps'] };
      await service.settingsChanged();
      expect(await store.readView()).toEqual({ ...before, units: 'imperial', hidden: ['steps'], savedAt: clock.now });
      expect(await store.readLastView()).toEqual(await store.readView());
    });

    it('should delete the view on disk when keep me signed in is turned off, with or without a current view', async () => {
      const { service, store, settings } = setup();
      await service.refresh();
      settings.current = { ...DEFAULT_SETTINGS, keepSignedIn: false };
      await service.settingsChanged();
      expect(await store.readLastView()).toBeNull();
      expect(await store.readView()).not.toBeNull();
      await store.writeView(null);
      await store.writeLastView((await store.readView()) ?? null);
      await service.settingsChanged();
      expect(await store.readLastView()).toBeNull();
    });
  });

  describe('clear', () => {
    it('should forget every reading, both views and their frames, the frame copy and the poll state, and cancel the retry', async () => {
      const { service, store, scheduleRetry, cached } = setup();
      await service.refresh();
      await framesWritten();
      await store.writePoll({ unchanged: 2 });
      expect(await fakeBrowser.storage.session.get(POPUP_FRAME_KEYS.session)).not.toEqual({});
      await service.clear();
      expect(await fakeBrowser.storage.session.get(null)).toEqual({});
      expect(await fakeBrowser.storage.local.get(null)).toEqual({});
      expect(cached.at(-1)).toBeNull();
      expect(scheduleRetry).toHaveBeenLastCalledWith(null);
    });
  });

  describe('popup frames', () => {
    it('should render a frame with each view, as each area paints it, and copy the current one for the popup', async () => {
      const { service, store, renderFrame, cached, clock } = setup();
      await service.refresh();
      await framesWritten();
      const view = (await store.readView())!;
      expect(renderFrame.mock.calls).toEqual([
        [view, 'session', clock.now],
        [view, 'local', clock.now],
      ]);
      const stored = await fakeBrowser.storage.session.get(POPUP_FRAME_KEYS.session);
      const kept = await fakeBrowser.storage.local.get(POPUP_FRAME_KEYS.local);
      expect(stored[POPUP_FRAME_KEYS.session]).toEqual(renderFrame.mock.results[0]!.value);
      expect(kept[POPUP_FRAME_KEYS.local]).toEqual(renderFrame.mock.results[1]!.value);
      expect(await store.readLastFrame()).toEqual(renderFrame.mock.results[1]!.value);
      expect(cached).toEqual([renderFrame.mock.results[0]!.value]);
    });

    it('should render the frames only once the status is out, and never for a view replaced meanwhile', async () => {
      const { service, store, renderFrame, published, clock } = setup();
      let publish = () => undefined as void;
      published.gate = new Promise<void>((resolve) => (publish = resolve));
      await service.refresh();
      await framesWritten();
      // The view (which Status carries) is stored; its frames wait for the status to go out.
      expect(await store.readView()).not.toBeNull();
      expect(renderFrame).not.toHaveBeenCalled();
      expect(await fakeBrowser.storage.session.get(POPUP_FRAME_KEYS.session)).toEqual({});
      publish();
      await framesWritten();
      expect(renderFrame.mock.calls.map(([, area]) => area)).toEqual(['session', 'local']);
      expect((await fakeBrowser.storage.session.get(POPUP_FRAME_KEYS.session))[POPUP_FRAME_KEYS.session]).toEqual(renderFrame.mock.results[0]!.value);

      // A newer view written before the frames of the older one are due: only the newer one's are.
      renderFrame.mockClear();
      published.gate = new Promise<void>((resolve) => (publish = resolve));
      await service.refresh();
      clock.now += 60_000;
      await service.settingsChanged();
      const newer = (await store.readView())!;
      publish();
      await framesWritten();
      expect(renderFrame.mock.calls.map(([view]) => view.savedAt)).toEqual([newer.savedAt, newer.savedAt]);
    });

    it('should copy a frame only when it paints something new (in Chrome each copy opens a document)', async () => {
      const { service, server, settings, cached, clock, frameCache, today } = setup();
      await service.refresh();
      await framesWritten();
      expect(cached).toHaveLength(1);
      // Nothing new three minutes later: the frame differs only in when it was rendered.
      clock.now += 3 * 60_000;
      await service.refresh();
      await framesWritten();
      expect(cached).toHaveLength(1);
      // A reading changed: copied.
      server.summaries = server.summaries.map((summary) =>
        summary.date === today() && summary.activity ? { ...summary, activity: { ...summary.activity, total_steps: (summary.activity.total_steps ?? 0) + 500 } } : summary,
      );
      clock.now += 3 * 60_000;
      await service.refresh();
      await framesWritten();
      expect(cached).toHaveLength(2);
      // A copy that failed is written again next time, though nothing changed since.
      frameCache.write.mockRejectedValueOnce(new Error('offscreen gone'));
      vi.spyOn(console, 'error').mockImplementation(() => undefined);
      settings.current = { ...DEFAULT_SETTINGS, units: 'imperial' };
      await service.settingsChanged();
      await framesWritten();
      await service.settingsChanged();
      expect(frameCache.write).toHaveBeenCalledTimes(4);
    });

    it('should keep no frame on disk and no copy without keep me signed in', async () => {
      const { service, settings, cached, renderFrame } = setup();
      settings.current = { ...DEFAULT_SETTINGS, keepSignedIn: false };
      await service.refresh();
      await framesWritten();
      expect(renderFrame.mock.calls.map(([, area]) => area)).toEqual(['session']);
      expect(await fakeBrowser.storage.local.get(null)).toEqual({});
      expect(cached).toEqual([null]);
      // Turned off later: the copy goes with the kept view.
      settings.current = DEFAULT_SETTINGS;
      await service.settingsChanged();
      expect(cached.at(-1)).not.toBeNull();
      settings.current = { ...DEFAULT_SETTINGS, keepSignedIn: false };
      await service.settingsChanged();
      expect(cached.at(-1)).toBeNull();
      expect(await fakeBrowser.storage.local.get(null)).toEqual({});
    });

    it('should still store the view, without a frame, when rendering the frame fails', async () => {
      const { service, store, frames, cached } = setup();
      frames.fail = true;
      vi.spyOn(console, 'error').mockImplementation(() => undefined);
      expect(await service.refresh()).toEqual({ ok: true, value: undefined });
      await framesWritten();
      expect(await store.readView()).not.toBeNull();
      expect(await fakeBrowser.storage.session.get(POPUP_FRAME_KEYS.session)).toEqual({});
      expect(await store.readLastFrame()).toBeNull();
      expect(cached).toEqual([null]);
    });

    it('should copy the kept frame for the popup when the background starts without a current view (a new browser session)', async () => {
      const { service, store, cached } = setup();
      await service.refresh();
      const kept = await store.readLastFrame();
      await store.writeView(null);
      cached.length = 0;
      await service.start();
      expect(cached).toEqual([kept]);
      // Without a session to restore, nothing stays: not the kept view, not the copy.
      const signedOut = setup();
      signedOut.session.hasSession.mockResolvedValue(false);
      await signedOut.service.start();
      expect(signedOut.cached).toEqual([null]);
      expect(await store.readLastFrame()).toBeNull();
    });

    it('should never let a failing copy fail the refresh', async () => {
      const { store, renderFrame } = setup();
      const failing = createReadingsService({
        session: { hasSession: async () => true, signal: () => new AbortController().signal },
        api: { fetchSummaries: async () => ({ ok: true as const, value: [] }) },
        store,
        now: () => T0,
        readSettings: async () => ({ settings: DEFAULT_SETTINGS, unreadable: false }),
        scheduleRetry: async () => undefined,
        onChange: () => undefined,
        renderFrame,
        frameCache: { write: async () => Promise.reject(new Error('offscreen gone')) },
      });
      const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      expect(await failing.refresh()).toEqual({ ok: true, value: undefined });
      await framesWritten();
      expect(errors).toHaveBeenCalledWith('Caching the popup frame failed', expect.any(Error));
      expect(await store.readView()).not.toBeNull();
    });
  });
});
