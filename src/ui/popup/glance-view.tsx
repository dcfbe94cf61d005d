import type { ComponentChildren } from 'preact';
import type { Glance, GlanceMetric } from '../../shared/glance';
import { localIsoDate } from '../../shared/local-date';
import type { GlanceFormat } from '../glance-format';
import type { MessageKey, Translate } from '../i18n';
import type { UnitSettings } from '../units';
import { DaySwitch, type GlanceDayKey } from './day-switch';
import { HeroCard } from './hero-card';
import { MetricRow } from './metric-row';
import type { PresentDeps } from './present-metric';
import { SleepCard } from './sleep-card';
import { SyncLine } from './sync-line';

export interface GlanceSettings extends UnitSettings {
  /** Metric ids the member chose to hide (`sleep` hides the sleep card). */
  hidden: readonly string[];
}

export interface GlanceViewProps {
  glance: Glance;
  settings: GlanceSettings;
  /** The day shown, and what choosing the other one does (the popup holds the choice). */
  day: GlanceDayKey;
  onDay(day: GlanceDayKey): void;
  t: Translate;
  format: GlanceFormat;
  now: number;
  /** Shown between the day switch and the cards (offline, no data today, an old view's age). */
  notices?: ComponentChildren;
}

const PANEL_ID = 'glance-panel';

/**
 * The member's glance: Today / Yesterday, the sync times, the heroes (resting heart rate, last
 * night's sleep, steps with the goal; sleep and resting heart rate first in the morning) and the
 * compact rows. Pure rendering from props (no request, no hook, no context), so the popup paints it
 * in its first frame from storage before any library but Preact has loaded.
 */
export function GlanceView({ glance, settings, day: selected, onDay, t, format, now, notices }: GlanceViewProps) {
  const day = glance[selected];
  const deps: PresentDeps = { t, format, settings, need: glance.need };
  const shown = (id: string) => !settings.hidden.includes(id);
  const label = (id: string) => t(`metric_${id}` as MessageKey) || id;

  // "Today" and "Yesterday" only while they are: a view kept from an earlier day says its dates.
  const today = localIsoDate(now);
  const labels = {
    today: glance.today.date === today ? t('today') : format.shortDate(glance.today.date),
    yesterday: glance.yesterday.date === localIsoDate(now, -1) ? t('yesterday') : format.shortDate(glance.yesterday.date),
  };
  const hero = (metric: GlanceMetric) => shown(metric.id) && <HeroCard key={metric.id} metric={metric} day={day} deps={deps} label={label(metric.id)} />;
  // One card for sleep on both days when either has a night, so switching days does not move the cards.
  const sleep = shown('sleep') && (glance.today.sleep || glance.yesterday.sleep) && (
    <SleepCard key="sleep" sleep={day.sleep} day={day} deps={deps} isToday={selected === 'today'} />
  );
  const heroes = glance.lead === 'morning' ? [sleep, hero(day.restHr), hero(day.steps)] : [hero(day.steps), hero(day.restHr), sleep];
  const rows = day.rows.filter((row) => shown(row.id));
  return (
    <section class="glance" data-testid="glance" data-day={selected} data-date={day.date} data-lead={glance.lead} aria-label={t('glanceLabel')}>
      <div class="glance-head">
        <DaySwitch selected={selected} labels={labels} panelId={PANEL_ID} label={t('daySwitchLabel')} onSelect={onDay} />
        <SyncLine glance={glance} now={now} t={t} format={format} />
      </div>
      <div role="status" class="notices">
        {notices}
      </div>
      <div role="tabpanel" id={PANEL_ID} aria-labelledby={`day-${selected}`} tabIndex={0} class="day-panel">
        <ul class="heroes">{heroes}</ul>
        {rows.length > 0 && (
          <ul class="rows">
            {rows.map((row) => (
              <MetricRow key={row.id} metric={row} day={day} deps={deps} label={label(row.id)} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
