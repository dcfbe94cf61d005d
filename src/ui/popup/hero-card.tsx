import { useContext } from 'preact/hooks';
import type { GlanceDay, GlanceMetric } from '../../shared/glance';
import { FirstFrame } from './first-frame';
import { MetricBody } from './metric-body';
import type { PresentDeps } from './present-metric';

/** One of the two small hero cards (resting heart rate; steps with its goal). */
export function HeroCard({ metric, day, deps, label }: { metric: GlanceMetric; day: GlanceDay; deps: PresentDeps; label: string }) {
  const goal = metric.goal ?? null;
  // The first frame shows the empty track; the interactive popup fills it (see FirstFrame).
  const firstFrame = useContext(FirstFrame);
  return (
    <li class="card hero" data-testid={`metric-${metric.id}`}>
      <MetricBody metric={metric} day={day} deps={deps} label={label}>
        {goal !== null && (
          <div class="goal">
            {deps.t('tileGoal', deps.format.percent(goal))}
            <div class="goal-bar" aria-hidden="true">
              {!firstFrame && <span style={{ width: `${Math.max(0, Math.min(100, goal))}%` }} />}
            </div>
          </div>
        )}
      </MetricBody>
    </li>
  );
}
