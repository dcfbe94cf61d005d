import type { History } from '../../shared/readings';
import type { Settings } from '../../shared/settings';
import { dayToDate } from '../format';
import { displayDigits, displayUnitFor, toDisplayValue, type DisplayUnit } from '../units';

export type HistoryMetric = History['metrics'][number];

export interface MetricSeries {
  metric: HistoryMetric;
  unit: DisplayUnit;
  /** Decimals the values are shown with (the metric's own, or the display unit's once converted). */
  digits: number;
  /** Canonical value → display unit (km → mi, m/s → km/h, °C → °F). */
  convert: (value: number) => number;
  /** Display values per day (null = no value), aligned with HistoryView.dates. */
  values: Array<number | null>;
  /** Canonical values per day, for the table's data-value. */
  raw: Array<number | null>;
  band: { low: number; high: number } | null;
}

export interface HistoryView {
  dates: string[];
  /** Local midnight of each day in epoch seconds (uPlot's x axis). */
  xs: number[];
  series: MetricSeries[];
  /** The most recent day with data in the period, or null. */
  latestWithData: string | null;
}

/**
 * What the side panel draws for a History: metrics the member has not hidden and that have at least
 * one value in the period, converted to the member's units. Pure, so the 90-day path stays cheap to
 * test and to time.
 */
export function historyView(history: History, settings: Settings): HistoryView {
  const dates = history.days.map((day) => day.date);
  const xs = dates.map((date) => {
    const noon = dayToDate(date);
    noon.setHours(0, 0, 0, 0);
    return noon.getTime() / 1000;
  });
  const series: MetricSeries[] = [];
  for (const metric of history.metrics) {
    if (settings.hiddenTiles.includes(metric.id)) continue;
    const raw = history.days.map((day) => day.values[metric.id] ?? null);
    if (raw.every((value) => value === null)) continue;
    const convert = (value: number) => toDisplayValue(value, metric.unit, settings);
    series.push({
      metric,
      unit: displayUnitFor(metric.unit, settings),
      digits: displayDigits(metric.unit, metric.decimals, settings),
      convert,
      values: raw.map((value) => (value === null ? null : convert(value))),
      raw,
      band: metric.range ? { low: convert(metric.range.low), high: convert(metric.range.high) } : null,
    });
  }
  const latestWithData = [...history.days].reverse().find((day) => day.hasData)?.date ?? null;
  return { dates, xs, series, latestWithData };
}
