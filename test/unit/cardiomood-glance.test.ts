import { describe, expect, it } from 'vitest';
import { buildGlance } from '../../src/cardiomood/build-glance';
import { buildReadingsSnapshot } from '../../src/cardiomood/build-readings-snapshot';
import { buildDayRecord, type DayRecord } from '../../src/cardiomood/day-record';
import { addDays, dateRange } from '../../src/shared/local-date';
import { summarySchema } from '../../src/cardiomood/summary-schema';
import { DEMO_MEMBERS } from '../../src/sandbox/demo-members';
import { generateDay } from '../../src/sandbox/generate-day';
import { zonedTimeToUtc } from '../../src/sandbox/time-zone';
import { glanceSchema, type Glance, type GlanceDay } from '../../src/shared/glance';
import { at, pastDay, slotAt } from './cardiomood-fixtures';

const TODAY = '2026-11-28';
const YESTERDAY = '2026-11-27';
const repeat = <T>(value: T, times: number): T[] => Array<T>(times).fill(value);

/**
 * The day `k` days before today, fetched today (so it counts as a whole day), member in UTC:
 * - steps: none before 07:00, 100·k in hour 7, 8000 more in hour 17 → 100·k + 8000 in all;
 *   by 07:30 that is 50·k, by 19:00 100·k + 8000;
 * - heart rate: 50 from 03:00, 70 + k at 07:00 → max by 07:30 = 50 + ½(70 + k − 50) = 60 + k/2,
 *   mean by 08:00 (50 + 70 + k) / 2 = 60 + k/2, so by 07:30 50 + ½(10 + k/2) = 55 + k/4;
 * - daily: resting 50 + k, active minutes k + 80 (by 07:30: (k + 80) · 50k / (100k + 8000) = k/2),
 *   sleep 400 + k minutes asleep (REM 90, light 210 + k, deep 100; 20 awake), no workouts.
 * (The fixture is `pastDay` of cardiomood-fixtures.ts, which the page tests use too.)
 */
function earlierDay(k: number): DayRecord {
  return pastDay(TODAY, k, { workouts: 0 });
}
const earlierDays = (ks: readonly number[]) => ks.map(earlierDay);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Today's summary as fetched with slots; `slots` at local (UTC) times. */
function todaySummary(options: {
  steps?: [string, number][];
  bpm?: [string, number][];
  activity?: Record<string, unknown>;
  heartRate?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}) {
  return summarySchema.parse({
    date: TODAY,
    activity: {
      date: TODAY,
      ...(options.steps ? { slots: options.steps.map(([hhmm, count]) => slotAt(TODAY, hhmm, { step_count: count })) } : {}),
      ...options.activity,
    },
    heart_rate: {
      date: TODAY,
      ...(options.bpm ? { slots: options.bpm.map(([hhmm, bpm]) => slotAt(TODAY, hhmm, { bpm })) } : {}),
      ...options.heartRate,
    },
    ...options.extra,
  });
}

/** Synced at 07:30 (the last 1-minute step slot 07:29 and the 5-minute heart-rate slot 07:25 end then). */
const MORNING = todaySummary({
  steps: [
    ['07:05', 60],
    ['07:29', 37],
  ],
  bpm: [
    ['07:20', 70],
    ['07:25', 76],
  ],
  activity: { total_steps: 97, daily_percent: 1, active_minutes: 3, workouts: 0, total_glasses: null },
  heartRate: { rest_daily_heart_rate: 55, max_daily_heart_rate: 76, avg_daily_heart_rate: 58 },
  extra: { sleep: { total_duration: 420, awake: 20, rem: 90, light: 230, deep: 100 } },
});
const TEN_AM = at(TODAY, '10:00');

const row = (day: GlanceDay, id: string) => {
  const found = day.rows.find((r) => r.id === id);
  if (!found) throw new Error(`no row ${id}`);
  return found;
};
const comparison = (metric: { cmp: string; typical: number | null; delta: number | null; n: number }) => ({
  cmp: metric.cmp,
  typical: metric.typical,
  delta: metric.delta,
  n: metric.n,
});

