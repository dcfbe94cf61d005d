import { useContext } from 'preact/hooks';
import type { GlanceDay, GlanceSleep } from '../../shared/glance';
import { FirstFrame } from './first-frame';
import type { MessageKey } from '../i18n';
import { MetricBody } from './metric-body';
import type { PresentDeps } from './present-metric';

const STAGES = ['awake', 'rem', 'light', 'deep'] as const;

/**
 * The night that ended on this day's morning: time asleep, the stages as a bar (for the eye) and as a
 * list with each stage's time (for everyone, screen readers included), and the comparison with the
 * member's usual night. `sleep` is null when the day has no night the model could read.
 */
export function SleepCard({ sleep, day, deps, isToday }: { sleep: GlanceSleep | null; day: GlanceDay; deps: PresentDeps; isToday: boolean }) {
  const { t, format } = deps;
  // The first frame shows the bar's place, empty; the interactive popup draws it (see FirstFrame).
  const firstFrame = useContext(FirstFrame);
  const label = t(isToday ? 'sleepLastNight' : 'sleepNightBefore');
  if (!sleep) {
    return (
      <li class="card sleep" data-testid="metric-sleep">
        <h3>{label}</h3>
        <p class="muted small">{t('sleepNone')}</p>
      </li>
    );
  }
  const stages = STAGES.map((stage) => [stage, sleep[stage]] as const).filter((entry): entry is readonly [(typeof STAGES)[number], number] => entry[1] !== null);
  const total = stages.reduce((sum, [, minutes]) => sum + minutes, 0);
  return (
    <li class="card sleep" data-testid="metric-sleep">
      <div class="sleep-main">
        <MetricBody metric={sleep} day={day} deps={deps} label={label} />
      </div>
      {stages.length === STAGES.length && total > 0 && (
        <div class="sleep-stages">
          <div class="stage-bar" aria-hidden="true">
            {!firstFrame &&
              stages.map(([stage, minutes]) => <span key={stage} class={`stage-${stage}`} style={{ width: `${(100 * minutes) / total}%` }} />)}
          </div>
          <ul class="stage-list" aria-label={t('sleepStages')} data-testid="sleep-stages">
            {stages.map(([stage, minutes]) => (
              <li key={stage} data-stage={stage} data-minutes={String(minutes)}>
                <span class={`stage-key stage-${stage}`} aria-hidden="true" />
                {t(`field_${stage}` as MessageKey)} <span class="stage-time">{format.measure(minutes, 'minutes')}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}
