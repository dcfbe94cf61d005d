import { z } from 'zod';
import { appErrorSchema } from './app-error-schema';
import { HISTORY_RANGES } from './history-ranges';

/** Calendar day `YYYY-MM-DD` (a member's local day). */
export const isoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/**
 * Canonical units the background reports values in; the UI converts for display
 * (metric/imperial, °C/°F) and formats through Intl.
 */
export const unitSchema = z.enum([
  'bpm',
  'steps',
  'minutes',
  'kcal',
  'km',
  'percent',
  'celsius',
  'breaths_per_minute',
  'meters_per_second',
  'count',
  'none',
]);
export type Unit = z.infer<typeof unitSchema>;

/**
 * One metric the readings model knows how to show. `id` is stable (`rest_hr`, `steps`, …) for the
 * documented fields; for sub-objects the contract does not list it is `<family>.<field>`.
 */
export const metricSchema = z.object({
  id: z.string().min(1),
  family: z.string().min(1),
  field: z.string().min(1),
  unit: unitSchema,
  /** True where the contract does not state the unit and we assumed it (distance km, calories kcal…). */
  assumedUnit: z.boolean(),
  /** Decimals to show the value with (bpm 0, km 2, temperature 1, stress 0…); absent in older caches. */
  decimals: z.number().int().min(0).max(3).optional(),
});
export type Metric = z.infer<typeof metricSchema>;

export const tileSchema = metricSchema.extend({
  /** Today's value, or null when today has no value for this metric. */
  value: z.number().nullable(),
  /** Steps only: percentage of the daily goal (`activity.daily_percent`). */
  goalPercent: z.number().nullable(),
  /** Median of up to the previous 14 days with a value. */
  baseline: z.number().nullable(),
  /** How many of the previous 14 days had a value ("calibrating n/14" below baselineNeeded). */
  baselineDays: z.number().int().nonnegative(),
  baselineNeeded: z.number().int().positive(),
  /** value − baseline, when both exist and baselineDays ≥ baselineNeeded. */
  delta: z.number().nullable(),
  /** The last 7 days, oldest first, ending today; null where a day had no value. */
  sparkline: z.array(z.number().nullable()),
});
export type Tile = z.infer<typeof tileSchema>;

export const readingsSnapshotSchema = z.object({
  /** The member's local day the tiles describe. */
  today: isoDateSchema,
  /** Epoch ms when these readings were fetched from CardioMood. */
  fetchedAt: z.number(),
  /** False when CardioMood has nothing for today yet (not worn or not synced). */
  hasToday: z.boolean(),
  /** Most recent day with any data, or null. */
  latestDate: isoDateSchema.nullable(),
  tiles: z.array(tileSchema),
});
export type ReadingsSnapshot = z.infer<typeof readingsSnapshotSchema>;

export const historyDaySchema = z.object({
  date: isoDateSchema,
  /** False for days the API returned nothing for. */
  hasData: z.boolean(),
  values: z.record(z.string(), z.number().nullable()),
});

export const historySchema = z.object({
  from: isoDateSchema,
  to: isoDateSchema,
  fetchedAt: z.number(),
  metrics: z.array(
    metricSchema.extend({
      /** The member's personal range over the shown period (interquartile), for shading. */
      range: z.object({ low: z.number(), high: z.number() }).nullable(),
    }),
  ),
  /** Every calendar day from `from` to `to`, ascending, including days without data. */
  days: z.array(historyDaySchema),
});
export type History = z.infer<typeof historySchema>;

export const intradaySchema = z.object({
  date: isoDateSchema,
  /** Epoch ms (converted from seconds when the API sent seconds), ascending. */
  heartRate: z.array(z.object({ t: z.number(), bpm: z.number() })),
  steps: z.array(z.object({ t: z.number(), steps: z.number() })),
});
export type Intraday = z.infer<typeof intradaySchema>;

export const historyRequestSchema = z.object({ days: z.union(HISTORY_RANGES.map((d) => z.literal(d))) });
export const intradayRequestSchema = z.object({ date: isoDateSchema });

export { appErrorSchema };
