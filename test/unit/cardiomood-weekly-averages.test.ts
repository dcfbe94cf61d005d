import { describe, expect, it } from 'vitest';
import { buildHistory } from '../../src/cardiomood/build-history';
import { summarySchema } from '../../src/cardiomood/summary-schema';
import { isoWeek, weeklyAverages } from '../../src/cardiomood/weekly-averages';
import { daysOf, stepsDay } from './cardiomood-fixtures';

describe('isoWeek', () => {
  it.each([
    ['2026-11-23', '2026-W48'], // Monday
    ['2026-11-29', '2026-W48'], // Sunday
    ['2026-11-30', '2026-W49'],
    // 2026 starts on a Thursday: it has 53 weeks, and 2027-01-01 (Friday) is still in its last.
    ['2026-01-01', '2026-W01'],
    ['2027-01-01', '2026-W53'],
    ['2027-01-04', '2027-W01'],
    // 2024-12-30 (Monday) belongs to 2025's first week (its Thursday is 2025-01-02).
    ['2024-12-30', '2025-W01'],
  ])('should put %s in %s', (date, week) => {
    expect(isoWeek(date)).toBe(week);
  });
});

describe('weeklyAverages', () => {
  // 2026-11-20 (Friday) … 2026-12-02 (Wednesday): 3 days of W47, all of W48, 3 days of W49.
  const values = [1000, 2000, null, 4000, 5000, 6000, null, null, 9000, 10_000, 11_000, 12_000, null];
  const history = buildHistory(
    daysOf('2026-12-02', values, stepsDay).map((day) => summarySchema.parse(day)),
    '2026-11-20',
    '2026-12-02',
    0,
  );

  it('should average each ISO week over the days with a value, saying how many', () => {
    const weeks = weeklyAverages(history);
    expect(weeks.map(({ week, from, to, days }) => ({ week, from, to, days }))).toEqual([
      { week: '2026-W47', from: '2026-11-16', to: '2026-11-22', days: 3 },
      { week: '2026-W48', from: '2026-11-23', to: '2026-11-29', days: 7 },
      { week: '2026-W49', from: '2026-11-30', to: '2026-12-06', days: 3 },
    ]);
    // W47: (1000 + 2000) / 2; W48: (4000 + 5000 + 6000 + 9000 + 10000) / 5 = 6800; W49: (11000 + 12000) / 2.
    expect(weeks.map((w) => [w.averages.steps, w.counts.steps])).toEqual([
      [1500, 2],
      [6800, 5],
      [11_500, 2],
    ]);
  });

  it('should give null (and a count of 0) for a metric without any value in a week', () => {
    const [first] = weeklyAverages(history);
    expect(first!.averages.rest_hr).toBeNull();
    expect(first!.counts.rest_hr).toBe(0);
    expect(Object.keys(first!.averages).sort()).toEqual(history.metrics.map((m) => m.id).sort());
  });

  it('should have no weeks for an empty history', () => {
    expect(weeklyAverages({ ...history, days: [] })).toEqual([]);
  });
});
