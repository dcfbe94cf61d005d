// @vitest-environment happy-dom
import { waitFor } from '@testing-library/preact';
import { render } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { POPUP_VIEW_KEYS, POPUP_VIEW_VERSION } from '../../src/shared/popup-view-keys';
import type { ExtensionApi } from '../../src/ui/extension-api';
import { mountPopupApp } from '../../src/ui/popup/mount-popup-app';
import { readPopupView } from '../../src/ui/popup/read-popup-view';
import { startPopup, type MountPopupApp } from '../../src/ui/popup/start-popup';
import { getMessageFrom, glanceOf, LOCALES, resetPagesBetweenTests, startFakeBackground, statusOf, storedView } from './support/ui-harness';

const NOW = new Date(2026, 10, 28, 10, 0).getTime();

function fakeApi(): ExtensionApi {
  return {
    i18n: { getMessage: getMessageFrom(LOCALES.en), getUILanguage: () => 'en-US' },
    storage: { session: fakeBrowser.storage.session, local: fakeBrowser.storage.local },
    runtime: { openOptionsPage: vi.fn(async () => undefined) },
  };
}

/** Unmounts and removes the roots the tests rendered into (testing-library's cleanup does not know them). */
afterEach(() => {
  for (const root of document.querySelectorAll<HTMLElement>('[data-test-root]')) {
    render(null, root);
    root.remove();
  }
});

/** A root in the document, and what startPopup was asked to do after the first frame. */
function setUp() {
  const root = document.createElement('div');
  root.setAttribute('data-test-root', '');
  document.body.append(root);
  const afterPaint: Array<() => void> = [];
  const mounted: Array<Parameters<MountPopupApp>> = [];
  const loadApp = vi.fn(async () => ((...args: Parameters<MountPopupApp>) => void mounted.push(args)) as MountPopupApp);
  return { root, afterPaint, mounted, loadApp, deps: { api: fakeApi(), loadApp, afterPaint: (task: () => void) => void afterPaint.push(task) } };
}

const popupIn = (root: ParentNode) => root.querySelector('[data-testid=popup]');

resetPagesBetweenTests();

