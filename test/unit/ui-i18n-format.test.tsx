// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { DOCUMENTED_METRICS } from '../../src/cardiomood/metrics';
import { ERROR_CODES } from '../../src/shared/error-codes';
import { createFormat } from '../../src/ui/format';
import { createTranslate, resolveLocale } from '../../src/ui/i18n';
import { humanize, KNOWN_TILE_IDS, metricLabel } from '../../src/ui/metric-labels';
import { displayDigits, displayUnitFor, toDisplayDelta, toDisplayValue } from '../../src/ui/units';
import { getMessageFrom, LOCALES, type Messages } from './support/ui-harness';

const en = LOCALES.en;
const de = LOCALES.de;
const placeholdersIn = (text: string) => [...text.matchAll(/\$([A-Za-z0-9_]+)\$/g)].map((m) => m[1]!.toLowerCase()).sort();
const declared = (messages: Messages, key: string) => Object.keys(messages[key]?.placeholders ?? {}).sort();

describe('messages.json', () => {
  it('should have a German message for every English key and no other', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
  });

  it.each(Object.keys(en))('should translate %s with the same placeholders in both languages', (key) => {
    expect(de[key]!.message.trim()).not.toBe('');
    expect(en[key]!.message.trim()).not.toBe('');
    expect(declared(de, key)).toEqual(declared(en, key));
    // Every placeholder used is declared and every declared one is used (Chrome drops unknown ones silently).
    for (const messages of [en, de]) {
      expect([...new Set(placeholdersIn(messages[key]!.message))]).toEqual(declared(messages, key));
      for (const [index, name] of Object.keys(messages[key]!.placeholders ?? {}).entries()) {
        expect(messages[key]!.placeholders![name]!.content, `${key}.${name}`).toBe(`$${index + 1}`);
      }
    }
  });

  it('should use only message names browsers accept', () => {
    for (const key of Object.keys(en)) expect(key).toMatch(/^[A-Za-z0-9_]+$/);
  });

  it('should keep the manifest keys', () => {
    for (const key of ['extName', 'extDescription', 'actionTitle']) expect(en[key]).toBeDefined();
  });

  it.each(ERROR_CODES)('should explain error %s in both languages', (code) => {
    expect(en[`error_${code}`]).toBeDefined();
    expect(de[`error_${code}`]!.message).not.toBe(en[`error_${code}`]!.message);
  });

  it.each(DOCUMENTED_METRICS.map((metric) => metric.id))('should name documented metric %s', (id) => {
    expect(en[`metric_${id}`]).toBeDefined();
  });

  it('should offer every documented metric, the sleep card and the named activity fields in the options, each with its own label', () => {
    expect(KNOWN_TILE_IDS).toEqual(expect.arrayContaining(DOCUMENTED_METRICS.map((metric) => metric.id)));
    expect(KNOWN_TILE_IDS).toEqual(expect.arrayContaining(['sleep', 'workouts', 'glasses', 'gait_speed']));
    for (const id of KNOWN_TILE_IDS) {
      expect(en[`metric_${id}`], id).toBeDefined();
      expect(de[`metric_${id}`], id).toBeDefined();
    }
  });

  it('should fill placeholders in the order the substitutions are given', () => {
    const t = createTranslate(getMessageFrom(de));
    expect(t('tileCalibrating', 9, 14)).toBe('Kalibrierung 9/14');
    expect(t('offlineNotice', '14:02', 'in 2 Minuten')).toBe('Offline – angezeigt werden Werte von 14:02; neuer Versuch in 2 Minuten.');
  });
});

describe('resolveLocale', () => {
  it.each([
    ['de-CH', 'de', 'de-CH'],
    ['de', 'de', 'de'],
    ['en-GB', 'en', 'en-GB'],
    ['fr-FR', 'en', 'en'],
    ['pt_BR', 'en', 'en'],
  ])('should format for %s with %s messages in %s', (ui, messages, expected) => {
    expect(resolveLocale(ui, messages)).toBe(expected);
  });
});

describe('metricLabel', () => {
  const t = createTranslate(getMessageFrom(en));
  const tDe = createTranslate(getMessageFrom(de));

  it.each([
    [{ id: 'rest_hr', family: 'heart_rate', field: 'rest_daily_heart_rate' }, 'Resting heart rate', 'Ruhepuls'],
    [{ id: 'spo2.avg_daily_spo2', family: 'spo2', field: 'avg_daily_spo2' }, 'SpO₂ (average)', 'SpO₂ (Durchschnitt)'],
    [{ id: 'respiration_rate.avg_daily_respiration_rate', family: 'respiration_rate', field: 'avg_daily_respiration_rate' }, 'Respiration (average)', 'Atmung (Durchschnitt)'],
    [{ id: 'stress.max_stress', family: 'stress', field: 'max_stress' }, 'Stress (maximum)', 'Stress (Maximum)'],
    [{ id: 'sleep.total_duration', family: 'sleep', field: 'total_duration' }, 'Sleep · Total', 'Schlaf · Gesamt'],
    [{ id: 'sleep.rem', family: 'sleep', field: 'rem' }, 'Sleep · REM', 'Schlaf · REM'],
    [{ id: 'hydration.glasses_count', family: 'hydration', field: 'glasses_count' }, 'Hydration · Glasses count', 'Hydration · Glasses count'],
  ])('should label %o', (metric, english, german) => {
    expect(metricLabel(metric, t)).toBe(english);
    expect(metricLabel(metric, tDe)).toBe(german);
  });

  it('should humanize snake case', () => {
    expect(humanize('avg_daily_spo2')).toBe('Avg daily spo2');
  });
});

