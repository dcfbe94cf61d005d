/**
 * The member's first minute, in real Chromium and Firefox ESR: install, Connect, the CardioMood
 * (sandbox) login and consent pages in the real auth window, today's readings in the popup — compared
 * with what the sandbox itself answers — and the ways a sign-in can end without a session.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BROWSERS, type BrowserSession, shouldSkip } from './support/browsers';
import { useExtensionStack } from './support/extension-stack';
import type { FirefoxSession } from '../../src/dev/launch-firefox';
import { POPUP, waitForPopupState } from './support/popup';
import { expectedTileValue, fetchSandboxDays, parseDataValue, TILE_IDS } from './support/sandbox-readings';
import { readMetric } from './support/popup';
import { DEMO_MEMBERS, signIn } from './support/sign-in';
import type { UiPage } from '../../src/dev/ui-page';
import { stopBackground } from './support/stop-background';

for (const kind of BROWSERS) {
  describe.skipIf(shouldSkip(kind))(`popup sign-in in ${kind.name}`, () => {
    const setup = useExtensionStack(kind);
    let session: BrowserSession | undefined;

    /** Today's metrics in the popup equal the sandbox's own answer for the same member and day. */
    async function expectReadingsMatchSandbox(popup: UiPage, email: string) {
      const date = await popup.attribute('[data-testid=glance]', 'data-date');
      expect(date).toBe(await setup.stack.sandbox.control.memberLocalToday(email));
      const [day] = await fetchSandboxDays(setup.stack, email, date!, date!);
      expect(day?.date).toBe(date);
      for (const tile of TILE_IDS) {
        const shown = await readMetric(popup, tile);
        expect.soft(parseDataValue(shown?.value ?? null), `metric-${tile}`).toBe(expectedTileValue(day, tile));
      }
      // At least one of the four has a value, so the comparison above cannot pass on empty metrics.
      expect(TILE_IDS.some((tile) => expectedTileValue(day, tile) !== null)).toBe(true);
      expect(await popup.count('[data-testid=checked-at]')).toBe(1);
      const checkedAt = await popup.attribute('[data-testid=checked-at]', 'data-at');
      expect(checkedAt).toBeTruthy();
    }

    beforeEach(async () => {
      // No live access token from an earlier test: the sandbox (like Passport) would skip the consent screen.
      setup.stack.sandbox.control.expireAccessTokens();
      session = await kind.launch(setup.extensionDir);
    });
    afterEach(async () => {
      await session?.close();
      session = undefined;
    });

    it('should offer Connect when the extension was just installed', async () => {
      const popup = await session!.openExtensionPage('popup.html');
      await waitForPopupState(popup, 'signed-out');
      expect(await popup.count('[data-testid=connect]')).toBe(1);
      expect(await popup.count('[data-testid=auth-error]')).toBe(0);
    });

    it("should show today's readings from the sandbox when the member signs in and allows access", async () => {
      const { popup } = await signIn(session!, { authOrigin: setup.authOrigin, ...DEMO_MEMBERS.alice });
      await expectReadingsMatchSandbox(popup, DEMO_MEMBERS.alice.email);
    });

    it('should finish the sign-in in the background when the popup is closed while the auth window is open', async () => {
      const { popup } = await signIn(session!, {
        authOrigin: setup.authOrigin,
        ...DEMO_MEMBERS.alice,
        closePopupDuringFlow: true,
      });
      await expectReadingsMatchSandbox(popup, DEMO_MEMBERS.alice.email);
    });

    it('should show ACCESS_DENIED and still offer Connect when the member denies consent', async () => {
      const { popup } = await signIn(session!, { authOrigin: setup.authOrigin, ...DEMO_MEMBERS.alice, consent: 'deny' });
      await popup.waitFor('[data-testid=auth-error]');
      expect(await popup.attribute('[data-testid=auth-error]', 'data-code')).toBe('ACCESS_DENIED');
      expect(await popup.count('[data-testid=connect]')).toBe(1);
    });

    it('should show AUTH_CANCELLED when the member closes the auth window', async () => {
      const { popup } = await signIn(session!, {
        authOrigin: setup.authOrigin,
        ...DEMO_MEMBERS.alice,
        consent: 'close-window',
      });
      await popup.waitFor('[data-testid=auth-error]');
      expect(await popup.attribute('[data-testid=auth-error]', 'data-code')).toBe('AUTH_CANCELLED');
      expect(await popup.count('[data-testid=connect]')).toBe(1);
    });

    it('should end in SIGN_IN_INTERRUPTED with a working Connect when the background stops while the auth window is open', async () => {
      const exchangesBefore = setup.stack.sandbox.control.stats().codeExchanges;
      const popup = await session!.openExtensionPage('popup.html');
      await waitForPopupState(popup, 'signed-out');
      await popup.click('[data-testid=connect]');
      const auth = await session!.waitForPage(setup.authOrigin);
      // The member is still looking up their password when the browser stops the background.
      await auth.waitFor('input#email');
      await stopBackground(session!);

      // The popup that started it is not left "connecting".
      await waitForPopupState(popup, 'signed-out');
      expect(await popup.attribute('[data-testid=auth-error]', 'data-code')).toBe('SIGN_IN_INTERRUPTED');
      expect(setup.stack.sandbox.control.stats().codeExchanges).toBe(exchangesBefore);

      // As the message asks: close the old window (Firefox would open new tabs into it), then a fresh
      // popup agrees and Connect works.
      await auth.close();
      await popup.close();
      const fresh = await session!.openExtensionPage('popup.html');
      await waitForPopupState(fresh, 'signed-out');
      expect(await fresh.attribute('[data-testid=auth-error]', 'data-code')).toBe('SIGN_IN_INTERRUPTED');
      const { popup: done } = await signIn(session!, { authOrigin: setup.authOrigin, ...DEMO_MEMBERS.alice, popup: fresh });
      await expectReadingsMatchSandbox(done, DEMO_MEMBERS.alice.email);
    });

    it('should offer Connect again when the member signs out', async () => {
      const { popup } = await signIn(session!, { authOrigin: setup.authOrigin, ...DEMO_MEMBERS.alice });
      await popup.click('[data-testid=sign-out]');
      await waitForPopupState(popup, 'signed-out');
      expect(await popup.count('[data-testid=connect]')).toBe(1);
      // A fresh popup agrees: the session is gone, not just this page's view of it.
      await popup.close();
      const reopened = await session!.openExtensionPage('popup.html');
      await waitForPopupState(reopened, 'signed-out');
      expect(await reopened.count('[data-testid=metric-value]')).toBe(0);
    });

    it('should show no-data-today when the member has no readings for today yet', async () => {
      const { popup } = await signIn(session!, {
        authOrigin: setup.authOrigin,
        ...DEMO_MEMBERS.bob,
        expectState: 'no-data-today',
      });
      expect(await popup.attribute(POPUP, 'data-state')).toBe('no-data-today');
      const [today] = await fetchSandboxDays(
        setup.stack,
        DEMO_MEMBERS.bob.email,
        await setup.stack.sandbox.control.memberLocalToday(DEMO_MEMBERS.bob.email),
        await setup.stack.sandbox.control.memberLocalToday(DEMO_MEMBERS.bob.email),
      );
      expect(today).toBeUndefined();
    });
  });
}