describe('startPopup', () => {
  it('should paint the stored view in its first render, and load the rest only after that frame', async () => {
    const glance = glanceOf({ now: NOW });
    await fakeBrowser.storage.session.set({ [POPUP_VIEW_KEYS.session]: storedView(glance).view });
    const { root, afterPaint, mounted, loadApp, deps } = setUp();

    await startPopup(root, deps);

    expect(popupIn(root)!.getAttribute('data-state')).toBe('readings');
    expect(popupIn(root)!.getAttribute('data-view')).toBe('session');
    expect(root.querySelector('[data-testid=metric-rest_hr] [data-testid=metric-value]')!.getAttribute('data-value')).toBe(String(glance.today.restHr.value));
    expect(root.querySelector('[data-testid=day-today]')!.getAttribute('aria-selected')).toBe('true');
    expect(document.title).toBe('CardioMood Readings');
    // Nothing else has loaded yet: the messaging client comes with the rest, after the frame.
    expect(loadApp).not.toHaveBeenCalled();
    expect(afterPaint).toHaveLength(1);

    afterPaint[0]!();
    await waitFor(() => expect(mounted).toHaveLength(1));
    expect(mounted[0]![0]).toBe(root);
    expect(mounted[0]![2]).toEqual(storedView(glance));
  });

  it('should set the readings-painted mark after the first frame with the stored glance', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const marks = vi.spyOn(performance, 'mark');
    await fakeBrowser.storage.session.set({ [POPUP_VIEW_KEYS.session]: storedView(glanceOf({ now: NOW })).view });
    const { root, deps } = setUp();
    await startPopup(root, deps);
    await waitFor(() => expect(marks).toHaveBeenCalledWith('readings-painted'));
  });

  it('should paint the view kept in storage.local with its age when the session has none', async () => {
    const lastEvening = new Date(2026, 10, 27, 22, 10).getTime();
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    await fakeBrowser.storage.local.set({ [POPUP_VIEW_KEYS.local]: storedView(glanceOf({ now: lastEvening })).view });
    const { root, deps } = setUp();
    await startPopup(root, deps);
    expect(popupIn(root)!.getAttribute('data-view')).toBe('local');
    const time = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit' }).format(lastEvening);
    expect(root.querySelector('[data-testid=stored-view-notice]')!.textContent).toBe(`Your last readings, from yesterday ${time}. Updating…`);
  });

  it('should load the rest at once when nothing is stored (signed out, first run)', async () => {
    const { root, afterPaint, mounted, deps } = setUp();
    await startPopup(root, deps);
    expect(afterPaint).toHaveLength(0);
    expect(mounted).toEqual([[root, deps.api, null]]);
    expect(root.children).toHaveLength(0);
  });

  it('should not paint a view another version of the extension stored', async () => {
    await fakeBrowser.storage.session.set({ [POPUP_VIEW_KEYS.session]: { ...storedView(glanceOf({ now: NOW })).view, v: POPUP_VIEW_VERSION + 1 } });
    const { root, mounted, deps } = setUp();
    await startPopup(root, deps);
    expect(popupIn(root)).toBeNull();
    expect(mounted).toEqual([[root, deps.api, null]]);
  });

  it('should start as without a view, in a fresh element, when a stored view cannot be painted', async () => {
    const view = storedView(glanceOf({ now: NOW })).view;
    // Passes the quick checks, breaks the render: no resting heart rate at all.
    const broken = { ...view, glance: { ...view.glance, today: { ...view.glance.today, restHr: undefined } } };
    await fakeBrowser.storage.session.set({ [POPUP_VIEW_KEYS.session]: broken });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { root, mounted, deps } = setUp();
    const parent = root.parentElement!;
    await startPopup(root, deps);
    expect(errors).toHaveBeenCalledWith('Painting the stored popup view failed', expect.any(Error));
    expect(mounted).toHaveLength(1);
    const [fresh, , stored] = mounted[0]!;
    expect(stored).toBeNull();
    expect(fresh).not.toBe(root);
    expect(fresh.parentElement).toBe(parent);
    expect(fresh.children).toHaveLength(0);
  });

  it('should hand over to the interactive popup, which takes the live status from the background', async () => {
    const stored = glanceOf({ now: NOW });
    await fakeBrowser.storage.session.set({ [POPUP_VIEW_KEYS.session]: storedView(stored).view });
    const background = startFakeBackground({ status: statusOf({ glance: glanceOf({ now: NOW, days: 30 }) }) });
    const { root, afterPaint } = setUp();
    await startPopup(root, { api: fakeApi(), loadApp: async () => mountPopupApp, afterPaint: (task) => void afterPaint.push(task) });
    expect(background.calls).toEqual([]);
    afterPaint[0]!();
    await waitFor(() => expect(popupIn(root)!.getAttribute('data-view')).toBe('status'));
    expect(background.calls).toEqual([['getStatus', undefined]]);
    expect(popupIn(root)!.getAttribute('data-state')).toBe('readings');
  });
});

describe('readPopupView', () => {
  it('should prefer the current session view to the one kept in storage.local', async () => {
    const current = storedView(glanceOf({ now: NOW }));
    const kept = storedView(glanceOf({ now: NOW - 86_400_000 }), 'local');
    await fakeBrowser.storage.session.set({ [POPUP_VIEW_KEYS.session]: current.view });
    await fakeBrowser.storage.local.set({ [POPUP_VIEW_KEYS.local]: kept.view });
    expect(await readPopupView(fakeApi().storage)).toEqual(current);
    await fakeBrowser.storage.session.remove(POPUP_VIEW_KEYS.session);
    expect(await readPopupView(fakeApi().storage)).toEqual(kept);
  });

  it.each([
    ['nothing', undefined],
    ['another version', { v: POPUP_VIEW_VERSION + 1 }],
    ['no glance', { v: POPUP_VIEW_VERSION, hidden: [] }],
    ['a string', 'view'],
  ])('should read %s as no view', async (_name, value) => {
    if (value !== undefined) await fakeBrowser.storage.session.set({ [POPUP_VIEW_KEYS.session]: value });
    expect(await readPopupView(fakeApi().storage)).toBeNull();
  });

  it('should read no view when the storage cannot be read', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const storage = { session: { get: () => Promise.reject(new Error('storage gone')) }, local: fakeBrowser.storage.local };
    expect(await readPopupView(storage)).toBeNull();
  });
});
