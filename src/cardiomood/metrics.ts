import type { Metric, Unit } from '../shared/readings';
import { displayDecimals } from './display-decimals';
import type { Summary } from './summary-schema';

/** A metric plus how to read its daily value (and, for steps, the goal percentage) from a summary. */
export interface MetricDefinition extends Metric {
  read(summary: Summary): number | null;
  /** Percentage of the daily goal, for the metrics that have one. */
  goalPercent?(summary: Summary): number | null;
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function fieldOf(summary: Summary, family: string, field: string): number | null {
  const object = summary[family];
  if (!object || typeof object !== 'object' || Array.isArray(object)) return null;
  return finiteOrNull((object as Record<string, unknown>)[field]);
}

function documented(
  id: string,
  family: 'heart_rate' | 'activity',
  field: string,
  unit: Unit,
  options: { assumedUnit?: boolean; goalField?: string } = {},
): MetricDefinition {
  const { assumedUnit = false, goalField } = options;
  return {
    id,
    family,
    field,
    unit,
    assumedUnit,
    read: (summary) => fieldOf(summary, family, field),
    ...(goalField ? { goalPercent: (summary: Summary) => fieldOf(summary, family, goalField) } : {}),
  };
}

/**
 * The documented metrics (docs/cardiomood-api.md §7.2, §7.3), in display order: heart rate first, then steps and activity.
 * They are always shown, with null values when missing, so the popup layout does not jump around.
 * `heart_rate.*` already falls back to the legacy `*_daily_heat_rate` keys in the schema.
 */
export const DOCUMENTED_METRICS: readonly MetricDefinition[] = [
  documented('rest_hr', 'heart_rate', 'rest_daily_heart_rate', 'bpm'),
  documented('avg_hr', 'heart_rate', 'avg_daily_heart_rate', 'bpm'),
  documented('max_hr', 'heart_rate', 'max_daily_heart_rate', 'bpm'),
  documented('steps', 'activity', 'total_steps', 'steps', { goalField: 'daily_percent' }),
  documented('active_minutes', 'activity', 'active_minutes', 'minutes'),
  // The contract does not state these two units (§7.2, §11 #17): `assumedUnit` records that.
  documented('calories', 'activity', 'calories', 'kcal', { assumedUnit: true }),
  documented('distance', 'activity', 'distance', 'km', { assumedUnit: true }),
];

/**
 * The other documented `activity` fields (§7.2), for the cached day records, the popup's glance
 * (workouts, water glasses, the step goal) and the side panel (gait). They are not tiles of the
 * readings snapshot. Units: workouts and glasses are counts by their names; gait speed is m/s
 * (assumed, not documented: §7.2); move_every_hour, gait asymmetry and variability have no stated unit.
 */
export const ACTIVITY_EXTRA_METRICS: readonly MetricDefinition[] = [
  documented('step_goal_percent', 'activity', 'daily_percent', 'percent'),
  documented('workouts', 'activity', 'workouts', 'count'),
  documented('glasses', 'activity', 'total_glasses', 'count'),
  documented('move_every_hour', 'activity', 'move_every_hour', 'count', { assumedUnit: true }),
  documented('gait_speed', 'activity', 'avg_gait_speed', 'meters_per_second', { assumedUnit: true }),
  documented('gait_asymmetry', 'activity', 'avg_gait_asymmetry', 'none', { assumedUnit: true }),
  documented('gait_variability', 'activity', 'avg_gait_var', 'none', { assumedUnit: true }),
];

/** Families with a documented field list; everything else is discovered generically. */
const DOCUMENTED_FAMILIES: ReadonlySet<string> = new Set(['activity', 'heart_rate']);
/** Undocumented families the contract names (§9.1), in display order; unknown ones follow alphabetically. */
const FAMILY_ORDER = ['sleep', 'spo2', 'respiration_rate', 'temperature', 'stress'];
/** Numeric fields that identify or timestamp a record rather than measure anything. */
const NOT_A_MEASURE = /^(id|timestamp|version)$|_(id|at|timestamp)$/;

const word = (pattern: string) => new RegExp(`(^|_)(${pattern})(_|$)`);

/** Field-name rules, most specific first. Only used for undocumented fields, so always "assumed". */
const FIELD_UNITS: readonly [RegExp, Unit][] = [
  [/spo2|saturation/, 'percent'],
  [/temperature/, 'celsius'],
  [word('temp\\d*'), 'celsius'],
  [/respiration|breath/, 'breaths_per_minute'],
  [/heart_rate|bpm/, 'bpm'],
  [word('hr'), 'bpm'],
  [/percent/, 'percent'],
  [/speed/, 'meters_per_second'],
  [/steps/, 'steps'],
  [/calories|kcal/, 'kcal'],
  // SDK durations are minutes (§6); sleep stages (awake/rem/light/deep) are durations too.
  [/duration|minutes/, 'minutes'],
  [word('awake|rem|light|deep|time'), 'minutes'],
  [/count/, 'count'],
];

/** When the field name says nothing, what the family measures (§9.1). Stress has no unit. */
const FAMILY_UNITS: Readonly<Record<string, Unit>> = {
  spo2: 'percent',
  temperature: 'celsius',
  respiration_rate: 'breaths_per_minute',
};

/** A unit for an undocumented `<family>.<field>`, inferred from the names (always shown as assumed). */
export function inferUnit(family: string, field: string): Unit {
  const name = field.toLowerCase();
  for (const [pattern, unit] of FIELD_UNITS) if (pattern.test(name)) return unit;
  return FAMILY_UNITS[family.toLowerCase()] ?? 'none';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The generic metric `<family>.<field>` of an undocumented family (its unit inferred, so assumed). */
export function genericMetric(family: string, field: string): MetricDefinition {
  return {
    id: `${family}.${field}`,
    family,
    field,
    unit: inferUnit(family, field),
    assumedUnit: true,
    read: (s) => fieldOf(s, family, field),
  };
}

const familyRank = (family: string) => {
  const index = FAMILY_ORDER.indexOf(family);
  return index === -1 ? FAMILY_ORDER.length : index;
};

/** Generic metrics in display order: by family (§9.1 order, then unknown families alphabetically), then field. */
export function sortGenericMetrics<T extends { family: string; field: string }>(metrics: Iterable<T>): T[] {
  return [...metrics].sort(
    (a, b) => familyRank(a.family) - familyRank(b.family) || a.family.localeCompare(b.family) || a.field.localeCompare(b.field),
  );
}

/**
 * Generic metrics `<family>.<field>` for every numeric top-level field of every undocumented
 * sub-object found in `summaries` (nested objects and slot arrays are not daily values). Ordered by
 * family, then field name, so tiles keep their place from one refresh to the next.
 */
export function discoverGenericMetrics(summaries: readonly Summary[]): MetricDefinition[] {
  const found = new Map<string, MetricDefinition>();
  for (const summary of summaries) {
    for (const [family, object] of Object.entries(summary)) {
      if (family === 'date' || DOCUMENTED_FAMILIES.has(family) || !isPlainObject(object)) continue;
      for (const [field, value] of Object.entries(object)) {
        const id = `${family}.${field}`;
        if (found.has(id) || finiteOrNull(value) === null || NOT_A_MEASURE.test(field)) continue;
        found.set(id, genericMetric(family, field));
      }
    }
  }
  return sortGenericMetrics(found.values());
}

/**
 * The generic metrics among metric ids (a cached day record's keys): `<family>.<field>` ids of
 * undocumented families, in display order. Documented and other named ids are not generic.
 */
export function genericMetricsOfIds(ids: Iterable<string>): MetricDefinition[] {
  const named = new Set([...DOCUMENTED_METRICS, ...ACTIVITY_EXTRA_METRICS].map((metric) => metric.id));
  const generic = new Map<string, MetricDefinition>();
  for (const id of ids) {
    const dot = id.indexOf('.');
    if (dot === -1 || named.has(id) || generic.has(id)) continue;
    generic.set(id, genericMetric(id.slice(0, dot), id.slice(dot + 1)));
  }
  return sortGenericMetrics(generic.values());
}

/** The documented metrics followed by the generic ones present in `summaries`. */
export function metricsFor(summaries: readonly Summary[]): MetricDefinition[] {
  return [...DOCUMENTED_METRICS, ...discoverGenericMetrics(summaries)];
}

/** True when a summary carries any value the readings model can show. */
export function hasAnyValue(summary: Summary, metrics: readonly MetricDefinition[] = metricsFor([summary])): boolean {
  return metrics.some((metric) => metric.read(summary) !== null);
}

/** The plain `Metric` (what crosses messaging), without the reader functions. */
export function toMetric(metric: MetricDefinition): Metric {
  const { id, family, field, unit, assumedUnit } = metric;
  return { id, family, field, unit, assumedUnit, decimals: displayDecimals(metric) };
}
