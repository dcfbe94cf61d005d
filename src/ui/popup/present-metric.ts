import type { GlanceDay, GlanceMetric } from '../../shared/glance';
import type { GlanceFormat } from '../glance-format';
import type { Translate } from '../i18n';
import { displayDigits, displayUnitFor, toDisplayDelta, toDisplayValue, type UnitSettings } from '../units';

/** A glance metric in words: what the popup shows, and what a screen reader says instead of the arrows. */
export interface PresentedMetric {
  /** "58 bpm"; null when the day has no value. */
  value: string | null;
  /** "↑ 300 vs. typical by 7:30 AM" and its spoken form; null without a comparison. */
  change: { shown: string; spoken: string } | null;
  /** "Typical by 7:30 AM: 2,400", "Usual: 58 bpm"; null without a typical value. */
  typical: string | null;
  /** "based on 10 days" when the typical value rests on fewer days than a full baseline. */
  basis: string | null;
  /** "so far" (today, nothing to compare with yet) or "Calibrating 4/14", with its spoken form. */
  note: { shown: string; spoken: string } | null;
  /** The 7-day sparkline as a sentence. */
  spark: string;
}

/**
 * What the glance's components render with, passed as props rather than read from context: they
 * use no hooks, so the popup's first frame ships without preact/hooks (docs/performance.md).
 */
export interface PresentDeps {
  t: Translate;
  format: GlanceFormat;
  settings: UnitSettings;
  /** Days a full baseline takes (`Glance.need`). */
  need: number;
}

/**
 * Words for one metric of a glance day. Values arrive canonical and rounded to `dp`; the member's
 * units convert them, and a comparison whose shown amount rounds to zero reads as "as usual".
 */
export function presentMetric(metric: GlanceMetric, day: GlanceDay, deps: PresentDeps): PresentedMetric {
  const { t, format, settings, need } = deps;
  const unit = displayUnitFor(metric.unit, settings);
  const digits = displayDigits(metric.unit, metric.dp, settings);
  const show = (value: number) => format.measure(toDisplayValue(value, metric.unit, settings), unit, digits);
  const byTime = metric.cmp === 'by_time' && day.at !== null;
  const time = day.at === null ? '' : format.clock(day.at);

  let change: PresentedMetric['change'] = null;
  let typical: string | null = null;
  if ((byTime || metric.cmp === 'baseline') && metric.typical !== null) {
    const usual = show(metric.typical);
    typical = byTime ? t('typicalByTime', time, usual) : t('typicalUsual', usual);
    if (metric.delta !== null) {
      const amount = format.measure(Math.abs(toDisplayDelta(metric.delta, metric.unit, settings)), unit, digits);
      // What the member sees decides: a difference that rounds to zero is "as usual".
      const direction = amount === format.measure(0, unit, digits) ? 'Same' : metric.delta > 0 ? 'Up' : 'Down';
      // cmpByTimeUp / cmpUsualDown / …: the amount (unless the same), then the time for by_time; the
      // spoken forms (…Sr) name the typical value after the amount.
      const key = `cmp${byTime ? 'ByTime' : 'Usual'}${direction}` as const;
      const amounts = direction === 'Same' ? [] : [amount];
      const times = byTime ? [time] : [];
      change = { shown: t(key, ...amounts, ...times), spoken: t(`${key}Sr`, ...amounts, usual, ...times) };
    }
  }

  let note: PresentedMetric['note'] = null;
  if (metric.cmp === 'calibrating') {
    note = { shown: t('tileCalibrating', metric.n, need), spoken: t('tileCalibratingSr', metric.n, need) };
  } else if (metric.value !== null && !typical && metric.sparkPartial) {
    // Today's running total with nothing to hold it against yet.
    note = { shown: t('soFar'), spoken: t('soFar') };
  }

  const present = metric.spark.filter((value): value is number => value !== null);
  let spark =
    metric.sparkLo === null || metric.sparkHi === null
      ? t('sparkNoData', metric.spark.length)
      : t('sparkSummary', show(metric.sparkLo), show(metric.sparkHi), present.length, metric.spark.length);
  if (metric.sparkPartial && metric.spark.at(-1) != null) spark += ` ${t('sparkPartialSr')}`;

  return {
    value: metric.value === null ? null : show(metric.value),
    change,
    typical,
    basis: typical && metric.n < need ? t('basedOnDays', metric.n) : null,
    note,
    spark,
  };
}
