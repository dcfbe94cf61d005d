import type { Metric, ReadingsSnapshot, Tile } from '../shared/readings';
import type { DayRecord } from './day-record';
import { addDays, dateRange } from '../shared/local-date';
import { DOCUMENTED_METRICS, genericMetricsOfIds, hasAnyValue, metricsFor, toMetric } from './metrics';
import { median } from './statistics';
import type { Summary } from './summary-schema';

/** The baseline is the median of this many values… */
export const BASELINE_VALUES = 14;
/** …taken from the most recent days with a value among this many days before today, so a few days off
 * the wrist delay calibration a little instead of stalling it. */
export const BASELINE_WINDOW_DAYS = 28;
export const SPARKLINE_DAYS = 7;

/** How a snapshot reads the days it is built from (summaries, or cached day records). */
interface SnapshotSource {
  metrics: readonly Metric[];
  /** A metric's value on a day; null without one. */
  valueOn(id: string, date: string): number | null;
  /** Steps only: today's percentage of the daily goal. */
  goalPercent(id: string): number | null;
  /** Days (any order) that carry a value of one of `metrics`. */
  datesWithData: readonly string[];
}

function snapshotFrom(source: SnapshotSource, today: string, fetchedAt: number): ReadingsSnapshot {
  // Most recent first, so slicing keeps the most recent values.
  const baselineDays = dateRange(addDays(today, -BASELINE_WINDOW_DAYS), addDays(today, -1)).reverse();
  const sparkDays = dateRange(addDays(today, -(SPARKLINE_DAYS - 1)), today);
  const tiles: Tile[] = source.metrics.map((metric) => {
    const readOn = (day: string) => source.valueOn(metric.id, day);
    const value = readOn(today);
    const previous = baselineDays
      .map(readOn)
      .filter((v): v is number => v !== null)
      .slice(0, BASELINE_VALUES);
    const baseline = previous.length >= BASELINE_VALUES ? median(previous) : null;
    return {
      ...metric,
      value,
      goalPercent: source.goalPercent(metric.id),
      baseline,
      baselineDays: previous.length,
      baselineNeeded: BASELINE_VALUES,
      delta: value !== null && baseline !== null ? value - baseline : null,
      sparkline: sparkDays.map(readOn),
    };
  });
  const dates = source.datesWithData.filter((date) => date <= today);
  return {
    today,
    fetchedAt,
    hasToday: dates.includes(today),
    latestDate: dates.length ? dates.reduce((a, b) => (a > b ? a : b)) : null,
    tiles,
  };
}

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
  const byId = new Map(metrics.map((metric) => [metric.id, metric]));
  const todaySummary = byDate.get(today);
  return snapshotFrom(
    {
      metrics: metrics.map(toMetric),
      valueOn: (id, date) => {
        const summary = byDate.get(date);
        return summary ? (byId.get(id)?.read(summary) ?? null) : null;
      },
      goalPercent: (id) => {
        const goal = byId.get(id)?.goalPercent;
        return todaySummary && goal ? goal(todaySummary) : null;
      },
      // A summary that exists but carries no value at all (every field null) is not "data".
      datesWithData: known.filter((summary) => hasAnyValue(summary, metrics)).map((summary) => summary.date),
    },
    today,
    fetchedAt,
  );
}

/**
 * The same snapshot from cached day records (what the background keeps instead of summaries): for
 * records built from the same summaries it equals `buildReadingsSnapshot`'s.
 */
export function buildReadingsSnapshotFromRecords(records: readonly DayRecord[], today: string, fetchedAt: number): ReadingsSnapshot {
  const byDate = new Map<string, DayRecord>();
  for (const record of records) if (record.date <= today) byDate.set(record.date, record);
  const metrics = [...DOCUMENTED_METRICS, ...genericMetricsOfIds([...byDate.values()].flatMap((record) => Object.keys(record.values)))];
  return snapshotFrom(
    {
      metrics: metrics.map(toMetric),
      valueOn: (id, date) => byDate.get(date)?.values[id] ?? null,
      // The record keeps the steps goal (`activity.daily_percent`) as its own value.
      goalPercent: (id) => (id === 'steps' ? (byDate.get(today)?.values.step_goal_percent ?? null) : null),
      datesWithData: [...byDate.values()]
        .filter((record) => metrics.some((metric) => record.values[metric.id] !== undefined))
        .map((record) => record.date),
    },
    today,
    fetchedAt,
  );
}
