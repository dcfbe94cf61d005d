import type { History } from '../shared/readings';
import { addDays, daysBetween } from '../shared/local-date';

export interface WeekAverage {
  /** ISO 8601 week (`2026-W48`): weeks start on Monday; week 1 holds the year's first Thursday. */
  week: string;
  /** The week's Monday and Sunday. */
  from: string;
  to: string;
  /** Days of the week inside the history range (7, fewer for the range's first and last weeks). */
  days: number;
  /** Metric id → mean over the days with a value, or null when no day of the week has one. */
  averages: Record<string, number | null>;
  /** Metric id → how many days that mean is over. */
  counts: Record<string, number>;
}

/** Monday of the ISO week of `date` (a calendar label: weekday computed on its UTC midnight). */
function mondayOf(date: string): string {
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

/** `2026-W48`: the week belongs to the year of its Thursday, and is numbered from that year's first. */
export function isoWeek(date: string): string {
  const thursday = addDays(mondayOf(date), 3);
  const year = thursday.slice(0, 4);
  const week = Math.floor(daysBetween(`${year}-01-01`, thursday) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * Weekly averages over a history range, by ISO calendar week (Monday–Sunday), oldest first. Calendar
 * weeks rather than rolling 7-day blocks: a member thinks in "last week", and the blocks then stay the
 * same whichever range (7, 30, 90 days) is shown. A partial week at either end is averaged over its days
 * in the range and says how many (`days`), so the UI can mark it.
 */
export function weeklyAverages(history: History): WeekAverage[] {
  const weeks = new Map<string, WeekAverage & { sums: Record<string, number> }>();
  for (const day of history.days) {
    const monday = mondayOf(day.date);
    let week = weeks.get(monday);
    if (!week) {
      week = { week: isoWeek(day.date), from: monday, to: addDays(monday, 6), days: 0, averages: {}, counts: {}, sums: {} };
      for (const { id } of history.metrics) {
        week.counts[id] = 0;
        week.sums[id] = 0;
      }
      weeks.set(monday, week);
    }
    week.days += 1;
    for (const metric of history.metrics) {
      const value = day.values[metric.id];
      if (typeof value !== 'number') continue;
      week.sums[metric.id]! += value;
      week.counts[metric.id]! += 1;
    }
  }
  return [...weeks.values()]
    .sort((a, b) => (a.from < b.from ? -1 : 1))
    .map(({ sums, ...week }) => ({
      ...week,
      averages: Object.fromEntries(history.metrics.map(({ id }) => [id, week.counts[id] ? sums[id]! / week.counts[id]! : null])),
    }));
}
