import { z } from 'zod';
import { isoDateSchema } from '../shared/readings';
import { buildDayProfile, dayProfileSchema, HOURS_PER_DAY, type DayProfile } from './day-profile';
import { dateRange, daysBetween } from '../shared/local-date';
import { ACTIVITY_EXTRA_METRICS, DOCUMENTED_METRICS, discoverGenericMetrics, type MetricDefinition } from './metrics';
import type { Summary } from './summary-schema';

export const DAY_RECORD_VERSION = 1;

/**
 * What the background keeps per member-day instead of the raw summary: every daily value the model
 * knows (documented ids such as `steps`, `workouts`, `gait_speed`, and `<family>.<field>` for the
 * undocumented families), plus the compact intraday profile when the day was fetched with slots.
 * No slots, no token; ~150 bytes without a profile, ~550 with one.
 */
export const dayRecordSchema = z.object({
  v: z.literal(DAY_RECORD_VERSION),
  /** The member's local day. */
  date: isoDateSchema,
  /** The member's local day when this was fetched: a day fetched while it was running is partial. */
  fetchedOn: isoDateSchema,
  /** Metric id → that day's value; a metric without a value that day is absent. */
  values: z.record(z.string().min(1), z.number()),
  profile: dayProfileSchema.nullable(),
});
export type DayRecord = z.infer<typeof dayRecordSchema>;

/**
 * The wearable syncs late (the next morning, after a day off the charger): a day counts as settled
 * once it was fetched two or more days after it, so today and yesterday are always asked again.
 */
export const SETTLED_AFTER_DAYS = 2;

/** Every metric a record of this summary carries: documented, other activity fields, then generic. */
export function recordMetrics(summary: Summary): MetricDefinition[] {
  return [...DOCUMENTED_METRICS, ...ACTIVITY_EXTRA_METRICS, ...discoverGenericMetrics([summary])];
}

export interface DayRecordOptions {
  /** The member's local day of the fetch. */
  fetchedOn: string;
  /**
   * The summary was asked for with `include_slots=1`: a day without any slot array then gets an empty
   * profile ("no intraday data"), so it is not asked for again.
   */
  withSlots?: boolean;
  /** Only places slots whose local label is missing (see `buildDayProfile`). */
  timeZone?: string;
}

const EMPTY_PROFILE: DayProfile = {
  steps: null,
  hrMax: Array<null>(HOURS_PER_DAY).fill(null),
  hrAvg: Array<null>(HOURS_PER_DAY).fill(null),
  newestAt: null,
  newestMinute: null,
};

/** The record of one summary. */
export function buildDayRecord(summary: Summary, options: DayRecordOptions): DayRecord {
  const values: Record<string, number> = {};
  for (const metric of recordMetrics(summary)) {
    const value = metric.read(summary);
    if (value !== null) values[metric.id] = value;
  }
  const profile = buildDayProfile(summary, options.timeZone) ?? (options.withSlots ? EMPTY_PROFILE : null);
  return { v: DAY_RECORD_VERSION, date: summary.date, fetchedOn: options.fetchedOn, values, profile };
}

/**
 * The record of a day CardioMood returned nothing for (it may leave days without data out,
 * docs/cardiomood-api.md §3.1): stored like any other so that, once settled, the day is not asked for
 * again.
 */
export function emptyDayRecord(date: string, fetchedOn: string): DayRecord {
  return { v: DAY_RECORD_VERSION, date, fetchedOn, values: {}, profile: null };
}

/** True when a day was fetched after it had ended (its profile covers the whole day). */
export function fetchedAfterDay(record: DayRecord): boolean {
  return record.fetchedOn > record.date;
}

export function isSettled(record: DayRecord): boolean {
  return daysBetween(record.date, record.fetchedOn) >= SETTLED_AFTER_DAYS;
}

/** True when the record carries any value (a summary whose every field was null is not data). */
export function hasValues(record: DayRecord | undefined): boolean {
  return record !== undefined && Object.keys(record.values).length > 0;
}

/**
 * A newer fetch of a day replacing the stored one. A fetch without slots keeps the stored profile
 * when that profile already covers the whole day (fetched after it): the daily values are refreshed
 * cheaply while the slots were fetched once.
 */
export function mergeDayRecord(stored: DayRecord | undefined, fresh: DayRecord): DayRecord {
  if (fresh.profile || !stored || stored.date !== fresh.date || !fetchedAfterDay(stored)) return fresh;
  return { ...fresh, profile: stored.profile };
}

/**
 * Days in `from`…`to` the background still has to ask CardioMood for: those without a record, those
 * not settled yet and, with `needProfile`, days with data but no profile (to fetch with
 * `include_slots=1`, once: a past day's profile never changes after it is settled).
 */
export function datesToFetch(records: readonly DayRecord[], from: string, to: string, options: { needProfile?: boolean } = {}): string[] {
  const byDate = new Map(records.map((record) => [record.date, record]));
  return dateRange(from, to).filter((date) => {
    const record = byDate.get(date);
    return !record || !isSettled(record) || (options.needProfile === true && !record.profile && hasValues(record));
  });
}
