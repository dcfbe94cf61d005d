import type { Summary } from './stats';

export type Verdict = 'within' | 'over';

export interface Row {
  section: string;
  measurement: string;
  /** The browser a browser measurement ran in; empty for sizes and the companion. */
  browser?: string;
  /** The empty-page floor measured in the same run and browser, for timing rows (or the row's own, timed beside it). */
  floor?: Summary;
  /** Repeated timings: n, median and p90 columns. */
  summary?: Summary;
  /** A single figure (size, ratio, count, rate) or the reason a measurement could not be made. */
  value?: string;
  budget?: { text: string; verdict: Verdict };
  /** A budget as a multiple of the floor (the row's own, else the browser's): the verdict is made once that floor is known. */
  vsFloor?: number;
  failed?: boolean;
  /** Nothing to measure yet (e.g. the page is not in the build): shown as n/a, not a failure. */
  notApplicable?: boolean;
}

export const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'n/a');
/** A difference in ms with its sign: +3.2 ms, -0.4 ms. */
export const signedMs = (value: number) => (value >= 0 ? `+${ms(value)}` : ms(value));
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const sizeText = (size: { raw: number; gzip: number; files: string[] }) =>
  `${kb(size.gzip)} gzip, ${kb(size.raw)} raw (${size.files.length} file${size.files.length === 1 ? '' : 's'})`;

export function budget(text: string, holds: boolean): Row['budget'] {
  return { text, verdict: holds ? 'within' : 'over' };
}

/** One plain-text table: fixed-width columns, readable in a terminal and pasteable into Markdown. */
export function formatTable(rows: Row[]): string {
  const header = ['Measurement', 'browser', 'n', 'median', 'p90', 'floor', '× floor', 'figure', 'budget', 'result'];
  const cells = rows.map((row) => [
    `${row.section}: ${row.measurement}`,
    row.browser ?? '',
    row.summary ? String(row.summary.n) : '',
    row.summary ? ms(row.summary.median) : '',
    row.summary ? ms(row.summary.p90) : '',
    row.summary && row.floor ? ms(row.floor.median) : '',
    row.summary && row.floor ? `${(row.summary.median / row.floor.median).toFixed(2)}×` : '',
    row.value ?? '',
    row.budget?.text ?? '',
    row.failed ? 'NOT MEASURED' : row.notApplicable ? 'n/a' : (row.budget?.verdict ?? ''),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
