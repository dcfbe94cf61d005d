import type { Translate } from './i18n';
import { fractionDigits, type DisplayUnit } from './units';

/** Units Intl formats itself (ECMA-402 sanctioned units and their -per- compounds). */
const INTL_UNITS: Partial<Record<DisplayUnit, string>> = {
  kilometer: 'kilometer',
  mile: 'mile',
  percent: 'percent',
  celsius: 'celsius',
  fahrenheit: 'fahrenheit',
  'meter-per-second': 'meter-per-second',
  'mile-per-hour': 'mile-per-hour',
};

export interface Format {
  locale: string;
  number(value: number, maxFractionDigits?: number): string;
  /** A display value with its unit, e.g. "6.1 km", "58 bpm", "7 h 32 min". */
  measure(value: number, unit: DisplayUnit): string;
  /** The unit alone, for chart titles and table headers ("km", "bpm"); empty for plain counts. */
  unitLabel(unit: DisplayUnit): string;
  /** 0–100 as a percentage ("84 %"). */
  percent(value: number): string;
  /** `YYYY-MM-DD` as a long date ("Saturday, November 28"). */
  longDate(isoDate: string): string;
  /** `YYYY-MM-DD` as a short date ("Nov 28"). */
  shortDate(isoDate: string): string;
  /** Epoch ms as a time of day, with the date when it is not today. */
  time(epochMs: number, now: number): string;
  /** A signed distance in time as words ("3 minutes ago", "in 2 minutes"). */
  relative(diffMs: number): string;
}

/** Calendar day of an instant in the local time zone, `YYYY-MM-DD`. */
export function localIsoDate(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Local noon of a calendar day: far from midnight, so no time zone shifts it to another day. */
export function dayToDate(isoDate: string): Date {
  const [y, m, d] = isoDate.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1, 12);
}

export function createFormat(locale: string, t: Translate): Format {
  // Intl constructors are slow next to format(); one instance per option set.
  const cache = new Map<string, Intl.NumberFormat>();
  const numberFormat = (options: Intl.NumberFormatOptions) => {
    const key = JSON.stringify(options);
    let format = cache.get(key);
    if (!format) {
      format = new Intl.NumberFormat(locale, options);
      cache.set(key, format);
    }
    return format;
  };
  // The side panel table formats ~1,500 cells per render: skip the options key for plain numbers.
  const plain: Intl.NumberFormat[] = [];
  const number = (value: number, maxFractionDigits = 0) =>
    (plain[maxFractionDigits] ??= new Intl.NumberFormat(locale, { maximumFractionDigits: maxFractionDigits })).format(value);
  const intlUnit = (value: number, unit: string, maxFractionDigits: number) =>
    numberFormat({ style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: maxFractionDigits }).format(value);
  const plural = new Intl.PluralRules(locale);
  const longDate = new Intl.DateTimeFormat(locale, { weekday: 'long', month: 'long', day: 'numeric' });
  const longDateWithYear = new Intl.DateTimeFormat(locale, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
  const shortDate = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' });
  const timeOfDay = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
  const dateTime = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });

  function measure(value: number, unit: DisplayUnit): string {
    const digits = fractionDigits(unit);
    const intl = INTL_UNITS[unit];
    if (intl) return intlUnit(value, intl, digits);
    const text = number(value, digits);
    switch (unit) {
      case 'bpm':
        return t('unitBpm', text);
      case 'steps':
        return plural.select(value) === 'one' ? t('unitStepsOne', text) : t('unitStepsOther', text);
      case 'kcal':
        return t('unitKcal', text);
      case 'breaths_per_minute':
        return t('unitBreathsPerMinute', text);
      case 'minutes': {
        const total = Math.round(value);
        if (Math.abs(total) < 60) return intlUnit(total, 'minute', 0);
        const hours = Math.trunc(total / 60);
        const minutes = Math.abs(total % 60);
        return minutes === 0 ? intlUnit(hours, 'hour', 0) : `${intlUnit(hours, 'hour', 0)} ${intlUnit(minutes, 'minute', 0)}`;
      }
      default:
        return text;
    }
  }

  function unitLabel(unit: DisplayUnit): string {
    const intl = INTL_UNITS[unit];
    if (intl) {
      return numberFormat({ style: 'unit', unit: intl, unitDisplay: 'short' })
        .formatToParts(1)
        .filter((part) => part.type === 'unit')
        .map((part) => part.value)
        .join('');
    }
    switch (unit) {
      case 'bpm':
        return t('unitLabelBpm');
      case 'steps':
        return t('unitLabelSteps');
      case 'kcal':
        return t('unitLabelKcal');
      case 'breaths_per_minute':
        return t('unitLabelBreathsPerMinute');
      case 'minutes':
        return t('unitLabelMinutes');
      default:
        return '';
    }
  }

  return {
    locale,
    number,
    measure,
    unitLabel,
    percent: (value) => intlUnit(value, 'percent', 0),
    longDate(isoDate) {
      const date = dayToDate(isoDate);
      return (date.getFullYear() === new Date().getFullYear() ? longDate : longDateWithYear).format(date);
    },
    shortDate: (isoDate) => shortDate.format(dayToDate(isoDate)),
    time: (epochMs, now) => (localIsoDate(epochMs) === localIsoDate(now) ? timeOfDay : dateTime).format(epochMs),
    relative(diffMs) {
      const seconds = Math.round(diffMs / 1000);
      const abs = Math.abs(seconds);
      if (abs < 60) return relative.format(seconds, 'second');
      if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
      if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
      return relative.format(Math.round(seconds / 86_400), 'day');
    },
  };
}
