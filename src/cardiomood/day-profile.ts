import { z } from 'zod';
import type { HeartRateSlot, StepSlot, Summary } from './summary-schema';

/**
 * A day's intraday slots (`include_slots=1`) folded into 24 local hours: what "typical by 07:30" needs
 * from a past day, in a few hundred bytes instead of ~2,000 slots. Stored in the cached day record.
 *
 * Which clock decides the hour: the slot's local `HH:MM` label (docs/cardiomood-api.md §6, §8), falling back to its UTC
 * `timestamp` in `timeZone` only when the label is missing or malformed. The label is the phone's wall
 * clock, the same clock that decides which summary day a slot belongs to; the API never says which zone
 * that is (§6, §11 #23), and the browser's zone differs whenever the member travels or the computer is
 * set otherwise. The label also handles DST the way a member reads a day: on the autumn change both
 * 02:30s fall in hour 2, on the spring change hour 2 simply stays empty. The timestamp stays
 * authoritative for the instant (`newestAt`, "last synced").
 */
export const HOURS_PER_DAY = 24;
export const MINUTES_PER_DAY = 1440;

const hourly = <T extends z.ZodType>(item: T) => z.array(item).length(HOURS_PER_DAY);

export const dayProfileSchema = z.object({
  /** Cumulative steps by the end of each local hour (index 7: steps from 00:00 to 08:00); null without step slots. */
  steps: hourly(z.number().int().nonnegative()).nullable(),
  /** Highest heart rate (bpm) of the slots up to the end of each hour; null until the first slot. */
  hrMax: hourly(z.number().positive().nullable()),
  /** Mean heart rate (bpm, one decimal) of the slots up to the end of each hour; null until the first slot. */
  hrAvg: hourly(z.number().positive().nullable()),
  /** Epoch ms when the newest slot (steps or heart rate) ended; null without any slot. */
  newestAt: z.number().nullable(),
  /** Local minute of the day (0–1440) when that newest slot ended, by its label. */
  newestMinute: z.number().int().min(0).max(MINUTES_PER_DAY).nullable(),
});
export type DayProfile = z.infer<typeof dayProfileSchema>;

const MINUTE_MS = 60_000;
/** §8: 1-minute `activity.slots`, 5-minute `slots_five_minutes`. */
const ONE_MINUTE_SLOT = 1;
const FIVE_MINUTE_SLOT = 5;
/** Heart-rate slot length is not documented: 5 minutes is the contract's reading (288 a day, §8). */
const DEFAULT_HEART_RATE_SLOT = 5;
const LABEL = /^([01]?\d|2[0-3]):([0-5]\d)$/;

type Slot = { timestamp: number; date?: string | undefined };

/** Local minute of the day of a slot: its `HH:MM` label, else its timestamp's wall clock in `timeZone`. */
export function createSlotMinute(timeZone?: string): (slot: Slot) => number {
  let clock: Intl.DateTimeFormat | undefined;
  return (slot) => {
    const match = slot.date === undefined ? null : LABEL.exec(slot.date.trim());
    if (match) return Number(match[1]) * 60 + Number(match[2]);
    clock ??= new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const parts = clock.formatToParts(slot.timestamp);
    const part = (type: 'hour' | 'minute') => Number(parts.find((p) => p.type === type)?.value ?? 0);
    return (part('hour') % 24) * 60 + part('minute');
  };
}

/** One slot per timestamp (a repeated slot keeps its last value), oldest first. */
function uniqueByTime<T extends Slot>(slots: readonly T[]): T[] {
  const byTime = new Map<number, T>();
  for (const slot of slots) byTime.set(slot.timestamp, slot);
  return [...byTime.values()].sort((a, b) => a.timestamp - b.timestamp);
}

/** The heart-rate slot length in minutes: the smallest gap between slots (gaps are multiples of it). */
function heartRateSlotMinutes(slots: readonly HeartRateSlot[]): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (let i = 1; i < slots.length; i++) smallest = Math.min(smallest, slots[i]!.timestamp - slots[i - 1]!.timestamp);
  if (!Number.isFinite(smallest)) return DEFAULT_HEART_RATE_SLOT;
  return Math.min(60, Math.max(1, Math.round(smallest / MINUTE_MS)));
}

