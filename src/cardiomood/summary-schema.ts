import { z } from 'zod';

/**
 * `/user-summaries` as documented (cardiomood-api.md §7–§11), tolerant where the contract is open:
 * a malformed field becomes null instead of throwing away the whole day, sub-objects may be missing,
 * and sub-objects the contract does not list (sleep, spo2, stress, …) are kept for generic display.
 */

/** A number, or null for null / missing / not-a-number (one bad field must not drop the day). */
const lenientNumber = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
  z.number().finite().nullable().catch(null),
).optional().transform((value) => value ?? null);

/** Slot timestamps: seconds or milliseconds (not documented); normalised to ms. */
export function toEpochMs(timestamp: number): number {
  return timestamp < 1e12 ? timestamp * 1000 : timestamp;
}

const slotSchema = z.looseObject({
  timestamp: z.number().finite().transform(toEpochMs),
  date: z.string().optional(),
});

/** Keep the valid slots; a malformed slot is dropped, not the day. */
function slotsOf<T extends z.ZodType>(item: T) {
  return z
    .array(z.unknown())
    .optional()
    .catch(undefined)
    .transform((slots) =>
      slots?.flatMap((slot) => {
        const parsed = item.safeParse(slot);
        return parsed.success ? [parsed.data as z.output<T>] : [];
      }),
    );
}

export const activitySchema = z.looseObject({
  total_steps: lenientNumber,
  daily_percent: lenientNumber,
  distance: lenientNumber,
  calories: lenientNumber,
  workouts: lenientNumber,
  active_minutes: lenientNumber,
  move_every_hour: lenientNumber,
  avg_gait_asymmetry: lenientNumber,
  avg_gait_speed: lenientNumber,
  avg_gait_var: lenientNumber,
  total_glasses: lenientNumber,
  slots: slotsOf(slotSchema.extend({ step_count: z.number().finite() })),
  slots_five_minutes: slotsOf(slotSchema.extend({ step_count: z.number().finite() })),
});

export const heartRateSchema = z
  .looseObject({
    avg_daily_heart_rate: lenientNumber,
    max_daily_heart_rate: lenientNumber,
    rest_daily_heart_rate: lenientNumber,
    // Legacy misspelled keys the server accepts on input (§7.3); used only as fallbacks.
    avg_daily_heat_rate: lenientNumber,
    max_daily_heat_rate: lenientNumber,
    rest_daily_heat_rate: lenientNumber,
    slots: slotsOf(slotSchema.extend({ bpm: z.number().finite() })),
  })
  .transform(({ avg_daily_heat_rate, max_daily_heat_rate, rest_daily_heat_rate, ...rest }) => ({
    ...rest,
    avg_daily_heart_rate: rest.avg_daily_heart_rate ?? avg_daily_heat_rate,
    max_daily_heart_rate: rest.max_daily_heart_rate ?? max_daily_heat_rate,
    rest_daily_heart_rate: rest.rest_daily_heart_rate ?? rest_daily_heat_rate,
  }));

const optionalObject = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

export const summarySchema = z.looseObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  activity: optionalObject(activitySchema),
  heart_rate: optionalObject(heartRateSchema),
});
export type Summary = z.infer<typeof summarySchema>;

/**
 * The Laravel envelope: flat paginator (what the sandbox sends) or API-resource collection
 * (`{data, links, meta}`). Only `data` is required; items are validated one by one.
 */
export const summariesPageSchema = z.looseObject({
  data: z.array(z.unknown()),
  current_page: z.coerce.number().optional().catch(undefined),
  last_page: z.coerce.number().optional().catch(undefined),
  per_page: z.coerce.number().optional().catch(undefined),
  next_page_url: z.string().nullable().optional().catch(undefined),
  meta: z
    .looseObject({
      current_page: z.coerce.number().optional().catch(undefined),
      last_page: z.coerce.number().optional().catch(undefined),
      per_page: z.coerce.number().optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
  links: z.unknown().optional(),
});
export type SummariesPage = z.infer<typeof summariesPageSchema>;
