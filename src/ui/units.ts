import type { Unit } from '../shared/readings';
import type { Settings } from '../shared/settings';

/** What a value is shown in after the member's unit choices. */
export type DisplayUnit =
  | 'bpm'
  | 'steps'
  | 'minutes'
  | 'kcal'
  | 'kilometer'
  | 'mile'
  | 'percent'
  | 'celsius'
  | 'fahrenheit'
  | 'breaths_per_minute'
  | 'meter-per-second'
  | 'mile-per-hour'
  | 'count'
  | 'none';

export type UnitSettings = Pick<Settings, 'units' | 'temperature'>;

const KM_TO_MI = 0.621371192;
const MPS_TO_MPH = 2.236936292;

export function displayUnitFor(unit: Unit, settings: UnitSettings): DisplayUnit {
  switch (unit) {
    case 'km':
      return settings.units === 'imperial' ? 'mile' : 'kilometer';
    case 'meters_per_second':
      return settings.units === 'imperial' ? 'mile-per-hour' : 'meter-per-second';
    case 'celsius':
      return settings.temperature === 'fahrenheit' ? 'fahrenheit' : 'celsius';
    default:
      return unit;
  }
}

/** A canonical value (as the background reports it) in the member's display unit. */
export function toDisplayValue(value: number, unit: Unit, settings: UnitSettings): number {
  return scale(value, unit, settings) + (unit === 'celsius' && settings.temperature === 'fahrenheit' ? 32 : 0);
}

/** A difference between two canonical values in the display unit (no offset for °F). */
export function toDisplayDelta(delta: number, unit: Unit, settings: UnitSettings): number {
  return scale(delta, unit, settings);
}

function scale(value: number, unit: Unit, settings: UnitSettings): number {
  if (unit === 'km' && settings.units === 'imperial') return value * KM_TO_MI;
  if (unit === 'meters_per_second' && settings.units === 'imperial') return value * MPS_TO_MPH;
  if (unit === 'celsius' && settings.temperature === 'fahrenheit') return (value * 9) / 5;
  return value;
}

/** Fraction digits that make sense for a display unit. */
export function fractionDigits(unit: DisplayUnit): number {
  switch (unit) {
    case 'kilometer':
    case 'mile':
    case 'celsius':
    case 'fahrenheit':
    case 'breaths_per_minute':
    case 'mile-per-hour':
      return 1;
    case 'meter-per-second':
    case 'count':
    case 'none':
      return 2;
    default:
      return 0;
  }
}
