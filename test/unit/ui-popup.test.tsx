// @vitest-environment happy-dom
import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { addDays } from '../../src/cardiomood/local-date';
import { err, ok } from '../../src/shared/error-codes';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import type { Status } from '../../src/shared/status';
import { PopupApp } from '../../src/ui/popup/popup-app';
import { popupStateOf, type PopupState } from '../../src/ui/popup/popup-state';
import { snapshotOf, startFakeBackground, statusOf, summaries, renderPage, todayOf, resetPagesBetweenTests } from './support/ui-harness';

const NOW = Date.parse('2026-11-28T15:00:00');
const TODAY = todayOf(NOW);
const FETCHED = NOW - 3 * 60_000;

/** 29 days of real readings through the real model (calibrated baselines). */
const fullReadings = (extra: Record<string, unknown> = {}) => snapshotOf(summaries(TODAY, 29, { extra }), TODAY, FETCHED);

const popup = () => screen.getByTestId('popup');
const stateOfPage = () => popup().getAttribute('data-state');
const oneDecimal = (value: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(value);
const tileValue = (id: string) => within(screen.getByTestId(`tile-${id}`)).getByTestId('tile-value');

resetPagesBetweenTests();

const STATES: Array<[PopupState, () => Status]> = [
  ['signed-out', () => statusOf({ auth: 'signed_out' })],
  ['connecting', () => statusOf({ auth: 'connecting' })],
  ['loading', () => statusOf({ sync: { state: 'loading' } })],
  ['readings', () => statusOf({ readings: fullReadings() })],
  ['no-data-today', () => statusOf({ readings: snapshotOf(summaries(addDays(TODAY, -1), 20), TODAY, FETCHED) })],
  ['error', () => statusOf({ sync: { state: 'error', error: { code: 'SERVER_ERROR', message: '503' } } })],
  ['offline', () => statusOf({ readings: fullReadings(), sync: { state: 'offline', error: { code: 'NETWORK_ERROR', message: 'x' }, nextRetryAt: NOW + 120_000 } })],
  ['reconnect', () => statusOf({ auth: 'reconnect_required', authError: { code: 'REAUTH_REQUIRED', message: 'invalid_grant' } })],
];

describe('popupStateOf', () => {
  it.each(STATES)('should call for %s', (state, status) => {
    expect(popupStateOf(status())).toBe(state);
  });

  it('should keep cached readings on screen when a refresh failed for another reason than the network', () => {
    expect(popupStateOf(statusOf({ readings: fullReadings(), sync: { state: 'error', error: { code: 'SERVER_ERROR', message: '' } } }))).toBe('offline');
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
        finish = () => resolve(ok(statusOf({ readings: fullReadings() })));
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
    await background.broadcast(statusOf({ readings: fullReadings() }));
    await waitFor(() => expect(stateOfPage()).toBe('readings'));
  });

  it('should show every tile with its raw canonical value, the date and when it was fetched', async () => {
    const readings = fullReadings();
    startFakeBackground({ status: statusOf({ readings }) });
    renderPage(<PopupApp />, { now: NOW });
    await screen.findByTestId('tile-rest_hr');
    for (const tile of readings.tiles) {
      expect(tileValue(tile.id).getAttribute('data-value')).toBe(tile.value === null ? '' : String(tile.value));
    }
    const date = screen.getByTestId('readings-date');
    expect(date.getAttribute('data-date')).toBe(TODAY);
    expect(date.textContent).toBe('Today');
    const fetched = screen.getByTestId('fetched-at');
    expect(fetched.getAttribute('data-fetched-at')).toBe(String(FETCHED));
    expect(fetched.textContent).toBe('Updated 3 minutes ago');
    const rest = readings.tiles.find((tile) => tile.id === 'rest_hr')!;
    expect(tileValue('rest_hr').textContent).toBe(`${rest.value} bpm`);
  });

  it('should show an empty data-value and a dash for a metric without a value today', async () => {
    const readings = fullReadings();
    // Every fixture metric has a value today: take one away, as a day without that field would.
    const tiles = readings.tiles.map((tile) => (tile.id === 'calories' ? { ...tile, value: null, delta: null } : tile));
    startFakeBackground({ status: statusOf({ readings: { ...readings, tiles } }) });
    renderPage(<PopupApp />, { now: NOW });
    const value = await waitFor(() => tileValue('calories'));
    expect(value.getAttribute('data-value')).toBe('');
    expect(value.textContent).toContain('—');
    expect(value.textContent).toContain('No value today');
  });

  it('should keep "Updated … ago" live, re-rendering every 30 s', async () => {
    const ticks: Array<() => void> = [];
    const realSetInterval = globalThis.setInterval;
    // Catch the popup's 30 s clock (testing-library's own polling interval passes through).
    vi.spyOn(globalThis, 'setInterval').mockImplementation(((handler: () => void, ms?: number) => {
      if (ms !== 30_000) return realSetInterval(handler, ms);
      ticks.push(handler);
      return realSetInterval(() => undefined, 1 << 30);
    }) as typeof setInterval);
    startFakeBackground({ status: statusOf({ readings: fullReadings() }) });
    const page = renderPage(<PopupApp />, { now: NOW });
    await waitFor(() => expect(screen.getByTestId('fetched-at').textContent).toBe('Updated 3 minutes ago'));
    await waitFor(() => expect(ticks).toHaveLength(1));
    page.clock.now = NOW + 2 * 60_000;
    ticks[0]!();
    await waitFor(() => expect(screen.getByTestId('fetched-at').textContent).toBe('Updated 5 minutes ago'));
  });

  it('should write the date out when the readings are not from today', async () => {
    const yesterday = addDays(TODAY, -1);
    startFakeBackground({ status: statusOf({ readings: snapshotOf(summaries(yesterday, 20), yesterday, FETCHED) }) });
    renderPage(<PopupApp />, { now: NOW });
    const date = await screen.findByTestId('readings-date');
    expect(date.getAttribute('data-date')).toBe(yesterday);
    expect(date.textContent).toBe(new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', ...(yesterday.slice(0, 4) === String(new Date().getFullYear()) ? {} : { year: 'numeric' }) }).format(new Date(`${yesterday}T12:00:00`)));
  });

  it('should note that today has no readings yet and still show tiles with the previous days', async () => {
    const readings = snapshotOf(summaries(addDays(TODAY, -1), 20), TODAY, FETCHED);
    startFakeBackground({ status: statusOf({ readings }) });
    renderPage(<PopupApp />, { now: NOW });
    expect((await screen.findByTestId('no-data-today')).textContent).toBe('No readings yet today — wear your device and sync it.');
    expect(tileValue('rest_hr').getAttribute('data-value')).toBe('');
    // Yesterday is in the sparkline's text equivalent.
    const rest = readings.tiles.find((tile) => tile.id === 'rest_hr')!;
    const present = rest.sparkline.filter((v): v is number => v !== null);
    expect(within(screen.getByTestId('tile-rest_hr')).getByText(`Last 7 days: lowest ${Math.min(...present)} bpm, highest ${Math.max(...present)} bpm; ${present.length} of 7 days with data.`)).toBeTruthy();
  });

  it('should show the error for the code and retry with refreshReadings when nothing is cached', async () => {
    const background = startFakeBackground({
      status: statusOf({ sync: { state: 'error', error: { code: 'RATE_LIMITED', message: '429' }, nextRetryAt: NOW + 5 * 60_000 } }),
    });
    renderPage(<PopupApp />, { now: NOW });
    expect((await screen.findByTestId('sync-error')).textContent).toBe('CardioMood asked us to slow down. We’ll try again shortly.');
    expect(screen.getByTestId('retry-at').textContent).toBe('Retrying in 5 minutes.');
    background.onRefresh = async () => ok(statusOf({ readings: fullReadings() }));
    fireEvent.click(screen.getByTestId('retry'));
    await waitFor(() => expect(stateOfPage()).toBe('readings'));
    expect(background.calls.map(([type]) => type)).toContain('refreshReadings');
  });

  it('should show cached readings with an offline notice naming the time and the next retry', async () => {
    startFakeBackground({
      status: statusOf({ readings: fullReadings(), sync: { state: 'offline', error: { code: 'NETWORK_ERROR', message: 'x' }, nextRetryAt: NOW + 120_000 } }),
    });
    renderPage(<PopupApp />, { now: NOW });
    const notice = await screen.findByTestId('offline-notice');
    const time = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit' }).format(FETCHED);
    expect(notice.textContent).toBe(`Offline — showing readings from ${time}; retrying in 2 minutes.`);
    expect(screen.getByTestId('tile-rest_hr')).toBeTruthy();
  });

  it('should name the reason when a refresh failed with cached readings for a non-network error', async () => {
    startFakeBackground({
      status: statusOf({ readings: fullReadings(), sync: { state: 'error', error: { code: 'SERVER_ERROR', message: '503' }, nextRetryAt: null } }),
    });
    renderPage(<PopupApp />, { now: NOW });
    const notice = await screen.findByTestId('offline-notice');
    expect(notice.textContent).toMatch(/^CardioMood is having trouble right now\. Please try again later\. Showing readings from .+; retrying soon\.$/);
  });

  it.each([
    ['revoked', 'CardioMood no longer accepts this connection: it was revoked or has expired.'],
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
    const background = startFakeBackground({ status: statusOf({ readings: fullReadings() }) });
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
    startFakeBackground({ status: statusOf({ readings: fullReadings() }) });
    renderPage(<PopupApp />, { now: NOW, sidePanel: false });
    await screen.findByTestId('refresh');
    expect(screen.queryByTestId('open-sidepanel')).toBeNull();
  });

  it('should say how today compares with the median once calibrated', async () => {
    const readings = fullReadings();
    startFakeBackground({ status: statusOf({ readings }) });
    renderPage(<PopupApp />, { now: NOW });
    await screen.findByTestId('tile-steps');
    for (const tile of readings.tiles.filter((each) => each.delta !== null && each.unit === 'bpm')) {
      const change = within(screen.getByTestId(`tile-${tile.id}`)).getByTestId('tile-delta');
      const amount = `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(Math.abs(tile.delta!))} bpm`;
      const expected =
        tile.delta! > 0 ? [`↑ ${amount} vs. median`, `${amount} above your 14-day median`] : tile.delta! < 0 ? [`↓ ${amount} vs. median`, `${amount} below your 14-day median`] : ['= your median', 'At your 14-day median'];
      expect(change.textContent).toBe(expected.join(''));
    }
    expect(readings.tiles.some((tile) => tile.delta !== null && tile.unit === 'bpm')).toBe(true);
  });

  it('should say "Calibrating n/14" while fewer days than needed have values', async () => {
    const readings = snapshotOf(summaries(TODAY, 10), TODAY, FETCHED);
    startFakeBackground({ status: statusOf({ readings }) });
    renderPage(<PopupApp />, { now: NOW });
    const calibrating = within(await screen.findByTestId('tile-rest_hr')).getByTestId('tile-calibrating');
    expect(calibrating.textContent).toBe('Calibrating 9/14Calibrating your baseline: 9 of 14 days');
    expect(screen.queryByTestId('tile-delta')).toBeNull();
  });

  it('should convert distance to miles and temperature to °F for imperial settings, keeping data-value canonical', async () => {
    const readings = fullReadings({ temperature: { date: TODAY, avg_daily_temperature: 36.5 } });
    startFakeBackground({ status: statusOf({ readings }), settings: { ...DEFAULT_SETTINGS, units: 'imperial', temperature: 'fahrenheit' } });
    renderPage(<PopupApp />, { now: NOW });
    const distance = readings.tiles.find((tile) => tile.id === 'distance')!;
    await waitFor(() => expect(tileValue('distance').textContent).toBe(`${oneDecimal(distance.value! * 0.621371192)} mi`));
    expect(tileValue('distance').getAttribute('data-value')).toBe(String(distance.value));
    const temperature = tileValue('temperature.avg_daily_temperature');
    expect(temperature.textContent).toBe('97.7°F');
    expect(temperature.getAttribute('data-value')).toBe('36.5');
    expect(screen.getByText('Temperature (average)')).toBeTruthy();
  });

  it('should show metric units by default', async () => {
    const readings = fullReadings({ temperature: { date: TODAY, avg_daily_temperature: 36.5 } });
    startFakeBackground({ status: statusOf({ readings }) });
    renderPage(<PopupApp />, { now: NOW });
    const distance = readings.tiles.find((tile) => tile.id === 'distance')!;
    await waitFor(() => expect(tileValue('distance').textContent).toBe(`${oneDecimal(distance.value!)} km`));
    expect(tileValue('temperature.avg_daily_temperature').textContent).toBe('36.5°C');
  });

  it('should mark assumed units with a tooltip and screen-reader text', async () => {
    startFakeBackground({ status: statusOf({ readings: fullReadings() }) });
    renderPage(<PopupApp />, { now: NOW });
    const calories = await screen.findByTestId('tile-calories');
    expect(calories.querySelector('[title="Unit assumed: CardioMood does not state it"]')).toBeTruthy();
    expect(within(calories).getByText('(unit assumed)')).toBeTruthy();
    expect(within(screen.getByTestId('tile-rest_hr')).queryByText('(unit assumed)')).toBeNull();
  });

  it('should show the steps goal percentage', async () => {
    const readings = fullReadings();
    startFakeBackground({ status: statusOf({ readings }) });
    renderPage(<PopupApp />, { now: NOW });
    const steps = readings.tiles.find((tile) => tile.id === 'steps')!;
    expect(within(await screen.findByTestId('tile-steps')).getByText(`${steps.goalPercent}% of daily goal`)).toBeTruthy();
  });

  it('should hide the tiles the settings hide', async () => {
    startFakeBackground({ status: statusOf({ readings: fullReadings() }), settings: { ...DEFAULT_SETTINGS, hiddenTiles: ['max_hr', 'calories'] } });
    renderPage(<PopupApp />, { now: NOW });
    await screen.findByTestId('tile-rest_hr');
    expect(screen.queryByTestId('tile-max_hr')).toBeNull();
    expect(screen.queryByTestId('tile-calories')).toBeNull();
  });

  it('should render German text, numbers and units for a German browser', async () => {
    const readings = fullReadings();
    startFakeBackground({ status: statusOf({ readings }) });
    renderPage(<PopupApp />, { now: NOW, locale: 'de' });
    await screen.findByTestId('tile-rest_hr');
    expect(screen.getByTestId('readings-date').textContent).toBe('Heute');
    expect(screen.getByText('Ruhepuls')).toBeTruthy();
    expect(screen.getByTestId('fetched-at').textContent).toBe('Aktualisiert vor 3 Minuten');
    const steps = readings.tiles.find((tile) => tile.id === 'steps')!;
    expect(tileValue('steps').textContent).toBe(`${new Intl.NumberFormat('de-DE').format(steps.value!)} Schritte`);
    expect(screen.getByTestId('sign-out').textContent).toBe('Abmelden');
  });

  it("should render the entry point's early status without asking again", async () => {
    const background = startFakeBackground({ status: statusOf({ readings: fullReadings(), settings: { ...DEFAULT_SETTINGS, hiddenTiles: ['steps'] } }) });
    renderPage(<PopupApp firstStatus={Promise.resolve(background.status)} />, { now: NOW });
    await screen.findByTestId('tile-rest_hr');
    expect(screen.queryByTestId('tile-steps')).toBeNull();
    expect(background.calls).toEqual([]);
  });

  it('should ask the background once (the status carries the settings) and apply a settings change while open', async () => {
    const background = startFakeBackground({ status: statusOf({ readings: fullReadings() }) });
    renderPage(<PopupApp />, { now: NOW });
    await screen.findByTestId('tile-steps');
    expect(background.calls).toEqual([['getStatus', undefined]]);
    // The options page hides a tile; the background's statusChanged reaches the open popup.
    background.settings = { ...DEFAULT_SETTINGS, hiddenTiles: ['steps'] };
    await background.broadcast(background.status);
    await waitFor(() => expect(screen.queryByTestId('tile-steps')).toBeNull());
    expect(screen.getByTestId('tile-rest_hr')).toBeTruthy();
  });

  it('should set the readings-painted mark once after tiles are on screen', async () => {
    // Let marks scheduled by earlier tests' pages fire first.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const marks = vi.spyOn(performance, 'mark');
    const background = startFakeBackground({ status: statusOf({ readings: fullReadings() }) });
    renderPage(<PopupApp />, { now: NOW });
    await waitFor(() => expect(marks).toHaveBeenCalledWith('readings-painted'));
    await background.broadcast(statusOf({ readings: fullReadings() }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(marks.mock.calls.filter(([name]) => name === 'readings-painted')).toHaveLength(1);
  });

  it('should show an unreachable background as an error with retry', async () => {
    const background = startFakeBackground({ status: statusOf({ readings: fullReadings() }) });
    background.statusGate = Promise.reject(new Error('worker gone'));
    background.statusGate.catch(() => undefined);
    renderPage(<PopupApp />, { now: NOW });
    await waitFor(() => expect(stateOfPage()).toBe('error'));
    background.statusGate = null;
    fireEvent.click(screen.getByTestId('retry'));
    await waitFor(() => expect(stateOfPage()).toBe('readings'));
  });
});

