import { describe, expect, it } from 'vitest';
import { buildReadingsSnapshot, buildReadingsSnapshotFromRecords } from '../../src/cardiomood/build-readings-snapshot';
import { buildDayRecord } from '../../src/cardiomood/day-record';
import { addDays } from '../../src/shared/local-date';
import { summarySchema, type Summary } from '../../src/cardiomood/summary-schema';
import { readingsSnapshotSchema, type ReadingsSnapshot } from '../../src/shared/readings';
import { daysOf, rawDays, rawSummary, stepsDay } from './cardiomood-fixtures';

const TODAY = '2026-11-28';
const DOCUMENTED = ['rest_hr', 'avg_hr', 'max_hr', 'steps', 'active_minutes', 'calories', 'distance'];
const parse = (raw: Record<string, unknown>[]): Summary[] => raw.map((day) => summarySchema.parse(day));
const tile = (snapshot: ReadingsSnapshot, id: string) => {
  const found = snapshot.tiles.find((t) => t.id === id);
  if (!found) throw new Error(`no tile ${id}`);
  return found;
};
/** A snapshot of steps only: `values` oldest first, the last one is today; null = no summary that day. */
const stepsSnapshot = (values: (number | null)[]) => buildReadingsSnapshot(parse(daysOf(TODAY, values, stepsDay)), TODAY, 0);
/** `n` values before today, 1000, 1100, … (oldest first), then today's value. */
const ramp = (n: number, today: number | null = 5000) => [...Array.from({ length: n }, (_, i) => 1000 + i * 100), today];

