import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createBadgePoll, type IdleState } from '../../src/background/create-badge-poll';
import { createReadingsStore } from '../../src/background/readings-store';
import { buildDayRecord } from '../../src/cardiomood/day-record';
import { buildGlance } from '../../src/cardiomood/build-glance';
import { localIsoDate } from '../../src/shared/local-date';
import { summarySchema } from '../../src/cardiomood/summary-schema';
import { ok, err } from '../../src/shared/error-codes';
import { IDLE_AFTER_SECONDS } from '../../src/shared/policy';
import { POPUP_VIEW_VERSION } from '../../src/shared/popup-view-keys';
import { rawDays } from './cardiomood-fixtures';
import { useStorageItems } from './support/use-storage-items';

const T0 = Date.parse('2026-11-28T12:00:00Z');
const MINUTE = 60_000;
const items = useStorageItems();

/** A poll whose refresh writes a glance with today's resting heart rate `server.rest`, checked now. */
function setup() {
  const clock = { now: T0 };
  const store = createReadingsStore(items());
  const server = { rest: 57 as number | null, fail: false };
  let idle: IdleState = 'active';
  let epoch = new AbortController();
  const queryState = vi.fn(async (_seconds: number) => idle);
  const refresh = vi.fn(async () => {
    if (server.fail) return err('NETWORK_ERROR', 'offline');
    const today = localIsoDate(clock.now);
    const records = rawDays(today, 3).map((day) => {
      const summary = summarySchema.parse(day);
      if (summary.date === today && summary.heart_rate) summary.heart_rate.rest_daily_heart_rate = server.rest;
      return buildDayRecord(summary, { fetchedOn: today });
    });
    const glance = buildGlance({ records, today, now: clock.now });
    await store.writeView({ v: POPUP_VIEW_VERSION, glance, units: 'metric', temperature: 'celsius', hidden: [], savedAt: clock.now });
    return ok(undefined);
  });
  const poll = createBadgePoll({
    refresh,
    store,
    idle: { queryState, onStateChanged: () => () => undefined },
    now: () => clock.now,
    signal: () => epoch.signal,
  });
  return {
    poll,
    store,
    refresh,
    queryState,
    server,
    clock,
    setIdle: (state: IdleState) => {
      idle = state;
    },
    endSession: () => {
      epoch.abort();
      epoch = new AbortController();
    },
  };
}

describe('createBadgePoll', () => {
  it('should refresh when there is no glance yet', async () => {
    const { poll, refresh, queryState } = setup();
    await poll.pollIfDue();
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(queryState).toHaveBeenCalledWith(IDLE_AFTER_SECONDS);
  });

  it.each(['idle', 'locked'] as const)('should not ask anything while the computer is %s', async (state) => {
    const { poll, refresh, setIdle } = setup();
    setIdle(state);
    await poll.pollIfDue();
    expect(refresh).not.toHaveBeenCalled();
  });

  it('should back off while the badge stays the same: 30 min, 1 h, 2 h, then 4 h', async () => {
    const { poll, refresh, clock, store } = setup();
    await poll.pollIfDue();
    const times: number[] = [];
    for (let minute = 0; minute <= 11 * 60; minute += 30) {
      clock.now = T0 + minute * MINUTE;
      const before = refresh.mock.calls.length;
      await poll.pollIfDue();
      if (refresh.mock.calls.length > before) times.push(minute);
    }
    expect(times).toEqual([30, 90, 210, 450]);
    expect(await store.readPoll()).toEqual({ unchanged: 4 });
  });

  it('should start again from 30 minutes when the badge changes', async () => {
    const { poll, refresh, clock, server, store } = setup();
    await poll.pollIfDue();
    clock.now += 30 * MINUTE;
    await poll.pollIfDue();
    expect(await store.readPoll()).toEqual({ unchanged: 1 });
    server.rest = 58;
    clock.now += 60 * MINUTE;
    await poll.pollIfDue();
    expect(await store.readPoll()).toEqual({ unchanged: 0 });
    clock.now += 30 * MINUTE;
    await poll.pollIfDue();
    expect(refresh).toHaveBeenCalledTimes(4);
  });

  it('should poll on a new day whatever the backoff', async () => {
    const { poll, refresh, clock, store } = setup();
    await store.writePoll({ unchanged: 10 });
    await poll.pollIfDue();
    clock.now = Date.parse('2026-11-29T00:30:00Z') + new Date(T0).getTimezoneOffset() * MINUTE;
    await poll.pollIfDue();
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(await store.readPoll()).toEqual({ unchanged: 0 });
  });

  it('should count a refresh the popup made: no poll within the interval after it', async () => {
    const { poll, refresh, clock } = setup();
    await poll.pollIfDue();
    clock.now += 20 * MINUTE;
    await refresh();
    clock.now += 15 * MINUTE;
    await poll.pollIfDue();
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it('should keep its count after a failed refresh, and leave the next attempt to a planned retry', async () => {
    const { poll, refresh, clock, server, store } = setup();
    await poll.pollIfDue();
    await store.writePoll({ unchanged: 1 });
    server.fail = true;
    clock.now += 60 * MINUTE;
    await poll.pollIfDue();
    expect(await store.readPoll()).toEqual({ unchanged: 1 });
    server.fail = false;
    clock.now += 60 * MINUTE;
    await store.writeSync({ state: 'offline', error: null, nextRetryAt: clock.now + 30_000, attempt: 1 });
    await poll.pollIfDue();
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it('should share one poll between the alarm and the member coming back', async () => {
    const { poll, refresh } = setup();
    await Promise.all([poll.pollIfDue(), poll.pollIfDue()]);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('should write nothing for a session that ended during the poll', async () => {
    const { poll, refresh, endSession } = setup();
    refresh.mockImplementationOnce(async () => {
      endSession();
      return ok(undefined);
    });
    await poll.pollIfDue();
    expect(await fakeBrowser.storage.session.get('readings.poll')).toEqual({});
  });
});
