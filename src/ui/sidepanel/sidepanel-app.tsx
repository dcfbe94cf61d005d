import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Result } from '../../shared/error-codes';
import type { History, Intraday } from '../../shared/readings';
import type { Status } from '../../shared/status';
import { endReasonText, errorText } from '../error-text';
import { localIsoDate } from '../format';
import { markAfterPaint } from '../mark-painted';
import { metricLabel } from '../metric-labels';
import { fractionDigits } from '../units';
import { useUi } from '../ui-env';
import type { ChartHandle, ChartsApi, DailySpec, IntradaySpec } from './charts';
import { historyView, type HistoryView, type MetricSeries } from './history-view';

export const RANGES = [7, 30, 90] as const;
export type Range = (typeof RANGES)[number];
export const DEFAULT_RANGE: Range = 30;

/** uPlot and the chart code arrive as their own chunk, fetched while the history is requested. */
export const loadCharts = (): Promise<ChartsApi> => import('./charts').then((module) => module.charts);

type ChartsState = ChartsApi | 'failed' | null;

export type SidepanelState = 'starting' | 'signed-out' | 'connecting' | 'reconnect' | 'loading' | 'ready' | 'error';

/** The side panel (Chrome) / sidebar (Firefox): daily charts over 7–90 days, one day in detail, and a table. */
export function SidepanelApp({ charts: chartsLoader = loadCharts }: { charts?: () => Promise<ChartsApi> }) {
  const { client, t } = useUi();
  const [status, setStatus] = useState<Status | null>(null);
  const [days, setDays] = useState<Range>(DEFAULT_RANGE);
  const [history, setHistory] = useState<{ days: Range; result: Result<History> } | null>(null);
  const [charts, setCharts] = useState<ChartsState>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const width = useWidth(rootRef);

  // Layout effects: the requests leave before the first frame instead of after it.
  useLayoutEffect(() => {
    let alive = true;
    const off = client.onStatusChanged((next) => alive && setStatus(next));
    client.getStatus().then((first) => alive && setStatus((current) => current ?? first), () => undefined);
    chartsLoader().then(
      (api) => alive && setCharts(api),
      (error: unknown) => {
        console.error('Loading the charts failed', error);
        if (alive) setCharts('failed');
      },
    );
    return () => {
      alive = false;
      off();
    };
  }, [client, chartsLoader]);

  const signedIn = status?.auth.state === 'signed_in';
  const fetchedAt = status?.readings?.fetchedAt ?? null;
  const latest = useRef(0);
  const [retryKey, setRetryKey] = useState(0);
  useLayoutEffect(() => {
    if (!signedIn) return;
    const id = ++latest.current;
    client.send('getHistory', { days }).then(
      (result) => id === latest.current && setHistory({ days, result }),
      () =>
        id === latest.current &&
        setHistory({ days, result: { ok: false, error: { code: 'INVALID_MESSAGE', message: 'no answer from the background' } } }),
    );
    // fetchedAt: new readings arrived, so the history has a new day too.
  }, [client, days, signedIn, fetchedAt, retryKey]);

  // Settings come with the status; a change in the options page arrives with statusChanged.
  const settings = status?.settings ?? null;
  const view = useMemo(
    () => (history?.result.ok && settings ? historyView(history.result.value, settings) : null),
    [history, settings],
  );

  // The bench hook: once per history shown, after the frame with its charts (or without, if they failed).
  const markedFor = useRef<unknown>(null);
  useLayoutEffect(() => {
    if (history && charts !== null && markedFor.current !== history) {
      markedFor.current = history;
      markAfterPaint('sidepanel-rendered');
    }
  }, [history, charts]);

  let state: SidepanelState = 'starting';
  if (status) {
    if (status.auth.state === 'signed_out') state = 'signed-out';
    else if (status.auth.state === 'connecting') state = 'connecting';
    else if (status.auth.state === 'reconnect_required') state = 'reconnect';
    else if (!history) state = 'loading';
    else state = history.result.ok ? 'ready' : 'error';
  }
  const loading = signedIn && (!history || history.days !== days);

  return (
    <div class="sidepanel" data-testid="sidepanel" data-state={state} data-range={history?.days ?? ''} ref={rootRef}>
      <header class="sidepanel-bar">
        <h1>{t('sidepanelTitle')}</h1>
      </header>
      <main>
        {status && !signedIn && <SignedOutPanel status={status} />}
        {signedIn && (
          <>
            <RangePicker days={days} onChange={setDays} />
            <p role="status" class={loading ? 'muted small' : 'sr-only'}>
              {loading ? t('loadingHistory') : ''}
            </p>
            {history && !history.result.ok && (
              <div class="stack">
                <p class="error" data-testid="history-error" data-code={history.result.error.code}>
                  {errorText(history.result.error, t)}
                </p>
                <button type="button" data-testid="retry" onClick={() => setRetryKey((key) => key + 1)}>
                  {t('tryAgain')}
                </button>
              </div>
            )}
            {view && history?.result.ok && (
              <HistoryPanels view={view} history={history.result.value} charts={charts} width={chartWidth(width)} />
            )}
          </>
        )}
      </main>
      <footer>
        <p class="muted small disclaimer">{t('notMedicalDevice')}</p>
      </footer>
    </div>
  );
}

