/**
 * Calendar days as `YYYY-MM-DD` strings: the one place the extension turns an instant into a local
 * day, and the calendar arithmetic on those strings (background, readings model and pages alike).
 *
 * Summary days are the member's local days (docs/cardiomood-api.md §6). Adding 24 h of milliseconds to
 * a local time is wrong twice a year (a DST day has 23 or 25 hours), so the only place a clock is
 * read is `localIsoDate`; everything else treats a date as a calendar label and does its arithmetic
 * on UTC midnights, where every day has exactly 24 hours.
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
 * The calendar day of an instant in the browser's time zone, as `YYYY-MM-DD`, moved by `dayOffset`
 * calendar days (`-1`: the day before). Read from the Date's local fields: no Intl formatter to build
 * (the popup's first frame calls this) and no locale format that could change between ICU versions.
 * The offset moves the local date, not 24-hour steps, so a DST day of 23 or 25 hours cannot skip or
 * repeat a day.
 */
export function localIsoDate(epochMs: number, dayOffset = 0): string {
  const date = new Date(epochMs);
  if (dayOffset) date.setDate(date.getDate() + dayOffset);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
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
