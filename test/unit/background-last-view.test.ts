import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { sendMessage } from '../../src/messaging/protocol';
import type { PopupView } from '../../src/shared/popup-view';
import { POPUP_VIEW_KEYS } from '../../src/shared/popup-view-keys';
import { getStatus, useBackground } from './support/background-harness';

/**
 * "Keep me signed in" keeps the last popup view on disk (storage.local) so that after a browser
 * restart the popup paints last-known readings at once; every way the option or the session ends
 * deletes it.
 */
const background = useBackground();

const lastView = async () => (await fakeBrowser.storage.local.get(POPUP_VIEW_KEYS.local))[POPUP_VIEW_KEYS.local] as PopupView | undefined;
const currentView = async () => (await fakeBrowser.storage.session.get(POPUP_VIEW_KEYS.session))[POPUP_VIEW_KEYS.session] as PopupView | undefined;

/** The browser restarts: the worker stops and storage.session is emptied (storage.local stays). */
async function restartBrowser(servers: ReturnType<typeof background.start>['servers']) {
  background.stop();
  await fakeBrowser.storage.session.clear();
  return background.start(servers);
}

describe('startBackground: the last popup view on disk', () => {
  it('should keep the current popup view on disk too while keep me signed in is on', async () => {
    background.start();
    await sendMessage('signIn');
    const view = await currentView();
    expect(view?.glance.today.steps.value).toBe(8000);
    expect(await lastView()).toEqual(view);
    // The derived view only: no raw data and no token next to it.
    expect(JSON.stringify(await lastView())).not.toMatch(/access-|refresh-|slots|step_count|tiles/);
  });

  it('should keep it across a browser restart and replace it once the restored session refreshed', async () => {
    const first = background.start();
    await sendMessage('signIn');
    const before = await lastView();
    background.now += 8 * 3600_000;
    await restartBrowser(first.servers);
    expect(await lastView()).toEqual(before);
    expect(await currentView()).toBeUndefined();
    // The popup's getStatus starts the restore: a refresh with the kept refresh token, then readings.
    expect((await getStatus()).auth.state).toBe('signed_in');
    await vi.waitFor(async () => expect((await lastView())?.glance.checkedAt).toBe(background.now));
    expect(await lastView()).toEqual(await currentView());
    expect(first.servers.state.refreshes).toBe(1);
  });

  it('should never write it with keep me signed in off', async () => {
    background.start();
    await sendMessage('updateSettings', { keepSignedIn: false });
    await sendMessage('signIn');
    expect(await currentView()).toBeDefined();
    expect(await lastView()).toBeUndefined();
  });

  it('should delete it when the member signs out', async () => {
    background.start();
    await sendMessage('signIn');
    expect(await lastView()).toBeDefined();
    await sendMessage('signOut');
    expect(await lastView()).toBeUndefined();
  });

  it('should delete it when CardioMood ends the session (a revoked refresh token at the restore)', async () => {
    const first = background.start();
    await sendMessage('signIn');
    await restartBrowser(first.servers);
    first.servers.live.refresh.clear();
    await sendMessage('refreshReadings');
    expect((await getStatus()).auth).toMatchObject({ state: 'reconnect_required', reason: 'revoked' });
    expect(await lastView()).toBeUndefined();
  });

  it('should delete it, and keep the current one, when the member turns keep me signed in off', async () => {
    background.start();
    await sendMessage('signIn');
    await sendMessage('updateSettings', { keepSignedIn: false });
    expect(await lastView()).toBeUndefined();
    expect(await currentView()).toBeDefined();
    // Back on: the current view is kept on disk again at once.
    await sendMessage('updateSettings', { keepSignedIn: true });
    expect(await lastView()).toEqual(await currentView());
  });

  it('should delete it at the next start when the settings can no longer be read', async () => {
    const first = background.start();
    await sendMessage('signIn');
    background.stop();
    await fakeBrowser.storage.session.clear();
    await fakeBrowser.storage.local.set({ settings: { keepSignedIn: 'yes' } });
    background.start(first.servers);
    await vi.waitFor(async () => expect(await lastView()).toBeUndefined());
    expect((await getStatus()).auth.state).toBe('signed_out');
  });

  it('should delete it at the next start when there is no session to restore', async () => {
    const first = background.start();
    await sendMessage('signIn');
    background.stop();
    await fakeBrowser.storage.session.clear();
    // The refresh token on disk is gone (removed by hand, or by another version).
    await fakeBrowser.storage.local.remove('auth.persistedRefreshToken');
    background.start(first.servers);
    await vi.waitFor(async () => expect(await lastView()).toBeUndefined());
  });
});
