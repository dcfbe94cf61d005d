import { z } from 'zod';
import { isCalendarDate } from '../shared/local-date';

/**
 * `GET /user-summaries` as the contract describes it (docs/cardiomood-api.md §7–§11), tolerant where the
 * contract is open. The one rule throughout: a malformed *field* becomes null (or a malformed slot is
 * dropped) instead of throwing away the whole day, because one odd value must not blank the popup.
 * Only a summary without a usable `date` is rejected: it cannot be placed on any day.
 */

/** Laravel may serialise numbers as strings (decimal casts, older PDO drivers): accept plain decimals. */
const DECIMAL = /^-?\d+(\.\d+)?$/;
function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return Number(value.trim());
  return null;
}

/**
 * A daily value: number (or decimal string) satisfying `accept`, else null. Missing, null, `"lots"`,
 * `true`, NaN and out-of-range values all read as "no value for this field today".
 */
function dailyValue(accept: (n: number) => boolean = () => true) {
  return z
    .unknown()
    .optional()
    .transform((value): number | null => {
      const n = toNumber(value);
      return n !== null && accept(n) ? n : null;
    });
}

/** Counts and totals (steps, kcal, km, minutes, glasses…) cannot be negative; a negative is a glitch. */
const nonNegative = dailyValue((n) => n >= 0);
/** Any finite number (gait asymmetry and variability may legitimately be signed). */
const anyNumber = dailyValue();
/**
 * Heart rate: 0 (or less) is what a device reports when it was not worn, not a reading; above 255 is
 * outside what the sensor can report (raw model range 0–255, §9.2). Both read as "no value".
 */
const heartRate = dailyValue((n) => n > 0 && n <= 255);

/** Slot timestamps are integers whose unit is not documented (§6, §11 #15): below 1e12 they are seconds. */
export function toEpochMs(timestamp: number): number {
  return timestamp < 1e12 ? timestamp * 1000 : timestamp;
}

const slotTimestamp = z.unknown().transform((value, ctx) => {
  const n = toNumber(value);
  if (n === null || n <= 0) {
    ctx.addIssue({ code: 'custom', message: 'slot timestamp must be a positive epoch number' });
    return z.NEVER;
  }
  return toEpochMs(n);
});

const slotValue = (accept: (n: number) => boolean) =>
  z.unknown().transform((value, ctx) => {
    const n = toNumber(value);
    if (n === null || !accept(n)) {
      ctx.addIssue({ code: 'custom', message: 'slot value is missing or out of range' });
      return z.NEVER;
    }
    return n;
  });

export const stepSlotSchema = z.object({
  timestamp: slotTimestamp,
  /** Local `H:i` of the slot; informational only (the timestamp is authoritative). */
  date: z.string().optional().catch(undefined),
  step_count: slotValue((n) => n >= 0),
});
export type StepSlot = z.infer<typeof stepSlotSchema>;

export const heartRateSlotSchema = z.object({
  timestamp: slotTimestamp,
  date: z.string().optional().catch(undefined),
  // Same reasoning as the daily heart rate: 0 bpm means "not worn", not a reading.
  bpm: slotValue((n) => n > 0 && n <= 255),
});
export type HeartRateSlot = z.infer<typeof heartRateSlotSchema>;

/**
 * Slots arrive only with `include_slots=1` (§8). A slot without a usable timestamp or value is dropped
 * on its own; a `slots` key that is not an array at all reads as "no slots".
 */
function slotsOf<T extends z.ZodType>(item: T) {
  return z
    .unknown()
    .optional()
    .transform((slots): z.output<T>[] | undefined => {
      if (!Array.isArray(slots)) return undefined;
      return slots.flatMap((slot) => {
        const parsed = item.safeParse(slot);
        return parsed.success ? [parsed.data as z.output<T>] : [];
      });
    });
}

/** §7.2. Every documented field is present when `activity` is, but we guard each one anyway (§11 #14). */
export const activitySchema = z.looseObject({
  total_steps: nonNegative,
  /** % of the daily step goal; may exceed 100 on a good day, so only negatives are refused. */
  daily_percent: nonNegative,
  /** Unit not documented; assumed km (§11 #17). */
  distance: nonNegative,
  /** Unit not documented; assumed kcal (§11 #17). */
  calories: nonNegative,
  workouts: nonNegative,
  active_minutes: nonNegative,
  move_every_hour: nonNegative,
  avg_gait_asymmetry: anyNumber,
  avg_gait_speed: nonNegative,
  avg_gait_var: anyNumber,
  total_glasses: nonNegative,
  slots: slotsOf(stepSlotSchema),
  slots_five_minutes: slotsOf(stepSlotSchema),
});
export type Activity = z.infer<typeof activitySchema>;

