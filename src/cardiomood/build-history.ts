import type { History, Metric } from '../shared/readings';
import { hasValues, type DayRecord } from './day-record';
import { dateRange } from '../shared/local-date';
import { ACTIVITY_EXTRA_METRICS, DOCUMENTED_METRICS, genericMetricsOfIds, metricsFor, toMetric } from './metrics';
import { quantile } from './statistics';
import type { Summary } from './summary-schema';

/** Fewer values than this make an interquartile range meaningless: no personal range then. */
export const RANGE_MIN_VALUES = 4;

type HistoryDay = History['days'][number];

/** Each metric's personal range over the days: the interquartile range (p25–p75) of its values. */
function withRanges(metrics: readonly Metric[], days: readonly HistoryDay[]): History['metrics'] {
  return metrics.map((metric) => {
    const values = days.map((day) => day.values[metric.id]).filter((v): v is number => typeof v === 'number');
    const low = values.length >= RANGE_MIN_VALUES ? quantile(values, 0.25) : null;
    const high = values.length >= RANGE_MIN_VALUES ? quantile(values, 0.75) : null;
    return { ...metric, range: low !== null && high !== null ? { low, high } : null };
  });
}

/**
 * The history view: every calendar day `from`…`to` ascending (days without a summary have
 * `hasData: false` and null values), each metric's value per day, and each metric's personal range,
 * the interquartile range (p25–p75) of its values over the period, for shading "usual for you".
 * Documented metrics are always listed; generic ones when present in the period.
 */
export function buildHistory(summaries: readonly Summary[], from: string, to: string, fetchedAt: number): History {
  const byDate = new Map<string, Summary>();
  for (const summary of summaries) if (summary.date >= from && summary.date <= to) byDate.set(summary.date, summary);
  const metrics = metricsFor([...byDate.values()]);
  const days = dateRange(from, to).map((date) => {
    const summary = byDate.get(date);
    return {
      date,
      hasData: summary !== undefined,
      values: Object.fromEntries(metrics.map((metric) => [metric.id, summary ? metric.read(summary) : null])),
    };
  });
  return { from, to, fetchedAt, metrics: withRanges(metrics.map(toMetric), days), days };
}

/**
 * The same history from cached day records (what the background keeps instead of summaries). The
 * documented metrics are always listed; the other activity fields (workouts, glasses, gait…) and the
 * generic `<family>.<field>` ones when a day of the period has them. A record without any value (a day
 * CardioMood returned nothing for) is a day without data.
 */
export function buildHistoryFromRecords(records: readonly DayRecord[], from: string, to: string, fetchedAt: number): History {
  const byDate = new Map<string, DayRecord>();
  for (const record of records) if (record.date >= from && record.date <= to) byDate.set(record.date, record);
  const present = new Set([...byDate.values()].flatMap((record) => Object.keys(record.values)));
  const metrics = [
    ...DOCUMENTED_METRICS,
    ...ACTIVITY_EXTRA_METRICS.filter((metric) => present.has(metric.id)),
    ...genericMetricsOfIds(present),
  ].map(toMetric);
  const days = dateRange(from, to).map((date) => {
    const record = byDate.get(date);
    return {
      date,
      hasData: hasValues(record),
      values: Object.fromEntries(metrics.map((metric) => [metric.id, record?.values[metric.id] ?? null])),
    };
  });
  return { from, to, fetchedAt, metrics: withRanges(metrics, days), days };
}
