import type { Metric, Unit } from '../shared/readings';
import type { Summary } from './summary-schema';

export interface MetricDefinition extends Metric {
  read(summary: Summary): number | null;
}

const documented = (
  id: string,
  family: 'activity' | 'heart_rate',
  field: string,
  unit: Unit,
  assumedUnit = false,
): MetricDefinition => ({
  id,
  family,
  field,
  unit,
  assumedUnit,
  read: (summary) => numberOr(summary[family] as Record<string, unknown> | undefined, field),
});

/** The documented metrics, in display order; always shown so the popup layout stays stable. */
export const DOCUMENTED_METRICS: readonly MetricDefinition[] = [
  documented('rest_hr', 'heart_rate', 'rest_daily_heart_rate', 'bpm'),
  documented('avg_hr', 'heart_rate', 'avg_daily_heart_rate', 'bpm'),
  documented('max_hr', 'heart_rate', 'max_daily_heart_rate', 'bpm'),
  documented('steps', 'activity', 'total_steps', 'steps'),
  documented('active_minutes', 'activity', 'active_minutes', 'minutes'),
  // The contract does not state these units (§7.2, §11 #17): shown as assumptions.
  documented('calories', 'activity', 'calories', 'kcal', true),
  documented('distance', 'activity', 'distance', 'km', true),
];

const KNOWN_FAMILIES = new Set(['date', 'activity', 'heart_rate']);
const FAMILY_ORDER = ['sleep', 'spo2', 'stress', 'respiration_rate', 'temperature'];

function numberOr(object: Record<string, unknown> | undefined, field: string): number | null {
  const value = object?.[field];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Units for sub-objects the contract does not document, guessed from names (always "assumed"). */
export function inferUnit(family: string, field: string): Unit {
  const name = `${family}.${field}`;
  if (/spo2/.test(name)) return 'percent';
  if (/temp/.test(name)) return 'celsius';
  if (/respiration|breath/.test(name)) return 'breaths_per_minute';
  if (/heart_rate|bpm/.test(name)) return 'bpm';
  if (family === 'sleep' || /duration|minutes/.test(field)) return 'minutes';
  if (/percent/.test(field)) return 'percent';
  if (/steps/.test(field)) return 'steps';
  return 'none';
}

/**
 * Generic metrics for every numeric field of every undocumented sub-object present in the data,
 * ids `<family>.<field>`, known families first.
 */
export function discoverGenericMetrics(summaries: readonly Summary[]): MetricDefinition[] {
  const found = new Map<string, MetricDefinition>();
  for (const summary of summaries) {
    for (const [family, value] of Object.entries(summary)) {
      if (KNOWN_FAMILIES.has(family) || !value || typeof value !== 'object' || Array.isArray(value)) continue;
      for (const [field, fieldValue] of Object.entries(value as Record<string, unknown>)) {
        const id = `${family}.${field}`;
        if (found.has(id) || typeof fieldValue !== 'number' || !Number.isFinite(fieldValue)) continue;
        found.set(id, {
          id,
          family,
          field,
          unit: inferUnit(family, field),
          assumedUnit: true,
          read: (s) => numberOr(s[family] as Record<string, unknown> | undefined, field),
        });
      }
    }
  }
  const rank = (family: string) => {
    const index = FAMILY_ORDER.indexOf(family);
    return index === -1 ? FAMILY_ORDER.length : index;
  };
  return [...found.values()].sort((a, b) => rank(a.family) - rank(b.family) || a.id.localeCompare(b.id));
}

export function toMetric({ read: _read, ...metric }: MetricDefinition): Metric {
  return metric;
}
