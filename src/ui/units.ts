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
  | 'kilometer-per-hour'
  | 'mile-per-hour'
  | 'count'
  | 'none';

export type UnitSettings = Pick<Settings, 'units' | 'temperature'>;

const KM_TO_MI = 0.621371192;
const MPS_TO_MPH = 2.236936292;
const MPS_TO_KMH = 3.6;

export function displayUnitFor(unit: Unit, settings: UnitSettings): DisplayUnit {
  switch (unit) {
    case 'km':
      return settings.units === 'imperial' ? 'mile' : 'kilometer';
    // Speed is shown as people read it on a treadmill or a speed sign, never in m/s.
    case 'meters_per_second':
      return settings.units === 'imperial' ? 'mile-per-hour' : 'kilometer-per-hour';
    case 'celsius':
      return settings.temperature === 'fahrenheit' ? 'fahrenheit' : 'celsius';
    default:
      return unit;
  }
}

/** A canonical value (as the background reports it) in the member's display unit. */
export function toDisplayValue(value: number, unit: Unit, settings: UnitSettings): number {
  return value * factor(unit, settings) + (unit === 'celsius' && settings.temperature === 'fahrenheit' ? 32 : 0);
}

/** A difference between two canonical values in the display unit (no offset for °F). */
export function toDisplayDelta(delta: number, unit: Unit, settings: UnitSettings): number {
  return delta * factor(unit, settings);
}

/** Canonical → display unit, as a factor: 1 when the member's settings show `unit` as it is. */
function factor(unit: Unit, settings: UnitSettings): number {
  const imperial = settings.units === 'imperial';
  if (unit === 'km') return imperial ? KM_TO_MI : 1;
  if (unit === 'meters_per_second') return imperial ? MPS_TO_MPH : MPS_TO_KMH;
  return unit === 'celsius' && settings.temperature === 'fahrenheit' ? 9 / 5 : 1;
}

/** Fraction digits that make sense for a display unit. */
export function fractionDigits(unit: DisplayUnit): number {
  switch (unit) {
    case 'celsius':
    case 'fahrenheit':
    case 'breaths_per_minute':
    case 'kilometer-per-hour':
    case 'mile-per-hour':
      return 1;
    // Distance to 10 m (the readings model's km decimals), and the same for miles.
    case 'kilometer':
    case 'mile':
    case 'count':
    case 'none':
      return 2;
    default:
      return 0;
  }
}

/**
 * Decimals for a value of canonical `unit` as shown: the metric's own display decimals (`dp`, from
 * the readings model: stress 0, gait 2 m/s …) while it is shown in its own unit, the display unit's
 * once converted (a tenth of a mile per hour, not a hundredth).
 */
export function displayDigits(unit: Unit, dp: number | undefined, settings: UnitSettings): number {
  return dp !== undefined && factor(unit, settings) === 1 ? dp : fractionDigits(displayUnitFor(unit, settings));
}
