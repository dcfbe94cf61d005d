import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { localIsoDate } from '../../src/shared/local-date';
import { sendMessage } from '../../src/messaging/protocol';
import type { IdleDay } from '../../scripts/bench/idle-day-bench';
import { rawDays } from './cardiomood-fixtures';
import { fakeServers, useBackground } from './support/background-harness';
import { COMPANION_ROUTES } from '../../src/shared/companion-api';

/**
 * What a member who never opens the extension costs in a day: the real background (WXT's fake
 * browser, the fake clock) signed in, with nothing but its alarms firing and the computer going idle
 * and active, over a warm-up day and then the measured 24 hours. `npm run bench` prints the figures
 * (it runs this file with the JSON reporter and reads each test's `meta.idleDay`).
 */
declare module '@vitest/runner' {
  interface TaskMeta {
    idleDay?: IdleDay;
  }
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Local midnight is not needed: presence windows are hours after the day's start, whatever the zone. */
const DAY_START = Date.parse('2026-11-27T00:00:00Z');

/**
 * This same simulation run against main before this change (2327c45: a 30-minute poll fetching 29
 * days, and a refresh 5 minutes ahead of every hourly expiry): 48 readings fetches and 26 refreshes
 * in every scenario, whether anyone was at the computer or not.
 */
const BEFORE_PER_DAY = 74;

const background = useBackground();

/** Hours of the day (from the day's start) at the computer; the screen is locked otherwise. */
type Presence = ReadonlyArray<readonly [from: number, to: number]>;

const SCENARIOS: ReadonlyArray<readonly [name: string, presence: Presence]> = [
  ['away all day (browser open, computer locked)', []],
  ['at the computer 09:00–17:00', [[9, 17]]],
  ['at the computer 07:00–23:00', [[7, 23]]],
  ['at the computer all day', [[0, 24]]],
];

async function simulate(presence: Presence) {
  vi.spyOn(Date, 'now').mockImplementation(() => background.now);
  background.now = DAY_START - DAY + 8 * HOUR;
  const servers = fakeServers(() => background.now);
  servers.state.days = rawDays(localIsoDate(DAY_START + 2 * DAY), 40);
  // Every request in flight, so a step can wait until the background is quiet again.
  let pending = 0;
  const serve = servers.fetch.getMockImplementation()!;
  servers.fetch.mockImplementation(async (...args) => {
    pending += 1;
    try {
      return await serve(...args);
    } finally {
      pending -= 1;
    }
  });
  const settle = async () => {
    for (let quiet = 0; quiet < 5; quiet = pending === 0 ? quiet + 1 : 0) await new Promise((resolve) => setTimeout(resolve, 0));
  };
  background.start(servers);
  // Signed in on the morning before (the popup's only use), then left alone.
  await sendMessage('signIn');
  await settle();

  const activeAt = (time: number) => {
    const hour = ((time - DAY_START) % DAY + DAY) % DAY / HOUR;
    return presence.some(([from, to]) => hour >= from && hour < to);
  };
  const transitions = (from: number, to: number) => {
    const times: number[] = [];
    for (let day = from - ((from - DAY_START) % DAY + DAY) % DAY; day < to; day += DAY) {
      for (const [start, end] of presence) times.push(day + start * HOUR, day + end * HOUR);
    }
    return times.filter((time) => time > from && time <= to).sort((a, b) => a - b);
  };

  /** Runs alarms and presence changes, in time order, up to `end`. */
  async function runUntil(end: number) {
    await background.setIdle(activeAt(background.now) ? 'active' : 'locked');
    await settle();
    for (;;) {
      const alarms = await fakeBrowser.alarms.getAll();
      const nextAlarm = Math.min(...alarms.map((alarm) => alarm.scheduledTime));
      const nextChange = transitions(background.now, end)[0] ?? Number.POSITIVE_INFINITY;
      const next = Math.min(nextAlarm, nextChange);
      if (next > end) break;
      background.now = Math.max(background.now, next);
      if (next === nextChange) {
        await background.setIdle(activeAt(next) ? 'active' : 'locked');
      } else {
        for (const alarm of alarms.filter((each) => each.scheduledTime <= background.now)) {
          // What the browser does when an alarm fires: a periodic one comes back a period later.
          if (alarm.periodInMinutes) alarm.scheduledTime += alarm.periodInMinutes * 60_000;
          else await fakeBrowser.alarms.clear(alarm.name);
          await fakeBrowser.alarms.onAlarm.trigger({ name: alarm.name, scheduledTime: background.now });
        }
      }
      await settle();
    }
    background.now = end;
  }

  return { servers, runUntil };
}

/** The warm-up day, then the measured 24 hours: the requests of the measured day by kind. */
async function measureDay(presence: Presence): Promise<Omit<IdleDay, 'scenario' | 'before'>> {
  const { servers, runUntil } = await simulate(presence);
  await runUntil(DAY_START);
  const before = servers.state.requests.length;
  await runUntil(DAY_START + DAY);
  const day = servers.state.requests.slice(before).map((request) => new URL(request.url).pathname);
  const summaries = day.filter((path) => path === '/user-summaries').length;
  const refreshes = day.filter((path) => path === COMPANION_ROUTES.refresh).length;
  expect(day.length).toBe(summaries + refreshes);
  return { summaries, refreshes, total: day.length };
}

describe('startBackground over an idle member-day', () => {
  it.for(SCENARIOS)('should cost at least 4 times fewer requests than before: %s', async ([scenario, presence], { task }) => {
    const day = await measureDay(presence);
    task.meta.idleDay = { scenario, ...day, before: BEFORE_PER_DAY };
    expect(day.total * 4).toBeLessThanOrEqual(BEFORE_PER_DAY);
  });

  it('should keep the session alive with one renewal a day, and nothing else, while nobody is at the computer', async () => {
    expect(await measureDay([])).toEqual({ summaries: 0, refreshes: 1, total: 1 });
  });

  it("should show the day's resting heart rate on the badge as soon as the member is back at the computer", async () => {
    const { servers, runUntil } = await simulate([[9, 17]]);
    await runUntil(DAY_START + 9 * HOUR);
    const today = localIsoDate(background.now);
    const summary = servers.state.days.find((day) => day.date === today) as { heart_rate: { rest_daily_heart_rate: number } };
    expect(await fakeBrowser.action.getBadgeText({})).toBe(String(summary.heart_rate.rest_daily_heart_rate));
  });
});
