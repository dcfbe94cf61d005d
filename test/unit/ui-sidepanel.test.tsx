// @vitest-environment happy-dom
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { addDays } from '../../src/shared/local-date';
import { err, ok } from '../../src/shared/error-codes';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import type { ChartsApi, DailySpec, IntradaySpec } from '../../src/ui/sidepanel/charts';
import { historyView } from '../../src/ui/sidepanel/history-view';
import { unitAfter } from '../../src/ui/sidepanel/series-label';
import { SidepanelApp } from '../../src/ui/sidepanel/sidepanel-app';
import {
  historyFromRecords,
  historyOf,
  intradayOf,
  recordsOf,
  renderPage,
  resetPagesBetweenTests,
  snapshotOf,
  startFakeBackground,
  statusOf,
  summaries,
  todayOf,
} from './support/ui-harness';

const NOW = Date.parse('2026-11-28T15:00:00');
const TODAY = todayOf(NOW);
const MISSING = [addDays(TODAY, -3), addDays(TODAY, -10)];
const DAYS = summaries(TODAY, 120, { missing: MISSING });

/** Charts that record what they were asked to draw instead of drawing (happy-dom has no canvas). */
function recordingCharts() {
  const daily = new Map<HTMLElement, DailySpec[]>();
  const intraday = new Map<HTMLElement, IntradaySpec[]>();
  const destroyed: HTMLElement[] = [];
  const api: ChartsApi = {
    dailyChart(target, spec) {
      daily.set(target, [spec]);
      return { update: (next) => daily.get(target)!.push(next), destroy: () => destroyed.push(target) };
    },
    intradayChart(target, spec) {
      intraday.set(target, [spec]);
      return { update: (next) => intraday.get(target)!.push(next), destroy: () => destroyed.push(target) };
    },
  };
  const lastDaily = (metric: string) => {
    const figure = screen.getByTestId(`chart-${metric}`);
    const target = figure.querySelector<HTMLElement>('.chart')!;
    return daily.get(target)!.at(-1)!;
  };
  return { api, daily, intraday, destroyed, lastDaily };
}

function signedIn(settings = DEFAULT_SETTINGS) {
  const background = startFakeBackground({ status: statusOf({ readings: snapshotOf(DAYS, TODAY, NOW) }), settings });
  background.history = (days) => ok(historyOf(DAYS, TODAY, days, NOW));
  background.intraday = (date) => ok(intradayOf(DAYS, date));
  return background;
}

const root = () => screen.getByTestId('sidepanel');

resetPagesBetweenTests();

describe('historyView', () => {
  it('should keep every day, gaps as null, and convert to the display units', () => {
    const history = historyOf(DAYS, TODAY, 30, NOW);
    const view = historyView(history, { ...DEFAULT_SETTINGS, units: 'imperial' });
    expect(view.dates).toHaveLength(30);
    const distance = view.series.find((series) => series.metric.id === 'distance')!;
    const gap = view.dates.indexOf(MISSING[0]!);
    expect(distance.values[gap]).toBeNull();
    expect(distance.raw[gap]).toBeNull();
    const last = history.days.at(-1)!.values.distance!;
    expect(distance.values.at(-1)).toBeCloseTo(last * 0.621371192, 6);
    expect(distance.unit).toBe('mile');
    expect(distance.band!.low).toBeCloseTo(history.metrics.find((m) => m.id === 'distance')!.range!.low * 0.621371192, 6);
    expect(view.latestWithData).toBe(TODAY);
  });

  it('should leave out hidden metrics and metrics without any value', () => {
    const history = historyOf(DAYS, TODAY, 7, NOW);
    const view = historyView(history, { ...DEFAULT_SETTINGS, hiddenTiles: ['steps'] });
    expect(view.series.map((series) => series.metric.id)).not.toContain('steps');
    expect(view.series.map((series) => series.metric.id)).toContain('rest_hr');
  });
});

describe('unitAfter', () => {
  it.each([
    ['Steps', 'steps', ''],
    ['Schritte', 'Schritte', ''],
    ['Distance', 'km', 'km'],
    ['Stress (average)', '', ''],
  ])('should turn %s + %s into "%s"', (label, unit, expected) => {
    expect(unitAfter(label, unit)).toBe(expected);
  });
});

