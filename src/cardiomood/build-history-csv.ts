import type { History } from '../shared/readings';
import { displayDecimals, roundTo } from './display-decimals';

export interface CsvColumn {
  /** A metric id of the history. */
  id: string;
  /** Header text: the label and display unit in the member's language ("Distance (mi)"). */
  header: string;
  /**
   * Canonical value → the member's display unit (km → mi, °C → °F). The UI passes its own conversion
   * so this module stays free of UI code; identity when absent.
   */
  convert?: (value: number) => number;
  /** Decimals in the file; default: the metric's display decimals. */
  decimals?: number;
}

export interface HistoryCsv {
  /** `cardiomood-YYYY-MM-DD_YYYY-MM-DD.csv` (the history's first and last day). */
  fileName: string;
  /** RFC 4180: CRLF line ends, a header row, fields quoted when they hold `"`, `,`, CR or LF. */
  text: string;
}

/**
 * A text cell: a leading `=`, `+`, `-`, `@`, tab or CR would make a spreadsheet run it as a formula
 * (OWASP "CSV injection"; generic headers come from field names the API chose), so it gets a `'`.
 */
function textCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * A number with `.` as the decimal mark and no grouping, whatever the member's language: a CSV is
 * read by programs, and a German "6,12" would split the field in two.
 */
function numberCell(value: number, decimals: number): string {
  return roundTo(value, decimals).toFixed(decimals);
}

/**
 * The side panel's table as a CSV file: one row per day of the range (days without data have empty
 * cells), ISO dates in the first column, then `columns` in order, values in the display unit.
 */
export function buildHistoryCsv(history: History, columns: readonly CsvColumn[], dateHeader = 'date'): HistoryCsv {
  const metrics = new Map(history.metrics.map((metric) => [metric.id, metric]));
  const resolved = columns.map((column) => {
    const metric = metrics.get(column.id);
    if (!metric) throw new Error(`the history has no metric "${column.id}"`);
    return { ...column, decimals: column.decimals ?? metric.decimals ?? displayDecimals(metric) };
  });
  const rows = [
    [dateHeader, ...resolved.map((column) => column.header)].map(textCell),
    ...history.days.map((day) => [
      day.date,
      ...resolved.map((column) => {
        const value = day.values[column.id];
        return typeof value === 'number' ? numberCell(column.convert ? column.convert(value) : value, column.decimals) : '';
      }),
    ]),
  ];
  return { fileName: `cardiomood-${history.from}_${history.to}.csv`, text: rows.map((row) => `${row.join(',')}\r\n`).join('') };
}
