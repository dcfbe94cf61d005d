import { dayToDate, createGlanceFormat, INTL_UNITS, numberFormats, type GlanceFormat } from './glance-format';
import type { Translate } from './i18n';
import type { DisplayUnit } from './units';

export { dayToDate, type GlanceFormat } from './glance-format';

export interface Format extends GlanceFormat {
  /** The unit alone, for chart titles and table headers ("km", "bpm"); empty for plain counts. */
  unitLabel(unit: DisplayUnit): string;
  /** `YYYY-MM-DD` as a long date ("Saturday, November 28"). */
  longDate(isoDate: string): string;
}

/** Every format a page uses: the glance's, and the unit labels and long dates of the side panel. */
export function createFormat(locale: string, t: Translate): Format {
  const numberFormat = numberFormats(locale);
  const longDate = new Intl.DateTimeFormat(locale, { weekday: 'long', month: 'long', day: 'numeric' });
  const longDateWithYear = new Intl.DateTimeFormat(locale, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });
  return {
    ...createGlanceFormat(locale, t),
    unitLabel(unit) {
      if (INTL_UNITS.has(unit)) {
        return numberFormat({ style: 'unit', unit, unitDisplay: 'short' })
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
    },
    longDate(isoDate) {
      const date = dayToDate(isoDate);
      return (date.getFullYear() === new Date().getFullYear() ? longDate : longDateWithYear).format(date);
    },
  };
}
