import type { Format } from '../format';
import type { Translate } from '../i18n';
import { metricLabel } from '../metric-labels';
import type { MetricSeries } from './history-view';

/** "Steps (steps)" says nothing twice: the unit is left out when it only repeats the metric's name. */
export const unitAfter = (label: string, unit: string) =>
  unit && unit.toLocaleLowerCase() !== label.toLocaleLowerCase() ? unit : '';

/** A series' name and its display unit, as chart titles and column headers show them. */
export function seriesLabel(series: MetricSeries, t: Translate, format: Format): { label: string; unit: string; text: string } {
  const label = metricLabel(series.metric, t);
  const unit = unitAfter(label, format.unitLabel(series.unit));
  return { label, unit, text: unit ? `${label} (${unit})` : label };
}
