import type { BrowserSession } from './browsers';
import { type PopupState, popupState, waitForPopupState } from './popup';
import { poll } from '../../../src/dev/ui-page';
import type { UiPage } from '../../../src/dev/ui-page';

export const DEMO_MEMBERS = {
  alice: { email: 'alice@example.com', password: 'alice-demo' },
  bob: { email: 'bob@example.com', password: 'bob-demo' },
} as const;

export interface SignInOptions {
  /** Origin (or URL prefix) of the authorization server; the auth window is the page that opens there. */
  authOrigin: string;
  email: string;
  password: string;
  /** What the member does on the consent page: Allow, Deny, or close the auth window. Default allow. */
  consent?: 'allow' | 'deny' | 'close-window';
  /** An already open popup; one is opened otherwise. */
  popup?: UiPage;
  /**
   * Close the popup while the auth window is open (as Chrome does when the popup loses focus) and
   * open a fresh one afterwards: the flow must live in the background.
   */
  closePopupDuringFlow?: boolean;
  /** State the popup must reach at the end; default `readings` for allow, `signed-out` otherwise. */
  expectState?: PopupState;
}

export interface SignInResult {
  /** The popup at the end of the flow (a new page when the first one was closed). */
  popup: UiPage;
  /** ms from clicking Connect to the popup reaching the expected state. */
  durationMs: number;
}

/**
 * Signs in through the real auth window exactly as a member would: Connect in the popup, the
 * CardioMood (sandbox) login form, then the consent page.
 */
export async function signIn(session: BrowserSession, options: SignInOptions): Promise<SignInResult> {
  const consent = options.consent ?? 'allow';
  let popup = options.popup ?? (await session.openExtensionPage('popup.html'));
  await waitForPopupState(popup, 'signed-out');
  const started = Date.now();
  await popup.click('[data-testid=connect]');
  const auth = await session.waitForPage(options.authOrigin);
  await auth.fill('input#email', options.email);
  await auth.fill('input#password', options.password);
  await auth.click('button#login');
  const expectState = options.expectState ?? (consent === 'allow' ? 'readings' : 'signed-out');
  // The sandbox, like Laravel Passport, skips the consent screen for a member who still holds a valid
  // token of the extension (an earlier test's sign-in): then the window closes by itself.
  const consentShown = await poll('the consent page, or the sign-in finishing without it', async () => {
    if ((await auth.count('button#allow').catch(() => 0)) > 0) return true;
    if ((await popupState(popup).catch(() => null)) === expectState) return false;
    return undefined;
  });
  if (!consentShown) {
    if (consent !== 'allow') throw new Error(`signIn: the sandbox approved without the consent screen, so "${consent}" cannot happen (expire the access tokens first)`);
    return { popup, durationMs: Date.now() - started };
  }
  // Remember it ourselves: puppeteer's Firefox page handle may not report itself closed.
  const closedPopup = options.closePopupDuringFlow === true;
  if (closedPopup) await popup.close();
  if (consent === 'close-window') await auth.close();
  else await auth.click(consent === 'allow' ? 'button#allow' : 'button#deny');
  if (closedPopup || popup.isClosed()) popup = await session.openExtensionPage('popup.html');
  await waitForPopupState(popup, expectState);
  return { popup, durationMs: Date.now() - started };
}