/**
 * The compact profile of a summary fetched with `include_slots=1`, or null when it carries no slot
 * arrays at all (fetched without slots: nothing to fold). Steps come from the 1-minute slots, or the
 * 5-minute ones when those are missing or empty (as in `buildIntraday`).
 */
export function buildDayProfile(summary: Summary, timeZone?: string): DayProfile | null {
  const oneMinute = summary.activity?.slots;
  const fiveMinutes = summary.activity?.slots_five_minutes;
  const heartRate = summary.heart_rate?.slots;
  if (!oneMinute && !fiveMinutes && !heartRate) return null;

  const minuteOf = createSlotMinute(timeZone);
  const useOneMinute = (oneMinute?.length ?? 0) > 0 || !fiveMinutes;
  const stepSlots: StepSlot[] = uniqueByTime((useOneMinute ? oneMinute : fiveMinutes) ?? []);
  const stepSlotMinutes = useOneMinute ? ONE_MINUTE_SLOT : FIVE_MINUTE_SLOT;
  const hrSlots = uniqueByTime(heartRate ?? []);
  const hrSlotMinutes = heartRateSlotMinutes(hrSlots);

  const newest = { end: Number.NEGATIVE_INFINITY, minute: 0 };
  const seen = (slot: Slot, minute: number, length: number) => {
    const end = slot.timestamp + length * MINUTE_MS;
    if (end > newest.end) Object.assign(newest, { end, minute: Math.min(MINUTES_PER_DAY, minute + length) });
  };

  let steps: number[] | null = null;
  if (oneMinute || fiveMinutes) {
    const perHour = new Array<number>(HOURS_PER_DAY).fill(0);
    for (const slot of stepSlots) {
      const minute = minuteOf(slot);
      perHour[Math.floor(minute / 60)]! += slot.step_count;
      seen(slot, minute, stepSlotMinutes);
    }
    let total = 0;
    steps = perHour.map((count) => Math.round((total += count)));
  }

  const hrMax: (number | null)[] = [];
  const hrAvg: (number | null)[] = [];
  const hours = Array.from({ length: HOURS_PER_DAY }, () => ({ max: 0, sum: 0, count: 0 }));
  for (const slot of hrSlots) {
    const minute = minuteOf(slot);
    const hour = hours[Math.floor(minute / 60)]!;
    hour.max = Math.max(hour.max, slot.bpm);
    hour.sum += slot.bpm;
    hour.count += 1;
    seen(slot, minute, hrSlotMinutes);
  }
  let max = 0;
  let sum = 0;
  let count = 0;
  for (const hour of hours) {
    max = Math.max(max, hour.max);
    sum += hour.sum;
    count += hour.count;
    hrMax.push(count ? max : null);
    hrAvg.push(count ? Math.round((sum / count) * 10) / 10 : null);
  }

  const any = Number.isFinite(newest.end);
  return { steps, hrMax, hrAvg, newestAt: any ? newest.end : null, newestMinute: any ? newest.minute : null };
}

/**
 * A profile series at `minute` of the day (0–1440): the value by the end of the previous hour plus the
 * elapsed share of this hour's change. `start` is the value at 00:00 (0 steps; no heart rate yet).
 * For steps this assumes an even pace within the hour; for the running maximum and mean it is the
 * middle road between "by the hour's start" (too low) and "by its end" (too high).
 */
export function profileAt(series: readonly (number | null)[], minute: number, start: number | null): number | null {
  const clamped = Math.min(MINUTES_PER_DAY, Math.max(0, minute));
  if (clamped === MINUTES_PER_DAY) return series[HOURS_PER_DAY - 1] ?? null;
  const hour = Math.floor(clamped / 60);
  const share = (clamped - hour * 60) / 60;
  const before = hour === 0 ? start : (series[hour - 1] ?? null);
  const after = series[hour] ?? null;
  if (share === 0 || after === null) return before;
  if (before === null) return after;
  return before + share * (after - before);
}
