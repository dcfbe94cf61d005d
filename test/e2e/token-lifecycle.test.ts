/**
 * The session over time, in the real browsers: access tokens that keep expiring, a service worker
 * that Chrome stops, an extension reload with and without "keep me signed in". The sandbox counts
 * every token request, so the tests assert what happened on the wire, not just what the popup shows.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BROWSERS, type BrowserSession, CHROMIUM, shouldSkip } from './support/browsers';
import { type ChromiumSession, launchChromium } from '../../src/dev/launch-chromium';
import { useExtensionStack } from './support/extension-stack';
import { tileValues, waitForPopupState } from './support/popup';
import { fetchedAt, refreshReadings } from './support/refresh';
import { DEMO_MEMBERS, signIn } from './support/sign-in';
import { poll, type UiPage } from '../../src/dev/ui-page';

const alice = DEMO_MEMBERS.alice;
const isChecked = (page: UiPage) =>
  page.evaluate(() => (document.querySelector('[data-testid=keep-signed-in]') as HTMLInputElement).checked);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of BROWSERS) {
  describe.skipIf(shouldSkip(kind))(`token lifecycle in ${kind.name}`, () => {
    const setup = useExtensionStack(kind);
    let session: BrowserSession | undefined;

    beforeEach(() => {
      setup.stack.sandbox.control.resetStats();
    });
    afterEach(async () => {
      await session?.close();
      session = undefined;
      setup.stack.sandbox.control.setAccessTokenTtl(3600);
    });

    it('should refresh exactly once per expiry and never reuse a refresh token when access tokens keep expiring', async () => {
      const control = setup.stack.sandbox.control;
      session = await kind.launch(setup.extensionDir);
      const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice });
      const start = control.stats();
      const rounds = 3;
      for (let round = 0; round < rounds; round += 1) {
        control.expireAccessTokens();
        // Two pages ask at once (the click and a second popup opening), against one expired token.
        const second = await session.openExtensionPage('popup.html');
        await refreshReadings(popup);
        await waitForPopupState(second, 'readings');
        await second.close();
      }
      const end = control.stats();
      expect(end.refreshes - start.refreshes).toBe(rounds);
      expect(end.tokenRequests.refresh_token - start.tokenRequests.refresh_token).toBe(rounds);
      expect(end.reuseDetections).toBe(0);
      expect(end.codeExchanges).toBe(1);
    });

    it('should keep the readings coming over several short access-token lifetimes with one refresh each', async () => {
      const control = setup.stack.sandbox.control;
      const ttlSeconds = 3;
      control.setAccessTokenTtl(ttlSeconds);
      session = await kind.launch(setup.extensionDir);
      const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice });
      const start = control.stats();
      const windowMs = 4 * ttlSeconds * 1000;
      const began = Date.now();
      while (Date.now() - began < windowMs) {
        await refreshReadings(popup);
        await sleep(1_000);
      }
      const elapsed = Date.now() - began;
      const end = control.stats();
      const refreshes = end.refreshes - start.refreshes;
      // Every lifetime that ran out while we kept asking was renewed, and none was renewed twice: the
      // background refreshes ahead at 4/5 of a lifetime at the earliest.
      const seen = `${refreshes} refreshes in ${elapsed} ms with ${ttlSeconds} s tokens`;
      expect(refreshes, seen).toBeGreaterThanOrEqual(Math.floor(elapsed / (ttlSeconds * 1000)) - 1);
      expect(refreshes, seen).toBeLessThanOrEqual(Math.ceil(elapsed / (0.8 * ttlSeconds * 1000)) + 1);
      expect(end.tokenRequests.refresh_token - start.tokenRequests.refresh_token).toBe(refreshes);
      expect(end.reuseDetections).toBe(0);
      expect(end.codeExchanges).toBe(1);
      expect(await popup.count('[data-testid=sync-error]')).toBe(0);
    });

    it('should stay signed in across an extension reload when keep me signed in is on', async () => {
      const control = setup.stack.sandbox.control;
      session = await kind.launch(setup.extensionDir);
      const options = await session.openExtensionPage('options.html');
      await options.waitFor('[data-testid=keep-signed-in]');
      expect(await isChecked(options)).toBe(true);
      await options.close();
      await signIn(session, { authOrigin: setup.authOrigin, ...alice });
      const start = control.stats();

      await session.reloadExtension();
      const popup = await session.openExtensionPage('popup.html');
      await waitForPopupState(popup, 'readings');
      const end = control.stats();
      // storage.session is gone with the reload: the persisted refresh token got a new access token.
      expect(end.refreshes - start.refreshes).toBe(1);
      expect(end.codeExchanges).toBe(1);
      expect(end.reuseDetections).toBe(0);
    });

    it('should offer Connect after an extension reload when keep me signed in is off', async () => {
      session = await kind.launch(setup.extensionDir);
      await signIn(session, { authOrigin: setup.authOrigin, ...alice });
      const options = await session.openExtensionPage('options.html');
      await options.click('[data-testid=keep-signed-in]');
      // Saved in the background, not just ticked: a fresh options page reads it back.
      await poll('keep-signed-in to be saved off', async () => {
        const fresh = await session!.openExtensionPage('options.html');
        try {
          await fresh.waitFor('[data-testid=keep-signed-in]');
          return (await isChecked(fresh)) ? undefined : true;
        } finally {
          await fresh.close();
        }
      });

      await session.reloadExtension();
      const popup = await session.openExtensionPage('popup.html');
      await waitForPopupState(popup, 'signed-out');
      expect(await popup.count('[data-testid=connect]')).toBe(1);
    });
  });
}

describe.skipIf(shouldSkip(CHROMIUM))('service worker restarts in chromium', () => {
  const setup = useExtensionStack(CHROMIUM);
  let session: ChromiumSession | undefined;

  beforeEach(() => {
    setup.stack.sandbox.control.resetStats();
  });
  afterEach(async () => {
    await session?.close();
    session = undefined;
  });

  it('should lose neither the session nor the readings when Chrome stops the service worker mid-session', async () => {
    const control = setup.stack.sandbox.control;
    session = await launchChromium({ extensionDir: setup.extensionDir });
    const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice });
    const shown = await tileValues(popup);
    const shownAt = await fetchedAt(popup);
    const start = control.stats();
    // The token expires while the worker is gone: the restarted worker must refresh it from storage.
    control.expireAccessTokens();
    await popup.close();
    await session.stopServiceWorker();

    const reopened = await session.openExtensionPage('popup.html');
    await waitForPopupState(reopened, 'readings');
    expect(await tileValues(reopened)).toEqual(shown);
    expect(await fetchedAt(reopened)).toBeGreaterThanOrEqual(shownAt);
    await refreshReadings(reopened);
    const end = control.stats();
    expect(end.refreshes - start.refreshes).toBe(1);
    expect(end.reuseDetections).toBe(0);
    expect(end.codeExchanges).toBe(1);
  });

});