describe('SidepanelApp', () => {
  it('should show the 30-day history by default with one chart per metric, gaps and the personal range', async () => {
    const background = signedIn();
    const charts = recordingCharts();
    renderPage(<SidepanelApp charts={async () => charts.api} />, { now: NOW });
    await waitFor(() => expect(root().getAttribute('data-state')).toBe('ready'));
    expect(background.calls).toContainEqual(['getHistory', { days: 30 }]);
    expect(screen.getByTestId('range-30').getAttribute('aria-pressed')).toBe('true');
    const history = historyOf(DAYS, TODAY, 30, NOW);
    const spec = await waitFor(() => charts.lastDaily('rest_hr'));
    expect(spec.xs).toHaveLength(30);
    expect(spec.ys).toEqual(history.days.map((day) => day.values.rest_hr ?? null));
    expect(spec.ys[history.days.findIndex((day) => day.date === MISSING[0])]).toBeNull();
    expect(spec.band).toEqual(history.metrics.find((metric) => metric.id === 'rest_hr')!.range);
    expect(screen.getByTestId('chart-rest_hr').querySelector('[role=img]')!.getAttribute('aria-label')).toMatch(/^Resting heart rate, .+ Shaded: your usual range, \d+(\.\d)? bpm to \d+(\.\d)? bpm\./);
  });

  it('should list the same numbers in a real table with caption and header scopes', async () => {
    signedIn();
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW });
    const table = await screen.findByTestId('history-table');
    expect(table.querySelector('caption')!.textContent).toMatch(/^Daily values, /);
    expect(table.querySelectorAll('thead th[scope=col]').length).toBeGreaterThan(1);
    const history = historyOf(DAYS, TODAY, 30, NOW);
    const rows = table.querySelectorAll('tbody tr[data-date]');
    expect(rows).toHaveLength(30);
    for (const day of history.days) {
      const row = table.querySelector(`tr[data-date="${day.date}"]`)!;
      expect(row.querySelector('th[scope=row]')).toBeTruthy();
      for (const metric of ['rest_hr', 'avg_hr', 'max_hr', 'steps']) {
        const cell = row.querySelector(`td[data-metric="${metric}"]`)!;
        const value = day.values[metric] ?? null;
        expect(cell.getAttribute('data-value')).toBe(value === null ? '' : String(value));
      }
    }
    const gap = table.querySelector(`tr[data-date="${MISSING[0]}"] td[data-metric=rest_hr]`)!;
    expect(gap.textContent).toBe('—no value');
  });

  it('should show a new range in the charts first, and in the table (below the fold) a task later', async () => {
    signedIn();
    const charts = recordingCharts();
    renderPage(<SidepanelApp charts={async () => charts.api} />, { now: NOW });
    const rows = () => screen.getByTestId('history-table').querySelectorAll('tbody tr').length;
    await waitFor(() => expect(rows()).toBe(30));
    // What the table held in the very task the new range was rendered in.
    const seen: number[] = [];
    const observer = new MutationObserver(() => {
      if (screen.getByTestId('sidepanel').getAttribute('data-range') === '90' && seen.length === 0) seen.push(rows());
    });
    observer.observe(screen.getByTestId('sidepanel'), { attributes: true, attributeFilter: ['data-range'] });
    fireEvent.click(screen.getByTestId('range-90'));
    await waitFor(() => expect(rows()).toBe(90));
    observer.disconnect();
    expect(seen).toEqual([30]);
    expect(charts.lastDaily('steps').xs).toHaveLength(90);
  });

  it.each([7, 90] as const)('should switch to %d days', async (days) => {
    const background = signedIn();
    const charts = recordingCharts();
    renderPage(<SidepanelApp charts={async () => charts.api} />, { now: NOW });
    await screen.findByTestId('history-table');
    fireEvent.click(screen.getByTestId(`range-${days}`));
    await waitFor(() => expect(screen.getByTestId('history-table').querySelectorAll('tbody tr')).toHaveLength(days));
    expect(background.calls).toContainEqual(['getHistory', { days }]);
    expect(screen.getByTestId(`range-${days}`).getAttribute('aria-pressed')).toBe('true');
    // The existing charts got the new data instead of being rebuilt.
    expect(charts.lastDaily('steps').xs).toHaveLength(days);
    expect(charts.destroyed).toHaveLength(0);
  });

  it('should convert table values to imperial units and keep data-value canonical', async () => {
    signedIn({ ...DEFAULT_SETTINGS, units: 'imperial' });
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW });
    const table = await screen.findByTestId('history-table');
    const cell = table.querySelector(`tr[data-date="${TODAY}"] td[data-metric=distance]`)!;
    const km = Number(cell.getAttribute('data-value'));
    // Miles to 10 m, as kilometres are (the readings model's two decimals for km).
    expect(cell.textContent).toBe(new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(km * 0.621371192));
    expect(within(table).getByText('Distance (mi)')).toBeTruthy();
  });

  it('should follow a settings change from the options page while open, without asking for the history again', async () => {
    const background = signedIn();
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW });
    const table = await screen.findByTestId('history-table');
    expect(within(table).getByText('Distance (km)')).toBeTruthy();
    const requests = background.calls.filter(([type]) => type === 'getHistory').length;
    background.settings = { ...DEFAULT_SETTINGS, units: 'imperial', hiddenTiles: ['steps'] };
    await background.broadcast(background.status);
    await waitFor(() => expect(within(screen.getByTestId('history-table')).getByText('Distance (mi)')).toBeTruthy());
    expect(screen.queryByTestId('chart-steps')).toBeNull();
    expect(background.calls.filter(([type]) => type === 'getHistory')).toHaveLength(requests);
  });

  it('should not repeat a unit that only restates the metric name', async () => {
    signedIn();
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW });
    const table = await screen.findByTestId('history-table');
    const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
    expect(headers).toContain('Steps');
    expect(headers).toContain('Resting heart rate (bpm)');
    expect(screen.getByTestId('chart-steps').querySelector('h3')!.textContent).toBe('Steps');
  });

  it('should show the intraday heart rate and steps for the latest day with data and follow the day picker', async () => {
    const background = signedIn();
    const charts = recordingCharts();
    renderPage(<SidepanelApp charts={async () => charts.api} />, { now: NOW });
    const picker = (await screen.findByTestId('day-picker')) as HTMLSelectElement;
    expect(picker.value).toBe(TODAY);
    await waitFor(() => expect(background.calls).toContainEqual(['getIntraday', { date: TODAY }]));
    const yesterday = addDays(TODAY, -1);
    fireEvent.change(picker, { target: { value: yesterday } });
    await waitFor(() => expect(background.calls).toContainEqual(['getIntraday', { date: yesterday }]));
    expect([...picker.options].map((option) => option.value)).not.toContain(MISSING[0]);
  });

  it('should draw the intraday charts from the slots', async () => {
    const withSlots = summaries(TODAY, 30).map((summary) =>
      summary.date === TODAY
        ? {
            ...summary,
            heart_rate: { ...summary.heart_rate!, slots: [{ timestamp: NOW - 600_000, bpm: 61 }, { timestamp: NOW - 300_000, bpm: 64 }] },
          }
        : summary,
    );
    const background = signedIn();
    background.intraday = (date) => ok(intradayOf(withSlots as typeof DAYS, date));
    const charts = recordingCharts();
    renderPage(<SidepanelApp charts={async () => charts.api} />, { now: NOW });
    const figure = await screen.findByTestId('intraday-heart-rate');
    const spec = charts.intraday.get(figure.querySelector<HTMLElement>('.chart')!)!.at(-1)!;
    expect(spec.ys).toEqual([61, 64]);
    expect(spec.xs).toEqual([(NOW - 600_000) / 1000, (NOW - 300_000) / 1000]);
    expect(figure.querySelector('[role=img]')!.getAttribute('aria-label')).toMatch(/^Heart rate on .+: 2 values from 61 bpm to 64 bpm\.$/);
  });

  it('should still show the table when the chart chunk fails to load', async () => {
    signedIn();
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    renderPage(<SidepanelApp charts={() => Promise.reject(new Error('chunk missing'))} />, { now: NOW });
    expect(await screen.findByText('The charts could not be loaded. The table below has every value.')).toBeTruthy();
    expect(screen.getByTestId('history-table')).toBeTruthy();
  });

  it('should show the error and retry when the history cannot be loaded', async () => {
    const background = signedIn();
    background.history = () => err('NETWORK_ERROR', 'offline');
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW });
    const error = await screen.findByTestId('history-error');
    expect(error.getAttribute('data-code')).toBe('NETWORK_ERROR');
    background.history = (days) => ok(historyOf(DAYS, TODAY, days, NOW));
    fireEvent.click(screen.getByTestId('retry'));
    await waitFor(() => expect(root().getAttribute('data-state')).toBe('ready'));
  });

  it.each([
    ['signed_out', 'signed-out', 'Connect CardioMood'],
    ['reconnect_required', 'reconnect', 'Reconnect'],
  ] as const)('should offer to connect when %s', async (auth, state, label) => {
    const background = startFakeBackground({ status: statusOf({ auth }) });
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW });
    await waitFor(() => expect(root().getAttribute('data-state')).toBe(state));
    const connect = screen.getByTestId('connect');
    expect(connect.textContent).toBe(label);
    fireEvent.click(connect);
    await waitFor(() => expect(background.calls.map(([type]) => type)).toContain('signIn'));
    expect(background.calls.map(([type]) => type)).not.toContain('getHistory');
  });

  it('should say why the session ended when it asks to reconnect, in German too', async () => {
    startFakeBackground({ status: statusOf({ auth: 'reconnect_required', reason: 'unauthorized' }) });
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW, locale: 'de' });
    const reason = await screen.findByTestId('end-reason');
    expect(reason.getAttribute('data-reason')).toBe('unauthorized');
    expect(reason.textContent).toBe('CardioMood hat den Zugriff auf Ihre Werte auch mit einer frisch erneuerten Anmeldung verweigert.');
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Ihre CardioMood-Verbindung wurde beendet');
  });

  it('should show no reason after the member signed out', async () => {
    startFakeBackground({ status: statusOf({ auth: 'signed_out', reason: 'signed_out' }) });
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW });
    await waitFor(() => expect(root().getAttribute('data-state')).toBe('signed-out'));
    expect(screen.queryByTestId('end-reason')).toBeNull();
  });

  it('should load the history once the member is signed in (statusChanged)', async () => {
    const background = startFakeBackground({ status: statusOf({ auth: 'connecting' }) });
    background.history = (days) => ok(historyOf(DAYS, TODAY, days, NOW));
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW });
    await waitFor(() => expect(root().getAttribute('data-state')).toBe('connecting'));
    await background.broadcast(statusOf({ readings: snapshotOf(DAYS, TODAY, NOW) }));
    await waitFor(() => expect(root().getAttribute('data-state')).toBe('ready'));
  });

  it('should set sidepanel-rendered after each history is drawn', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const marks = vi.spyOn(performance, 'mark');
    signedIn();
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW });
    await waitFor(() => expect(marks.mock.calls.filter(([name]) => name === 'sidepanel-rendered')).toHaveLength(1));
    fireEvent.click(screen.getByTestId('range-90'));
    await waitFor(() => expect(marks.mock.calls.filter(([name]) => name === 'sidepanel-rendered')).toHaveLength(2));
  });

  it('should render German labels', async () => {
    signedIn();
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW, locale: 'de' });
    const table = await screen.findByTestId('history-table');
    expect(table.querySelector('caption')!.textContent).toMatch(/^Tageswerte, /);
    expect(screen.getByTestId('range-90').textContent).toBe('90 Tage');
    expect(within(table).getByText('Ruhepuls (S/min)')).toBeTruthy();
  });

  describe('CSV export', () => {
    /** The file the page saves: the Blob it makes a URL for and the name of the link it clicks. */
    function captureDownloads() {
      const files: Array<{ name: string; blob: Blob }> = [];
      const blobs = new Map<string, Blob>();
      vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
        const url = `blob:test/${blobs.size}`;
        blobs.set(url, blob as Blob);
        return url;
      });
      vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
      vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
        files.push({ name: this.download, blob: blobs.get(this.href)! });
      });
      return files;
    }

    it('should download the range as CSV: a header, one row a day with ISO dates and the shown columns in the display units', async () => {
      signedIn({ ...DEFAULT_SETTINGS, units: 'imperial', hiddenTiles: ['steps'] });
      const files = captureDownloads();
      renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW });
      await screen.findByTestId('history-table');
      fireEvent.click(screen.getByTestId('range-7'));
      await waitFor(() => expect(root().getAttribute('data-range')).toBe('7'));
      fireEvent.click(screen.getByTestId('export-csv'));
      expect(files).toHaveLength(1);
      const from = addDays(TODAY, -6);
      expect(files[0]!.name).toBe(`cardiomood-${from}_${TODAY}.csv`);
      expect(files[0]!.blob.type).toBe('text/csv;charset=utf-8');
      const lines = (await files[0]!.blob.text()).split('\r\n');
      expect(lines.at(-1)).toBe('');
      const [header, ...rows] = lines.slice(0, -1).map((line) => line.split(','));
      // The table's columns, in its order and with its headers; the hidden one is not there.
      const tableHeaders = [...screen.getByTestId('history-table').querySelectorAll('thead th')].map((th) => th.textContent);
      expect(header).toEqual(['Date', ...tableHeaders.slice(1)]);
      expect(header).not.toContain('Steps');
      expect(header).toContain('Distance (mi)');
      const history = historyOf(DAYS, TODAY, 7, NOW);
      expect(rows.map((row) => row[0])).toEqual(history.days.map((day) => day.date));
      const distance = header!.indexOf('Distance (mi)');
      const rest = header!.indexOf('Resting heart rate (bpm)');
      for (const [i, day] of history.days.entries()) {
        const km = day.values.distance ?? null;
        expect(rows[i]![distance], day.date).toBe(km === null ? '' : (km * 0.621371192).toFixed(2));
        expect(rows[i]![rest], day.date).toBe(day.values.rest_hr == null ? '' : String(day.values.rest_hr));
      }
      // The day without data is a row of empty cells.
      const gap = rows.find((row) => row[0] === MISSING[0])!;
      expect(gap.slice(1).every((cell) => cell === '')).toBe(true);
    });

    it('should write "." decimals in a German UI too', async () => {
      signedIn();
      const files = captureDownloads();
      renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW, locale: 'de' });
      await screen.findByTestId('history-table');
      fireEvent.click(screen.getByTestId('export-csv'));
      const text = await files[0]!.blob.text();
      const [header, last] = [text.split('\r\n')[0]!, text.split('\r\n').at(-2)!];
      expect(header.split(',')[0]).toBe('Datum');
      const column = header.split(',').indexOf('Strecke (km)');
      expect(last.split(',')[column]).toMatch(/^\d+\.\d{2}$/);
    });
  });

  it('should show weekly averages by calendar week for the range, marking weeks the range cuts', async () => {
    signedIn();
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW });
    const table = await screen.findByTestId('weekly-table');
    const history = historyOf(DAYS, TODAY, 30, NOW);
    const rows = [...table.querySelectorAll('tbody tr')];
    // 30 days from a Friday (Oct 30) to a Saturday (Nov 28): five calendar weeks, newest first.
    expect(rows.map((row) => row.getAttribute('data-week'))).toEqual(['2026-W48', '2026-W47', '2026-W46', '2026-W45', '2026-W44']);
    expect(rows.map((row) => row.getAttribute('data-days'))).toEqual(['6', '7', '7', '7', '3']);
    expect(within(rows[0] as HTMLElement).getByText('6 of 7 days', { exact: false })).toBeTruthy();
    // Week 48 (Mon Nov 23 – Sat Nov 28, the range's end): the resting heart rate of its days with a value, averaged.
    const week = history.days.filter((day) => day.date >= '2026-11-23');
    const values = week.map((day) => day.values.rest_hr).filter((v): v is number => typeof v === 'number');
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const cell = rows[0]!.querySelector('td[data-metric=rest_hr]')!;
    expect(Number(cell.getAttribute('data-value'))).toBeCloseTo(mean, 9);
    expect(cell.textContent).toBe(new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(mean));
    expect(table.querySelector('caption')!.textContent).toMatch(/^Average per calendar week, /);
  });

  it.each([
    ['metric', 'Walking speed (km/h)', 3.6],
    ['imperial', 'Walking speed (mph)', 2.236936292],
  ] as const)('should show the walking speed in the %s speed unit', async (units, header, factor) => {
    // The background's history from its cached day records carries the other activity fields too.
    const records = recordsOf(DAYS, TODAY);
    const background = signedIn({ ...DEFAULT_SETTINGS, units });
    background.history = (days) => ok(historyFromRecords(records, TODAY, days, NOW));
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW });
    const table = await screen.findByTestId('history-table');
    await waitFor(() => expect(within(table).getByText(header)).toBeTruthy());
    const cell = table.querySelector(`tr[data-date="${TODAY}"] td[data-metric=gait_speed]`)!;
    const mps = Number(cell.getAttribute('data-value'));
    expect(mps).toBe(1.2);
    expect(cell.textContent).toBe(new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(mps * factor));
    expect(screen.getByTestId('chart-gait_speed').querySelector('h3')!.textContent).toBe(header);
  });

  it('should offer every control as a button, select or focusable region, in reading order', async () => {
    signedIn();
    renderPage(<SidepanelApp charts={async () => recordingCharts().api} />, { now: NOW });
    await screen.findByTestId('history-table');
    const focusable = [...root().querySelectorAll<HTMLElement>('button, select, [tabindex]')].filter((element) => element.tabIndex >= 0);
    expect(focusable.map((element) => element.getAttribute('data-testid') ?? element.getAttribute('aria-labelledby'))).toEqual([
      'range-7',
      'range-30',
      'range-90',
      'export-csv',
      'weekly-caption',
      'day-picker',
      'history-caption',
    ]);
  });
});
