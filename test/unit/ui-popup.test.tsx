// @vitest-environment happy-dom
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { addDays } from '../../src/shared/local-date';
import { err, ok } from '../../src/shared/error-codes';
import type { Glance } from '../../src/shared/glance';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import type { Status } from '../../src/shared/status';
import { PopupApp } from '../../src/ui/popup/popup-app';
import { popupStateOf, type PopupState } from '../../src/ui/popup/popup-state';
import {
  glanceOf,
  localAt,
  morningSummary,
  pastDay,
  renderPage,
  resetPagesBetweenTests,
  startFakeBackground,
  statusOf,
  storedView,
  todayOf,
} from './support/ui-harness';

/** 10:00 local: the morning glance (data synced at 07:30). */
const NOW = new Date(2026, 10, 28, 10, 0).getTime();
const TODAY = todayOf(NOW);
const YESTERDAY = addDays(TODAY, -1);

const clock = (hhmm: string, locale = 'en-US') => new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(localAt(TODAY, hhmm));
const AT_0730 = clock('07:30');

/** Days k = 1…20 of the harness's `pastDay` and today synced at 07:30 (see the harness for the numbers). */
const morning = (): Glance => glanceOf({ now: NOW });

const popup = () => screen.getByTestId('popup');
const stateOfPage = () => popup().getAttribute('data-state');
const metric = (id: string) => screen.getByTestId(`metric-${id}`);
const valueOf = (id: string) => within(metric(id)).getByTestId('metric-value');
/** What the eye reads (aria-hidden text included, screen-reader-only text left out). */
const shownText = (element: Element) => {
  const copy = element.cloneNode(true) as Element;
  copy.querySelectorAll('.sr-only').forEach((node) => node.remove());
  return copy.textContent ?? '';
};
/** What a screen reader reads (aria-hidden text left out). */
const spokenText = (element: Element) => {
  const copy = element.cloneNode(true) as Element;
  copy.querySelectorAll('[aria-hidden="true"]').forEach((node) => node.remove());
  return copy.textContent ?? '';
};

resetPagesBetweenTests();

const STATES: Array<[PopupState, () => Status]> = [
  ['signed-out', () => statusOf({ auth: 'signed_out' })],
  ['connecting', () => statusOf({ auth: 'connecting' })],
  ['loading', () => statusOf({ sync: { state: 'loading' } })],
  ['readings', () => statusOf({ glance: morning() })],
  ['no-data-today', () => statusOf({ glance: glanceOf({ now: NOW, today: null }) })],
  ['error', () => statusOf({ sync: { state: 'error', error: { code: 'SERVER_ERROR', message: '503' } } })],
  ['offline', () => statusOf({ glance: morning(), sync: { state: 'offline', error: { code: 'NETWORK_ERROR', message: 'x' }, nextRetryAt: NOW + 120_000 } })],
  ['reconnect', () => statusOf({ auth: 'reconnect_required', authError: { code: 'REAUTH_REQUIRED', message: 'invalid_grant' } })],
];

describe('popupStateOf', () => {
  it.each(STATES)('should call for %s', (state, status) => {
    expect(popupStateOf(status())).toBe(state);
  });

  it('should keep the glance on screen when a refresh failed for another reason than the network', () => {
    expect(popupStateOf(statusOf({ glance: morning(), sync: { state: 'error', error: { code: 'SERVER_ERROR', message: '' } } }))).toBe('offline');
  });

  it('should show a stored glance while the background has none yet, but never to a signed-out member', () => {
    expect(popupStateOf(statusOf({ sync: { state: 'loading' } }), morning())).toBe('readings');
    expect(popupStateOf(statusOf({ auth: 'signed_out' }), morning())).toBe('signed-out');
  });
});

