import { z } from 'zod';
import { isoDateSchema, unitSchema } from './readings';

/**
 * "The member's glance": what the background computes from its cached day records (`buildGlance`),
 * stores, and the popup paints in its first frame. The popup cannot afford zod: it imports only the
 * types below (`import type`), and the shape is kept flat and small (~3 KB) for that reason. Derived
 * data only: no token, no raw slots, no unknown family or unfamiliar field name (those stay in the side
 * panel's history). Values are in canonical units (`unit`); the UI converts and formats them.
 *
 * Bump `GLANCE_VERSION` on any change a stored glance cannot be read with; readers drop other versions.
 */
export const GLANCE_VERSION = 1;

/**
 * - `by_time`: today so far vs. the member's typical value by the same time of day (`GlanceDay.at`),
 *   from earlier days' intraday profiles (steps, active minutes, max and average heart rate);
 * - `baseline`: vs. the median of earlier whole days (resting heart rate, sleep, and every metric of
 *   a complete day);
 * - `calibrating`: `n` of `Glance.need` days found, and the baseline can still be completed;
 * - `none`: no comparison ("so far" today; too few days; a count such as workouts).
 */
export const comparisonKindSchema = z.enum(['by_time', 'baseline', 'calibrating', 'none']);
export type ComparisonKind = z.infer<typeof comparisonKindSchema>;

export const glanceMetricSchema = z.object({
  /** `rest_hr`, `steps`, `avg_hr`, `max_hr`, `active_minutes`, `workouts`, `glasses` or `sleep`. */
  id: z.string().min(1),
  unit: unitSchema,
  /** Decimals to display `value`, `typical` and `delta` with (bpm 0, minutes 0, …). */
  dp: z.number().int().min(0).max(3),
  /** The day's value (today: so far); null when the day has none. */
  value: z.number().nullable(),
  cmp: comparisonKindSchema,
  /** `by_time`/`baseline`: the typical value, rounded to `dp`; otherwise null. */
  typical: z.number().nullable(),
  /** `value − typical`, rounded to `dp` (so value, typical and delta add up as shown); null without both. */
  delta: z.number().nullable(),
  /** Days behind `typical` ("based on n days" when below `Glance.need`), or found so far while calibrating. */
  n: z.number().int().nonnegative(),
  /** Steps only: % of the daily goal (`activity.daily_percent`); absent on other metrics. */
  goal: z.number().nullable().optional(),
  /** The 7 days ending on this day, oldest first; null where a day has no value. */
  spark: z.array(z.number().nullable()),
  /** Smallest and largest value in `spark` (the y range; equal when flat); null when `spark` is all null. */
  sparkLo: z.number().nullable(),
  sparkHi: z.number().nullable(),
  /**
   * Runs of missing days in `spark` as `[first, last]` indices, to draw visibly (e.g. a dashed bridge
   * from `spark[first-1]` to `spark[last+1]` when both exist, an empty marker otherwise).
   */
  sparkGaps: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
  /** The last point is a day still running (today so far): draw it as provisional. */
  sparkPartial: z.boolean(),
});
export type GlanceMetric = z.infer<typeof glanceMetricSchema>;

/** The sleep card: time asleep (the metric, minutes) and its stages in minutes. */
export const glanceSleepSchema = glanceMetricSchema.extend({
  /** Stages, all null when CardioMood did not send them all (the card then shows the total only). */
  awake: z.number().nullable(),
  rem: z.number().nullable(),
  light: z.number().nullable(),
  deep: z.number().nullable(),
});
export type GlanceSleep = z.infer<typeof glanceSleepSchema>;

export const glanceDaySchema = z.object({
  date: isoDateSchema,
  /** False for today (the day is still running: `by_time` comparisons, partial sparkline point). */
  complete: z.boolean(),
  /** False when CardioMood has nothing for this day (not worn, not synced yet). */
  hasData: z.boolean(),
  /**
   * Today: the local minute of the day (0–1440) of the newest data, which `by_time` compares at
   * ("typical by 07:30"); null without intraday data, and for a complete day.
   */
  at: z.number().int().min(0).max(1440).nullable(),
  /** Hero: resting heart rate. */
  restHr: glanceMetricSchema,
  /** Hero: steps, with `goal`. */
  steps: glanceMetricSchema,
  /** Hero: the night that ended on this day's morning; null when sleep is missing, unfamiliar or implausible. */
  sleep: glanceSleepSchema.nullable(),
  /** Compact rows in order: avg_hr, max_hr, active_minutes, then workouts (when ≥ 1) and glasses (when logged). */
  rows: z.array(glanceMetricSchema),
});
export type GlanceDay = z.infer<typeof glanceDaySchema>;

export const glanceSchema = z.object({
  v: z.literal(GLANCE_VERSION),
  today: glanceDaySchema,
  /** The complete previous day, compared with the whole days before it. */
  yesterday: glanceDaySchema,
  /** `morning`: lead with last night's sleep and resting heart rate; `day`: with steps. */
  lead: z.enum(['morning', 'day']),
  /** The day to open on: today, or yesterday while today has no data yet. */
  focus: z.enum(['today', 'yesterday']),
  /** Days a full baseline takes (14): "calibrating n/14", "based on n days" when `n` is below it. */
  need: z.number().int().positive(),
  /** Epoch ms when the newest intraday data ended (the wearable's last sync); null when unknown. */
  lastSyncedAt: z.number().nullable(),
  /** Epoch ms when the extension last asked CardioMood. */
  checkedAt: z.number(),
});
export type Glance = z.infer<typeof glanceSchema>;
