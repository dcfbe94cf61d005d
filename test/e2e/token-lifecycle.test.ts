/**
 * The session over time, in the real browsers: access tokens that keep expiring, refresh answers lost
 * on the way back, a service worker that Chrome stops, an extension reload with and without "keep me
 * signed in". The sandbox counts every token request, so the tests assert what happened on the wire,
 * not just what the popup shows. The extension reaches the companion through a lossy link
 * (support/lossy-link.ts), which forwards everything unless told to lose a refresh answer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BROWSERS, type BrowserSession, CHROMIUM, shouldSkip } from './support/browsers';
import { type ChromiumSession, launchChromium } from '../../src/dev/launch-chromium';
import { useExtensionStack } from './support/extension-stack';
import { metricValues, popupState, waitForPopupState } from './support/popup';
import { fetchedAt, refreshReadings } from './support/refresh';
import { DEMO_MEMBERS, signIn } from './support/sign-in';
import { poll, type UiPage } from '../../src/dev/ui-page';
import { stopBackground } from './support/stop-background';

const alice = DEMO_MEMBERS.alice;
const isChecked = (page: UiPage) =>
  page.evaluate(() => (document.querySelector('[data-testid=keep-signed-in]') as HTMLInputElement).checked);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of BROWSERS) {
  describe.skipIf(shouldSkip(kind))(`token lifecycle in ${kind.name}`, () => {
    const setup = useExtensionStack(kind, { lossyLink: true });
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

    it('should keep the member signed in with fresh readings when a refresh answer is lost after CardioMood rotated', async () => {
      const control = setup.stack.sandbox.control;
      const ttlSeconds = 6;
      control.setAccessTokenTtl(ttlSeconds);
      session = await kind.launch(setup.extensionDir);
      const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice });
      const start = control.stats();
      const logFrom = setup.stack.companionLog.length;
      const replayed = () => setup.stack.companionLog.slice(logFrom).filter((line) => (line as { replay?: string }).replay === 'hit').length;
      await sleep(ttlSeconds * 1000 + 500);
      // The access token has run out: the click refreshes, CardioMood rotates, the companion keeps the
      // answer, and the link cuts the connection before the answer reaches the extension.
      setup.link.loseRefreshAnswers(1);
      await popup.click('[data-testid=refresh]:not([disabled])');
      // 2 s later the background retries with the same refresh token and nonce; the window answers.
      await poll('the lost answer to be served from the replay window', async () => (replayed() > 0 ? true : undefined), { timeout: 20_000 });
      expect(setup.link.lost()).toBe(1);
      // Still signed in, and the next refresh brings today's readings.
      await refreshReadings(popup);
      expect(await popup.count('[data-testid=sync-error]')).toBe(0);
      expect(await popup.count('[data-testid=connect]')).toBe(0);
      const end = control.stats();
      // No reconnect, no refresh token ever shown to the sandbox twice, no reuse detected.
      expect(end.codeExchanges).toBe(start.codeExchanges);
      expect(end.reuseDetections).toBe(0);
      expect(end.refreshes - start.refreshes).toBeGreaterThanOrEqual(1);
      expect(end.tokenRequests.refresh_token - start.tokenRequests.refresh_token).toBe(end.refreshes - start.refreshes);
    });

    it('should keep the member signed in, never presenting the used refresh token again, when CardioMood rotates and then cuts the companion off', async () => {
      const control = setup.stack.sandbox.control;
      session = await kind.launch(setup.extensionDir);
      const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice });
      const shownAt = await fetchedAt(popup);
      const start = control.stats();
      // The next token request (the companion's refresh) is carried out, CardioMood rotates, and the
      // connection to the companion is cut before the answer: nobody ever holds the new tokens.
      control.expireAccessTokens();
      control.injectFault({ route: 'token', kind: 'grant-then-drop' });
      await popup.click('[data-testid=refresh]:not([disabled])');
      const outcome = await poll('the popup to show readings newer than the click, or why the session ended', async () => {
        const state = await popupState(popup);
        if (state === 'readings' && (await fetchedAt(popup)) > shownAt) return 'readings';
        if (state === 'reconnect' || state === 'signed-out') return state;
        return undefined;
      }, { timeout: 30_000 });
      const end = control.stats();
      // The used refresh token went to CardioMood once and never again: no reuse, nothing revoked by it.
      expect(end.refreshes - start.refreshes).toBe(1);
      expect(end.tokenRequests.refresh_token - start.tokenRequests.refresh_token).toBe(1);
      expect(end.reuseDetections).toBe(start.reuseDetections);
      expect(setup.stack.companionLog.some((line) => (line as { error?: string }).error === 'refresh_outcome_unknown')).toBe(true);
      // Signed in again without a window (prompt=none, the sandbox's session cookie): fresh readings.
      expect(outcome).toBe('readings');
      expect(end.silentApprovals - start.silentApprovals).toBe(1);
      expect(end.codeExchanges - start.codeExchanges).toBe(1);
      expect(await popup.count('[data-testid=connect]')).toBe(0);
      expect(await popup.count('[data-testid=sync-error]')).toBe(0);
      // The orphaned sign-in (the used token and the answer nobody got) is revoked, not reused.
      await poll('the old refresh token to be revoked', async () => (control.stats().revocations > start.revocations ? true : undefined));
      await refreshReadings(popup);
    });

    it('should say why, never a bare Connect, when CardioMood cannot sign the member in again without a window after the lost answer', async () => {
      const control = setup.stack.sandbox.control;
      session = await kind.launch(setup.extensionDir);
      const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice });
      const start = control.stats();
      control.expireAccessTokens();
      control.injectFault({ route: 'token', kind: 'grant-then-drop' });
      // The silent authorization request gets an error page instead of a redirect.
      control.injectFault({ route: 'authorize', kind: 'status', status: 503, body: '<html><body>down</body></html>' });
      await popup.click('[data-testid=refresh]:not([disabled])');
      // The used token is tried once more (CardioMood may not have used it); it had, so the session ends.
      await waitForPopupState(popup, 'reconnect', { timeout: 40_000 });
      expect(await popup.attribute('[data-testid=end-reason]', 'data-reason')).toBe('answer_lost');
      expect(await popup.evaluate(() => document.querySelector('[data-testid=end-reason]')?.textContent ?? '')).toContain('was lost');
      expect(await popup.count('[data-testid=metric-value]')).toBe(0);
      const end = control.stats();
      expect(end.silentApprovals - start.silentApprovals).toBe(0);
      expect(end.codeExchanges - start.codeExchanges).toBe(0);
      expect(end.tokenRequests.refresh_token - start.tokenRequests.refresh_token).toBe(2);
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
      // The first frame may be the last-known view kept on disk: wait for the background's own.
      await popup.waitFor('[data-testid=popup][data-view=status]', { timeout: 30_000 });
      // storage.session is gone with the reload: the persisted refresh token got a new access token.
      await poll('the refresh after the reload', async () => (control.stats().refreshes > start.refreshes ? true : undefined));
      const end = control.stats();
      expect(end.refreshes - start.refreshes).toBe(1);
      expect(end.codeExchanges).toBe(1);
      expect(end.reuseDetections).toBe(0);
    });

    it('should ask to reconnect, saying why in the popup and on the badge, when CardioMood refuses the refresh token', async () => {
      const control = setup.stack.sandbox.control;
      session = await kind.launch(setup.extensionDir);
      const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice });
      control.expireAccessTokens();
      control.injectFault({ route: 'token', kind: 'status', status: 400, body: { error: 'invalid_grant' } });
      await popup.click('[data-testid=refresh]:not([disabled])');
      await waitForPopupState(popup, 'reconnect');
      expect(await popup.attribute('[data-testid=end-reason]', 'data-reason')).toBe('revoked');
      expect(await popup.count('[data-testid=metric-value]')).toBe(0);
      const badge = await poll('the badge to ask to reconnect', async () => {
        const shown = await popup.evaluate(async () => {
          const action = (globalThis as unknown as { browser: { action: { getBadgeText(d: object): Promise<string>; getTitle(d: object): Promise<string> } } }).browser.action;
          return { text: await action.getBadgeText({}), title: await action.getTitle({}) };
        });
        return shown.text === '!' ? shown : undefined;
      });
      expect(badge.title).toContain('CardioMood no longer accepts this connection');
      // A fresh popup agrees, and Reconnect signs in again.
      await popup.close();
      const reopened = await session.openExtensionPage('popup.html');
      await waitForPopupState(reopened, 'reconnect');
      await reopened.click('[data-testid=connect]');
      const auth = await session.waitForPage(setup.authOrigin);
      // The sandbox may still know the member from the first sign-in (its session cookie): then it asks for consent only.
      await poll('the login or the consent page', async () => ((await auth.count('input#email, button#allow')) > 0 ? true : undefined));
      if ((await auth.count('input#email')) > 0) {
        await auth.fill('input#email', alice.email);
        await auth.fill('input#password', alice.password);
        await auth.click('button#login');
      }
      await auth.click('button#allow');
      await waitForPopupState(reopened, 'readings');
    });

    it('should lose neither the session nor the readings when the browser stops the background mid-session', async () => {
      const control = setup.stack.sandbox.control;
      session = await kind.launch(setup.extensionDir);
      const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice });
      const shown = await metricValues(popup);
      const shownAt = await fetchedAt(popup);
      const start = control.stats();
      // The token expires while the background is gone: the restarted one must refresh it from storage.
      control.expireAccessTokens();
      await popup.close();
      await stopBackground(session);

      const reopened = await session.openExtensionPage('popup.html');
      await waitForPopupState(reopened, 'readings');
      expect(await metricValues(reopened)).toEqual(shown);
      expect(await fetchedAt(reopened)).toBeGreaterThanOrEqual(shownAt);
      await refreshReadings(reopened);
      const end = control.stats();
      expect(end.refreshes - start.refreshes).toBe(1);
      expect(end.reuseDetections).toBe(0);
      expect(end.codeExchanges).toBe(1);
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