describe('buildReadingsSnapshot', () => {
  it('should produce what the UI contract accepts', () => {
    const snapshot = buildReadingsSnapshot(parse(rawDays(TODAY, 29)), TODAY, 123);
    expect(readingsSnapshotSchema.safeParse(snapshot).success).toBe(true);
    expect(snapshot).toMatchObject({ today: TODAY, fetchedAt: 123, hasToday: true, latestDate: TODAY });
  });

  it('should give the median of the previous 14 values as baseline and the difference as delta', () => {
    // 14 earlier values 1000…2300: median (1600 + 1700) / 2.
    const steps = tile(stepsSnapshot(ramp(14)), 'steps');
    expect(steps).toMatchObject({ value: 5000, baseline: 1650, delta: 3350, baselineDays: 14, baselineNeeded: 14 });
  });

  it('should take the median of an odd-looking set correctly (unsorted values, repeated values)', () => {
    const values = [9000, 100, 100, 5000, 300, 7000, 100, 8000, 200, 6000, 400, 100, 9500, 250, 4000];
    // Sorted previous 14: 100 100 100 100 200 250 300 | 400 5000 6000 7000 8000 9000 9500 → (300 + 400) / 2.
    expect(tile(stepsSnapshot(values), 'steps')).toMatchObject({ baseline: 350, delta: 3650 });
  });

  it.each([0, 1, 9, 13])('should be calibrating (%i/14, no baseline, no delta) with fewer than 14 earlier values', (n) => {
    expect(tile(stepsSnapshot(ramp(n)), 'steps')).toMatchObject({ baselineDays: n, baselineNeeded: 14, baseline: null, delta: null });
  });

  it('should use only the most recent 14 earlier values when more are available', () => {
    // 10 huge old values, then 14 values of 1000: the old ones must not count.
    const values = [...Array<number>(10).fill(99_000), ...Array<number>(14).fill(1000), 1200];
    expect(tile(stepsSnapshot(values), 'steps')).toMatchObject({ baseline: 1000, delta: 200, baselineDays: 14 });
  });

  it('should skip days without a value and reach back up to 28 days for 14 values', () => {
    // 28 earlier days, every other one missing: exactly 14 values.
    const values = [...Array.from({ length: 28 }, (_, i) => (i % 2 ? 2000 : null)), 2500];
    expect(tile(stepsSnapshot(values), 'steps')).toMatchObject({ baselineDays: 14, baseline: 2000, delta: 500 });
  });

  it('should not look further back than 28 days', () => {
    // 29 earlier days, the oldest (today−29) is outside the window; 13 inside.
    const values = [7000, ...Array.from({ length: 28 }, (_, i) => (i < 15 ? null : 1000)), 1000];
    expect(tile(stepsSnapshot(values), 'steps')).toMatchObject({ baselineDays: 13, baseline: null });
  });

  it('should keep the baseline when today has no value, with a null delta', () => {
    expect(tile(stepsSnapshot(ramp(14, null)), 'steps')).toMatchObject({ value: null, baseline: 1650, delta: null });
  });

  it('should draw the last 7 days oldest first, null for a missing day and for a day without that value', () => {
    const raw = [
      ...daysOf(TODAY, [100, 200, null, 400, 500, 600, 700], stepsDay),
      // today−1 exists but only with heart rate.
    ].map((day) => (day.date === addDays(TODAY, -1) ? { date: day.date, heart_rate: { avg_daily_heart_rate: 60 } } : day));
    expect(tile(buildReadingsSnapshot(parse(raw), TODAY, 0), 'steps').sparkline).toEqual([100, 200, null, 400, 500, null, 700]);
  });

  it('should report no data today while keeping the earlier days', () => {
    const snapshot = buildReadingsSnapshot(parse(rawDays(addDays(TODAY, -1), 20)), TODAY, 0);
    expect(snapshot).toMatchObject({ hasToday: false, latestDate: addDays(TODAY, -1) });
    expect(tile(snapshot, 'rest_hr').value).toBeNull();
    expect(tile(snapshot, 'rest_hr').sparkline.at(-1)).toBeNull();
    expect(tile(snapshot, 'rest_hr').sparkline.at(-2)).not.toBeNull();
  });

  it('should not count a summary for today that carries no value at all', () => {
    const raw = [...rawDays(addDays(TODAY, -2), 5), { date: TODAY, activity: { total_steps: null }, heart_rate: { rest_daily_heart_rate: null } }];
    expect(buildReadingsSnapshot(parse(raw), TODAY, 0)).toMatchObject({ hasToday: false, latestDate: addDays(TODAY, -2) });
  });

  it('should show the 7 documented tiles with nothing in them when there are no summaries', () => {
    const snapshot = buildReadingsSnapshot([], TODAY, 0);
    expect(snapshot).toMatchObject({ hasToday: false, latestDate: null });
    expect(snapshot.tiles.map((t) => t.id)).toEqual(DOCUMENTED);
    for (const t of snapshot.tiles) {
      expect(t).toMatchObject({ value: null, baseline: null, delta: null, baselineDays: 0, goalPercent: null });
      expect(t.sparkline).toEqual(Array(7).fill(null));
    }
  });

  it('should describe the documented tiles with their units and assumptions', () => {
    const snapshot = buildReadingsSnapshot([], TODAY, 0);
    expect(snapshot.tiles.map((t) => [t.id, t.family, t.field, t.unit, t.assumedUnit])).toEqual([
      ['rest_hr', 'heart_rate', 'rest_daily_heart_rate', 'bpm', false],
      ['avg_hr', 'heart_rate', 'avg_daily_heart_rate', 'bpm', false],
      ['max_hr', 'heart_rate', 'max_daily_heart_rate', 'bpm', false],
      ['steps', 'activity', 'total_steps', 'steps', false],
      ['active_minutes', 'activity', 'active_minutes', 'minutes', false],
      ['calories', 'activity', 'calories', 'kcal', true],
      ['distance', 'activity', 'distance', 'km', true],
    ]);
  });

  it('should give the steps goal percentage from activity.daily_percent today, and no other tile one', () => {
    const snapshot = buildReadingsSnapshot(parse([rawSummary(TODAY, 4)]), TODAY, 0);
    expect(tile(snapshot, 'steps').goalPercent).toBe(84);
    expect(snapshot.tiles.filter((t) => t.id !== 'steps').every((t) => t.goalPercent === null)).toBe(true);
  });

  it('should handle a Bob-like member whose heart rate is missing on some days', () => {
    // 29 days of activity; heart_rate missing on 10 of the 28 earlier days and today.
    const raw = rawDays(TODAY, 29).map((day, i) => (i % 3 === 0 || day.date === TODAY ? { ...day, heart_rate: undefined } : day));
    const snapshot = buildReadingsSnapshot(parse(raw), TODAY, 0);
    expect(snapshot.hasToday).toBe(true);
    expect(tile(snapshot, 'steps')).toMatchObject({ baselineDays: 14, value: 8000 });
    const rest = tile(snapshot, 'rest_hr');
    expect(rest).toMatchObject({ value: null, delta: null, baselineDays: 14 });
    expect(rest.baseline).not.toBeNull();
    expect(rest.sparkline.filter((v) => v === null).length).toBeGreaterThanOrEqual(2);
  });

  it('should be calibrating for heart rate alone when heart rate is there only every third day', () => {
    // Days 0, 3, …, 27 of 0…28 keep their heart rate: 10 earlier values, none today.
    const sparse = rawDays(TODAY, 29).map((day, i) => (i % 3 !== 0 ? { ...day, heart_rate: undefined } : day));
    const snapshot = buildReadingsSnapshot(parse(sparse), TODAY, 0);
    expect(tile(snapshot, 'avg_hr')).toMatchObject({ baselineDays: 10, baseline: null, value: null });
    expect(tile(snapshot, 'steps')).toMatchObject({ baselineDays: 14, baseline: expect.any(Number) });
  });

  it('should add generic tiles after the documented ones only for families present in the window', () => {
    const plain = buildReadingsSnapshot(parse(rawDays(TODAY, 3)), TODAY, 0);
    expect(plain.tiles.map((t) => t.id)).toEqual(DOCUMENTED);

    const raw = rawDays(TODAY, 3).map((day, i) =>
      i === 0 ? { ...day, spo2: { date: day.date, avg_daily_spo2: 97 }, sleep: { total_duration: 420 } } : day,
    );
    const snapshot = buildReadingsSnapshot(parse(raw), TODAY, 0);
    expect(snapshot.tiles.map((t) => t.id)).toEqual([...DOCUMENTED, 'sleep.total_duration', 'spo2.avg_daily_spo2']);
    expect(tile(snapshot, 'spo2.avg_daily_spo2')).toMatchObject({ value: null, unit: 'percent', assumedUnit: true });
    expect(tile(snapshot, 'spo2.avg_daily_spo2').sparkline.slice(-3)).toEqual([97, null, null]);
  });

  it('should read a generic tile today with its baseline like any other', () => {
    const raw = daysOf(TODAY, ramp(14, 96), (date, v) => ({ date, spo2: { avg_daily_spo2: v > 200 ? 90 + (v % 7) : v } }));
    const spo2 = tile(buildReadingsSnapshot(parse(raw), TODAY, 0), 'spo2.avg_daily_spo2');
    expect(spo2.value).toBe(96);
    expect(spo2.baselineDays).toBe(14);
  });

  it('should not depend on the order of the summaries, and let the last summary of a date win', () => {
    const sorted = parse(rawDays(TODAY, 29));
    const shuffled = [...sorted].reverse();
    expect(buildReadingsSnapshot(shuffled, TODAY, 0)).toEqual(buildReadingsSnapshot(sorted, TODAY, 0));
    const twice = [...sorted, summarySchema.parse(stepsDay(TODAY, 1234))];
    expect(tile(buildReadingsSnapshot(twice, TODAY, 0), 'steps').value).toBe(1234);
  });

  it('should ignore summaries after today', () => {
    const raw = [...rawDays(TODAY, 3), rawSummary(addDays(TODAY, 1))];
    const snapshot = buildReadingsSnapshot(parse(raw), TODAY, 0);
    expect(snapshot.latestDate).toBe(TODAY);
    expect(tile(snapshot, 'steps').sparkline).toHaveLength(7);
  });

  it('should line the sparkline and baseline up by calendar day across a month and year end', () => {
    const today = '2027-01-03';
    const raw = daysOf(today, ramp(20, 9999), stepsDay);
    const snapshot = buildReadingsSnapshot(parse(raw), today, 0);
    // Previous 7 values ending today: …, 2700, 2800, 2900 then today.
    expect(tile(snapshot, 'steps').sparkline).toEqual([2400, 2500, 2600, 2700, 2800, 2900, 9999]);
  });
});

