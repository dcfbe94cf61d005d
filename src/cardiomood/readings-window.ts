import { addDays } from './local-date';
import { BASELINE_WINDOW_DAYS } from './build-readings-snapshot';

/** What the background asks `/user-summaries` for; the same shape `fetchSummaries` takes. */
export interface SummariesWindow {
  dateFrom: string;
  dateTo: string;
  includeSlots: boolean;
}

/** Today's tiles: today plus the 28 days before it (the baseline window), without slots. */
export function snapshotWindow(today: string): SummariesWindow {
  return { dateFrom: addDays(today, -BASELINE_WINDOW_DAYS), dateTo: today, includeSlots: false };
}

/** The last `days` days ending today (7 → today−6 … today), without slots. */
export function historyWindow(today: string, days: number): SummariesWindow {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`history needs at least one day, got ${days}`);
  return { dateFrom: addDays(today, -(days - 1)), dateTo: today, includeSlots: false };
}

/** One day with its intraday slots. */
export function intradayWindow(date: string): SummariesWindow {
  return { dateFrom: date, dateTo: date, includeSlots: true };
}
