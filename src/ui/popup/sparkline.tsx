import { useContext } from 'preact/hooks';
import type { GlanceMetric } from '../../shared/glance';
import { FirstFrame } from './first-frame';

const WIDTH = 64;
const HEIGHT = 20;
const PAD = 2.5;

type Point = [number, number];
export interface SparklineShapes {
  /** Solid polylines through days with values. */
  lines: string[];
  /** Dashed: across a run of missing days, and into a still-running today. */
  dashed: string[];
  /** Lone days with a value. */
  dots: Point[];
  /** Hollow markers: missing days that no bridge crosses, and the provisional today. */
  rings: Point[];
}

const pointsOf = (points: Point[]) => points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');

/**
 * The shapes of a 7-day sparkline, in a fixed pixel box (so dots stay round): missing days stay
 * visible (a dashed bridge between the days around them, or a ring where no bridge can go), and a
 * day still running is a ring at the end of a dashed segment.
 */
export function sparklineShapes(metric: Pick<GlanceMetric, 'spark' | 'sparkLo' | 'sparkHi' | 'sparkGaps' | 'sparkPartial'>): SparklineShapes {
  const { spark: values, sparkLo: lo, sparkHi: hi, sparkGaps: gaps } = metric;
  const count = values.length;
  const x = (i: number) => (count <= 1 ? WIDTH / 2 : PAD + (i * (WIDTH - 2 * PAD)) / (count - 1));
  const y = (v: number) => (lo === null || hi === null || hi === lo ? HEIGHT / 2 : PAD + ((hi - v) * (HEIGHT - 2 * PAD)) / (hi - lo));
  const at = (i: number): Point | null => {
    const value = values[i];
    return value === null || value === undefined ? null : [x(i), y(value)];
  };
  const shapes: SparklineShapes = { lines: [], dashed: [], dots: [], rings: [] };

  const last = count - 1;
  const partial = metric.sparkPartial && at(last) !== null;
  let run: Point[] = [];
  const flush = () => {
    if (run.length === 1) shapes.dots.push(run[0]!);
    else if (run.length > 1) shapes.lines.push(pointsOf(run));
    run = [];
  };
  values.forEach((_value, i) => {
    const point = at(i);
    if (!point || (partial && i === last)) flush();
    else run.push(point);
  });
  flush();

  for (const [first, end] of gaps) {
    const before = at(first - 1);
    const after = at(end + 1);
    if (before && after) shapes.dashed.push(pointsOf([before, after]));
    else for (let i = first; i <= end; i += 1) shapes.rings.push([x(i), HEIGHT / 2]);
  }
  if (partial) {
    const today = at(last)!;
    const before = at(last - 1);
    if (before) shapes.dashed.push(pointsOf([before, today]));
    shapes.rings.push(today);
  }
  return shapes;
}

/** A 7-day trend as a tiny inline SVG: decoration only, the caller supplies the text equivalent. */
export function Sparkline({ metric }: { metric: Parameters<typeof sparklineShapes>[0] }) {
  // The first frame keeps the place, empty (see FirstFrame).
  if (useContext(FirstFrame)) return <span class="spark spark-pending" aria-hidden="true" />;
  const { lines, dashed, dots, rings } = sparklineShapes(metric);
  return (
    <svg class="spark" width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-hidden="true" focusable="false">
      {lines.map((points) => (
        <polyline key={points} points={points} class="spark-line" />
      ))}
      {dashed.map((points) => (
        <polyline key={points} points={points} class="spark-dash" />
      ))}
      {dots.map(([cx, cy]) => (
        <circle key={`${cx},${cy}`} cx={cx} cy={cy} r="1.8" class="spark-dot" />
      ))}
      {rings.map(([cx, cy]) => (
        <circle key={`${cx},${cy}`} cx={cx} cy={cy} r="1.8" class="spark-ring" />
      ))}
    </svg>
  );
}
