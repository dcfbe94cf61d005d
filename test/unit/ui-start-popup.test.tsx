// @vitest-environment happy-dom
import { waitFor } from '@testing-library/preact';
import { render } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { WebStorage } from '../../src/shared/frame-cache';
import { buildFrameTree, FRAME_SANITIZER } from '../../src/shared/frame-tree';
import type { PopupFrame } from '../../src/shared/popup-view';
import { FRAME_CACHE_KEY, POPUP_FRAME_KEYS, POPUP_VIEW_KEYS, POPUP_VIEW_VERSION } from '../../src/shared/popup-view-keys';
import type { StorageAreaName } from '../../src/shared/storage-area';
import type { ExtensionApi } from '../../src/ui/extension-api';
import { mountPopupApp } from '../../src/ui/popup/mount-popup-app';
import { readPopupView } from '../../src/ui/popup/read-popup-view';
import { renderPopupFrame } from '../../src/ui/popup/render-stored-popup';
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

/** A localStorage stand-in for the frame's copy. */
function memoryStorage(entries: Record<string, string> = {}): WebStorage & { entries: Record<string, string> } {
  return {
    entries,
    getItem: (key) => entries[key] ?? null,
    setItem: (key, value) => void (entries[key] = value),
    removeItem: (key) => void delete entries[key],
  };
}

/** A root in the document, and what startPopup was asked to do after the first frame. */
function setUp(cache: WebStorage | null = memoryStorage()) {
  const root = document.createElement('div');
  root.setAttribute('data-test-root', '');
  document.body.append(root);
  const afterPaint: Array<() => void> = [];
  const mounted: Array<Parameters<MountPopupApp>> = [];
  const loadApp = vi.fn(async () => ((...args: Parameters<MountPopupApp>) => void mounted.push(args)) as MountPopupApp);
  const api = fakeApi();
  const deps = { api: vi.fn(() => api), loadApp, afterPaint: (task: () => void) => void afterPaint.push(task), now: () => NOW, cache };
  return { root, api, afterPaint, mounted, loadApp, deps };
}

/** Stores a view and the frame the background renders from it, as the background does. */
async function storeView(area: StorageAreaName, stored = storedView(glanceOf({ now: NOW }), area), renderedAt = NOW): Promise<PopupFrame> {
  const frame = renderPopupFrame(stored.view, area, fakeApi(), renderedAt);
  await fakeBrowser.storage[area].set({ [POPUP_VIEW_KEYS[area]]: stored.view, [POPUP_FRAME_KEYS[area]]: frame });
  return frame;
}

/** Starts the popup of `setUp`, lets the first frame (painted from the copy) go on screen, and waits for the rest. */
async function startAfterFirstFrame({ root, deps, afterPaint }: ReturnType<typeof setUp>): Promise<void> {
  const started = startPopup(root, deps);
  expect(afterPaint).toHaveLength(1);
  afterPaint[0]!();
  await started;
}

const popupIn = (root: ParentNode) => root.querySelector('[data-testid=popup]');
const restHr = (root: ParentNode) => root.querySelector('[data-testid=metric-rest_hr] [data-testid=metric-value]')?.getAttribute('data-value');

resetPagesBetweenTests();

