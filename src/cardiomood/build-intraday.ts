import type { Intraday } from '../shared/readings';
import type { Summary } from './summary-schema';

/** Heart rate and steps through one day, from the slots (1-minute steps, else 5-minute). */
export function buildIntraday(summary: Summary | undefined, date: string): Intraday {
  const heartRate = (summary?.heart_rate?.slots ?? []).map((slot) => ({ t: slot.timestamp, bpm: slot.bpm }));
  const stepSlots = summary?.activity?.slots?.length ? summary.activity.slots : (summary?.activity?.slots_five_minutes ?? []);
  const steps = stepSlots.map((slot) => ({ t: slot.timestamp, steps: slot.step_count }));
  return {
    date,
    heartRate: heartRate.sort((a, b) => a.t - b.t),
    steps: steps.sort((a, b) => a.t - b.t),
  };
}
