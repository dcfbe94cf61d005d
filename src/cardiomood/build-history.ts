import type { History } from '../shared/readings';
import { dateRange } from './local-date';
import { metricsFor, toMetric } from './metrics';
import { quantile } from './statistics';
import type { Summary } from './summary-schema';

/** Fewer values than this make an interquartile range meaningless: no personal range then. */
export const RANGE_MIN_VALUES = 4;

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
  return {
    from,
    to,
    fetchedAt,
    metrics: metrics.map((metric) => {
      const values = days.map((day) => day.values[metric.id]).filter((v): v is number => typeof v === 'number');
      const low = values.length >= RANGE_MIN_VALUES ? quantile(values, 0.25) : null;
      const high = values.length >= RANGE_MIN_VALUES ? quantile(values, 0.75) : null;
      return { ...toMetric(metric), range: low !== null && high !== null ? { low, high } : null };
    }),
    days,
  };
}