describe('startPopup', () => {
  it('should paint the frame the background rendered, and load the rest only after that frame', async () => {
    const glance = glanceOf({ now: NOW });
    await storeView('session', storedView(glance));
    const { root, api, afterPaint, mounted, loadApp, deps } = setUp();

    await startPopup(root, deps);

    expect(popupIn(root)!.getAttribute('data-state')).toBe('readings');
    expect(popupIn(root)!.getAttribute('data-view')).toBe('session');
    expect(restHr(root)).toBe(String(glance.today.restHr.value));
    expect(root.querySelector('[data-testid=day-today]')!.getAttribute('aria-selected')).toBe('true');
    expect(document.title).toBe('CardioMood Readings');
    // Nothing else has loaded yet: Preact and the messaging client come with the rest, after the frame.
    expect(loadApp).not.toHaveBeenCalled();
    expect(afterPaint).toHaveLength(1);

    afterPaint[0]!();
    await waitFor(() => expect(mounted).toHaveLength(1));
    expect(mounted[0]).toEqual([root, api, storedView(glance), true]);
  });

  it('should paint the frame copied to localStorage before asking storage anything', async () => {
    const frame = await storeView('session');
    const cache = memoryStorage({ [FRAME_CACHE_KEY]: JSON.stringify(frame) });
    const { root, api, afterPaint, mounted, deps } = setUp(cache);
    const asked: string[] = [];
    const watched = (area: 'session' | 'local') => ({
      get: (key: string) => {
        asked.push(`${area} ${key} with ${popupIn(root)?.getAttribute('data-state') ?? 'nothing'} painted`);
        return fakeBrowser.storage[area].get(key);
      },
    });
    const watchedApi = { ...api, storage: { session: watched('session'), local: watched('local') } };
    const askedForApi = vi.fn(() => watchedApi);
    const started = startPopup(root, { ...deps, api: askedForApi });
    // Synchronously: nothing has been awaited yet.
    expect(popupIn(root)!.getAttribute('data-state')).toBe('readings');
    expect(root.dataset.frame).toBe('cache');
    // Not even the extension API is touched before that frame (in Firefox its first use builds the bindings).
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(askedForApi).not.toHaveBeenCalled();
    expect(asked).toEqual([]);
    expect(afterPaint).toHaveLength(1);

    afterPaint[0]!();
    await started;
    expect(asked.every((entry) => entry.endsWith('with readings painted'))).toBe(true);
    expect(asked).toHaveLength(4);
    expect(root.dataset.frame).toBe('cache');
    expect(cache.entries[FRAME_CACHE_KEY]).toBe(JSON.stringify(frame));
    // Already after the frame: the rest is mounted without waiting for another.
    expect(afterPaint).toHaveLength(1);
    expect(mounted).toEqual([[root, watchedApi, expect.objectContaining({ area: 'session' }), true]]);
  });

  it("should insert the frame's HTML with the Sanitizer API's setHTML where the browser has it, leaving its tree unwalked", async () => {
    const frame = await storeView('session');
    expect(frame.html).toMatch(/^<div class="popup"/);
    // A tree the popup would refuse: only the HTML may have been used.
    const { root, deps, afterPaint } = setUp(memoryStorage({ [FRAME_CACHE_KEY]: JSON.stringify({ ...frame, tree: 'not walked' }) }));
    const setHTML = vi.fn(function (this: HTMLElement, html: string) {
      this.innerHTML = html;
    });
    Object.assign(root, { setHTML });
    const started = startPopup(root, deps);
    expect(setHTML).toHaveBeenCalledTimes(1);
    expect(setHTML).toHaveBeenCalledWith(frame.html, { sanitizer: FRAME_SANITIZER });
    expect(root.dataset.paint).toBe('sanitizer');
    expect(root.dataset.frame).toBe('cache');
    expect(popupIn(root)!.getAttribute('data-state')).toBe('readings');
    afterPaint[0]!();
    await started;
    expect(root.dataset.frame).toBe('cache');
  });

  it('should build the tree where the browser has no setHTML, checking it first when the frame came with HTML', async () => {
    const frame = await storeView('session');
    const built = setUp(memoryStorage({ [FRAME_CACHE_KEY]: JSON.stringify(frame) }));
    const started = startPopup(built.root, built.deps);
    expect(built.root.dataset.paint).toBe('tree');
    expect(built.root.dataset.frame).toBe('cache');
    expect(popupIn(built.root)!.getAttribute('data-state')).toBe('readings');
    built.afterPaint[0]!();
    await started;

    // A frame stored before frames carried their HTML still paints, from its tree (no migration needed).
    const { html: _html, ...older } = frame;
    const olderCopy = setUp(memoryStorage({ [FRAME_CACHE_KEY]: JSON.stringify(older) }));
    const startedOlder = startPopup(olderCopy.root, olderCopy.deps);
    expect(olderCopy.root.dataset.paint).toBe('tree');
    expect(olderCopy.root.dataset.frame).toBe('cache');
    expect(olderCopy.root.innerHTML).toBe(built.root.innerHTML);
    olderCopy.afterPaint[0]!();
    await startedOlder;

    // Its HTML would have been sanitized, its tree was not checked on reading: refused now, not built.
    const refused = setUp(memoryStorage({ [FRAME_CACHE_KEY]: JSON.stringify({ ...frame, tree: [['script', {}, 'alert(1)']] }) }));
    await startPopup(refused.root, refused.deps);
    expect(refused.root.querySelector('script')).toBeNull();
    // The frame in storage.session is painted instead, once read.
    expect(refused.root.dataset.frame).toBe('session');
    expect(refused.root.dataset.paint).toBe('tree');
  });

  it('should wait for the load event before anything after the first frame (Firefox paints nothing before it)', async () => {
    const frame = await storeView('session');
    const { root, deps } = setUp(memoryStorage({ [FRAME_CACHE_KEY]: JSON.stringify(frame) }));
    const readyState = vi.spyOn(document, 'readyState', 'get').mockReturnValue('interactive');
    const { afterPaint: _queued, ...browserPaced } = deps;
    const started = startPopup(root, browserPaced);
    expect(root.dataset.frame).toBe('cache');
    // Frames come and go (and the 100 ms floor passes), but the page has not loaded yet.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(deps.api).not.toHaveBeenCalled();

    readyState.mockReturnValue('complete');
    window.dispatchEvent(new Event('load'));
    await started;
    expect(deps.api).toHaveBeenCalledTimes(1);
  });

  it('should keep a copy up that paints the same as the stored frame, rendered at another time', async () => {
    const frame = await storeView('session');
    const earlier = { ...frame, key: frame.key.replace(`@${NOW}#`, `@${NOW - 180_000}#`) };
    expect(earlier.key).not.toBe(frame.key);
    const { root, deps, afterPaint } = setUp(memoryStorage({ [FRAME_CACHE_KEY]: JSON.stringify(earlier) }));
    const started = startPopup(root, deps);
    const painted = root.firstElementChild;
    afterPaint[0]!();
    await started;
    expect(root.dataset.frame).toBe('cache');
    expect(root.firstElementChild).toBe(painted);
  });

  it('should take down but keep a copy whose view has no frame yet (the background renders it after the status)', async () => {
    const frame = await storeView('session');
    await fakeBrowser.storage.session.remove(POPUP_FRAME_KEYS.session);
    const cache = memoryStorage({ [FRAME_CACHE_KEY]: JSON.stringify(frame) });
    const started = setUp(cache);
    await startAfterFirstFrame(started);
    expect(started.root.dataset.frame).toBeUndefined();
    expect(started.mounted).toEqual([[started.root, started.api, expect.objectContaining({ area: 'session' }), false]]);
    expect(cache.entries[FRAME_CACHE_KEY]).toBe(JSON.stringify(frame));
  });

  it('should replace a copy that storage no longer matches, and take one down with nothing behind it', async () => {
    const older = renderPopupFrame(storedView(glanceOf({ now: NOW, days: 5 })).view, 'session', fakeApi(), NOW);
    const current = storedView(glanceOf({ now: NOW, days: 30 }));
    await storeView('session', current);
    const stale = setUp(memoryStorage({ [FRAME_CACHE_KEY]: JSON.stringify(older) }));
    await startAfterFirstFrame(stale);
    const expected = document.createElement('div');
    buildFrameTree(expected, renderPopupFrame(current.view, 'session', fakeApi(), NOW).tree);
    // The one text set at painting aside, the popup shows the stored frame.
    for (const root of [stale.root, expected]) root.querySelector('[data-testid=checked-at]')!.textContent = '';
    expect(stale.root.innerHTML).toBe(expected.innerHTML);

    // The session ended (storage cleared) but the copy is still there: taken down and deleted.
    await fakeBrowser.storage.session.clear();
    const cache = memoryStorage({ [FRAME_CACHE_KEY]: JSON.stringify(older) });
    const ended = setUp(cache);
    await startAfterFirstFrame(ended);
    expect(popupIn(ended.root)).toBeNull();
    expect(cache.entries).toEqual({});
    expect(ended.mounted).toEqual([[ended.root, ended.api, null, false]]);
  });

  it('should set the readings-painted mark after the frame, once', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const marks = vi.spyOn(performance, 'mark');
    const frame = await storeView('session');
    await startAfterFirstFrame(setUp(memoryStorage({ [FRAME_CACHE_KEY]: JSON.stringify(frame) })));
    await waitFor(() => expect(marks).toHaveBeenCalledWith('readings-painted'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(marks.mock.calls.filter(([name]) => name === 'readings-painted')).toHaveLength(1);
  });

  it('should paint the frame kept in storage.local, with its age, when the session has none', async () => {
    const lastEvening = new Date(2026, 10, 27, 22, 10).getTime();
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    await storeView('local', storedView(glanceOf({ now: lastEvening }), 'local'), NOW - 60_000);
    const { root, deps } = setUp();
    await startPopup(root, deps);
    expect(popupIn(root)!.getAttribute('data-view')).toBe('local');
    const time = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit' }).format(lastEvening);
    expect(root.querySelector('[data-testid=stored-view-notice]')!.textContent).toBe(`Your last readings, from yesterday ${time}. Updating…`);
  });

  it('should leave "checked n minutes ago" to the interactive popup, which says it as of now', async () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    const glance = { ...glanceOf({ now: NOW }), checkedAt: NOW - 5 * 60_000 };
    await storeView('session', storedView(glance), glance.checkedAt);
    startFakeBackground({ status: statusOf({ glance }) });
    const { root, afterPaint, deps } = setUp();
    await startPopup(root, { ...deps, loadApp: async () => mountPopupApp });
    expect(root.querySelector('[data-testid=checked-at]')!.textContent).toBe('');
    expect(document.documentElement.lang).toBe('en');
    afterPaint[0]!();
    await waitFor(() => expect(root.querySelector('[data-testid=checked-at]')!.textContent).toBe('checked 5 minutes ago'));
  });

  it.each([
    ['rendered on another day', { date: '2026-11-27' }],
    ['rendered in another language', { language: 'de' }],
    ['from another version', { v: POPUP_VIEW_VERSION + 1 }],
  ])('should not paint a frame %s: the interactive popup renders the view itself', async (_name, change) => {
    const frame = await storeView('session');
    await fakeBrowser.storage.session.set({ [POPUP_FRAME_KEYS.session]: { ...frame, ...change } });
    const { root, afterPaint, mounted, deps } = setUp();
    await startPopup(root, deps);
    expect(popupIn(root)).toBeNull();
    expect(afterPaint).toHaveLength(0);
    expect(mounted).toHaveLength(1);
    expect(mounted[0]![3]).toBe(false);
  });

  it('should load the rest at once when nothing is stored (signed out, first run)', async () => {
    const { root, api, afterPaint, mounted, deps } = setUp();
    await startPopup(root, deps);
    expect(afterPaint).toHaveLength(0);
    expect(mounted).toEqual([[root, api, null, false]]);
    expect(root.children).toHaveLength(0);
  });

  it('should work without localStorage, from storage alone', async () => {
    await storeView('session');
    const { root, deps } = setUp(null);
    await startPopup(root, deps);
    expect(popupIn(root)!.getAttribute('data-state')).toBe('readings');
  });

  it('should hand over to the interactive popup, which renders over the frame and takes the live status', async () => {
    await storeView('session');
    const background = startFakeBackground({ status: statusOf({ glance: glanceOf({ now: NOW, days: 30 }) }) });
    const { root, afterPaint, deps } = setUp();
    await startPopup(root, { ...deps, loadApp: async () => mountPopupApp });
    expect(background.calls).toEqual([]);
    const frameHeader = root.querySelector('header');
    afterPaint[0]!();
    await waitFor(() => expect(popupIn(root)!.getAttribute('data-view')).toBe('status'));
    expect(background.calls).toEqual([['getStatus', undefined]]);
    expect(popupIn(root)!.getAttribute('data-state')).toBe('readings');
    // The frame's elements were reused, not thrown away and rebuilt.
    expect(root.querySelector('header')).toBe(frameHeader);
  });
});

