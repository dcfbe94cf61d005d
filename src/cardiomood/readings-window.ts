import { BASELINE_WINDOW_DAYS } from './build-readings-snapshot';
import { fetchedAfterDay, hasValues, isSettled, type DayRecord } from './day-record';
import { addDays, dateRange } from '../shared/local-date';

/** What the background asks `/user-summaries` for; the same shape `fetchSummaries` takes. */
export interface SummariesWindow {
  dateFrom: string;
  dateTo: string;
  includeSlots: boolean;
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

/**
 * Dates as runs of consecutive days, one window each: `dates` ascending, each with whether it needs
 * slots. A run that needs slots for any of its days asks for them for all: one request with a day of
 * slots too many is cheaper than two requests (the common case is yesterday's values next to today's
 * slots, which then also refreshes yesterday's profile with what the wearable synced late).
 */
export function windowsFor(dates: readonly { date: string; slots: boolean }[]): SummariesWindow[] {
  const windows: SummariesWindow[] = [];
  for (const { date, slots } of dates) {
    const last = windows.at(-1);
    if (last && addDays(last.dateTo, 1) === date) {
      last.dateTo = date;
      last.includeSlots ||= slots;
    } else windows.push({ dateFrom: date, dateTo: date, includeSlots: slots });
  }
  return windows;
}

/**
 * What the glance still needs from CardioMood, in as few requests as the gaps allow: today and the 28
 * days before it (the baseline window, which also gives the typical-by-time profiles).
 * - with slots: today, days without a record, days last fetched while they were running, and days
 *   with data but no profile: a day's slots are fetched once after it ended and kept as its profile;
 * - without slots: the other days not settled yet (yesterday: the watch may still sync it late),
 *   whose stored profile `mergeDayRecord` keeps, unless they sit next to a day that needs slots
 *   (`windowsFor`): then they come with that day's request.
 * Once the window is held this is one request a day: yesterday and today, with slots.
 */
export function glanceWindows(records: readonly DayRecord[], today: string): SummariesWindow[] {
  const byDate = new Map(records.map((record) => [record.date, record]));
  const needed: { date: string; slots: boolean }[] = [];
  for (const date of dateRange(addDays(today, -BASELINE_WINDOW_DAYS), today)) {
    const record = byDate.get(date);
    if (!record || date === today || !fetchedAfterDay(record) || (hasValues(record) && !record.profile)) needed.push({ date, slots: true });
    else if (!isSettled(record)) needed.push({ date, slots: false });
  }
  return windowsFor(needed);
}
