import { describe, expect, it } from 'vitest';
import { displayDecimals, roundTo } from '../../src/cardiomood/display-decimals';
import { ACTIVITY_EXTRA_METRICS, DOCUMENTED_METRICS, toMetric } from '../../src/cardiomood/metrics';

describe('displayDecimals', () => {
  it('should give every known metric its display decimals', () => {
    const table = Object.fromEntries([...DOCUMENTED_METRICS, ...ACTIVITY_EXTRA_METRICS].map((m) => [m.id, displayDecimals(m)]));
    expect(table).toEqual({
      rest_hr: 0,
      avg_hr: 0,
      max_hr: 0,
      steps: 0,
      active_minutes: 0,
      calories: 0,
      distance: 2,
      step_goal_percent: 0,
      workouts: 0,
      glasses: 0,
      move_every_hour: 0,
      gait_speed: 2,
      gait_asymmetry: 1,
      gait_variability: 1,
    });
  });

  it.each([
    ['spo2', 'percent', 0],
    ['respiration_rate', 'breaths_per_minute', 1],
    ['temperature', 'celsius', 1],
    ['sleep', 'minutes', 0],
    // A stress score has no unit, but is whole: not the 'none' default of one decimal.
    ['stress', 'none', 0],
    ['alpha', 'none', 1],
  ] as const)('should show %s in %s with %i decimals', (family, unit, decimals) => {
    expect(displayDecimals({ family, unit })).toBe(decimals);
  });

  it('should carry the decimals in the metric that crosses messaging', () => {
    expect(toMetric(DOCUMENTED_METRICS.find((m) => m.id === 'distance')!)).toMatchObject({ decimals: 2 });
  });
});

describe('roundTo', () => {
  it.each([
    [30.25, 0, 30],
    [38.75, 0, 39],
    [57.5, 0, 58],
    [-3.5, 0, -4],
    [6.125, 2, 6.13],
    [36.66, 1, 36.7],
    [-0.2, 0, 0],
  ])('should round %d to %i decimals as %d', (value, decimals, expected) => {
    expect(Object.is(roundTo(value, decimals), expected)).toBe(true);
  });
});
