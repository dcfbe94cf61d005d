import { BASELINE_WINDOW_DAYS } from './build-readings-snapshot';
import { fetchedAfterDay, hasValues, isSettled, type DayRecord } from './day-record';
import { addDays, dateRange } from './local-date';

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

/** Consecutive dates (ascending) as runs, one window each. */
function runsOf(dates: readonly string[], includeSlots: boolean): SummariesWindow[] {
  const windows: SummariesWindow[] = [];
  for (const date of dates) {
    const last = windows.at(-1);
    if (last && addDays(last.dateTo, 1) === date) last.dateTo = date;
    else windows.push({ dateFrom: date, dateTo: date, includeSlots });
  }
  return windows;
}

/**
 * What the glance still needs from CardioMood, in as few requests as the gaps allow: today and the 28
 * days before it (the baseline window, which also gives the typical-by-time profiles).
 * - with slots: today, days without a record, days last fetched while they were running, and days
 *   with data but no profile: a day's slots are fetched once after it ended and kept as its profile;
 * - without slots: the other days not settled yet (yesterday: the watch may still sync it late),
 *   whose stored profile `mergeDayRecord` keeps.
 */
export function glanceWindows(records: readonly DayRecord[], today: string): SummariesWindow[] {
  const byDate = new Map(records.map((record) => [record.date, record]));
  const withSlots: string[] = [];
  const valuesOnly: string[] = [];
  for (const date of dateRange(addDays(today, -BASELINE_WINDOW_DAYS), today)) {
    const record = byDate.get(date);
    if (!record || date === today || !fetchedAfterDay(record) || (hasValues(record) && !record.profile)) withSlots.push(date);
    else if (!isSettled(record)) valuesOnly.push(date);
  }
  return [...runsOf(withSlots, true), ...runsOf(valuesOnly, false)];
}
