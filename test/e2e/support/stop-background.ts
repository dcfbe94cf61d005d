import { GECKO_ID } from '../../../src/shared/extension-identity';
import type { BrowserSession } from './browsers';
import type { ChromiumSession } from '../../../src/dev/launch-chromium';
import type { FirefoxSession } from '../../../src/dev/launch-firefox';

/** The few WebDriver BiDi calls made here; puppeteer's Firefox browser exposes its BiDi connection. */
interface BidiConnection {
  send(method: string, params: object): Promise<{ result: unknown }>;
}

/**
 * Stops the extension's background the way the browser does on its own: Chrome stops an idle service
 * worker, Firefox unloads an idle event page. Memory is gone, storage.session stays; the next event
 * (a page's message, an alarm) starts a fresh background.
 */
export async function stopBackground(session: BrowserSession): Promise<void> {
  // Pages stay open across the stop (a popup, the auth window) and may wake a new background at once.
  if (session.name === 'chromium') await (session as ChromiumSession).stopServiceWorker({ awaitUnlisted: false });
  else await terminateFirefoxBackground(session as FirefoxSession);
}

/**
 * about:debugging's "Terminate background script", run in the browser's own (chrome) scope over
 * WebDriver BiDi, which `-remote-allow-system-access` opens. Firefox's idle timeout does not do it for
 * us: a pending extension API call (the auth window's launchWebAuthFlow) keeps the event page alive.
 */
async function terminateFirefoxBackground(session: FirefoxSession): Promise<void> {
  const bidi = (session.browser as unknown as { connection: BidiConnection }).connection;
  const { result: tree } = await bidi.send('browsingContext.getTree', { 'moz:scope': 'chrome' });
  const context = (tree as { contexts: Array<{ context: string }> }).contexts[0]?.context;
  if (!context) throw new Error('no chrome-scope browsing context to run in (is -remote-allow-system-access set?)');
  const { result } = await bidi.send('script.callFunction', {
    functionDeclaration: `async (id) => {
      const { ExtensionParent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionParent.sys.mjs');
      const extension = ExtensionParent.GlobalManager.getExtension(id);
      await extension.terminateBackground({ disableResetIdleForTest: true });
      return String(extension.backgroundState);
    }`,
    arguments: [{ type: 'string', value: GECKO_ID }],
    target: { context },
    awaitPromise: true,
  });
  const outcome = result as { type: string; result?: { value?: unknown }; exceptionDetails?: { text?: string } };
  if (outcome.type !== 'success' || outcome.result?.value !== 'stopped') {
    throw new Error(`terminating the Firefox background failed: ${outcome.exceptionDetails?.text ?? JSON.stringify(outcome.result)}`);
  }
}
