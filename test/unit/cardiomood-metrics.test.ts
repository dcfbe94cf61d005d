import { describe, expect, it } from 'vitest';
import { DOCUMENTED_METRICS, discoverGenericMetrics, hasAnyValue, inferUnit, toMetric } from '../../src/cardiomood/metrics';
import { median, quantile } from '../../src/cardiomood/statistics';
import { summarySchema } from '../../src/cardiomood/summary-schema';
import { rawSummary } from './cardiomood-fixtures';

const DAY = '2026-11-28';
const parse = (raw: Record<string, unknown>) => summarySchema.parse({ date: DAY, ...raw });

describe('DOCUMENTED_METRICS', () => {
  it('should read each documented field, falling back to the legacy heat_rate keys', () => {
    const summary = parse({
      activity: { total_steps: 8421, daily_percent: 84, distance: 6.1, calories: 412, active_minutes: 57 },
      heart_rate: { avg_daily_heat_rate: 71, max_daily_heart_rate: 142, rest_daily_heart_rate: 56 },
    });
    expect(Object.fromEntries(DOCUMENTED_METRICS.map((m) => [m.id, m.read(summary)]))).toEqual({
      rest_hr: 56,
      avg_hr: 71,
      max_hr: 142,
      steps: 8421,
      active_minutes: 57,
      calories: 412,
      distance: 6.1,
    });
    expect(DOCUMENTED_METRICS.find((m) => m.id === 'steps')!.goalPercent!(summary)).toBe(84);
  });

  it('should read null when the sub-object is missing', () => {
    expect(DOCUMENTED_METRICS.map((m) => m.read(parse({})))).toEqual(Array(7).fill(null));
  });
});

describe('inferUnit', () => {
  it.each([
    ['spo2', 'avg_daily_spo2', 'percent'],
    ['spo2', 'min_saturation', 'percent'],
    ['spo2', 'lowest', 'percent'],
    ['temperature', 'avg_daily_temperature', 'celsius'],
    ['temperature', 'max_skin_temp', 'celsius'],
    ['temperature', 'temp1', 'celsius'],
    ['temperature', 'deviation', 'celsius'],
    ['respiration_rate', 'avg_daily_respiration_rate', 'breaths_per_minute'],
    ['respiration_rate', 'max', 'breaths_per_minute'],
    ['sleep', 'total_duration', 'minutes'],
    ['sleep', 'awake', 'minutes'],
    ['sleep', 'rem', 'minutes'],
    ['sleep', 'deep_time', 'minutes'],
    ['sleep', 'goal_sleep_percentage', 'percent'],
    ['sleep', 'avg_heart_rate', 'bpm'],
    ['sleep', 'performance', 'none'],
    ['stress', 'avg_daily_stress', 'none'],
    ['hrv', 'avg_hr', 'bpm'],
    ['hrv', 'rmssd', 'none'],
    ['workout', 'avg_speed', 'meters_per_second'],
    ['workout', 'calories', 'kcal'],
    ['workout', 'event_count', 'count'],
    ['custom', 'attempts', 'none'],
  ] as const)('%s.%s should be %s', (family, field, unit) => {
    expect(inferUnit(family, field)).toBe(unit);
  });
});

describe('discoverGenericMetrics', () => {
  it('should find every numeric field of undocumented families, ordered by family then field', () => {
    const summaries = [
      parse({ stress: { avg_daily_stress: 30 }, spo2: { avg_daily_spo2: 97, date: DAY } }),
      parse({ zeta: { level: 1 }, sleep: { total_duration: 420, awake: 20 }, alpha: { score: 3 } }),
    ];
    expect(discoverGenericMetrics(summaries).map(toMetric)).toEqual([
      { id: 'sleep.awake', family: 'sleep', field: 'awake', unit: 'minutes', assumedUnit: true, decimals: 0 },
      { id: 'sleep.total_duration', family: 'sleep', field: 'total_duration', unit: 'minutes', assumedUnit: true, decimals: 0 },
      { id: 'spo2.avg_daily_spo2', family: 'spo2', field: 'avg_daily_spo2', unit: 'percent', assumedUnit: true, decimals: 0 },
      // Stress is a whole score although its unit is unknown ('none' would give one decimal).
      { id: 'stress.avg_daily_stress', family: 'stress', field: 'avg_daily_stress', unit: 'none', assumedUnit: true, decimals: 0 },
      { id: 'alpha.score', family: 'alpha', field: 'score', unit: 'none', assumedUnit: true, decimals: 1 },
      { id: 'zeta.level', family: 'zeta', field: 'level', unit: 'none', assumedUnit: true, decimals: 1 },
    ]);
  });

  it('should skip documented families, non-numeric values, nested objects, slots and identifiers', () => {
    const summary = parse({
      ...rawSummary(DAY),
      sleep: {
        date: DAY,
        id: 12,
        user_id: 7,
        timestamp: 1_764_320_000_000,
        updated_at: 1_764_320_000,
        state: 'deep',
        stages: { deep: 80 },
        slots: [{ timestamp: 1, sleep_state: 2 }],
        quality: null,
        total_duration: 431,
      },
      list_family: [1, 2, 3],
      scalar_family: 42,
    });
    expect(discoverGenericMetrics([summary]).map((m) => m.id)).toEqual(['sleep.total_duration']);
  });

  it('should read a field as null on a day without it or with a non-number', () => {
    const [metric] = discoverGenericMetrics([parse({ spo2: { avg_daily_spo2: 97 } })]);
    expect(metric!.read(parse({}))).toBeNull();
    expect(metric!.read(parse({ spo2: { avg_daily_spo2: 'n/a' } }))).toBeNull();
    expect(metric!.read(parse({ spo2: [] }))).toBeNull();
  });
});

describe('hasAnyValue', () => {
  it.each([
    ['an empty day', {}, false],
    ['a day of nulls', { activity: { total_steps: null }, heart_rate: { avg_daily_heart_rate: null } }, false],
    ['a day with only heart rate', { heart_rate: { rest_daily_heart_rate: 55 } }, true],
    ['a day with 0 steps', { activity: { total_steps: 0 } }, true],
    ['a day with only spo2', { spo2: { avg_daily_spo2: 97 } }, true],
  ])('should say whether %s has a value', (_n, raw, expected) => {
    expect(hasAnyValue(parse(raw))).toBe(expected);
  });
});

describe('median', () => {
  it.each([
    [[], null],
    [[3], 3],
    [[3, 1], 2],
    [[1, 9, 5, 7], 6],
    [[5, 1, 3], 3],
    [[2, 2, 2, 100], 2],
  ])('median(%j) should be %s', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('should not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('quantile', () => {
  it.each([
    [[], 0.5, null],
    [[7], 0.25, 7],
    [[1, 2, 3, 4], 0.25, 1.75],
    [[1, 2, 3, 4], 0.75, 3.25],
    [[4, 3, 2, 1], 0.5, 2.5],
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 1, 4],
  ])('quantile(%j, %d) should be %s', (values, q, expected) => {
    expect(quantile(values, q)).toBe(expected);
  });
});
