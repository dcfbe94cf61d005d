import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildHistory } from '../../src/cardiomood/build-history';
import { buildHistoryCsv, type CsvColumn } from '../../src/cardiomood/build-history-csv';
import { summarySchema } from '../../src/cardiomood/summary-schema';

const parse = (raw: Record<string, unknown>[]) => raw.map((day) => summarySchema.parse(day));
/** Three days: distance and steps on the first and last, stress on all; the middle one has no summary. */
const history = buildHistory(
  parse([
    { date: '2026-11-26', activity: { total_steps: 8421, distance: 6.126 }, stress: { avg_daily_stress: 30.25 } },
    { date: '2026-11-28', activity: { total_steps: 12_000, distance: 0.004 }, stress: { avg_daily_stress: 38.75 } },
  ]),
  '2026-11-26',
  '2026-11-28',
  0,
);
const KM_TO_MI = 0.621371192;

describe('buildHistoryCsv', () => {
  afterEach(() => vi.restoreAllMocks());

  it('should write one row a day with ISO dates, a header row, CRLF line ends and empty cells for missing days', () => {
    const csv = buildHistoryCsv(history, [
      { id: 'steps', header: 'Steps' },
      { id: 'distance', header: 'Distance (km)' },
      { id: 'stress.avg_daily_stress', header: 'Stress' },
    ]);
    expect(csv.fileName).toBe('cardiomood-2026-11-26_2026-11-28.csv');
    // Distance 2 decimals (6.126 → 6.13, 0.004 → 0.00), stress 0 decimals (30.25 → 30, 38.75 → 39).
    expect(csv.text).toBe(
      'date,Steps,Distance (km),Stress\r\n' + '2026-11-26,8421,6.13,30\r\n' + '2026-11-27,,,\r\n' + '2026-11-28,12000,0.00,39\r\n',
    );
  });

  it('should write values in the display unit the caller converts to, with the decimals it asks for', () => {
    const columns: CsvColumn[] = [{ id: 'distance', header: 'Distance (mi)', convert: (km) => km * KM_TO_MI, decimals: 3 }];
    // 6.126 km × 0.621371192 = 3.80652… mi → 3.807.
    expect(buildHistoryCsv(history, columns).text.split('\r\n')[1]).toBe('2026-11-26,3.807');
  });

  it('should quote headers holding a comma, a quote or a line break (RFC 4180)', () => {
    const csv = buildHistoryCsv(
      history,
      [
        { id: 'steps', header: 'Steps, total' },
        { id: 'distance', header: 'Distance "walked"' },
        { id: 'stress.avg_daily_stress', header: 'Stress\nscore' },
      ],
      'Datum',
    );
    expect(csv.text.split('\r\n')[0]).toBe('Datum,"Steps, total","Distance ""walked""","Stress\nscore"');
  });

  it('should defuse a header a spreadsheet would run as a formula', () => {
    const csv = buildHistoryCsv(history, [
      { id: 'steps', header: '=HYPERLINK("http://x")' },
      { id: 'distance', header: '+1' },
      { id: 'stress.avg_daily_stress', header: '@sum' },
    ]);
    expect(csv.text.split('\r\n')[0]).toBe(`date,"'=HYPERLINK(""http://x"")",'+1,'@sum`);
  });

  it('should keep negative numbers as numbers', () => {
    const signed = buildHistory(parse([{ date: '2026-11-26', gait: { asymmetry: -1.25 } }]), '2026-11-26', '2026-11-26', 0);
    expect(buildHistoryCsv(signed, [{ id: 'gait.asymmetry', header: 'Gait' }]).text.split('\r\n')[1]).toBe('2026-11-26,-1.3');
  });

  it('should use "." decimals and no grouping for a German member, whatever the locale formats', () => {
    // A German page: German headers, and number formatting that would write "6,13" and "12.000".
    vi.spyOn(Number.prototype, 'toLocaleString').mockImplementation(function (this: number) {
      return new Intl.NumberFormat('de-DE').format(this);
    });
    const csv = buildHistoryCsv(
      history,
      [
        { id: 'steps', header: 'Schritte' },
        { id: 'distance', header: 'Strecke (km)' },
      ],
      'Datum',
    );
    expect(csv.text).toBe('Datum,Schritte,Strecke (km)\r\n2026-11-26,8421,6.13\r\n2026-11-27,,\r\n2026-11-28,12000,0.00\r\n');
    expect(csv.text).not.toContain('6,13');
  });

  it('should refuse a column the history does not have (a bug in the caller)', () => {
    expect(() => buildHistoryCsv(history, [{ id: 'nope', header: 'Nope' }])).toThrow('no metric "nope"');
  });
});
