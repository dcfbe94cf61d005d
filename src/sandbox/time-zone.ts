/**
 * Calendar arithmetic in an IANA time zone with nothing but Intl: summary days are the member's
 * LOCAL days (docs/cardiomood-api.md §6), so every day boundary and every slot label goes through
 * here. Arithmetic on `YYYY-MM-DD` labels alone is the extension's (src/shared/local-date.ts).
 */

import { addDays, daysBetween } from '../shared/local-date';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws a RangeError naming the zone when it is not a zone this runtime knows. */
export function assertTimeZone(timeZone: string): string {
  try {
    formatterFor(timeZone);
  } catch {
    throw new RangeError(`"${timeZone}" is not a known IANA time zone`);
  }
  return timeZone;
}

/** The zone of the machine we run on (what a browser on the same machine shows as "today"). */
export function hostTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instant: number, timeZone: string): WallClock {
  const values: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') values[part.type] = Number(part.value);
  }
  return {
    year: values.year ?? 1970,
    month: values.month ?? 1,
    day: values.day ?? 1,
    // Some ICU versions print midnight as 24 even with h23.
    hour: (values.hour ?? 0) % 24,
    minute: values.minute ?? 0,
    second: values.second ?? 0,
  };
}

/** Milliseconds to add to a UTC instant to get the zone's wall-clock time (e.g. +3_600_000 for CET). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const wall = wallClock(instant, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - (instant - (((instant % 1000) + 1000) % 1000));
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** The local calendar date `YYYY-MM-DD` of an instant. */
export function localDate(instant: number, timeZone: string): string {
  const wall = wallClock(instant, timeZone);
  return `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`;
}

/** `HH:mm` of an instant, given the zone offset valid at that instant. */
export function formatHourMinute(instant: number, offsetMs: number): string {
  const minutes = Math.floor((((instant + offsetMs) % DAY_MS) + DAY_MS) % DAY_MS / MINUTE_MS);
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/**
 * The UTC instant of a local wall-clock time. In a DST gap the result is shifted by the gap (as
 * clocks do); in an overlap it is the first occurrence.
 */
export function zonedTimeToUtc(date: string, minuteOfDay: number, timeZone: string): number {
  const guess = dateToUtcMidnight(date) + minuteOfDay * MINUTE_MS;
  const first = guess - zoneOffsetMs(guess, timeZone);
  return guess - zoneOffsetMs(first, timeZone);
}

/** The first instant of a local day and the first instant of the next one (23, 24 or 25 h apart). */
export function localDayBounds(date: string, timeZone: string): { start: number; end: number } {
  return { start: zonedTimeToUtc(date, 0, timeZone), end: zonedTimeToUtc(addDays(date, 1), 0, timeZone) };
}

/** The start of the local hour an instant falls in (the end of the last completed local hour). */
export function startOfLocalHour(instant: number, timeZone: string): number {
  const offset = zoneOffsetMs(instant, timeZone);
  const local = instant + offset;
  return local - (((local % 3_600_000) + 3_600_000) % 3_600_000) - offset;
}

/** UTC midnight of a calendar date (throws on anything else). */
function dateToUtcMidnight(date: string): number {
  return dayNumber(date) * DAY_MS;
}

/** Days since 1970-01-01 (calendar arithmetic, no zone involved). */
export function dayNumber(date: string): number {
  return daysBetween('1970-01-01', date);
}

/** 1 for January 1st. */
export function dayOfYear(date: string): number {
  return dayNumber(date) - dayNumber(`${date.slice(0, 4)}-01-01`) + 1;
}

/** Saturday or Sunday. */
export function isWeekend(date: string): boolean {
  const weekday = new Date(dateToUtcMidnight(date)).getUTCDay();
  return weekday === 0 || weekday === 6;
}
