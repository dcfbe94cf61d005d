import { describe, expect, it } from 'vitest';
import { buildHistory } from '../../src/cardiomood/build-history';
import { buildIntraday } from '../../src/cardiomood/build-intraday';
import { buildReadingsSnapshot } from '../../src/cardiomood/build-readings-snapshot';
import { median } from '../../src/cardiomood/statistics';
import { addDays, dateRange, localToday } from '../../src/cardiomood/local-date';
import { inferUnit } from '../../src/cardiomood/metrics';
import { summarySchema, type Summary } from '../../src/cardiomood/summary-schema';
import { rawDays, rawSummary } from './cardiomood-fixtures';

const TODAY = '2026-11-28';
const parse = (raw: Record<string, unknown>[]): Summary[] => raw.map((day) => summarySchema.parse(day));
const tile = (snapshot: ReturnType<typeof buildReadingsSnapshot>, id: string) => snapshot.tiles.find((t) => t.id === id)!;

describe('buildReadingsSnapshot', () => {
  it('should show today with a baseline of the median of the previous 14 values', () => {
    const summaries = parse(rawDays(TODAY, 29));
    const snapshot = buildReadingsSnapshot(summaries, TODAY, 123);
    const steps = tile(snapshot, 'steps');
    expect(snapshot).toMatchObject({ today: TODAY, fetchedAt: 123, hasToday: true, latestDate: TODAY });
    expect(steps.value).toBe(8000);
    // Previous 14 days have seeds 1..14 → steps 8100..9400, median 8750.
    expect(steps.baseline).toBe(8750);
    expect(steps.delta).toBe(-750);
    expect(steps.baselineDays).toBe(14);
    expect(steps.goalPercent).toBe(80);
    expect(steps.sparkline).toEqual([8600, 8500, 8400, 8300, 8200, 8100, 8000]);
  });

  it('should be calibrating with fewer than 14 earlier values', () => {
    const snapshot = buildReadingsSnapshot(parse(rawDays(TODAY, 10)), TODAY, 0);
    expect(tile(snapshot, 'rest_hr')).toMatchObject({ baselineDays: 9, baselineNeeded: 14, baseline: null, delta: null });
  });

  it('should skip missing days in the baseline and show them as gaps in the sparkline', () => {
    const missing = addDays(TODAY, -3);
    const snapshot = buildReadingsSnapshot(parse(rawDays(TODAY, 29, [missing])), TODAY, 0);
    const steps = tile(snapshot, 'steps');
    expect(steps.baselineDays).toBe(14);
    expect(steps.sparkline[3]).toBeNull();
  });

  it('should report no data today while keeping the earlier days', () => {
    const snapshot = buildReadingsSnapshot(parse(rawDays(addDays(TODAY, -1), 20)), TODAY, 0);
    expect(snapshot.hasToday).toBe(false);
    expect(snapshot.latestDate).toBe(addDays(TODAY, -1));
    expect(tile(snapshot, 'rest_hr').value).toBeNull();
    expect(tile(snapshot, 'rest_hr').sparkline.at(-2)).not.toBeNull();
  });

  it('should always include the documented tiles and add generic ones only when present', () => {
    const plain = buildReadingsSnapshot(parse([rawSummary(TODAY)]), TODAY, 0);
    expect(plain.tiles.map((t) => t.id)).toEqual(['rest_hr', 'avg_hr', 'max_hr', 'steps', 'active_minutes', 'calories', 'distance']);
    const extra = buildReadingsSnapshot(parse([rawSummary(TODAY, 0, { spo2: { date: TODAY, avg_daily_spo2: 97 } })]), TODAY, 0);
    expect(tile(extra, 'spo2.avg_daily_spo2')).toMatchObject({ value: 97, unit: 'percent', assumedUnit: true });
  });

  it('should leave a tile null when its sub-object is missing that day', () => {
    const snapshot = buildReadingsSnapshot(parse([rawSummary(TODAY, 0, { heart_rate: undefined })]), TODAY, 0);
    expect(tile(snapshot, 'avg_hr').value).toBeNull();
    expect(tile(snapshot, 'steps').value).toBe(8000);
    expect(snapshot.hasToday).toBe(true);
  });
});

