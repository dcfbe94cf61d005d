import type { Intraday } from '../shared/readings';
import type { Summary } from './summary-schema';

/** One value per timestamp (a repeated slot keeps its last value), ascending. */
function series<T>(points: readonly { t: number; value: T }[]): { t: number; value: T }[] {
  const byTime = new Map<number, T>();
  for (const point of points) byTime.set(point.t, point.value);
  return [...byTime].map(([t, value]) => ({ t, value })).sort((a, b) => a.t - b.t);
}

/**
 * Heart rate and steps through one day, from a summary fetched with `include_slots=1`. Steps use the
 * 1-minute `activity.slots` and fall back to `slots_five_minutes` when those are missing or empty.
 * Timestamps are epoch ms (the schema converted seconds); slots without a usable value were dropped there.
 */
export function buildIntraday(summary: Summary | undefined, date: string): Intraday {
  const hr = summary?.heart_rate?.slots ?? [];
  const oneMinute = summary?.activity?.slots ?? [];
  const stepSlots = oneMinute.length ? oneMinute : (summary?.activity?.slots_five_minutes ?? []);
  return {
    date,
    heartRate: series(hr.map((slot) => ({ t: slot.timestamp, value: slot.bpm }))).map(({ t, value }) => ({ t, bpm: value })),
    steps: series(stepSlots.map((slot) => ({ t: slot.timestamp, value: slot.step_count }))).map(({ t, value }) => ({
      t,
      steps: value,
    })),
  };
}
