import { localIsoDate } from '../shared/local-date';
import type { Translate } from './i18n';
import { fractionDigits, type DisplayUnit } from './units';

/** Display units that are Intl's own (ECMA-402 sanctioned units and their -per- compounds), by the same name. */
export const INTL_UNITS: ReadonlySet<DisplayUnit> = new Set(['kilometer', 'mile', 'percent', 'celsius', 'fahrenheit', 'kilometer-per-hour', 'mile-per-hour']);

/**
 * The formats the popup's glance uses. The popup's first frame builds only these: this module holds
 * nothing else, because a module shared with the popup's second chunk lands in its first file whole
 * (the side panel's unit labels and long dates are in format.ts).
 */
export interface GlanceFormat {
  locale: string;
  number(value: number, maxFractionDigits?: number): string;
  /** A display value with its unit, e.g. "6.1 km", "58 bpm", "7 h 32 min"; `digits` defaults to the unit's. */
  measure(value: number, unit: DisplayUnit, digits?: number): string;
  /** 0–100 as a percentage ("84 %"). */
  percent(value: number): string;
  /** `YYYY-MM-DD` as a short date ("Nov 28"). */
  shortDate(isoDate: string): string;
  /** Epoch ms as a time of day, with the date when it is not today. */
  time(epochMs: number, now: number): string;
  /** Epoch ms as a time of day, "yesterday 22:10", or a date and time further back. */
  when(epochMs: number, now: number): string;
  /** A minute of the day (0–1440) as a time of day ("7:30 AM", "07:30"). */
  clock(minuteOfDay: number): string;
  /** A signed distance in time as words ("3 minutes ago", "in 2 minutes"). */
  relative(diffMs: number): string;
}

/** Local noon of a calendar day: far from midnight, so no time zone shifts it to another day. */
export function dayToDate(isoDate: string): Date {
  const [y, m, d] = isoDate.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1, 12);
}

/** Made on first use: each Intl constructor costs the popup's first frame time it may not need. */
const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};

/** Intl constructors are slow next to format(): one instance per option set. */
export function numberFormats(locale: string): (options: Intl.NumberFormatOptions) => Intl.NumberFormat {
  const cache = new Map<string, Intl.NumberFormat>();
  return (options) => {
    const key = JSON.stringify(options);
    let format = cache.get(key);
    if (!format) {
      format = new Intl.NumberFormat(locale, options);
      cache.set(key, format);
    }
    return format;
  };
}

/** What the glance needs, and nothing the popup's first frame would carry for nothing. */
export function createGlanceFormat(locale: string, t: Translate): GlanceFormat {
  const numberFormat = numberFormats(locale);
  // The side panel table formats ~1,500 cells per render: skip the options key for plain numbers.
  const plain: Intl.NumberFormat[] = [];
  const number = (value: number, maxFractionDigits = 0) =>
    (plain[maxFractionDigits] ??= new Intl.NumberFormat(locale, { maximumFractionDigits: maxFractionDigits })).format(value);
  const intlUnit = (value: number, unit: string, maxFractionDigits: number) =>
    numberFormat({ style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: maxFractionDigits }).format(value);
  const dateFormat = (options: Intl.DateTimeFormatOptions) => once(() => new Intl.DateTimeFormat(locale, options));
  const plural = once(() => new Intl.PluralRules(locale));
  const shortDate = dateFormat({ month: 'short', day: 'numeric' });
  const timeOfDay = dateFormat({ hour: 'numeric', minute: '2-digit' });
  const dateTime = dateFormat({ month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  const relative = once(() => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));

  function measure(value: number, unit: DisplayUnit, digits = fractionDigits(unit)): string {
    if (INTL_UNITS.has(unit)) return intlUnit(value, unit, digits);
    const text = number(value, digits);
    switch (unit) {
      case 'bpm':
        return t('unitBpm', text);
      case 'steps':
        return plural().select(value) === 'one' ? t('unitStepsOne', text) : t('unitStepsOther', text);
      case 'kcal':
        return t('unitKcal', text);
      case 'breaths_per_minute':
        return t('unitBreathsPerMinute', text);
      case 'minutes': {
        // "7 h 12 min" / "7 Std. 12 Min.": Intl's own short hour ("7 hr") reads less like a duration.
        const total = Math.round(value);
        const hours = Math.trunc(total / 60);
        const minutes = Math.abs(total % 60);
        if (hours === 0) return t('unitMinutes', number(total));
        return minutes === 0 ? t('unitHours', number(hours)) : t('unitHoursMinutes', number(hours), number(minutes));
      }
      default:
        return text;
    }
  }

  const time = (epochMs: number, now: number) => (localIsoDate(epochMs) === localIsoDate(now) ? timeOfDay : dateTime)().format(epochMs);
  return {
    locale,
    number,
    measure,
    percent: (value) => intlUnit(value, 'percent', 0),
    shortDate: (isoDate) => shortDate().format(dayToDate(isoDate)),
    time,
    when: (epochMs, now) =>
      localIsoDate(epochMs) === localIsoDate(now, -1) ? t('atYesterday', timeOfDay().format(epochMs)) : time(epochMs, now),
    // Any day will do for a time of day: January 1st, far from every DST change.
    clock: (minute) => timeOfDay().format(new Date(2000, 0, 1, Math.floor(minute / 60), minute % 60)),
    relative(diffMs) {
      const seconds = Math.round(diffMs / 1000);
      const abs = Math.abs(seconds);
      const words = relative();
      if (abs < 60) return words.format(seconds, 'second');
      if (abs < 3600) return words.format(Math.round(seconds / 60), 'minute');
      if (abs < 86_400) return words.format(Math.round(seconds / 3600), 'hour');
      return words.format(Math.round(seconds / 86_400), 'day');
    },
  };
}

