import type { Unit } from '../shared/readings';

/**
 * How many decimals a value is shown with, by canonical unit: what a member can tell apart, not what
 * the API happens to send (stress ranges read "30 – 39", not "30.25 – 38.75"). The same table serves
 * the popup, the side panel and the CSV, so every view of one value rounds it the same way.
 */
const UNIT_DECIMALS: Readonly<Record<Unit, number>> = {
  bpm: 0,
  steps: 0,
  minutes: 0,
  kcal: 0,
  // 10 m: the sandbox (and most trackers) report distance to two decimals.
  km: 2,
  // SpO2 and the step goal are whole percentages.
  percent: 0,
  celsius: 1,
  breaths_per_minute: 1,
  // Gait speed: 1.21 m/s; a tenth would hide a real change in walking pace.
  meters_per_second: 2,
  count: 0,
  none: 1,
};

/** Families whose values are whole scores, whatever unit their field names suggest. */
const FAMILY_DECIMALS: Readonly<Record<string, number>> = {
  // An EDA-based score 0–100 (docs/cardiomood-api.md §9.1): a fraction of a point means nothing.
  stress: 0,
};

/** Display decimals of a metric (0–2). */
export function displayDecimals(metric: { family: string; unit: Unit }): number {
  return FAMILY_DECIMALS[metric.family] ?? UNIT_DECIMALS[metric.unit];
}

/** `value` rounded half away from zero to `decimals` places (never `-0`). */
export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  const rounded = (Math.sign(value) * Math.round(Math.abs(value) * factor)) / factor;
  return rounded === 0 ? 0 : rounded;
}