describe('PopupApp', () => {
  it.each(STATES)('should render data-state=%s from the first getStatus answer', async (state, status) => {
    startFakeBackground({ status: status() });
    renderPage(<PopupApp />, { now: NOW });
    await waitFor(() => expect(stateOfPage()).toBe(state));
  });

  it('should show one primary Connect button when signed out and sign in through the background', async () => {
    const background = startFakeBackground({ status: statusOf({ auth: 'signed_out' }) });
    renderPage(<PopupApp />, { now: NOW });
    const connect = await screen.findByTestId('connect');
    expect(connect.textContent).toBe('Connect CardioMood');
    expect(screen.queryByTestId('sign-out')).toBeNull();
    expect(screen.queryByTestId('refresh')).toBeNull();
    let finish!: () => void;
    background.onSignIn = () =>
      new Promise((resolve) => {
        finish = () => resolve(ok(statusOf({ glance: morning() })));
      });
    fireEvent.click(connect);
    // The wait shows at once, before the background's flow ends.
    await waitFor(() => expect(stateOfPage()).toBe('connecting'));
    expect(screen.getByText('Waiting for CardioMood sign-in…')).toBeTruthy();
    finish();
    await waitFor(() => expect(stateOfPage()).toBe('readings'));
    expect(background.calls.filter(([type]) => type === 'signIn')).toHaveLength(1);
  });

  it.each([
    ['ACCESS_DENIED', 'You declined access'],
    ['AUTH_CANCELLED', 'Sign-in window was closed'],
    ['COMPANION_REJECTED', 'The sign-in service refused the request'],
  ] as const)('should explain a failed sign-in (%s) and offer to try again', async (code, text) => {
    startFakeBackground({ status: statusOf({ auth: 'signed_out', authError: { code, message: 'x' } }) });
    renderPage(<PopupApp />, { now: NOW });
    const error = await screen.findByTestId('auth-error');
    expect(error.getAttribute('data-code')).toBe(code);
    expect(error.textContent).toContain(text);
    expect(screen.getByTestId('connect').textContent).toBe('Try connecting again');
  });

  it('should go back to signed out with the error when sign-in fails', async () => {
    const background = startFakeBackground({ status: statusOf({ auth: 'signed_out' }) });
    background.onSignIn = async () => {
      background.status = statusOf({ auth: 'signed_out', authError: { code: 'AUTH_CANCELLED', message: 'closed' } });
      return err('AUTH_CANCELLED', 'closed');
    };
    renderPage(<PopupApp />, { now: NOW });
    fireEvent.click(await screen.findByTestId('connect'));
    await waitFor(() => expect(screen.getByTestId('auth-error').getAttribute('data-code')).toBe('AUTH_CANCELLED'));
    expect(stateOfPage()).toBe('signed-out');
  });

  it('should follow statusChanged broadcasts', async () => {
    const background = startFakeBackground({ status: statusOf({ auth: 'connecting' }) });
    renderPage(<PopupApp />, { now: NOW });
    await waitFor(() => expect(stateOfPage()).toBe('connecting'));
    await background.broadcast(statusOf({ sync: { state: 'loading' } }));
    await waitFor(() => expect(stateOfPage()).toBe('loading'));
    await background.broadcast(statusOf({ glance: morning() }));
    await waitFor(() => expect(stateOfPage()).toBe('readings'));
  });

  describe('the glance', () => {
    it('should lead with last night and resting heart rate in the morning, then steps, with values as the glance holds them', async () => {
      const glance = morning();
      startFakeBackground({ status: statusOf({ glance }) });
      renderPage(<PopupApp />, { now: NOW });
      await screen.findByTestId('glance');
      expect(screen.getByTestId('glance').getAttribute('data-lead')).toBe('morning');
      const heroes = [...screen.getByTestId('glance').querySelectorAll('.heroes > li')].map((li) => li.getAttribute('data-testid'));
      expect(heroes).toEqual(['metric-sleep', 'metric-rest_hr', 'metric-steps']);
      expect(valueOf('rest_hr').textContent).toBe('55 bpm');
      expect(valueOf('rest_hr').getAttribute('data-value')).toBe(String(glance.today.restHr.value));
      expect(valueOf('steps').textContent).toBe('97 steps');
      expect(valueOf('sleep').textContent).toBe('7 h');
      // The rows: average and maximum heart rate, active minutes (no workout today, no glasses logged).
      const rows = [...screen.getByTestId('glance').querySelectorAll('.rows > li')].map((li) => li.getAttribute('data-testid'));
      expect(rows).toEqual(['metric-avg_hr', 'metric-max_hr', 'metric-active_minutes']);
      expect(valueOf('max_hr').textContent).toBe('76 bpm');
      // No asterisk and no "unit assumed" anywhere in the popup.
      expect(popup().textContent).not.toMatch(/\*|assumed/);
    });

    it('should compare today so far with the typical value by the time of the newest data', async () => {
      startFakeBackground({ status: statusOf({ glance: morning() }) });
      renderPage(<PopupApp />, { now: NOW });
      const steps = await waitFor(() => metric('steps'));
      // By 07:30 the 14 most recent days had 50·k steps, k = 1…14: median 375; 97 − 375 = −278.
      const change = within(steps).getByTestId('metric-change');
      expect(shownText(change)).toBe(`↓ 278 steps vs. typical by ${AT_0730}`);
      expect(spokenText(change)).toBe(`278 steps below your typical 375 steps by ${AT_0730}`);
      expect(within(steps).getByTestId('metric-typical').textContent).toBe(`Typical by ${AT_0730}: 375 steps`);
      expect(within(steps).getByText('1% of daily goal')).toBeTruthy();
      expect(within(steps).queryByTestId('metric-basis')).toBeNull();
      // Maximum heart rate by 07:30: 60 + k/2 → 64; 76 − 64 = +12. Rows keep the typical value for the ear.
      const max = within(metric('max_hr')).getByTestId('metric-change');
      expect(shownText(max)).toBe(`↑ 12 bpm vs. typical by ${AT_0730}`);
      expect(spokenText(max)).toBe(`12 bpm above your typical 64 bpm by ${AT_0730}`);
      expect(within(metric('max_hr')).queryByTestId('metric-typical')).toBeNull();
    });

    it('should compare resting heart rate and sleep with the usual whole day', async () => {
      startFakeBackground({ status: statusOf({ glance: morning() }) });
      renderPage(<PopupApp />, { now: NOW });
      const rest = await waitFor(() => metric('rest_hr'));
      // Resting 50 + k, k = 1…14: median 57.5 → 58; 55 − 58.
      expect(shownText(within(rest).getByTestId('metric-change'))).toBe('↓ 3 bpm vs. usual');
      expect(spokenText(within(rest).getByTestId('metric-change'))).toBe('3 bpm below your usual 58 bpm');
      expect(within(rest).getByTestId('metric-typical').textContent).toBe('Usual: 58 bpm');
      // Sleep 400 + k: median 407.5 → 408 (6 h 48 min); 420 − 408 = +12 min.
      const sleep = metric('sleep');
      expect(shownText(within(sleep).getByTestId('metric-change'))).toBe('↑ 12 min vs. usual');
      expect(within(sleep).getByTestId('metric-typical').textContent).toBe('Usual: 6 h 48 min');
    });

    it('should list the sleep stages with their minutes for everyone, the bar being decoration', async () => {
      startFakeBackground({ status: statusOf({ glance: morning() }) });
      renderPage(<PopupApp />, { now: NOW });
      const stages = await screen.findByTestId('sleep-stages');
      expect(stages.tagName).toBe('UL');
      expect(stages.getAttribute('aria-label')).toBe('Sleep stages');
      expect([...stages.querySelectorAll('li')].map((li) => [li.getAttribute('data-stage'), li.getAttribute('data-minutes'), li.textContent])).toEqual([
        ['awake', '20', 'Awake 20 min'],
        ['rem', '90', 'REM 1 h 30 min'],
        ['light', '230', 'Light 3 h 50 min'],
        ['deep', '100', 'Deep 1 h 40 min'],
      ]);
      const bar = metric('sleep').querySelector('.stage-bar')!;
      expect(bar.getAttribute('aria-hidden')).toBe('true');
      expect(bar.children).toHaveLength(4);
    });

    it('should switch to yesterday, a complete day compared with whole days, and back', async () => {
      const glance = morning();
      startFakeBackground({ status: statusOf({ glance }) });
      renderPage(<PopupApp />, { now: NOW });
      const today = await screen.findByTestId('day-today');
      const yesterday = screen.getByTestId('day-yesterday');
      expect([today.textContent, yesterday.textContent]).toEqual(['Today', 'Yesterday']);
      expect(screen.getByRole('tablist').getAttribute('aria-label')).toBe('Day');
      expect(today.getAttribute('aria-selected')).toBe('true');
      expect(yesterday.getAttribute('aria-selected')).toBe('false');

      fireEvent.click(yesterday);
      await waitFor(() => expect(screen.getByTestId('glance').getAttribute('data-date')).toBe(YESTERDAY));
      expect(yesterday.getAttribute('aria-selected')).toBe('true');
      expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe('day-yesterday');
      // Yesterday k = 1: 8,100 steps vs. the 14 days before (k = 2…15): median 8,850.
      expect(valueOf('steps').textContent).toBe('8,100 steps');
      expect(shownText(within(metric('steps')).getByTestId('metric-change'))).toBe('↓ 750 steps vs. usual');
      expect(valueOf('rest_hr').textContent).toBe('51 bpm');
      expect(valueOf('max_hr').textContent).toBe('71 bpm');
      expect(shownText(within(metric('max_hr')).getByTestId('metric-change'))).toBe('↓ 8 bpm vs. usual');
      expect(within(metric('sleep')).getByText('Sleep the night before')).toBeTruthy();
      expect(valueOf('steps').getAttribute('data-value')).toBe(String(glance.yesterday.steps.value));

      fireEvent.click(today);
      await waitFor(() => expect(screen.getByTestId('glance').getAttribute('data-date')).toBe(TODAY));
      expect(valueOf('steps').textContent).toBe('97 steps');
    });

    it('should say "No value", not "today", for a metric yesterday lacks', async () => {
      // Yesterday (k = 1) without a resting heart rate.
      const records = [pastDay(TODAY, 1), ...Array.from({ length: 19 }, (_, i) => pastDay(TODAY, i + 2))];
      delete (records[0]!.values as Record<string, number>).rest_hr;
      startFakeBackground({ status: statusOf({ glance: glanceOf({ now: NOW, records }) }) });
      renderPage(<PopupApp />, { now: NOW });
      fireEvent.click(await screen.findByTestId('day-yesterday'));
      await waitFor(() => expect(screen.getByTestId('glance').getAttribute('data-date')).toBe(YESTERDAY));
      expect(valueOf('rest_hr').getAttribute('data-value')).toBe('');
      expect(shownText(valueOf('rest_hr'))).toBe('—');
      expect(spokenText(valueOf('rest_hr'))).toBe('No value');
    });

    it('should move between the days with the arrow keys, Home and End, with one tab stop for the two', async () => {
      startFakeBackground({ status: statusOf({ glance: morning() }) });
      renderPage(<PopupApp />, { now: NOW });
      const today = await screen.findByTestId('day-today');
      const yesterday = screen.getByTestId('day-yesterday');
      expect([today.tabIndex, yesterday.tabIndex]).toEqual([0, -1]);
      today.focus();
      fireEvent.keyDown(today, { key: 'ArrowRight' });
      await waitFor(() => expect(yesterday.getAttribute('aria-selected')).toBe('true'));
      expect(document.activeElement).toBe(yesterday);
      expect([today.tabIndex, yesterday.tabIndex]).toEqual([-1, 0]);
      fireEvent.keyDown(yesterday, { key: 'ArrowRight' });
      await waitFor(() => expect(today.getAttribute('aria-selected')).toBe('true'));
      expect(document.activeElement).toBe(today);
      fireEvent.keyDown(today, { key: 'End' });
      await waitFor(() => expect(document.activeElement).toBe(yesterday));
      fireEvent.keyDown(yesterday, { key: 'Home' });
      await waitFor(() => expect(document.activeElement).toBe(today));
      fireEvent.keyDown(today, { key: 'ArrowLeft' });
      await waitFor(() => expect(document.activeElement).toBe(yesterday));
      // The panel is reachable with Tab (it has no control of its own).
      expect(screen.getByRole('tabpanel').tabIndex).toBe(0);
    });

    it('should keep every control in the tab order in reading order: refresh, day, panel, then the footer', async () => {
      startFakeBackground({ status: statusOf({ glance: morning() }) });
      renderPage(<PopupApp />, { now: NOW });
      await screen.findByTestId('glance');
      const focusable = [...popup().querySelectorAll<HTMLElement>('button, [tabindex]')].filter((element) => element.tabIndex >= 0 && !(element as HTMLButtonElement).disabled);
      expect(focusable.map((element) => element.getAttribute('data-testid') ?? element.getAttribute('role'))).toEqual([
        'refresh',
        'day-today',
        'tabpanel',
        'open-sidepanel',
        'open-options',
        'sign-out',
      ]);
    });

    it('should open on yesterday while today has no data yet, and say so', async () => {
      const glance = glanceOf({ now: NOW, today: null });
      expect(glance.focus).toBe('yesterday');
      startFakeBackground({ status: statusOf({ glance }) });
      renderPage(<PopupApp />, { now: NOW });
      await waitFor(() => expect(stateOfPage()).toBe('no-data-today'));
      expect(screen.getByTestId('day-yesterday').getAttribute('aria-selected')).toBe('true');
      expect(screen.getByTestId('glance').getAttribute('data-date')).toBe(YESTERDAY);
      expect(screen.getByTestId('no-data-today').textContent).toBe('No readings yet today — wear your device and sync it.');
    });

    it('should say when the wearable last synced apart from when the extension checked, and keep it current', async () => {
      const ticks: Array<() => void> = [];
      const realSetInterval = globalThis.setInterval;
      // Catch the popup's 30 s clock (testing-library's own polling interval passes through).
      vi.spyOn(globalThis, 'setInterval').mockImplementation(((handler: () => void, ms?: number) => {
        if (ms !== 30_000) return realSetInterval(handler, ms);
        ticks.push(handler);
        return realSetInterval(() => undefined, 1 << 30);
      }) as typeof setInterval);
      const glance = glanceOf({ now: NOW - 3 * 60_000 });
      startFakeBackground({ status: statusOf({ glance }) });
      const page = renderPage(<PopupApp />, { now: NOW });
      const synced = await screen.findByTestId('last-synced');
      expect(synced.textContent).toBe(`Last synced ${AT_0730}`);
      expect(synced.getAttribute('data-at')).toBe(String(localAt(TODAY, '07:30')));
      const checked = screen.getByTestId('checked-at');
      expect(checked.textContent).toBe('checked 3 minutes ago');
      expect(checked.getAttribute('data-at')).toBe(String(NOW - 3 * 60_000));
      await waitFor(() => expect(ticks.length).toBeGreaterThan(0));
      page.clock.now = NOW + 2 * 60_000;
      ticks.forEach((tick) => tick());
      await waitFor(() => expect(screen.getByTestId('checked-at').textContent).toBe('checked 5 minutes ago'));
    });

    it('should say "Calibrating n/14" while a new member\'s baseline can still be completed', async () => {
      startFakeBackground({ status: statusOf({ glance: glanceOf({ now: NOW, days: 4 }) }) });
      renderPage(<PopupApp />, { now: NOW });
      const note = within(await waitFor(() => metric('rest_hr'))).getByTestId('metric-note');
      expect(shownText(note)).toBe('Calibrating 4/14');
      expect(spokenText(note)).toBe('Calibrating your baseline: 4 of 14 days');
      expect(within(metric('rest_hr')).queryByTestId('metric-change')).toBeNull();
    });

    it('should compare "based on n days" once a full baseline cannot be reached', async () => {
      // A value every third day for two months: ten days in the 28-day window, and never fourteen.
      const records = Array.from({ length: 20 }, (_, i) => pastDay(TODAY, 1 + 3 * i));
      startFakeBackground({ status: statusOf({ glance: glanceOf({ now: NOW, records }) }) });
      renderPage(<PopupApp />, { now: NOW });
      const rest = await waitFor(() => metric('rest_hr'));
      expect(within(rest).getByTestId('metric-basis').textContent).toBe('based on 10 days');
      // Resting 51, 54, …, 78: median 64.5 → 65; 55 − 65.
      expect(within(rest).getByTestId('metric-typical').textContent).toBe('Usual: 65 bpm');
      expect(shownText(within(rest).getByTestId('metric-change'))).toBe('↓ 10 bpm vs. usual');
    });

    it('should show today\'s running total as "so far" when there is nothing to compare it with yet', async () => {
      const records = Array.from({ length: 20 }, (_, i) => ({ ...pastDay(TODAY, i + 1), profile: null }));
      startFakeBackground({ status: statusOf({ glance: glanceOf({ now: NOW, records }) }) });
      renderPage(<PopupApp />, { now: NOW });
      const steps = await waitFor(() => metric('steps'));
      expect(within(steps).getByTestId('metric-note').textContent).toBe('so far');
      expect(within(steps).queryByTestId('metric-change')).toBeNull();
      // Resting heart rate is settled in the morning: compared with whole days, never "so far".
      expect(within(metric('rest_hr')).queryByTestId('metric-note')).toBeNull();
    });

    it('should show workouts and logged water glasses as rows, without a comparison', async () => {
      const evening = new Date(2026, 10, 28, 19, 5).getTime();
      const summary = morningSummary(TODAY, { syncedAt: '19:00', activity: { total_steps: 9000, workouts: 1, total_glasses: 0 } });
      startFakeBackground({ status: statusOf({ glance: glanceOf({ now: evening, today: summary }) }) });
      renderPage(<PopupApp />, { now: evening });
      await screen.findByTestId('glance');
      const rows = [...screen.getByTestId('glance').querySelectorAll('.rows > li')].map((li) => li.getAttribute('data-testid'));
      expect(rows).toEqual(['metric-avg_hr', 'metric-max_hr', 'metric-active_minutes', 'metric-workouts', 'metric-glasses']);
      expect(within(metric('workouts')).getByRole('heading').textContent).toBe('Workouts');
      expect(valueOf('workouts').textContent).toBe('1');
      expect(valueOf('glasses').textContent).toBe('0');
      expect(within(metric('glasses')).getByRole('heading').textContent).toBe('Water (glasses)');
      expect(within(metric('workouts')).queryByTestId('metric-change')).toBeNull();
      // 9,000 steps: the day leads with steps.
      const heroes = [...screen.getByTestId('glance').querySelectorAll('.heroes > li')].map((li) => li.getAttribute('data-testid'));
      expect(heroes).toEqual(['metric-steps', 'metric-rest_hr', 'metric-sleep']);
    });

    it('should draw missing days and a still-running today in the week, and say so in words', async () => {
      // Days 3 and 4 before today are missing.
      const glance = glanceOf({ now: NOW, missing: [3, 4] });
      expect(glance.today.steps.sparkGaps).toEqual([[2, 3]]);
      startFakeBackground({ status: statusOf({ glance }) });
      renderPage(<PopupApp />, { now: NOW });
      const steps = await waitFor(() => metric('steps'));
      const svg = steps.querySelector('svg.spark')!;
      expect(svg.getAttribute('aria-hidden')).toBe('true');
      // The bridge over the missing days and the dashed step into today, and today as a ring.
      expect(svg.querySelectorAll('.spark-dash')).toHaveLength(2);
      expect(svg.querySelectorAll('.spark-ring')).toHaveLength(1);
      expect(steps.querySelector('p.sr-only:last-child')!.textContent).toBe(
        'Last 7 days: lowest 97 steps, highest 8,600 steps; 5 of 7 days with data. Today is still running.',
      );
    });

    it('should leave out what the member hid, the sleep card included', async () => {
      startFakeBackground({ status: statusOf({ glance: morning() }), settings: { ...DEFAULT_SETTINGS, hiddenTiles: ['max_hr', 'sleep'] } });
      renderPage(<PopupApp />, { now: NOW });
      await waitFor(() => metric('rest_hr'));
      expect(screen.queryByTestId('metric-max_hr')).toBeNull();
      expect(screen.queryByTestId('metric-sleep')).toBeNull();
      expect(screen.getByTestId('metric-avg_hr')).toBeTruthy();
    });

    it('should render German labels, numbers, units and comparisons', async () => {
      startFakeBackground({ status: statusOf({ glance: morning() }) });
      renderPage(<PopupApp />, { now: NOW, locale: 'de' });
      await screen.findByTestId('glance');
      expect([screen.getByTestId('day-today').textContent, screen.getByTestId('day-yesterday').textContent]).toEqual(['Heute', 'Gestern']);
      expect(within(metric('rest_hr')).getByRole('heading').textContent).toBe('Ruhepuls');
      expect(within(metric('sleep')).getByText('Schlaf letzte Nacht')).toBeTruthy();
      expect(valueOf('sleep').textContent).toBe('7 Std.');
      expect(within(metric('sleep')).getByTestId('metric-typical').textContent).toBe('Üblich: 6 Std. 48 Min.');
      expect(shownText(within(metric('steps')).getByTestId('metric-change'))).toBe(`↓ 278 Schritte ggü. üblich bis ${clock('07:30', 'de-DE')}`);
      expect(screen.getByTestId('last-synced').textContent).toBe(`Zuletzt synchronisiert ${clock('07:30', 'de-DE')}`);
      expect(screen.getByTestId('sleep-stages').getAttribute('aria-label')).toBe('Schlafphasen');
      expect(within(screen.getByTestId('sleep-stages')).getByText('Tiefschlaf', { exact: false }).textContent).toBe('Tiefschlaf 1 Std. 40 Min.');
      expect(screen.getByTestId('sign-out').textContent).toBe('Abmelden');
    });
  });

  it('should show the error for the code and retry with refreshReadings when nothing is cached', async () => {
    const background = startFakeBackground({
      status: statusOf({ sync: { state: 'error', error: { code: 'RATE_LIMITED', message: '429' }, nextRetryAt: NOW + 5 * 60_000 } }),
    });
    renderPage(<PopupApp />, { now: NOW });
    expect((await screen.findByTestId('sync-error')).textContent).toBe('CardioMood asked us to slow down. We’ll try again shortly.');
    expect(screen.getByTestId('retry-at').textContent).toBe('Retrying in 5 minutes.');
    background.onRefresh = async () => ok(statusOf({ glance: morning() }));
    fireEvent.click(screen.getByTestId('retry'));
    await waitFor(() => expect(stateOfPage()).toBe('readings'));
    expect(background.calls.map(([type]) => type)).toContain('refreshReadings');
  });

  it('should keep the glance with an offline notice naming the time and the next retry', async () => {
    startFakeBackground({
      status: statusOf({ glance: morning(), sync: { state: 'offline', error: { code: 'NETWORK_ERROR', message: 'x' }, nextRetryAt: NOW + 120_000 } }),
    });
    renderPage(<PopupApp />, { now: NOW });
    const notice = await screen.findByTestId('offline-notice');
    expect(notice.textContent).toBe(`Offline — showing readings from ${clock('10:00')}; retrying in 2 minutes.`);
    expect(metric('rest_hr')).toBeTruthy();
  });

  it('should name the reason when a refresh failed with a glance on screen for a non-network error', async () => {
    startFakeBackground({
      status: statusOf({ glance: morning(), sync: { state: 'error', error: { code: 'SERVER_ERROR', message: '503' }, nextRetryAt: null } }),
    });
    renderPage(<PopupApp />, { now: NOW });
    const notice = await screen.findByTestId('offline-notice');
    expect(notice.textContent).toMatch(/^CardioMood is having trouble right now\. Please try again later\. Showing readings from .+; retrying soon\.$/);
  });

  it.each([
    ['revoked', 'CardioMood no longer accepts this connection: it was revoked or has expired.'],
    ['answer_lost', 'CardioMood’s answer to a renewal of your sign-in was lost, and signing you in again without asking was not possible. Connect again to keep seeing your readings.'],
    ['reuse_refused', 'CardioMood’s answer to a renewal of your sign-in was lost, and the renewal could not be repeated in time.'],
    ['unauthorized', 'CardioMood refused access to your readings even with a freshly renewed sign-in.'],
    ['expired', 'Your sign-in ran out and CardioMood gave no way to renew it.'],
  ] as const)('should offer Reconnect and say why when the session ended as %s', async (reason, text) => {
    const background = startFakeBackground({ status: statusOf({ auth: 'reconnect_required', reason }) });
    renderPage(<PopupApp />, { now: NOW });
    expect((await screen.findByText('Your CardioMood connection ended')).tagName).toBe('H2');
    expect(screen.getByTestId('end-reason').textContent).toBe(text);
    expect(screen.getByTestId('end-reason').getAttribute('data-reason')).toBe(reason);
    const reconnect = screen.getByTestId('connect');
    expect(reconnect.textContent).toBe('Reconnect');
    fireEvent.click(reconnect);
    await waitFor(() => expect(background.calls.map(([type]) => type)).toContain('signIn'));
  });

  it('should offer plain Connect, without a reason, after the member signed out', async () => {
    startFakeBackground({ status: statusOf({ auth: 'signed_out', reason: 'signed_out' }) });
    renderPage(<PopupApp />, { now: NOW });
    expect((await screen.findByTestId('connect')).textContent).toBe('Connect CardioMood');
    expect(screen.queryByTestId('end-reason')).toBeNull();
    expect(screen.queryByTestId('auth-error')).toBeNull();
  });

  it('should explain an interrupted sign-in and offer Connect again', async () => {
    startFakeBackground({
      status: statusOf({ auth: 'signed_out', authError: { code: 'SIGN_IN_INTERRUPTED', message: 'x' } }),
    });
    renderPage(<PopupApp />, { now: NOW });
    await waitFor(() => expect(stateOfPage()).toBe('signed-out'));
    expect(screen.getByTestId('auth-error').textContent).toBe(
      'The sign-in was interrupted. Close the CardioMood sign-in window if it is still open, then connect again.',
    );
    expect(screen.getByTestId('connect').textContent).toBe('Try connecting again');
  });

  it('should refresh, open the side panel and the options, and sign out from the signed-in controls', async () => {
    const background = startFakeBackground({ status: statusOf({ glance: morning() }) });
    const page = renderPage(<PopupApp />, { now: NOW });
    fireEvent.click(await screen.findByTestId('refresh'));
    await waitFor(() => expect(background.calls.map(([type]) => type)).toContain('refreshReadings'));
    fireEvent.click(screen.getByTestId('open-sidepanel'));
    expect(page.platform.openSidePanel).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByTestId('open-options'));
    expect(page.platform.openOptionsPage).toHaveBeenCalledTimes(1);
    expect(screen.getByText('Not a medical device. For information only.')).toBeTruthy();
    fireEvent.click(screen.getByTestId('sign-out'));
    await waitFor(() => expect(stateOfPage()).toBe('signed-out'));
    expect(background.calls.map(([type]) => type)).toContain('signOut');
  });

  it('should leave the side panel button out when the browser has no side panel', async () => {
    startFakeBackground({ status: statusOf({ glance: morning() }) });
    renderPage(<PopupApp />, { now: NOW, sidePanel: false });
    await screen.findByTestId('refresh');
    expect(screen.queryByTestId('open-sidepanel')).toBeNull();
  });

  it('should ask the background once and apply a settings change while open', async () => {
    const background = startFakeBackground({ status: statusOf({ glance: morning() }) });
    renderPage(<PopupApp />, { now: NOW });
    await waitFor(() => metric('steps'));
    expect(background.calls).toEqual([['getStatus', undefined]]);
    // The options page hides a metric; the background's statusChanged reaches the open popup.
    background.settings = { ...DEFAULT_SETTINGS, hiddenTiles: ['steps'] };
    await background.broadcast(background.status);
    await waitFor(() => expect(screen.queryByTestId('metric-steps')).toBeNull());
    expect(metric('rest_hr')).toBeTruthy();
  });

  it('should set the readings-painted mark once after the glance is on screen', async () => {
    // Let marks scheduled by earlier tests' pages fire first.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const marks = vi.spyOn(performance, 'mark');
    const background = startFakeBackground({ status: statusOf({ glance: morning() }) });
    renderPage(<PopupApp />, { now: NOW });
    await waitFor(() => expect(marks).toHaveBeenCalledWith('readings-painted'));
    await background.broadcast(statusOf({ glance: morning() }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(marks.mock.calls.filter(([name]) => name === 'readings-painted')).toHaveLength(1);
  });

  it('should show an unreachable background as an error with retry', async () => {
    const background = startFakeBackground({ status: statusOf({ glance: morning() }) });
    background.statusGate = Promise.reject(new Error('worker gone'));
    background.statusGate.catch(() => undefined);
    renderPage(<PopupApp />, { now: NOW });
    await waitFor(() => expect(stateOfPage()).toBe('error'));
    background.statusGate = null;
    fireEvent.click(screen.getByTestId('retry'));
    await waitFor(() => expect(stateOfPage()).toBe('readings'));
  });

  describe('with a stored view', () => {
    it('should show the stored glance before the background answers, then the live one', async () => {
      const background = startFakeBackground({ status: statusOf({ glance: glanceOf({ now: NOW, days: 30 }) }) });
      let release!: () => void;
      background.statusGate = new Promise((resolve) => (release = resolve));
      renderPage(<PopupApp stored={storedView(morning())} />, { now: NOW });
      expect(stateOfPage()).toBe('readings');
      expect(popup().getAttribute('data-view')).toBe('session');
      expect(valueOf('rest_hr').textContent).toBe('55 bpm');
      // The current session's view is no stale copy: no notice about its age.
      expect(screen.queryByTestId('stored-view-notice')).toBeNull();
      release();
      await waitFor(() => expect(popup().getAttribute('data-view')).toBe('status'));
    });

    it("should say how old a view kept from an earlier browser session is until fresh readings arrive", async () => {
      const lastEvening = new Date(2026, 10, 27, 22, 10).getTime();
      const old = glanceOf({ now: lastEvening, today: morningSummary(YESTERDAY) });
      const background = startFakeBackground({ status: statusOf({ sync: { state: 'loading' } }) });
      renderPage(<PopupApp stored={storedView(old, 'local')} />, { now: NOW });
      const notice = await screen.findByTestId('stored-view-notice');
      expect(notice.textContent).toBe(`Your last readings, from yesterday ${clock('22:10')}. Updating…`);
      // Its days are not today and yesterday any more: the switch names their dates.
      const short = (date: string) => new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric' }).format(new Date(`${date}T12:00:00`));
      expect(screen.getByTestId('day-today').textContent).toBe(short(YESTERDAY));
      expect(screen.getByTestId('day-yesterday').textContent).toBe(short(addDays(TODAY, -2)));
      await background.broadcast(statusOf({ glance: morning() }));
      await waitFor(() => expect(screen.queryByTestId('stored-view-notice')).toBeNull());
      expect(screen.getByTestId('day-today').textContent).toBe('Today');
    });

    it('should not show a stored glance once the background says the member is signed out', async () => {
      startFakeBackground({ status: statusOf({ auth: 'signed_out' }) });
      renderPage(<PopupApp stored={storedView(morning(), 'local')} />, { now: NOW });
      await waitFor(() => expect(stateOfPage()).toBe('signed-out'));
      expect(screen.queryByTestId('glance')).toBeNull();
    });
  });
});
