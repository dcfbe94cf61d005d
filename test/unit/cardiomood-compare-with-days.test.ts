import { describe, expect, it } from 'vitest';
import { compareWithDays, MIN_BASIS_DAYS } from '../../src/cardiomood/compare-with-days';
import { addDays } from '../../src/shared/local-date';

const DAY = '2026-11-28';
/** `n` values 1, 2, …, n (most recent first: the order does not matter to a median). */
const values = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
/** The member's first data `days` before DAY. */
const since = (days: number) => addDays(DAY, -days);

describe('compareWithDays', () => {
  it('should take the median of the 14 most recent values once there are 14', () => {
    // 20 values 1…20, the 14 most recent are 1…14: median (7 + 8) / 2.
    expect(compareWithDays(values(20), since(400), DAY)).toEqual({ state: 'ready', typical: 7.5, n: 14 });
  });

  it.each([
    // first data days ago, values found, expected state: the window is 28 days; 14 values needed.
    // 10 days spent, 18 left: 4 + 18 ≥ 14.
    [10, 4, 'calibrating'],
    // No data before: the whole window is still ahead.
    [0, 0, 'calibrating'],
    // 20 spent, 8 left: 6 + 8 = 14 can still be reached.
    [20, 6, 'calibrating'],
    // 20 spent, 8 left: 5 + 8 = 13 cannot: based on the 5 days there are.
    [20, 5, 'ready'],
    // The window is full (28 spent): 13 values will not become 14 by waiting.
    [28, 13, 'ready'],
    [400, 9, 'ready'],
    // Full window and fewer than 5 days: nothing to compare with.
    [400, 4, 'none'],
    [400, 0, 'none'],
  ] as const)('should be %s days in with %i values: %s', (daysIn, n, state) => {
    const result = compareWithDays(values(n), since(daysIn), DAY);
    expect(result.state).toBe(state);
    expect(result.n).toBe(n);
  });

  it('should say "based on n days" with the median of those days once calibration cannot finish', () => {
    // 9 values 1…9 over a full window: median 5.
    expect(compareWithDays(values(9), since(60), DAY)).toEqual({ state: 'ready', typical: 5, n: 9 });
    expect(compareWithDays(values(MIN_BASIS_DAYS), since(60), DAY)).toEqual({ state: 'ready', typical: 3, n: 5 });
  });

  it('should calibrate without a typical value', () => {
    expect(compareWithDays(values(3), since(5), DAY)).toEqual({ state: 'calibrating', typical: null, n: 3 });
  });

  it('should treat a first data day after the day like no data before it', () => {
    expect(compareWithDays([], addDays(DAY, 3), DAY).state).toBe('calibrating');
    expect(compareWithDays([], null, DAY).state).toBe('calibrating');
  });
});
