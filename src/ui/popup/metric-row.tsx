import type { GlanceDay, GlanceMetric } from '../../shared/glance';
import { MetricBody } from './metric-body';
import type { PresentDeps } from './present-metric';

/** A compact row under the heroes: label and comparison on the left, value and week on the right (popup.css). */
export function MetricRow({ metric, day, deps, label }: { metric: GlanceMetric; day: GlanceDay; deps: PresentDeps; label: string }) {
  return (
    <li class="row" data-testid={`metric-${metric.id}`}>
      <MetricBody metric={metric} day={day} deps={deps} label={label} compact />
    </li>
  );
}
