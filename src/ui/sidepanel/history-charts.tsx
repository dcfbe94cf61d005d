import { useMemo } from 'preact/hooks';
import { localIsoDate } from '../../shared/local-date';
import { useUi } from '../ui-env';
import { ChartBox } from './chart-box';
import type { ChartsApi, DailySpec } from './charts';
import type { HistoryView, MetricSeries } from './history-view';
import { seriesLabel } from './series-label';

/** What the charts chunk is: loaded, failed (the table still has every value), or on its way. */
export type ChartsState = ChartsApi | 'failed' | null;

/** One daily chart per shown metric, with the member's usual range shaded. */
export function HistoryCharts({ view, charts, width, from, to }: { view: HistoryView; charts: ChartsState; width: number; from: string; to: string }) {
  const { t } = useUi();
  return (
    <section aria-labelledby="charts-heading">
      <h2 id="charts-heading">{t('chartsHeading')}</h2>
      {charts === 'failed' && <p class="notice">{t('chartLoadFailed')}</p>}
      {view.series.length === 0 && <p class="muted">{t('noDataInRange')}</p>}
      {view.series.map((series) => (
        <DailyFigure key={series.metric.id} series={series} xs={view.xs} charts={charts} width={width} from={from} to={to} />
      ))}
    </section>
  );
}

function DailyFigure(props: { series: MetricSeries; xs: number[]; charts: ChartsState; width: number; from: string; to: string }) {
  const { series, xs, charts, width, from, to } = props;
  const { t, format } = useUi();
  const { label, unit } = seriesLabel(series, t, format);
  const show = (value: number) => format.measure(value, series.unit, series.digits);
  const spec = useMemo<DailySpec>(
    () => ({
      width,
      xs,
      ys: series.values,
      band: series.band,
      formatX: (seconds) => format.shortDate(localIsoDate(seconds * 1000)),
      formatY: (value) => format.number(value, series.digits),
    }),
    [width, xs, series, format],
  );
  const aria = series.band
    ? t('chartAria', label, from, to, show(series.band.low), show(series.band.high))
    : t('chartAriaNoRange', label, from, to);
  return (
    <figure class="chart-figure" data-testid={`chart-${series.metric.id}`}>
      <figcaption>
        <h3>
          {label}
          {unit && <span class="muted"> ({unit})</span>}
        </h3>
        {series.band && <p class="muted small">{t('usualRange', show(series.band.low), show(series.band.high))}</p>}
      </figcaption>
      {charts && charts !== 'failed' && <ChartBox create={charts.dailyChart} spec={spec} label={aria} />}
    </figure>
  );
}