describe('buildReadingsSnapshotFromRecords', () => {
  const records = (summaries: Summary[]) => summaries.map((summary) => buildDayRecord(summary, { fetchedOn: TODAY }));
  const withFamilies = rawDays(TODAY, 29).map((day, i) =>
    i % 4 === 0 ? { ...day, spo2: { date: day.date, avg_daily_spo2: 95 + (i % 3) }, sleep: { total_duration: 400 + i } } : day,
  );
  const bobLike = rawDays(TODAY, 29).map((day, i) => (i % 3 === 0 || day.date === TODAY ? { ...day, heart_rate: undefined } : day));
  const emptyToday = [...rawDays(addDays(TODAY, -2), 5), { date: TODAY, activity: { total_steps: null }, heart_rate: { rest_daily_heart_rate: null } }];

  it.each([
    ['29 full days', rawDays(TODAY, 29)],
    ['extra families on some days', withFamilies],
    ['heart rate missing on some days and today', bobLike],
    ['a today without any value', emptyToday],
    ['nothing before yesterday', rawDays(addDays(TODAY, -1), 20)],
    ['a day after today', [...rawDays(TODAY, 3), rawSummary(addDays(TODAY, 1))]],
    ['no days at all', []],
  ])('should give the same snapshot as the summaries they were built from (%s)', (_name, raw) => {
    const summaries = parse(raw);
    expect(buildReadingsSnapshotFromRecords(records(summaries), TODAY, 42)).toEqual(buildReadingsSnapshot(summaries, TODAY, 42));
  });
});
