import { describe, expect, it } from 'vitest';
import { buildHistory, buildHistoryFromRecords } from '../../src/cardiomood/build-history';
import { buildDayRecord, emptyDayRecord } from '../../src/cardiomood/day-record';
import { addDays, dateRange } from '../../src/shared/local-date';
import { summarySchema, type Summary } from '../../src/cardiomood/summary-schema';
import { historySchema, type History } from '../../src/shared/readings';
import { daysOf, rawDays, stepsDay } from './cardiomood-fixtures';

const TODAY = '2026-11-28';
const parse = (raw: Record<string, unknown>[]): Summary[] => raw.map((day) => summarySchema.parse(day));
const metric = (history: History, id: string) => history.metrics.find((m) => m.id === id)!;
/** Steps history over `values.length` days ending today; null = no summary that day. */
const stepsHistory = (values: (number | null)[], to = TODAY) =>
  buildHistory(parse(daysOf(to, values, stepsDay)), addDays(to, -(values.length - 1)), to, 7);

describe('buildHistory', () => {
  it('should produce what the UI contract accepts', () => {
    const history = buildHistory(parse(rawDays(TODAY, 30)), addDays(TODAY, -29), TODAY, 7);
    expect(historySchema.safeParse(history).success).toBe(true);
    expect(history).toMatchObject({ from: addDays(TODAY, -29), to: TODAY, fetchedAt: 7 });
  });

  it('should list every calendar day ascending with gaps marked as having no data', () => {
    const history = stepsHistory([100, null, 300, null, null, 600, 700]);
    expect(history.days.map((d) => d.date)).toEqual(dateRange(addDays(TODAY, -6), TODAY));
    expect(history.days.map((d) => d.hasData)).toEqual([true, false, true, false, false, true, true]);
    expect(history.days.map((d) => d.values.steps)).toEqual([100, null, 300, null, null, 600, 700]);
  });

  it('should give every day a value (possibly null) for every listed metric', () => {
    const history = stepsHistory([100, null, 300]);
    const ids = history.metrics.map((m) => m.id);
    for (const day of history.days) expect(Object.keys(day.values).sort()).toEqual([...ids].sort());
    expect(history.days[0]!.values.rest_hr).toBeNull();
  });

  it.each([
    // values, p25, p75 (linear interpolation between closest ranks)
    [[1, 2, 3, 4], 1.75, 3.25],
    [[10, 20, 30, 40, 50], 20, 40],
    [[50, 10, 40, 20, 30], 20, 40],
    [[5, 5, 5, 5, 5, 100], 5, 5],
    [[8000, 8100, 8200, 8400, 8500, 8600], 8125, 8475],
  ])('should give %j the personal range %d–%d', (values, low, high) => {
    expect(metric(stepsHistory(values), 'steps').range).toEqual({ low, high });
  });

  it('should compute the range from the days with a value only', () => {
    expect(metric(stepsHistory([10, null, 20, null, 30, 40, 50]), 'steps').range).toEqual({ low: 20, high: 40 });
  });

  it.each([[[]], [[1]], [[1, 2, 3]], [[1, null, 2, null, 3]]])('should have no range with fewer than four values: %j', (values) => {
    expect(metric(stepsHistory(values), 'steps').range).toBeNull();
  });

  it('should list the documented metrics even without data, and generic ones only when present', () => {
    const empty = buildHistory([], addDays(TODAY, -6), TODAY, 0);
    expect(empty.metrics.map((m) => m.id)).toEqual(['rest_hr', 'avg_hr', 'max_hr', 'steps', 'active_minutes', 'calories', 'distance']);
    expect(empty.days).toHaveLength(7);
    expect(empty.days.every((d) => !d.hasData)).toBe(true);

    const raw = daysOf(TODAY, [95, 96, 97, 98], (date, v) => ({ date, spo2: { avg_daily_spo2: v } }));
    const withSpo2 = buildHistory(parse(raw), addDays(TODAY, -3), TODAY, 0);
    expect(metric(withSpo2, 'spo2.avg_daily_spo2')).toMatchObject({ unit: 'percent', assumedUnit: true, range: { low: 95.75, high: 97.25 } });
  });

  it('should ignore summaries outside from…to', () => {
    const raw = daysOf(TODAY, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], stepsDay);
    const history = buildHistory(parse(raw), addDays(TODAY, -3), TODAY, 0);
    expect(history.days.map((d) => d.values.steps)).toEqual([7, 8, 9, 10]);
    expect(metric(history, 'steps').range).toEqual({ low: 7.75, high: 9.25 });
  });

  it('should span a month and year end day by day', () => {
    const history = buildHistory([], '2026-12-30', '2027-01-02', 0);
    expect(history.days.map((d) => d.date)).toEqual(['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02']);
  });
});

describe('buildHistoryFromRecords', () => {
  const records = (raw: Record<string, unknown>[]) => parse(raw).map((summary) => buildDayRecord(summary, { fetchedOn: TODAY }));

  it('should give the same history as the summaries it was built from, for the metrics both know', () => {
    const raw = rawDays(TODAY, 10);
    const from = addDays(TODAY, -9);
    const fromSummaries = buildHistory(parse(raw), from, TODAY, 7);
    const fromRecords = buildHistoryFromRecords(records(raw), from, TODAY, 7);
    expect(historySchema.safeParse(fromRecords).success).toBe(true);
    for (const m of fromSummaries.metrics) {
      expect(metric(fromRecords, m.id)).toEqual(m);
      expect(fromRecords.days.map((d) => d.values[m.id])).toEqual(fromSummaries.days.map((d) => d.values[m.id]));
    }
    expect(fromRecords.days.map((d) => d.hasData)).toEqual(fromSummaries.days.map((d) => d.hasData));
  });

  it('should add the other activity fields and the generic families present, in display order', () => {
    // rawSummary has workouts 1, move_every_hour 8, gait speed 1.2 and the goal %; glasses and gait asymmetry are null.
    const raw = rawDays(TODAY, 2).map((day, i) =>
      i === 0 ? { ...day, zeta: { level: 2 }, stress: { avg_daily_stress: 31 }, sleep: { total_duration: 400 } } : day,
    );
    const history = buildHistoryFromRecords(records(raw), addDays(TODAY, -1), TODAY, 0);
    expect(history.metrics.map((m) => m.id)).toEqual([
      'rest_hr',
      'avg_hr',
      'max_hr',
      'steps',
      'active_minutes',
      'calories',
      'distance',
      'step_goal_percent',
      'workouts',
      'move_every_hour',
      'gait_speed',
      'sleep.total_duration',
      'stress.avg_daily_stress',
      'zeta.level',
    ]);
    expect(metric(history, 'gait_speed')).toMatchObject({ unit: 'meters_per_second', assumedUnit: true, decimals: 2 });
    expect(metric(history, 'stress.avg_daily_stress')).toMatchObject({ unit: 'none', assumedUnit: true, decimals: 0 });
  });

  it('should count an empty record (CardioMood had nothing) as a day without data', () => {
    const history = buildHistoryFromRecords([emptyDayRecord(TODAY, TODAY)], TODAY, TODAY, 0);
    expect(history.days).toEqual([{ date: TODAY, hasData: false, values: Object.fromEntries(history.metrics.map((m) => [m.id, null])) }]);
  });
});