/** "Steps (steps)" says nothing twice: the unit is left out when it only repeats the metric's name. */
export const unitAfter = (label: string, unit: string) =>
  unit && unit.toLocaleLowerCase() !== label.toLocaleLowerCase() ? unit : '';

const chartWidth = (measured: number) => Math.max(200, Math.floor(measured || 320) - 2);

function useWidth(ref: { current: HTMLElement | null }): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    setWidth(element.clientWidth);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => {
      const box = entries[0]?.contentRect;
      if (box) setWidth(Math.round(box.width));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

function SignedOutPanel({ status }: { status: Status }) {
  const { client, t } = useUi();
  if (status.auth.state === 'connecting') {
    return (
      <p role="status">
        <span class="spinner" aria-hidden="true" /> {t('connecting')}
      </p>
    );
  }
  const reconnect = status.auth.state === 'reconnect_required';
  return (
    <section class="stack" aria-labelledby="connect-heading">
      <h2 id="connect-heading">{reconnect ? t('reconnectHeading') : t('signedOutHeading')}</h2>
      {reconnect && (
        <p data-testid="end-reason" data-reason={status.auth.reason ?? ''}>
          {endReasonText(status.auth.reason, t)}
        </p>
      )}
      <p class="muted">{t('sidepanelSignedOut')}</p>
      {status.auth.error && (
        <p role="status" class="error" data-testid="auth-error" data-code={status.auth.error.code}>
          {errorText(status.auth.error, t)}
        </p>
      )}
      <button type="button" class="primary" data-testid="connect" onClick={() => void client.send('signIn').catch(() => undefined)}>
        {reconnect ? t('reconnect') : t('connect')}
      </button>
    </section>
  );
}

function RangePicker({ days, onChange }: { days: Range; onChange(days: Range): void }) {
  const { t, format } = useUi();
  return (
    <div class="range" role="group" aria-labelledby="range-label">
      <span id="range-label" class="muted small">
        {t('rangeLabel')}
      </span>
      {RANGES.map((range) => (
        <button key={range} type="button" data-testid={`range-${range}`} aria-pressed={range === days} onClick={() => onChange(range)}>
          {t('rangeDays', format.number(range))}
        </button>
      ))}
    </div>
  );
}

function HistoryPanels({ view, history, charts, width }: { view: HistoryView; history: History; charts: ChartsState; width: number }) {
  const { t, format } = useUi();
  const from = format.shortDate(history.from);
  const to = format.shortDate(history.to);
  return (
    <>
      <section aria-labelledby="charts-heading">
        <h2 id="charts-heading">{t('chartsHeading')}</h2>
        {charts === 'failed' && <p class="notice">{t('chartLoadFailed')}</p>}
        {view.series.length === 0 && <p class="muted">{t('noDataInRange')}</p>}
        {view.series.map((series) => (
          <DailyFigure key={series.metric.id} series={series} xs={view.xs} charts={charts} width={width} from={from} to={to} />
        ))}
      </section>
      {view.latestWithData && <IntradaySection view={view} charts={charts} width={width} />}
      <section aria-labelledby="table-heading">
        <h2 id="table-heading">{t('tableHeading')}</h2>
        <HistoryTable view={view} caption={t('tableCaption', from, to)} />
      </section>
    </>
  );
}

function DailyFigure(props: { series: MetricSeries; xs: number[]; charts: ChartsState; width: number; from: string; to: string }) {
  const { series, xs, charts, width, from, to } = props;
  const { t, format } = useUi();
  const label = metricLabel(series.metric, t);
  const unit = unitAfter(label, format.unitLabel(series.unit));
  const digits = fractionDigits(series.unit);
  const show = (value: number) => format.measure(value, series.unit);
  const spec = useMemo<DailySpec>(
    () => ({
      width,
      xs,
      ys: series.values,
      band: series.band,
      formatX: (seconds) => format.shortDate(localIsoDate(seconds * 1000)),
      formatY: (value) => format.number(value, digits),
    }),
    [width, xs, series, format, digits],
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

/** A uPlot chart in a div the page owns; the chart is an image for assistive technology (the table has the numbers). */
function ChartBox<S>({ create, spec, label }: { create: (target: HTMLElement, spec: S) => ChartHandle<S>; spec: S; label: string }) {
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

function IntradaySection({ view, charts, width }: { view: HistoryView; charts: ChartsState; width: number }) {
  const { client, t, format } = useUi();
  const datesWithData = useMemo(
    () => view.dates.filter((_date, i) => view.series.some((series) => series.raw[i] !== null)).reverse(),
    [view],
  );
  const [picked, setPicked] = useState<string | null>(null);
  const date = picked && datesWithData.includes(picked) ? picked : (view.latestWithData ?? datesWithData[0] ?? '');
  const [intraday, setIntraday] = useState<{ date: string; result: Result<Intraday> } | null>(null);
  useEffect(() => {
    if (!date) return;
    let alive = true;
    client.send('getIntraday', { date }).then(
      (result) => alive && setIntraday({ date, result }),
      () => undefined,
    );
    return () => {
      alive = false;
    };
  }, [client, date]);

  const current = intraday?.date === date ? intraday.result : null;
  const longDate = date ? format.longDate(date) : '';
  return (
    <section aria-labelledby="intraday-heading">
      <h2 id="intraday-heading">{t('intradayHeading')}</h2>
      <p>
        <label for="day-picker">{t('dayPickerLabel')}</label>{' '}
        <select id="day-picker" data-testid="day-picker" value={date} onChange={(event) => setPicked(event.currentTarget.value)}>
          {datesWithData.map((day) => (
            <option key={day} value={day}>
              {format.longDate(day)}
            </option>
          ))}
        </select>
      </p>
      {current && !current.ok && <p class="error">{errorText(current.error, t)}</p>}
      {current?.ok && current.value.heartRate.length === 0 && current.value.steps.length === 0 && (
        <p class="muted" data-testid="intraday-none">
          {t('intradayNone')}
        </p>
      )}
      {current?.ok && charts && charts !== 'failed' && (
        <>
          <IntradayFigure
            id="heart-rate"
            title={t('intradayHeartRate')}
            unit={format.unitLabel('bpm')}
            kind="line"
            points={current.value.heartRate.map((p) => [p.t, p.bpm] as const)}
            charts={charts}
            width={width}
            date={longDate}
            show={(value) => format.measure(value, 'bpm')}
          />
          <IntradayFigure
            id="steps"
            title={t('intradaySteps')}
            unit={unitAfter(t('intradaySteps'), format.unitLabel('steps'))}
            kind="bars"
            points={current.value.steps.map((p) => [p.t, p.steps] as const)}
            charts={charts}
            width={width}
            date={longDate}
            show={(value) => format.measure(value, 'steps')}
          />
        </>
      )}
    </section>
  );
}

function IntradayFigure(props: {
  id: string;
  title: string;
  unit: string;
  kind: 'line' | 'bars';
  points: ReadonlyArray<readonly [number, number]>;
  charts: ChartsApi;
  width: number;
  date: string;
  show(value: number): string;
}) {
  const { id, title, unit, kind, points, charts, width, date, show } = props;
  const { t, format } = useUi();
  const spec = useMemo<IntradaySpec>(() => {
    const time = new Intl.DateTimeFormat(format.locale, { hour: 'numeric', minute: '2-digit' });
    return {
      width,
      kind,
      xs: points.map(([ms]) => ms / 1000),
      ys: points.map(([, value]) => value),
      formatX: (seconds) => time.format(seconds * 1000),
      formatY: (value) => format.number(value),
    };
  }, [width, kind, points, format]);
  if (points.length === 0) return null;
  const values = spec.ys;
  const aria = t('intradayAria', title, date, format.number(values.length), show(Math.min(...values)), show(Math.max(...values)));
  return (
    <figure class="chart-figure" data-testid={`intraday-${id}`}>
      <figcaption>
        <h3>
          {title}
          {unit && <span class="muted"> ({unit})</span>}
        </h3>
      </figcaption>
      <ChartBox create={charts.intradayChart} spec={spec} label={aria} />
    </figure>
  );
}

function HistoryTable({ view, caption }: { view: HistoryView; caption: string }) {
  const { t, format } = useUi();
  const rows = view.dates.map((date, index) => ({ date, index })).reverse();
  return (
    <div
      class="table-scroll"
      role="region"
      aria-labelledby="history-caption"
      tabIndex={0}
      // The placeholder height content-visibility uses until the table is scrolled into view.
      style={{ containIntrinsicSize: `auto ${rows.length * 23 + 80}px` }}
    >
      <table data-testid="history-table">
        <caption id="history-caption">
          <span class="caption-text">{caption}</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('tableDate')}</th>
            {view.series.map((series) => {
              const label = metricLabel(series.metric, t);
              const unit = unitAfter(label, format.unitLabel(series.unit));
              return (
                <th key={series.metric.id} scope="col">
                  {label}
                  {unit && ` (${unit})`}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ date, index }) => (
            <tr key={date} data-date={date}>
              <th scope="row">{format.shortDate(date)}</th>
              {view.series.map((series) => {
                const raw = series.raw[index] ?? null;
                const value = series.values[index] ?? null;
                return (
                  <td key={series.metric.id} data-metric={series.metric.id} data-value={raw === null ? '' : String(raw)}>
                    {value === null ? (
                      <>
                        <span aria-hidden="true">—</span>
                        <span class="sr-only">{t('tableNoValue')}</span>
                      </>
                    ) : (
                      format.number(value, fractionDigits(series.unit))
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
