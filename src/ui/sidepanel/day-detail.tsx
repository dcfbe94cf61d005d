import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Result } from '../../shared/error-codes';
import type { Intraday } from '../../shared/readings';
import { errorText } from '../error-text';
import { useUi } from '../ui-env';
import { ChartBox } from './chart-box';
import type { ChartsApi, IntradaySpec } from './charts';
import type { ChartsState } from './history-charts';
import type { HistoryView } from './history-view';
import { unitAfter } from './series-label';

/** One day in detail: its heart rate and steps through the day, for a day the member picks. */
export function DayDetail({ view, charts, width }: { view: HistoryView; charts: ChartsState; width: number }) {
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