for (const kind of BROWSERS) {
  describe.skipIf(shouldSkip(kind))(`sign-in against an unreachable CardioMood in ${kind.name}`, () => {
    const setup = useExtensionStack(kind);
    let session: BrowserSession | undefined;

    afterEach(async () => {
      await session?.close();
      session = undefined;
    });

    it('should say the sign-in page could not be loaded, not that the window was closed', async () => {
      session = await kind.launch(setup.extensionDir);
      const popup = await session.openExtensionPage('popup.html');
      await waitForPopupState(popup, 'signed-out');
      // CardioMood (the sandbox, which serves the authorization page) is down.
      await setup.stack.sandbox.close();
      await popup.click('[data-testid=connect]');
      if (kind.name === 'firefox') {
        // Firefox shows its own error page in the auth window and reports closing it as a cancel.
        const browser = (session as FirefoxSession).browser;
        const window = await browser.waitForTarget((target) => target.url().startsWith('about:neterror'), { timeout: 15_000 });
        await (await window.asPage()).close();
      }
      await popup.waitFor('[data-testid=auth-error]', { timeout: 20_000 });
      expect(await popup.attribute('[data-testid=auth-error]', 'data-code')).toBe('AUTH_PAGE_UNREACHABLE');
      expect(await popup.count('[data-testid=connect]')).toBe(1);
    });
  });
}
