import { HOURS_PER_DAY, profileAt } from './day-profile';
import { fetchedAfterDay, type DayRecord } from './day-record';

/** Metrics that accumulate or peak during the day: compared "by this time of day" while it runs. */
export const TIME_OF_DAY_METRICS = ['steps', 'active_minutes', 'calories', 'distance', 'max_hr', 'avg_hr'] as const;
export type TimeOfDayMetric = (typeof TIME_OF_DAY_METRICS)[number];

export function isTimeOfDayMetric(id: string): id is TimeOfDayMetric {
  return (TIME_OF_DAY_METRICS as readonly string[]).includes(id);
}

/**
 * An earlier day's value by `minute` of the day (0–1440), from its profile; null when that day cannot
 * tell (no profile, fetched before the day ended, no data by then).
 *
 * - steps, maximum and average heart rate: read from the profile (`profileAt`);
 * - active minutes, calories, distance have no slots: ESTIMATED as the day's full value times the
 *   share of that day's steps done by `minute` (a day with 40 % of its steps by noon is assumed to
 *   have 40 % of its active minutes and distance by noon too). Days without steps are left out.
 */
export function valueByMinute(record: DayRecord, metric: TimeOfDayMetric, minute: number): number | null {
  const profile = record.profile;
  if (!profile || !fetchedAfterDay(record)) return null;
  switch (metric) {
    case 'steps':
      return profile.steps ? profileAt(profile.steps, minute, 0) : null;
    case 'max_hr':
      return profileAt(profile.hrMax, minute, null);
    case 'avg_hr':
      return profileAt(profile.hrAvg, minute, null);
    default: {
      const full = record.values[metric];
      const total = profile.steps?.[HOURS_PER_DAY - 1] ?? 0;
      if (full === undefined || !profile.steps || total <= 0) return null;
      return (full * profileAt(profile.steps, minute, 0)!) / total;
    }
  }
}

/**
 * Each record's value by `minute` (records that cannot tell are skipped), in the records' order: pass
 * the earlier days of the window most recent first, as `compareWithDays` takes the 14 most recent.
 */
export function valuesByMinute(
  recentFirst: readonly DayRecord[],
  metric: TimeOfDayMetric,
  minute: number,
): number[] {
  return recentFirst.flatMap((record) => {
    const value = valueByMinute(record, metric, minute);
    return value === null ? [] : [value];
  });
}
