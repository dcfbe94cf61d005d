import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Result } from '../../shared/error-codes';
import type { HistoryRange } from '../../shared/history-ranges';
import type { History } from '../../shared/readings';
import { authScreenOf, type AuthScreen } from '../auth-screen-of';
import { ConnectPanel } from '../connect-panel';
import { errorText } from '../error-text';
import { markAfterPaint } from '../mark-painted';
import { useUi } from '../ui-env';
import { useStatus } from '../use-status';
import type { ChartsApi } from './charts';
import { CsvExportButton } from './csv-export-button';
import { DayDetail } from './day-detail';
import { HistoryCharts, type ChartsState } from './history-charts';
import { HistoryTable } from './history-table';
import { historyView, type HistoryView } from './history-view';
import { DEFAULT_RANGE, RangePicker } from './range-picker';
import { WeeklyAveragesTable } from './weekly-averages-table';

/** uPlot and the chart code arrive as their own chunk, fetched while the history is requested. */
export const loadCharts = (): Promise<ChartsApi> => import('./charts').then((module) => module.charts);

export type SidepanelState = 'starting' | AuthScreen | 'loading' | 'ready' | 'error';

/**
 * The side panel (Chrome) / sidebar (Firefox): daily charts over 7–90 days, weekly averages, one day
 * in detail, and a table that can be downloaded as CSV.
 */
export function SidepanelApp({ charts: chartsLoader = loadCharts }: { charts?: () => Promise<ChartsApi> }) {
  const { client, t } = useUi();
  const { status, signIn } = useStatus();
  const [days, setDays] = useState<HistoryRange>(DEFAULT_RANGE);
  const [history, setHistory] = useState<{ days: HistoryRange; result: Result<History> } | null>(null);
  const [charts, setCharts] = useState<ChartsState>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const width = useWidth(rootRef);

  // A layout effect: the chunk request leaves before the first frame instead of after it.
  useLayoutEffect(() => {
    let alive = true;
    chartsLoader().then(
      (api) => alive && setCharts(api),
      (error: unknown) => {
        console.error('Loading the charts failed', error);
        if (alive) setCharts('failed');
      },
    );
    return () => {
      alive = false;
    };
  }, [chartsLoader]);

  const signedIn = status?.auth.state === 'signed_in';
  // New readings mean the history has a new day too.
  const fetchedAt = status?.glance?.checkedAt ?? status?.readings?.fetchedAt ?? null;
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

  const screen = status && authScreenOf(status);
  const state: SidepanelState = !status ? 'starting' : (screen ?? (!history ? 'loading' : history.result.ok ? 'ready' : 'error'));
  const loading = signedIn && (!history || history.days !== days);

  return (
    <div class="sidepanel" data-testid="sidepanel" data-state={state} data-range={history?.days ?? ''} ref={rootRef}>
      <header class="sidepanel-bar">
        <h1>{t('sidepanelTitle')}</h1>
      </header>
      <main>
        {status && screen && <ConnectPanel screen={screen} status={status} body="sidepanelSignedOut" onConnect={signIn} />}
        {signedIn && (
          <>
            <div class="toolbar">
              <RangePicker days={days} onChange={setDays} />
              {view && history?.result.ok && <CsvExportButton history={history.result.value} view={view} />}
            </div>
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
            {view && history?.result.ok && <HistoryPanels view={view} history={history.result.value} charts={charts} width={chartWidth(width)} />}
          </>
        )}
      </main>
      <footer>
        <p class="muted small disclaimer">{t('notMedicalDevice')}</p>
      </footer>
    </div>
  );
}

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

/**
 * `value` once the frame that shows what changed with it is on screen: a task after that frame (effects
 * run after it), so the page's `sidepanel-rendered` mark, set from the same frame, comes first. The
 * first value is shown at once.
 */
function useAfterFrame<T>(value: T): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setShown(value), 0);
    return () => clearTimeout(timer);
  }, [value]);
  return shown;
}

function HistoryPanels({ view, history, charts, width }: { view: HistoryView; history: History; charts: ChartsState; width: number }) {
  const { t, format } = useUi();
  const from = format.shortDate(history.from);
  const to = format.shortDate(history.to);
  // The table (below the fold, ~1,000 cells for 90 days: about 45 ms of rendering and layout in
  // Firefox) follows a frame after the charts a new range shows (docs/performance.md).
  const table = useAfterFrame(useMemo(() => ({ view, caption: t('tableCaption', from, to) }), [view, t, from, to]));
  return (
    <>
      <HistoryCharts view={view} charts={charts} width={width} from={from} to={to} />
      {view.series.length > 0 && <WeeklyAveragesTable history={history} view={view} />}
      {view.latestWithData && <DayDetail view={view} charts={charts} width={width} />}
      <section aria-labelledby="table-heading">
        <h2 id="table-heading">{t('tableHeading')}</h2>
        <HistoryTable view={table.view} caption={table.caption} />
      </section>
    </>
  );
}