/**
 * §7.3. The misspelled `*_daily_heat_rate` keys are legacy aliases (`present_without:`): read them only
 * when the correctly spelled key has no value, and drop them from the output so nothing else sees them.
 */
export const heartRateSchema = z
  .looseObject({
    avg_daily_heart_rate: heartRate,
    max_daily_heart_rate: heartRate,
    rest_daily_heart_rate: heartRate,
    avg_daily_heat_rate: heartRate,
    max_daily_heat_rate: heartRate,
    rest_daily_heat_rate: heartRate,
    slots: slotsOf(heartRateSlotSchema),
  })
  .transform(({ avg_daily_heat_rate, max_daily_heat_rate, rest_daily_heat_rate, ...rest }) => ({
    ...rest,
    avg_daily_heart_rate: rest.avg_daily_heart_rate ?? avg_daily_heat_rate,
    max_daily_heart_rate: rest.max_daily_heart_rate ?? max_daily_heat_rate,
    rest_daily_heart_rate: rest.rest_daily_heart_rate ?? rest_daily_heat_rate,
  }));
export type HeartRate = z.infer<typeof heartRateSchema>;

/**
 * A sub-object that is missing, null, or not an object (Laravel serialises an empty PHP array as `[]`)
 * reads as absent; the rest of the day is kept.
 */
const optionalFamily = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

/**
 * One member-day. Sub-objects the contract does not list (`sleep`, `spo2`, `stress`,
 * `respiration_rate`, `temperature`, anything newer) are kept as they came (`looseObject`), so the
 * readings model can show their numeric fields generically.
 */
export const summarySchema = z.looseObject({
  date: z.string().refine(isCalendarDate, { message: 'expected a YYYY-MM-DD calendar date' }),
  activity: optionalFamily(activitySchema),
  heart_rate: optionalFamily(heartRateSchema),
});
export type Summary = z.infer<typeof summarySchema>;

/** Pagination numbers: a positive integer (or its string), anything else reads as "not said". */
const pageNumber = z
  .unknown()
  .optional()
  .transform((value): number | undefined => {
    const n = toNumber(value);
    return n !== null && Number.isInteger(n) && n >= 1 ? n : undefined;
  });
const countNumber = z
  .unknown()
  .optional()
  .transform((value): number | undefined => {
    const n = toNumber(value);
    return n !== null && Number.isInteger(n) && n >= 0 ? n : undefined;
  });
const pageUrl = z.string().nullable().optional().catch(undefined);

/**
 * The Laravel envelope (§3.1): the flat paginator (what the sandbox sends) or the API-resource
 * collection `{data, links:{next…}, meta:{current_page…}}`. Only `data` is required; each item is
 * validated on its own with `summarySchema`. A flat paginator's `links` is an array, a resource's is
 * an object, hence the catch.
 */
export const summariesPageSchema = z.looseObject({
  data: z.array(z.unknown()),
  current_page: pageNumber,
  last_page: pageNumber,
  per_page: pageNumber,
  total: countNumber,
  next_page_url: pageUrl,
  links: z.looseObject({ next: pageUrl }).optional().catch(undefined),
  meta: z
    .looseObject({ current_page: pageNumber, last_page: pageNumber, per_page: pageNumber, total: countNumber })
    .optional()
    .catch(undefined),
});
export type SummariesPage = z.infer<typeof summariesPageSchema>;

/** What pagination needs from either envelope shape; `undefined` where the envelope says nothing. */
export interface PageInfo {
  currentPage?: number;
  lastPage?: number;
  perPage?: number;
  total?: number;
  /** null: "no next page" said explicitly; undefined: not said. */
  nextPageUrl?: string | null;
}

export function pageInfoOf(page: SummariesPage): PageInfo {
  const info: PageInfo = {
    currentPage: page.current_page ?? page.meta?.current_page,
    lastPage: page.last_page ?? page.meta?.last_page,
    perPage: page.per_page ?? page.meta?.per_page,
    total: page.total ?? page.meta?.total,
    nextPageUrl: page.next_page_url !== undefined ? page.next_page_url : page.links?.next,
  };
  // Keep the object free of explicit undefineds so it compares cleanly in tests and logs.
  return Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) as PageInfo;
}
