import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ChartHandle } from './charts';

/** A uPlot chart in a div the page owns; the chart is an image for assistive technology (the table has the numbers). */
export function ChartBox<S>({ create, spec, label }: { create: (target: HTMLElement, spec: S) => ChartHandle<S>; spec: S; label: string }) {
  const target = useRef<HTMLDivElement>(null);
  const handle = useRef<ChartHandle<S> | null>(null);
  const created = useRef<S | null>(null);
  useLayoutEffect(() => {
    handle.current = create(target.current!, spec);
    created.current = spec;
    return () => {
      handle.current?.destroy();
      handle.current = null;
    };
    // Created once per chart function; later specs go through update().
  }, [create]);
  useLayoutEffect(() => {
    if (handle.current && created.current !== spec) handle.current.update(spec);
  }, [spec]);
  return <div ref={target} class="chart" role="img" aria-label={label} />;
}