describe('units', () => {
  const metric = { units: 'metric', temperature: 'celsius' } as const;
  const imperial = { units: 'imperial', temperature: 'fahrenheit' } as const;

  it.each([
    ['km', 10, metric, 'kilometer', 10],
    ['km', 10, imperial, 'mile', 6.21371192],
    ['celsius', 37, metric, 'celsius', 37],
    ['celsius', 37, imperial, 'fahrenheit', 98.6],
    ['meters_per_second', 1, imperial, 'mile-per-hour', 2.236936292],
    // Walking speed in km/h, never m/s: the "metric" choice converts something the member sees.
    ['meters_per_second', 1.25, metric, 'kilometer-per-hour', 4.5],
    ['bpm', 60, imperial, 'bpm', 60],
  ] as const)('should show %s %d as %s', (unit, value, settings, display, expected) => {
    expect(displayUnitFor(unit, settings)).toBe(display);
    expect(toDisplayValue(value, unit, settings)).toBeCloseTo(expected, 6);
  });

  it('should convert a temperature difference without the 32° offset', () => {
    expect(toDisplayDelta(1, 'celsius', imperial)).toBeCloseTo(1.8, 6);
  });

  it.each([
    ['km', 2, metric, 2],
    ['km', 2, imperial, 2],
    ['meters_per_second', 2, metric, 1],
    ['meters_per_second', 2, imperial, 1],
    ['celsius', 1, imperial, 1],
    ['none', 0, metric, 0],
    ['none', undefined, metric, 2],
    ['bpm', 0, imperial, 0],
  ] as const)("should show %s with the metric's %s decimals unless converted (%o → %d)", (unit, dp, settings, expected) => {
    expect(displayDigits(unit, dp, settings)).toBe(expected);
  });
});

describe('createFormat', () => {
  const formatEn = createFormat('en-US', createTranslate(getMessageFrom(en)));
  const formatDe = createFormat('de-DE', createTranslate(getMessageFrom(de)));

  it.each([
    [formatEn, 58, 'bpm', '58 bpm'],
    [formatDe, 58, 'bpm', '58 S/min'],
    [formatEn, 1, 'steps', '1 step'],
    [formatEn, 8421, 'steps', '8,421 steps'],
    [formatDe, 8421, 'steps', '8.421 Schritte'],
    [formatEn, 45, 'minutes', '45 min'],
    [formatEn, 452, 'minutes', '7 h 32 min'],
    [formatDe, 452, 'minutes', '7 Std. 32 Min.'],
    [formatEn, 120, 'minutes', '2 h'],
    [formatEn, 6.14, 'kilometer', '6.14 km'],
    [formatDe, 6.14, 'kilometer', '6,14 km'],
    [formatEn, 4.356, 'kilometer-per-hour', '4.4 km/h'],
    [formatEn, 36.55, 'celsius', '36.6°C'],
    [formatEn, 97, 'percent', '97%'],
    [formatEn, 412, 'kcal', '412 kcal'],
  ] as const)('should format %#: %d %s', (format, value, unit, expected) => {
    expect(format.measure(value, unit)).toBe(expected);
  });

  it('should give relative times in words', () => {
    expect(formatEn.relative(-3 * 60_000)).toBe('3 minutes ago');
    expect(formatEn.relative(2 * 60_000)).toBe('in 2 minutes');
    expect(formatDe.relative(-3 * 60_000)).toBe('vor 3 Minuten');
  });

  it("should take the decimals it is given over the unit's own", () => {
    expect(formatEn.measure(1.2345, 'none', 3)).toBe('1.235');
    expect(formatEn.measure(58.4, 'bpm', 1)).toBe('58.4 bpm');
  });

  it('should say "yesterday" for a time on the day before, and the date further back', () => {
    const now = new Date(2026, 10, 28, 9, 0).getTime();
    const time = (h: number, m: number) => new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit' }).format(new Date(2026, 10, 28, h, m));
    expect(formatEn.when(new Date(2026, 10, 28, 7, 30).getTime(), now)).toBe(time(7, 30));
    expect(formatEn.when(new Date(2026, 10, 27, 22, 10).getTime(), now)).toBe(`yesterday ${time(22, 10)}`);
    expect(formatDe.when(new Date(2026, 10, 27, 22, 10).getTime(), now)).toBe('gestern 22:10');
    expect(formatEn.when(new Date(2026, 10, 25, 22, 10).getTime(), now)).toBe(
      new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(new Date(2026, 10, 25, 22, 10)),
    );
  });

  it('should write a minute of the day as a time of day', () => {
    expect(formatDe.clock(7 * 60 + 30)).toBe('7:30');
    expect(formatEn.clock(19 * 60)).toBe(new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit' }).format(new Date(2000, 0, 1, 19, 0)));
  });

  it('should label units for chart titles', () => {
    expect(formatEn.unitLabel('kilometer')).toBe('km');
    expect(formatEn.unitLabel('bpm')).toBe('bpm');
    expect(formatEn.unitLabel('count')).toBe('');
    expect(formatEn.unitLabel('kilometer-per-hour')).toBe('km/h');
    expect(formatEn.unitLabel('mile-per-hour')).toBe('mph');
  });
});
