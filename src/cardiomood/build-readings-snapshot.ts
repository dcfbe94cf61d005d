import type { ReadingsSnapshot, Tile } from '../shared/readings';
import { addDays, dateRange } from './local-date';
import { hasAnyValue, metricsFor, toMetric } from './metrics';
import { median } from './statistics';
import type { Summary } from './summary-schema';

/** The baseline is the median of this many values… */
export const BASELINE_VALUES = 14;
/** …taken from the most recent days with a value among this many days before today, so a few days off
 * the wrist delay calibration a little instead of stalling it. */
export const BASELINE_WINDOW_DAYS = 28;
export const SPARKLINE_DAYS = 7;

/**
 * Today's tiles for the popup: each metric's value today, its change against the member's own
 * baseline, and a 7-day sparkline.
 *
 * - The 7 documented tiles are always there (null values when missing); generic `<family>.<field>`
 *   tiles only when that family has a numeric value somewhere in `summaries`.
 * - baseline = median of the most recent 14 values on days before `today` within the previous 28
 *   days; `baselineDays` counts the values found; baseline and delta only once 14 were found.
 * - `summaries` need not be sorted or unique (last one per date wins); days after `today` are ignored.
 */
export function buildReadingsSnapshot(summaries: readonly Summary[], today: string, fetchedAt: number): ReadingsSnapshot {
  const byDate = new Map<string, Summary>();
  for (const summary of summaries) if (summary.date <= today) byDate.set(summary.date, summary);
  const known = [...byDate.values()];
  const metrics = metricsFor(known);
  const todaySummary = byDate.get(today);
  // Most recent first, so slicing keeps the most recent values.
  const baselineDays = dateRange(addDays(today, -BASELINE_WINDOW_DAYS), addDays(today, -1)).reverse();
  const sparkDays = dateRange(addDays(today, -(SPARKLINE_DAYS - 1)), today);

  const tiles: Tile[] = metrics.map((metric) => {
    const readOn = (day: string): number | null => {
      const summary = byDate.get(day);
      return summary ? metric.read(summary) : null;
    };
    const value = readOn(today);
    const previous = baselineDays
      .map(readOn)
      .filter((v): v is number => v !== null)
      .slice(0, BASELINE_VALUES);
    const baseline = previous.length >= BASELINE_VALUES ? median(previous) : null;
    return {
      ...toMetric(metric),
      value,
      goalPercent: todaySummary && metric.goalPercent ? metric.goalPercent(todaySummary) : null,
      baseline,
      baselineDays: previous.length,
      baselineNeeded: BASELINE_VALUES,
      delta: value !== null && baseline !== null ? value - baseline : null,
      sparkline: sparkDays.map(readOn),
    };
  });

  // A summary that exists but carries no value at all (every field null) is not "data".
  const withData = known.filter((summary) => hasAnyValue(summary, metrics)).map((summary) => summary.date);
  return {
    today,
    fetchedAt,
    hasToday: todaySummary !== undefined && hasAnyValue(todaySummary, metrics),
    latestDate: withData.length ? withData.reduce((a, b) => (a > b ? a : b)) : null,
    tiles,
  };
}
