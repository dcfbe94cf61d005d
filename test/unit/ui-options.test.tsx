// @vitest-environment happy-dom
import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { err, ok } from '../../src/shared/error-codes';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import { OptionsApp, tileChoices } from '../../src/ui/options/options-app';
import { renderPage, snapshotOf, startFakeBackground, statusOf, summaries, todayOf, resetPagesBetweenTests } from './support/ui-harness';

const NOW = Date.parse('2026-11-28T15:00:00');
const TODAY = todayOf(NOW);
const readings = () => snapshotOf(summaries(TODAY, 20, { extra: { spo2: { date: TODAY, avg_daily_spo2: 97 } } }), TODAY, NOW);

resetPagesBetweenTests();

const updates = (calls: Array<[string, unknown]>) => calls.filter(([type]) => type === 'updateSettings').map(([, data]) => data);

describe('tileChoices', () => {
  it('should offer the readings, the documented tiles and hidden ones not in the readings', () => {
    const ids = tileChoices(statusOf({ readings: readings() }), { ...DEFAULT_SETTINGS, hiddenTiles: ['stress.avg_daily_stress'] }).map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['rest_hr', 'steps', 'distance', 'spo2.avg_daily_spo2', 'stress.avg_daily_stress']));
    // The popup's sleep card and rows, and the side panel's walking speed, can be hidden too.
    expect(ids).toEqual(expect.arrayContaining(['sleep', 'workouts', 'glasses', 'gait_speed']));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('OptionsApp', () => {
  it('should save units and temperature as soon as they change', async () => {
    const background = startFakeBackground({ status: statusOf({ readings: readings() }) });
    renderPage(<OptionsApp />, { now: NOW });
    const units = (await screen.findByTestId('units')) as HTMLSelectElement;
    expect(units.value).toBe('metric');
    fireEvent.change(units, { target: { value: 'imperial' } });
    await waitFor(() => expect(updates(background.calls)).toEqual([{ units: 'imperial' }]));
    fireEvent.change(screen.getByTestId('temperature'), { target: { value: 'fahrenheit' } });
    await waitFor(() => expect(background.settings).toMatchObject({ units: 'imperial', temperature: 'fahrenheit' }));
    await waitFor(() => expect(screen.getByTestId('options-saved').textContent).toBe('Saved.'));
  });

  it('should apply only the newest answer when saves overlap', async () => {
    const background = startFakeBackground({ status: statusOf({ readings: readings() }) });
    // The first save's answer arrives after the second one's.
    const answers: Array<() => void> = [];
    const saved = background.onUpdateSettings;
    background.onUpdateSettings = (patch) => new Promise((resolve) => answers.push(() => resolve(saved(patch))));
    renderPage(<OptionsApp />, { now: NOW });
    fireEvent.click(await screen.findByTestId('tile-toggle-max_hr'));
    await waitFor(() => expect(answers).toHaveLength(1));
    fireEvent.click(screen.getByTestId('tile-toggle-steps'));
    await waitFor(() => expect(answers).toHaveLength(2));
    answers[1]!();
    await waitFor(() => expect(screen.getByTestId('options-saved').textContent).toBe('Saved.'));
    answers[0]!();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Both boxes stay unticked: the late first answer (only max_hr hidden) did not undo the second.
    expect((screen.getByTestId('tile-toggle-max_hr') as HTMLInputElement).checked).toBe(false);
    expect((screen.getByTestId('tile-toggle-steps') as HTMLInputElement).checked).toBe(false);
  });

  it('should hide and show tiles, including generic ones from the readings', async () => {
    const background = startFakeBackground({ status: statusOf({ readings: readings() }) });
    renderPage(<OptionsApp />, { now: NOW });
    const spo2 = (await screen.findByTestId('tile-toggle-spo2.avg_daily_spo2')) as HTMLInputElement;
    expect(screen.getByLabelText('SpO₂ (average)')).toBe(spo2);
    expect(spo2.checked).toBe(true);
    fireEvent.click(spo2);
    await waitFor(() => expect(background.settings.hiddenTiles).toEqual(['spo2.avg_daily_spo2']));
    fireEvent.click(screen.getByTestId('tile-toggle-max_hr'));
    await waitFor(() => expect(background.settings.hiddenTiles).toEqual(['spo2.avg_daily_spo2', 'max_hr']));
    fireEvent.click(screen.getByTestId('tile-toggle-spo2.avg_daily_spo2'));
    await waitFor(() => expect(background.settings.hiddenTiles).toEqual(['max_hr']));
  });

  it('should keep me signed in by default, explain it, and save turning it off', async () => {
    const background = startFakeBackground({ status: statusOf({ readings: readings() }) });
    renderPage(<OptionsApp />, { now: NOW });
    const keep = (await screen.findByTestId('keep-signed-in')) as HTMLInputElement;
    expect(keep.checked).toBe(true);
    expect(screen.getByLabelText('Keep me signed in on this browser')).toBe(keep);
    const hint = document.getElementById(keep.getAttribute('aria-describedby')!)!.textContent;
    // Plain words: what it means for the member and what stays on the computer, no protocol terms.
    expect(hint).toContain('you stay signed in after the browser restarts');
    expect(hint).toContain('this computer keeps what the extension needs to sign you in, and the readings it last showed you');
    expect(hint).toMatch(/When it is off, nothing is kept/);
    expect(hint).not.toMatch(/token/i);
    fireEvent.click(keep);
    await waitFor(() => expect(updates(background.calls)).toEqual([{ keepSignedIn: false }]));
  });

  it('should go back to what the background holds when saving fails', async () => {
    const background = startFakeBackground({ status: statusOf({ readings: readings() }) });
    background.onUpdateSettings = async () => err('INVALID_MESSAGE', 'invalid settings');
    renderPage(<OptionsApp />, { now: NOW });
    fireEvent.change(await screen.findByTestId('units'), { target: { value: 'imperial' } });
    await waitFor(() => expect(screen.getByTestId('options-saved').textContent).toMatch(/^Could not save: /));
    await waitFor(() => expect((screen.getByTestId('units') as HTMLSelectElement).value).toBe('metric'));
  });

  it('should sign out and then offer to connect', async () => {
    const background = startFakeBackground({ status: statusOf({ readings: readings() }) });
    renderPage(<OptionsApp />, { now: NOW });
    fireEvent.click(await screen.findByTestId('options-sign-out'));
    await waitFor(() => expect(screen.getByTestId('options-auth').getAttribute('data-state')).toBe('signed_out'));
    expect(background.calls.map(([type]) => type)).toContain('signOut');
    expect(screen.queryByTestId('options-sign-out')).toBeNull();
    expect(screen.getByTestId('connect').textContent).toBe('Connect CardioMood');
  });

  it('should say the settings could not be read, with keep me signed in off, until the member saves', async () => {
    const background = startFakeBackground({
      status: statusOf({ auth: 'signed_out', settings: { ...DEFAULT_SETTINGS, keepSignedIn: false }, settingsUnreadable: true }),
    });
    background.onUpdateSettings = async (patch) => {
      background.settings = { ...background.settings, ...patch };
      background.status = { ...background.status, settingsUnreadable: false };
      return ok(background.settings);
    };
    renderPage(<OptionsApp />, { now: NOW });
    const notice = await screen.findByTestId('settings-unreadable');
    expect(notice.getAttribute('role')).toBe('alert');
    expect(notice.textContent).toMatch(/^Your settings could not be read/);
    expect((screen.getByTestId('keep-signed-in') as HTMLInputElement).checked).toBe(false);
    fireEvent.change(screen.getByTestId('units'), { target: { value: 'imperial' } });
    await waitFor(() => expect(screen.queryByTestId('settings-unreadable')).toBeNull());
  });

  it('should say why the session ended next to Reconnect', async () => {
    startFakeBackground({ status: statusOf({ auth: 'reconnect_required', reason: 'reuse_refused' }) });
    renderPage(<OptionsApp />, { now: NOW });
    expect((await screen.findByTestId('end-reason')).getAttribute('data-reason')).toBe('reuse_refused');
    expect(screen.getByTestId('connect').textContent).toBe('Reconnect');
  });

  it('should render in German', async () => {
    startFakeBackground({ status: statusOf({ readings: readings() }) });
    renderPage(<OptionsApp />, { now: NOW, locale: 'de' });
    const keep = await screen.findByLabelText('Auf diesem Browser angemeldet bleiben');
    const hint = document.getElementById(keep.getAttribute('aria-describedby')!)!.textContent;
    expect(hint).toContain('bleiben Sie nach einem Neustart des Browsers angemeldet');
    expect(hint).not.toMatch(/token/i);
    expect((screen.getByTestId('units') as HTMLSelectElement).selectedOptions[0]!.textContent).toBe('Metrisch (km, km/h)');
    expect(screen.getByLabelText('Schlaf')).toBe(screen.getByTestId('tile-toggle-sleep'));
    expect(screen.getByLabelText('Gehgeschwindigkeit')).toBe(screen.getByTestId('tile-toggle-gait_speed'));
    expect(screen.getByTestId('options-sign-out').textContent).toBe('Abmelden');
  });
});
