const WIDTH = 100;
const HEIGHT = 22;
const PAD = 2;

/** Line segments between days with values; a lone day becomes a dot. Nulls are gaps. */
export function sparklineShapes(values: Array<number | null>): { lines: string[]; dots: Array<[number, number]> } {
  const present = values.filter((value): value is number => value !== null);
  if (present.length === 0) return { lines: [], dots: [] };
  const min = Math.min(...present);
  const max = Math.max(...present);
  const x = (i: number) => (values.length <= 1 ? WIDTH / 2 : PAD + (i * (WIDTH - 2 * PAD)) / (values.length - 1));
  const y = (v: number) => (max === min ? HEIGHT / 2 : PAD + ((max - v) * (HEIGHT - 2 * PAD)) / (max - min));
  const lines: string[] = [];
  const dots: Array<[number, number]> = [];
  let run: Array<[number, number]> = [];
  const flush = () => {
    if (run.length === 1) dots.push(run[0]!);
    else if (run.length > 1) lines.push(run.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' '));
    run = [];
  };
  values.forEach((value, i) => {
    if (value === null) flush();
    else run.push([x(i), y(value)]);
  });
  flush();
  return { lines, dots };
}

/** A 7-day trend as a tiny inline SVG: decoration only, the caller supplies the text equivalent. */
export function Sparkline({ values }: { values: Array<number | null> }) {
  const { lines, dots } = sparklineShapes(values);
  return (
    <svg class="spark" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
      {lines.map((points) => (
        <polyline key={points} points={points} fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke" />
      ))}
      {dots.map(([cx, cy]) => (
        <circle key={`${cx},${cy}`} cx={cx} cy={cy} r="1.8" fill="currentColor" />
      ))}
    </svg>
  );
}
