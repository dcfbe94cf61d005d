import { BASELINE_VALUES, BASELINE_WINDOW_DAYS } from './build-readings-snapshot';
import { daysBetween } from '../shared/local-date';
import { median } from './statistics';

/**
 * Below this many days no comparison is shown at all: the median of 5 values still ignores two odd
 * days (a day off the wrist, a marathon), the median of 4 or fewer can be set by one of them.
 */
export const MIN_BASIS_DAYS = 5;

export interface DaysComparison {
  /**
   * - `ready`: `typical` is the median of `n` days (14, or 5–13 once 14 can no longer be reached);
   * - `calibrating`: `n` of 14 days found and 14 can still be reached inside the window;
   * - `none`: too few days to say anything.
   */
  state: 'ready' | 'calibrating' | 'none';
  typical: number | null;
  /** Days behind `typical`, or found so far while calibrating. */
  n: number;
}

/**
 * What a day's value is compared with, from the member's values on earlier days of the 28-day window
 * before `day`, most recent first (only days with a value). The 14 most recent make the baseline.
 *
 * "Calibrating n/14" lasts only while 14 can still be reached: the days of the window since the
 * member's first data (`firstDataDate`, the earliest day we hold any value for) are spent, the rest
 * could each still bring a value. Once `n` plus the days left is below 14 (the window is full, or the
 * member wore the watch too rarely), the baseline is the median of the `n` days there are, shown as
 * "based on n days", or nothing below 5 days. Calibration therefore ends at the latest 28 days after
 * the first data day, instead of never for a member who wears the watch every other day.
 */
export function compareWithDays(recentFirst: readonly number[], firstDataDate: string | null, day: string): DaysComparison {
  const values = recentFirst.slice(0, BASELINE_VALUES);
  const n = values.length;
  if (n >= BASELINE_VALUES) return { state: 'ready', typical: median(values), n };
  const spent = firstDataDate === null ? 0 : Math.min(BASELINE_WINDOW_DAYS, Math.max(0, daysBetween(firstDataDate, day)));
  if (n + (BASELINE_WINDOW_DAYS - spent) >= BASELINE_VALUES) return { state: 'calibrating', typical: null, n };
  if (n >= MIN_BASIS_DAYS) return { state: 'ready', typical: median(values), n };
  return { state: 'none', typical: null, n };
}
