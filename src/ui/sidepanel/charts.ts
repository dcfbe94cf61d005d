import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * The side panel's charts, a chunk of its own: the page loads it with import() so neither uPlot nor
 * this code is on the popup's or the side panel's critical path. Everything the charts show comes in
 * a spec the page prepared (converted units, Intl formatters); this module only draws.
 */

export interface DailySpec {
  width: number;
  /** Epoch seconds of each day's local midnight, ascending. */
  xs: number[];
  /** The value per day in display units; null draws a gap. */
  ys: Array<number | null>;
  /** The member's personal range, shaded behind the line. */
  band: { low: number; high: number } | null;
  formatX(epochSeconds: number): string;
  formatY(value: number): string;
}

export interface IntradaySpec {
  width: number;
  /** Epoch seconds, ascending. */
  xs: number[];
  ys: number[];
  kind: 'line' | 'bars';
  formatX(epochSeconds: number): string;
  formatY(value: number): string;
}

export interface ChartHandle<S> {
  update(spec: S): void;
  destroy(): void;
}

export interface ChartsApi {
  dailyChart(target: HTMLElement, spec: DailySpec): ChartHandle<DailySpec>;
  intradayChart(target: HTMLElement, spec: IntradaySpec): ChartHandle<IntradaySpec>;
}

const HEIGHT = 150;

interface Theme {
  text: string;
  grid: string;
  line: string;
  band: string;
  bar: string;
}

/** Colors come from the page's CSS custom properties, so charts follow the light/dark theme. */
function readTheme(target: HTMLElement): Theme {
  const style = getComputedStyle(target);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--muted', '#4d5560'),
    grid: read('--chart-grid', 'rgba(0,0,0,0.1)'),
    line: read('--chart-line', '#ad1438'),
    band: read('--chart-band', 'rgba(26,95,180,0.14)'),
    bar: read('--chart-bar', '#1a5fb4'),
  };
}

function axes(theme: Theme, formatX: (s: number) => string, formatY: (v: number) => string): uPlot.Axis[] {
  const common = {
    stroke: theme.text,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1, size: 4 },
    font: '11px system-ui, sans-serif',
  };
  return [
    { ...common, space: 56, values: (_u, splits) => splits.map(formatX) },
    { ...common, size: 48, space: 24, values: (_u, splits) => splits.map(formatY) },
  ];
}

const sameData = <T>(a: readonly T[], b: readonly T[]) => a === b || (a.length === b.length && a.every((v, i) => v === b[i]));

export function dailyChart(target: HTMLElement, initial: DailySpec): ChartHandle<DailySpec> {
  const theme = readTheme(target);
  let spec = initial;
  const plot = new uPlot(
    {
      width: spec.width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: { time: true },
        y: {
          // Keep the shaded range in view even when every value sits on one side of it.
          range: (_u, min, max) => {
            const low = Math.min(min ?? Infinity, spec.band?.low ?? Infinity);
            const high = Math.max(max ?? -Infinity, spec.band?.high ?? -Infinity);
            if (!Number.isFinite(low) || !Number.isFinite(high)) return [0, 1];
            const pad = (high - low) * 0.1 || Math.abs(high) * 0.05 || 1;
            return [low - pad, high + pad];
          },
        },
      },
      axes: axes(theme, (s) => spec.formatX(s), (v) => spec.formatY(v)),
      series: [{}, { stroke: theme.line, width: 2, spanGaps: false, points: { size: 5, fill: theme.line } }],
      hooks: {
        drawClear: [
          (u) => {
            if (!spec.band) return;
            const top = u.valToPos(spec.band.high, 'y', true);
            const bottom = u.valToPos(spec.band.low, 'y', true);
            u.ctx.save();
            u.ctx.fillStyle = theme.band;
            u.ctx.fillRect(u.bbox.left, top, u.bbox.width, Math.max(1, bottom - top));
            u.ctx.restore();
          },
        ],
      },
    },
    [spec.xs, spec.ys as number[]],
    target,
  );
  return {
    update(next) {
      const previous = spec;
      spec = next;
      if (!sameData(previous.xs, next.xs) || !sameData(previous.ys, next.ys) || previous.band !== next.band) {
        plot.setData([next.xs, next.ys as number[]]);
      }
      if (previous.width !== next.width) plot.setSize({ width: next.width, height: HEIGHT });
    },
    destroy: () => plot.destroy(),
  };
}

export function intradayChart(target: HTMLElement, initial: IntradaySpec): ChartHandle<IntradaySpec> {
  const theme = readTheme(target);
  let spec = initial;
  const bars = spec.kind === 'bars';
  const plot = new uPlot(
    {
      width: spec.width,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: bars ? { range: (_u, _min, max) => [0, Math.max(1, max ?? 1)] } : {} },
      axes: axes(theme, (s) => spec.formatX(s), (v) => spec.formatY(v)),
      series: [
        {},
        bars
          ? { stroke: theme.bar, fill: theme.bar, width: 0, paths: uPlot.paths.bars!({ size: [0.9, 8] }), points: { show: false } }
          : { stroke: theme.line, width: 1.5, points: { show: false } },
      ],
    },
    [spec.xs, spec.ys],
    target,
  );
  return {
    update(next) {
      const previous = spec;
      spec = next;
      if (!sameData(previous.xs, next.xs) || !sameData(previous.ys, next.ys)) plot.setData([next.xs, next.ys]);
      if (previous.width !== next.width) plot.setSize({ width: next.width, height: HEIGHT });
    },
    destroy: () => plot.destroy(),
  };
}

export const charts: ChartsApi = { dailyChart, intradayChart };
