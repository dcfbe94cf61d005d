import type { MessageKey, Translate } from './i18n';

/**
 * Metric ids the options page always offers, whether or not today's readings carry them: the
 * popup's (its glance, sleep included) and the side panel's documented ones. Other ids appear once
 * the readings contain them.
 */
export const KNOWN_TILE_IDS = [
  'rest_hr',
  'sleep',
  'steps',
  'avg_hr',
  'max_hr',
  'active_minutes',
  'workouts',
  'glasses',
  'calories',
  'distance',
  'gait_speed',
] as const;

/** Summary sub-objects the contract names but does not document (their fields arrive as `<family>.<field>`). */
const AGGREGATES: Record<string, MessageKey> = {
  avg: 'metricAggregateAverage',
  average: 'metricAggregateAverage',
  mean: 'metricAggregateAverage',
  max: 'metricAggregateMaximum',
  min: 'metricAggregateMinimum',
  rest: 'metricAggregateResting',
  resting: 'metricAggregateResting',
  total: 'metricAggregateTotal',
};

/** Message names allow only ASCII letters, digits and `_`; a generic id (`spo2.avg_daily_spo2`) never has its own. */
const MESSAGE_NAME = /^[A-Za-z0-9_]+$/;

function lookup(t: Translate, key: string): string {
  return MESSAGE_NAME.test(key) ? t(key as MessageKey) : '';
}

/** "avg_daily_spo2" → "Avg daily spo2": the last resort for a field nobody translated. */
export function humanize(name: string): string {
  const words = name.replace(/[._-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A label for a metric: its own message for the documented ones (`metric_rest_hr`), else the
 * translated family with the aggregate the field name spells ("SpO₂ (average)"), else the family
 * with the field's own message (`field_rem` → "Sleep · REM") or the field humanized.
 */
export function metricLabel(metric: { id: string; family: string; field: string }, t: Translate): string {
  const own = lookup(t, `metric_${metric.id}`);
  if (own) return own;
  const family = lookup(t, `family_${metric.family}`) || humanize(metric.family);
  const parts = metric.field.toLowerCase().split('_').filter((part) => part !== 'daily');
  const aggregate = parts[0] ? AGGREGATES[parts[0]] : undefined;
  const subject = parts.slice(1).join('_');
  const familyWords = [metric.family.toLowerCase(), metric.family.toLowerCase().replace(/_rate$/, '')];
  if (aggregate && (subject === '' || familyWords.includes(subject) || subject.startsWith(familyWords[1] ?? '\0'))) {
    return t(aggregate, family);
  }
  return `${family} · ${lookup(t, `field_${metric.field}`) || humanize(metric.field)}`;
}
