/**
 * Calendar arithmetic on `YYYY-MM-DD` strings.
 *
 * Summary days are the member's local days (cardiomood-api.md §6). Adding 24 h of milliseconds to a
 * local time is wrong twice a year (a DST day has 23 or 25 hours), so the only place a clock is read is
 * `localToday`; everything else treats a date as a calendar label and does its arithmetic on UTC
 * midnights, where every day has exactly 24 hours.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** UTC midnight of a real calendar date, or NaN (`2026-02-30`, `2026-13-01` and `28.11.2026` are not). */
function utcMidnight(date: string): number {
  const match = DATE.exec(date);
  if (!match) return Number.NaN;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const time = Date.UTC(y, m - 1, d);
  // Date.UTC rolls 2026-02-30 over to March 2nd; a real date survives the round trip.
  return new Date(time).toISOString().slice(0, 10) === date ? time : Number.NaN;
}

/** True for a real `YYYY-MM-DD` calendar date. */
export function isCalendarDate(date: string): boolean {
  return !Number.isNaN(utcMidnight(date));
}

function requireTime(date: string): number {
  const time = utcMidnight(date);
  // A malformed date here is a bug in the caller (every date we handle has been validated): throw.
  if (Number.isNaN(time)) throw new RangeError(`"${date}" is not a YYYY-MM-DD calendar date`);
  return time;
}

/**
 * The calendar day at `now` in `timeZone` (default: the browser's zone), as `YYYY-MM-DD`.
 * Built from formatToParts because the short format of a locale (even en-CA) has changed between ICU
 * versions; the parts have not.
 */
export function localToday(now: Date, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    calendar: 'gregory',
    numberingSystem: 'latn',
  }).formatToParts(now);
  const part = (type: 'year' | 'month' | 'day') => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

/** `date` moved by `days` calendar days (negative goes back). Throws on a malformed date (a bug). */
export function addDays(date: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`addDays needs a whole number of days, got ${days}`);
  return new Date(requireTime(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((requireTime(to) - requireTime(from)) / DAY_MS);
}

/** Every day from `from` to `to`, both inclusive, ascending; empty when `to` is before `from`. */
export function dateRange(from: string, to: string): string[] {
  const count = daysBetween(from, to) + 1;
  return Array.from({ length: Math.max(0, count) }, (_, i) => addDays(from, i));
}