describe('renderPopupFrame', () => {
  it('should render the view as a tree, text kept as text, no inline styles, the decorations left for later', () => {
    const glance = glanceOf({ now: NOW });
    // Text with markup in it (here a message) comes out as text.
    const api = fakeApi();
    const getMessage = api.i18n.getMessage;
    api.i18n = { ...api.i18n, getUILanguage: () => 'xx', getMessage: (key, substitutions) => (key === 'extName' ? '<img src=x onerror=alert(1)>' : getMessage(key, substitutions)) };
    const frame = renderPopupFrame(storedView(glance).view, 'session', api, NOW, 'xx');
    expect(frame).toMatchObject({ v: POPUP_VIEW_VERSION, date: '2026-11-28', language: 'xx', lang: 'en', title: '<img src=x onerror=alert(1)>' });
    expect(frame.key).toMatch(new RegExp(`^session@${NOW}#[0-9a-f]+$`));
    const root = document.createElement('div');
    buildFrameTree(root, frame.tree);
    expect(root.querySelector('h1')!.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(root.querySelector('img, svg, [style]')).toBeNull();
    expect(root.querySelectorAll('.spark-pending').length).toBeGreaterThan(0);
    // The same markup the interactive popup's components render (here: the stored view's first render).
    expect(root.querySelector('[data-testid=metric-rest_hr] [data-testid=metric-value]')!.getAttribute('data-value')).toBe(String(glance.today.restHr.value));
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