describe('buildHistory', () => {
  it('should list every day, including gaps, with an interquartile personal range', () => {
    const from = addDays(TODAY, -6);
    const history = buildHistory(parse(rawDays(TODAY, 7, [addDays(TODAY, -3)])), from, TODAY, 0);
    expect(history.days.map((d) => d.date)).toEqual(dateRange(from, TODAY));
    const gap = history.days[3]!;
    expect(gap).toMatchObject({ hasData: false });
    expect(gap.values.steps).toBeNull();
    const steps = history.metrics.find((m) => m.id === 'steps')!;
    // Values 8000..8600 without 8300: six values, p25 = 8125, p75 = 8475.
    expect(steps.range).toEqual({ low: 8125, high: 8475 });
  });

  it('should leave the range empty with fewer than four values', () => {
    const history = buildHistory(parse(rawDays(TODAY, 3)), addDays(TODAY, -2), TODAY, 0);
    expect(history.metrics.find((m) => m.id === 'steps')!.range).toBeNull();
  });
});

describe('buildIntraday', () => {
  it('should take heart-rate slots and one-minute step slots, sorted', () => {
    const summary = summarySchema.parse({
      date: TODAY,
      heart_rate: { slots: [{ timestamp: 2_000_000_000_000, bpm: 80 }, { timestamp: 1_900_000_000_000, bpm: 70 }] },
      activity: { slots: [{ timestamp: 1_900_000_000_000, step_count: 12 }], slots_five_minutes: [{ timestamp: 1, step_count: 99 }] },
    });
    expect(buildIntraday(summary, TODAY)).toEqual({
      date: TODAY,
      heartRate: [{ t: 1_900_000_000_000, bpm: 70 }, { t: 2_000_000_000_000, bpm: 80 }],
      steps: [{ t: 1_900_000_000_000, steps: 12 }],
    });
  });

  it('should fall back to five-minute steps and be empty without a summary', () => {
    const summary = summarySchema.parse({ date: TODAY, activity: { slots_five_minutes: [{ timestamp: 1_900_000_000_000, step_count: 99 }] } });
    expect(buildIntraday(summary, TODAY).steps).toEqual([{ t: 1_900_000_000_000, steps: 99 }]);
    expect(buildIntraday(undefined, TODAY)).toEqual({ date: TODAY, heartRate: [], steps: [] });
  });
});

describe('local dates', () => {
  it.each([
    ['2026-03-01', -1, '2026-02-28'],
    ['2024-03-01', -1, '2024-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-03-29', 1, '2026-03-30'],
  ])('addDays(%s, %i) should be %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it('should give the local calendar day in a time zone', () => {
    const instant = new Date('2026-11-28T23:30:00Z');
    expect(localToday(instant, 'Europe/Berlin')).toBe('2026-11-29');
    expect(localToday(instant, 'America/New_York')).toBe('2026-11-28');
  });

  it('should count days across a DST change', () => {
    expect(dateRange('2026-10-24', '2026-10-26')).toEqual(['2026-10-24', '2026-10-25', '2026-10-26']);
  });
});

describe('median', () => {
  it.each([
    [[], null],
    [[3], 3],
    [[1, 9, 5, 7], 6],
  ])('median(%j) should be %s', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe('inferUnit', () => {
  it.each([
    ['spo2', 'avg_daily_spo2', 'percent'],
    ['temperature', 'avg_daily_temperature', 'celsius'],
    ['respiration_rate', 'avg_daily_respiration_rate', 'breaths_per_minute'],
    ['sleep', 'total_duration', 'minutes'],
    ['stress', 'avg_daily_stress', 'none'],
  ] as const)('%s.%s should be %s', (family, field, unit) => {
    expect(inferUnit(family, field)).toBe(unit);
  });
});
