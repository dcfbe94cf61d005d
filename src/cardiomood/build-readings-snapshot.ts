import type { ReadingsSnapshot, Tile } from '../shared/readings';
import { addDays, dateRange } from './local-date';
import { DOCUMENTED_METRICS, discoverGenericMetrics, toMetric } from './metrics';
import type { Summary } from './summary-schema';

export const BASELINE_VALUES = 14;
export const BASELINE_WINDOW_DAYS = 28;
export const SPARKLINE_DAYS = 7;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Today's tiles: value, change against the member's own baseline (median of the most recent 14 values
 * in the previous 28 days: gaps don't stall calibration), and a 7-day sparkline.
 */
export function buildReadingsSnapshot(summaries: readonly Summary[], today: string, fetchedAt: number): ReadingsSnapshot {
  const byDate = new Map(summaries.map((summary) => [summary.date, summary]));
  const metrics = [...DOCUMENTED_METRICS, ...discoverGenericMetrics(summaries)];
  const todaySummary = byDate.get(today);
  const baselineDays = dateRange(addDays(today, -BASELINE_WINDOW_DAYS), addDays(today, -1)).reverse();
  const sparkDays = dateRange(addDays(today, -(SPARKLINE_DAYS - 1)), today);

  const tiles: Tile[] = metrics.map((metric) => {
    const value = todaySummary ? metric.read(todaySummary) : null;
    const previous = baselineDays
      .map((day) => {
        const summary = byDate.get(day);
        return summary ? metric.read(summary) : null;
      })
      .filter((v): v is number => v !== null)
      .slice(0, BASELINE_VALUES);
    const ready = previous.length >= BASELINE_VALUES;
    const baseline = ready ? median(previous) : null;
    return {
      ...toMetric(metric),
      value,
      goalPercent: metric.id === 'steps' && todaySummary ? (todaySummary.activity?.daily_percent ?? null) : null,
      baseline,
      baselineDays: previous.length,
      baselineNeeded: BASELINE_VALUES,
      delta: value !== null && baseline !== null ? value - baseline : null,
      sparkline: sparkDays.map((day) => {
        const summary = byDate.get(day);
        return summary ? metric.read(summary) : null;
      }),
    };
  });

  const dates = summaries.map((summary) => summary.date).sort();
  return {
    today,
    fetchedAt,
    hasToday: tiles.some((tile) => tile.value !== null),
    latestDate: dates.at(-1) ?? null,
    tiles,
  };
}
