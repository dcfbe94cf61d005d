import type { History } from '../shared/readings';
import { dateRange } from './local-date';
import { DOCUMENTED_METRICS, discoverGenericMetrics, toMetric } from './metrics';
import type { Summary } from './summary-schema';

/** Linear-interpolated quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

/** Every day from..to (gaps included) with each metric's value and the member's interquartile range. */
export function buildHistory(summaries: readonly Summary[], from: string, to: string, fetchedAt: number): History {
  const byDate = new Map(summaries.map((summary) => [summary.date, summary]));
  const metrics = [...DOCUMENTED_METRICS, ...discoverGenericMetrics(summaries)];
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
    days,
    metrics: metrics.map((metric) => {
      const values = days
        .map((day) => day.values[metric.id])
        .filter((v): v is number => typeof v === 'number')
        .sort((a, b) => a - b);
      return {
        ...toMetric(metric),
        range: values.length >= 4 ? { low: quantile(values, 0.25), high: quantile(values, 0.75) } : null,
      };
    }),
  };
}