describe('buildGlance', () => {
  describe('in the morning (data synced at 07:30, looked at at 10:00)', () => {
    const glance = buildGlance({ records: earlierDays(range(1, 20)), todaySummary: MORNING, today: TODAY, now: TEN_AM, timeZone: 'UTC' });

    it('should produce what the view contract accepts, and nothing else', () => {
      expect(glanceSchema.parse(glance)).toEqual(glance);
      expect(glance).toMatchObject({ v: 1, need: 14, lead: 'morning', focus: 'today', checkedAt: TEN_AM });
    });

    it('should compare steps so far with the typical steps by 07:30, the time of the newest data, not 10:00', () => {
      expect(glance.today.at).toBe(7 * 60 + 30);
      // By 07:30 the 14 most recent days had 50·k, k = 1…14: median (350 + 400) / 2 = 375; 97 − 375.
      // (By 10:00 it would have been 100·k: 750.)
      expect(comparison(glance.today.steps)).toEqual({ cmp: 'by_time', typical: 375, delta: -278, n: 14 });
      expect(glance.today.steps).toMatchObject({ value: 97, goal: 1, unit: 'steps', dp: 0 });
    });

    it('should compare maximum and average heart rate and active minutes by 07:30', () => {
      // Max 60 + k/2, k = 1…14: median 63.75 → 64; 76 − 64.
      expect(comparison(row(glance.today, 'max_hr'))).toEqual({ cmp: 'by_time', typical: 64, delta: 12, n: 14 });
      // Mean 55 + k/4: median 56.875 → 57; 58 − 57.
      expect(comparison(row(glance.today, 'avg_hr'))).toEqual({ cmp: 'by_time', typical: 57, delta: 1, n: 14 });
      // Estimated k/2: median 3.75 → 4; 3 − 4.
      expect(comparison(row(glance.today, 'active_minutes'))).toEqual({ cmp: 'by_time', typical: 4, delta: -1, n: 14 });
    });

    it('should compare resting heart rate and last night with the median of whole days', () => {
      // Resting 50 + k, k = 1…14: median 57.5 → 58; 55 − 58.
      expect(comparison(glance.today.restHr)).toEqual({ cmp: 'baseline', typical: 58, delta: -3, n: 14 });
      // Sleep 400 + k: median 407.5 → 408; 420 − 408.
      expect(glance.today.sleep).toEqual(
        expect.objectContaining({ id: 'sleep', value: 420, cmp: 'baseline', typical: 408, delta: 12, n: 14, awake: 20, rem: 90, light: 230, deep: 100 }),
      );
    });

    it('should lead with sleep and resting heart rate, and give the last sync apart from the check', () => {
      expect(glance.lead).toBe('morning');
      expect(glance.lastSyncedAt).toBe(at(TODAY, '07:30'));
      expect(glance.checkedAt).toBe(TEN_AM);
    });

    it('should list the rows in order, leaving out workouts (none) and water glasses (not logged)', () => {
      expect(glance.today.rows.map((r) => r.id)).toEqual(['avg_hr', 'max_hr', 'active_minutes']);
    });

    it('should draw the week with today as a provisional last point for what accumulates', () => {
      // Days k = 6…1 had 100·k + 8000 steps, then today's 97 so far.
      expect(glance.today.steps).toMatchObject({
        spark: [8600, 8500, 8400, 8300, 8200, 8100, 97],
        sparkLo: 97,
        sparkHi: 8600,
        sparkGaps: [],
        sparkPartial: true,
      });
      expect(glance.today.restHr).toMatchObject({ spark: [56, 55, 54, 53, 52, 51, 55], sparkPartial: false });
    });
  });

  describe('yesterday', () => {
    const glance = buildGlance({ records: earlierDays(range(1, 20)), todaySummary: MORNING, today: TODAY, now: TEN_AM, timeZone: 'UTC' });
    const day = glance.yesterday;

    it('should be the complete day compared with the whole days before it', () => {
      expect(day).toMatchObject({ date: YESTERDAY, complete: true, hasData: true, at: null });
      // Yesterday k = 1: 8100 steps; the 14 days before it are k = 2…15: median 100 · 8.5 + 8000 = 8850.
      expect(comparison(day.steps)).toEqual({ cmp: 'baseline', typical: 8850, delta: -750, n: 14 });
      expect(day.steps.goal).toBe(81);
      // Resting 51 vs. 52…65: 58.5 → 59.
      expect(comparison(day.restHr)).toEqual({ cmp: 'baseline', typical: 59, delta: -8, n: 14 });
      // Max 71 vs. 72…85: 78.5 → 79.
      expect(comparison(row(day, 'max_hr'))).toEqual({ cmp: 'baseline', typical: 79, delta: -8, n: 14 });
      // Mean 60.5 (shown 61) vs. 60 + k/2 for k = 2…15: 64.25 → 64; 61 − 64 (not round(60.5 − 64) = −4).
      expect(comparison(row(day, 'avg_hr'))).toEqual({ cmp: 'baseline', typical: 64, delta: -3, n: 14 });
      // Sleep 401 vs. 402…415: 408.5 → 409; yesterday's stages as recorded (light 210 + 1).
      expect(day.sleep).toMatchObject({ value: 401, typical: 409, delta: -8, awake: 20, rem: 90, light: 211, deep: 100 });
    });

    it('should draw its week ending yesterday, with no provisional point', () => {
      expect(day.steps).toMatchObject({ spark: [8700, 8600, 8500, 8400, 8300, 8200, 8100], sparkPartial: false });
    });
  });

  describe('in the evening (synced at 19:00)', () => {
    const evening = todaySummary({
      steps: [
        ['07:00', 4000],
        ['18:59', 5000],
      ],
      bpm: [
        ['18:50', 90],
        ['18:55', 95],
      ],
      activity: { total_steps: 9000, daily_percent: 90, active_minutes: 90, workouts: 1, total_glasses: 0 },
      heartRate: { rest_daily_heart_rate: 57, max_daily_heart_rate: 150, avg_daily_heart_rate: 75 },
    });
    const glance = buildGlance({ records: earlierDays(range(1, 20)), todaySummary: evening, today: TODAY, now: at(TODAY, '19:05'), timeZone: 'UTC' });

    it('should compare with the typical values by 19:00 and lead with the day', () => {
      expect(glance.today.at).toBe(19 * 60);
      expect(glance.lead).toBe('day');
      // By 19:00 the days had 100·k + 8000: median 8750; 9000 − 8750.
      expect(comparison(glance.today.steps)).toEqual({ cmp: 'by_time', typical: 8750, delta: 250, n: 14 });
      // All of each day's active minutes by then: k + 80 → 87.5 → 88; 90 − 88.
      expect(comparison(row(glance.today, 'active_minutes'))).toEqual({ cmp: 'by_time', typical: 88, delta: 2, n: 14 });
    });

    it('should show a workout and logged water glasses (even 0), without comparing them', () => {
      expect(glance.today.rows.map((r) => r.id)).toEqual(['avg_hr', 'max_hr', 'active_minutes', 'workouts', 'glasses']);
      expect(row(glance.today, 'workouts')).toMatchObject({ value: 1, unit: 'count', cmp: 'none', typical: null, delta: null });
      expect(row(glance.today, 'glasses')).toMatchObject({ value: 0, cmp: 'none' });
    });

    it('should not leave sleep in the glance when there is no sleep family', () => {
      expect(glance.today.sleep).toBeNull();
    });
  });

  describe('baselines that end', () => {
    it('should compare with "based on 10 days" for a member with a value every third day for two months', () => {
      // Days k = 1, 4, …, 58: the window (k ≤ 28) holds k = 1, 4, …, 28, ten values; the member's first
      // data was 58 days ago, so 14 can never be reached. Resting 51, 54, …, 78: median (63 + 66) / 2 = 64.5 → 65.
      const records = earlierDays(range(0, 19).map((i) => 1 + 3 * i));
      const glance = buildGlance({ records, todaySummary: MORNING, today: TODAY, now: TEN_AM, timeZone: 'UTC' });
      expect(comparison(glance.today.restHr)).toEqual({ cmp: 'baseline', typical: 65, delta: -10, n: 10 });
      // Steps by 07:30: 50·k for the same ten days: (650 + 800) / 2 = 725.
      expect(comparison(glance.today.steps)).toEqual({ cmp: 'by_time', typical: 725, delta: -628, n: 10 });

      // The old tile for the same data: "calibrating 10/14", and it would never have ended.
      const summaries = records.map((r) => summarySchema.parse({ date: r.date, heart_rate: { rest_daily_heart_rate: r.values.rest_hr } }));
      const tile = buildReadingsSnapshot(summaries, TODAY, 0).tiles.find((t) => t.id === 'rest_hr')!;
      expect(tile).toMatchObject({ baselineDays: 10, baselineNeeded: 14, baseline: null });
    });

    it('should calibrate a new member while 14 days can still be reached', () => {
      const glance = buildGlance({ records: earlierDays([1, 2, 3, 4]), todaySummary: MORNING, today: TODAY, now: TEN_AM, timeZone: 'UTC' });
      expect(comparison(glance.today.restHr)).toEqual({ cmp: 'calibrating', typical: null, delta: null, n: 4 });
      expect(comparison(glance.today.steps)).toEqual({ cmp: 'calibrating', typical: null, delta: null, n: 4 });
    });

    it('should show no comparison for fewer than 5 days once calibration cannot finish', () => {
      const glance = buildGlance({ records: earlierDays([1, 8, 15, 22, 40]), todaySummary: MORNING, today: TODAY, now: TEN_AM, timeZone: 'UTC' });
      expect(comparison(glance.today.restHr)).toEqual({ cmp: 'none', typical: null, delta: null, n: 4 });
    });
  });

  describe('without intraday data', () => {
    const noSlots = todaySummary({ activity: { total_steps: 97, daily_percent: 1, active_minutes: 3 }, heartRate: { rest_daily_heart_rate: 55 } });

    it('should show today so far without a time-of-day comparison, and keep the whole-day ones', () => {
      const glance = buildGlance({ records: earlierDays(range(1, 20)), todaySummary: noSlots, today: TODAY, now: TEN_AM, timeZone: 'UTC' });
      expect(glance.today.at).toBeNull();
      expect(comparison(glance.today.steps)).toEqual({ cmp: 'none', typical: null, delta: null, n: 0 });
      expect(comparison(row(glance.today, 'active_minutes'))).toEqual({ cmp: 'none', typical: null, delta: null, n: 0 });
      expect(comparison(glance.today.restHr)).toEqual({ cmp: 'baseline', typical: 58, delta: -3, n: 14 });
      // Today has no slots: yesterday's newest data (23:00) is the last sync we know of.
      expect(glance.lastSyncedAt).toBe(at(YESTERDAY, '23:00'));
    });

    it('should take the wall clock for the lead when the data says no time', () => {
      const lead = (now: number, steps: number) =>
        buildGlance({
          records: [],
          todaySummary: todaySummary({ activity: { total_steps: steps } }),
          today: TODAY,
          now,
          timeZone: 'UTC',
        }).lead;
      expect(lead(at(TODAY, '09:59'), 5000)).toBe('morning');
      expect(lead(at(TODAY, '15:00'), 5000)).toBe('day');
      // A late start: 10:30 and still under 1,000 steps.
      expect(lead(at(TODAY, '10:30'), 999)).toBe('morning');
    });

    it('should say "so far" when earlier days have no profiles', () => {
      const withoutProfiles = earlierDays(range(1, 40)).map((r) => ({ ...r, profile: null }));
      const glance = buildGlance({ records: withoutProfiles, todaySummary: MORNING, today: TODAY, now: TEN_AM, timeZone: 'UTC' });
      expect(glance.today.at).toBe(450);
      expect(comparison(glance.today.steps)).toEqual({ cmp: 'none', typical: null, delta: null, n: 0 });
      expect(glance.lastSyncedAt).toBe(at(TODAY, '07:30'));
    });

    it('should have no last sync at all without any profile', () => {
      const glance = buildGlance({ records: [], todaySummary: noSlots, today: TODAY, now: TEN_AM, timeZone: 'UTC' });
      expect(glance.lastSyncedAt).toBeNull();
    });
  });

  describe('what never enters the glance', () => {
    it('should leave out sleep with unfamiliar field names, unknown families, calories and distance', () => {
      const summary = todaySummary({
        steps: [['07:29', 97]],
        activity: { total_steps: 97, calories: 400, distance: 6.1, avg_gait_speed: 1.2 },
        extra: { sleep: { sleep_score: 80, duration_sec: 25_200 }, hydration: { ml_total: 1500 } },
      });
      const glance = buildGlance({ records: earlierDays(range(1, 20)), todaySummary: summary, today: TODAY, now: TEN_AM, timeZone: 'UTC' });
      expect(glance.today.sleep).toBeNull();
      const text = JSON.stringify(glance);
      for (const word of ['sleep_score', 'duration_sec', 'hydration', 'ml_total', 'calories', 'distance', 'gait']) expect(text).not.toContain(word);
      expect(glanceSchema.parse(glance)).toEqual(glance);
    });
  });

  describe('missing days', () => {
    it('should keep a missing date as null in the sparkline and mark the run of missing days', () => {
      // Days 3 (2026-11-25) and 4 (11-24) have no record at all.
      const records = earlierDays(range(1, 20).filter((k) => k !== 3 && k !== 4));
      const glance = buildGlance({ records, todaySummary: MORNING, today: TODAY, now: TEN_AM, timeZone: 'UTC' });
      expect(glance.today.steps).toMatchObject({ spark: [8600, 8500, null, null, 8200, 8100, 97], sparkGaps: [[2, 3]], sparkLo: 97, sparkHi: 8600 });
      expect(glance.yesterday.restHr.sparkGaps).toEqual([[3, 4]]);
    });

    it('should open on yesterday while today has no data yet', () => {
      const glance = buildGlance({ records: earlierDays(range(1, 20)), today: TODAY, now: at(TODAY, '15:00'), timeZone: 'UTC' });
      expect(glance).toMatchObject({ focus: 'yesterday', lastSyncedAt: at(YESTERDAY, '23:00') });
      expect(glance.today).toMatchObject({ hasData: false, at: null, sleep: null });
      expect(glance.today.steps).toMatchObject({ value: null, sparkGaps: [[6, 6]], cmp: 'none' });
      expect(glance.today.restHr).toMatchObject({ value: null, cmp: 'baseline', typical: 58, delta: null });
    });

    it('should say nothing is there for a member without any data', () => {
      const glance = buildGlance({ records: [], today: TODAY, now: TEN_AM, timeZone: 'UTC' });
      expect(glance).toMatchObject({ focus: 'today', lastSyncedAt: null, lead: 'morning' });
      expect(glance.today.steps).toMatchObject({ value: null, spark: repeat(null, 7), sparkLo: null, sparkHi: null, sparkGaps: [[0, 6]] });
      expect(glanceSchema.parse(glance)).toEqual(glance);
    });
  });

  it("should use the records' today when no fresh summary is given, and ignore records after today", () => {
    const todayRecord = buildDayRecord(MORNING, { fetchedOn: TODAY, withSlots: true, timeZone: 'UTC' });
    const tomorrow = { ...earlierDay(1), date: addDays(TODAY, 1) };
    const fromRecords = buildGlance({ records: [...earlierDays(range(1, 20)), todayRecord, tomorrow], today: TODAY, now: TEN_AM, timeZone: 'UTC' });
    const fromSummary = buildGlance({ records: earlierDays(range(1, 20)), todaySummary: MORNING, today: TODAY, now: TEN_AM, timeZone: 'UTC' });
    expect(fromRecords).toEqual(fromSummary);
  });

  it('should refuse a summary of another day as today (a bug in the caller)', () => {
    expect(() => buildGlance({ records: [], todaySummary: { ...MORNING, date: YESTERDAY }, today: TODAY, now: TEN_AM })).toThrow(RangeError);
  });

  describe('with the sandbox', () => {
    const member = DEMO_MEMBERS[0]!;
    const zone = 'Europe/Berlin';
    /** Alice's last 40 days and today synced up to 07:00 Berlin time. */
    function aliceAtSeven(): { glance: Glance; cutoff: number } {
      const cutoff = zonedTimeToUtc(TODAY, 7 * 60, zone);
      const records = dateRange(addDays(TODAY, -40), YESTERDAY).map((date) =>
        buildDayRecord(summarySchema.parse(generateDay({ member, date, timeZone: zone, cutoff: Infinity, extraFamilies: true })), {
          fetchedOn: TODAY,
          withSlots: true,
          timeZone: zone,
        }),
      );
      const todayRaw = generateDay({ member, date: TODAY, timeZone: zone, cutoff, extraFamilies: true });
      // The browser sits in New York: the slots' own labels still say 07:00.
      return { glance: buildGlance({ records, todaySummary: summarySchema.parse(todayRaw), today: TODAY, now: cutoff + 3_600_000, timeZone: 'America/New_York' }), cutoff };
    }

    it("should read a realistic morning by the phone's clock and stay small enough for the first frame", () => {
      const { glance, cutoff } = aliceAtSeven();
      expect(glanceSchema.parse(glance)).toEqual(glance);
      expect(glance.today.at).toBe(7 * 60);
      expect(glance.lastSyncedAt).toBe(cutoff);
      expect(glance.lead).toBe('morning');
      expect(glance.today.sleep).not.toBeNull();
      expect(glance.today.steps.cmp).toBe('by_time');
      expect(glance.yesterday.steps.cmp).toBe('baseline');
      // Measured: 2,810 bytes at 07:00, 3,014 at 19:00 (with a workout row).
      expect(JSON.stringify(glance).length).toBeLessThan(4096);
    });
  });
});
