import type { ComponentChildren } from 'preact';
import type { GlanceDay, GlanceMetric } from '../../shared/glance';
import { presentMetric, type PresentDeps } from './present-metric';
import { Sparkline } from './sparkline';

export interface MetricBodyProps {
  metric: GlanceMetric;
  day: GlanceDay;
  deps: PresentDeps;
  label: string;
  /** Rows leave the typical value to the spoken comparison (it is in the sentence a screen reader reads). */
  compact?: boolean;
  /** Under the value (the steps goal). */
  children?: ComponentChildren;
}

/**
 * One metric as every card and row of the glance shows it: label, value (`data-value` canonical, a
 * dash and "no value" without one), the comparison (arrows for the eye, a sentence for the ear),
 * the typical value, "based on n days" or the note ("so far", "Calibrating 4/14"), and the week.
 */
export function MetricBody({ metric, day, deps, label, compact = false, children }: MetricBodyProps) {
  const { t } = deps;
  const { value, change, typical, basis, note, spark } = presentMetric(metric, day, deps);
  // Without a change (no value yet today) the typical value is the comparison, compact or not.
  const shownTypical = compact && change ? null : typical;
  return (
    <>
      <h3>{label}</h3>
      <p class="value" data-testid="metric-value" data-value={metric.value === null ? '' : String(metric.value)}>
        {value ?? (
          <>
            <span aria-hidden="true">—</span>
            <span class="sr-only">{t('tileNoValue')}</span>
          </>
        )}
      </p>
      {children}
      <div class="cmps">
        {change && (
          <p data-testid="metric-change">
            <span aria-hidden="true">{change.shown}</span>
            <span class="sr-only">{change.spoken}</span>
          </p>
        )}
        {shownTypical && <p data-testid="metric-typical">{shownTypical}</p>}
        {basis && <p data-testid="metric-basis">{basis}</p>}
        {note && (
          <p data-testid="metric-note">
            {note.shown === note.spoken ? (
              note.shown
            ) : (
              <>
                <span aria-hidden="true">{note.shown}</span>
                <span class="sr-only">{note.spoken}</span>
              </>
            )}
          </p>
        )}
      </div>
      <Sparkline metric={metric} />
      <p class="sr-only">{spark}</p>
    </>
  );
}
