/**
 * The popup's first frame in the real browsers: the background renders it with every view and, while
 * "Keep me signed in" is on, copies it to the extension's localStorage (Firefox: its event page;
 * Chrome: an offscreen document), where the popup reads it without a round trip. Signing out and
 * turning the option off delete the copy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { poll, type UiPage } from '../../src/dev/ui-page';
import { FRAME_SANITIZER } from '../../src/shared/frame-tree';
import { FRAME_CACHE_KEY, POPUP_FRAME_KEYS } from '../../src/shared/popup-view-keys';
import { BROWSERS, type BrowserSession, shouldSkip } from './support/browsers';
import { useExtensionStack } from './support/extension-stack';
import { waitForPopupState } from './support/popup';
import { DEMO_MEMBERS, signIn } from './support/sign-in';

const alice = DEMO_MEMBERS.alice;

/** The key of the frame in storage.session and of its copy in localStorage (null: none), read in `page`. */
function frameKeys(page: UiPage): Promise<{ stored: string | null; copy: string | null }> {
  return page.evaluate(
    async ([sessionKey, cacheKey]) => {
      type Area = { get(key: string): Promise<Record<string, { key?: string } | undefined>> };
      const scope = globalThis as unknown as { browser?: { storage: { session: Area } }; chrome: { storage: { session: Area } } };
      const stored = (await (scope.browser ?? scope.chrome).storage.session.get(sessionKey))[sessionKey];
      const text = localStorage.getItem(cacheKey);
      return { stored: stored?.key ?? null, copy: text === null ? null : (JSON.parse(text) as { key: string }).key };
    },
    [POPUP_FRAME_KEYS.session, FRAME_CACHE_KEY] as const,
  );
}

/**
 * Whether the frame copy's HTML, inserted with setHTML and FRAME_SANITIZER in `page`, gives the same
 * DOM as its tree built node by node (the two ways the popup paints a frame), and how many elements.
 */
function sanitizedAsBuilt(page: UiPage): Promise<{ same: boolean; elements: number }> {
  return page.evaluate(
    ([cacheKey, sanitizer]) => {
      const frame = JSON.parse(localStorage.getItem(cacheKey)!) as { html: string; tree: unknown[] };
      const sanitized = document.createElement('div');
      (sanitized as unknown as { setHTML(html: string, options: unknown): void }).setHTML(frame.html, { sanitizer });
      const built = document.createElement('div');
      const stack: Array<[Node, unknown]> = frame.tree.map((node): [Node, unknown] => [built, node]).reverse();
      while (stack.length) {
        const [parent, node] = stack.pop()!;
        if (typeof node === 'string') {
          parent.appendChild(document.createTextNode(node));
          continue;
        }
        const [tag, attributes, ...children] = node as [string, Record<string, string>, ...unknown[]];
        const element = document.createElement(tag);
        for (const name of Object.keys(attributes)) element.setAttribute(name, attributes[name]!);
        parent.appendChild(element);
        for (let i = children.length - 1; i >= 0; i--) stack.push([element, children[i]]);
      }
      return { same: sanitized.innerHTML === built.innerHTML, elements: built.getElementsByTagName('*').length };
    },
    [FRAME_CACHE_KEY, FRAME_SANITIZER] as const,
  );
}

for (const kind of BROWSERS) {
  describe.skipIf(shouldSkip(kind))(`the popup's first frame in ${kind.name}`, () => {
    const setup = useExtensionStack(kind);
    let session: BrowserSession | undefined;

    afterEach(async () => {
      await session?.close();
      session = undefined;
    });

    it('should paint the copy of the current frame, then keep none once the member signs out', async () => {
      session = await kind.launch(setup.extensionDir);
      const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice });
      await poll('the frame and its copy', async () => {
        const { stored, copy } = await frameKeys(popup);
        // A copy is rewritten only when it would paint something new: the same markup hash will do.
        return stored !== null && copy?.replace(/@[^#]*#/, '#') === stored.replace(/@[^#]*#/, '#') ? true : undefined;
      });

      const next = await session.openExtensionPage('popup.html');
      await waitForPopupState(next, 'readings');
      expect(await next.evaluate(() => document.getElementById('app')!.dataset.frame)).toBe('cache');
      // This browser has the Sanitizer API: the frame went on screen as its HTML, through setHTML.
      expect(await next.evaluate(() => document.getElementById('app')!.dataset.paint)).toBe('sanitizer');
      expect(await sanitizedAsBuilt(next)).toEqual({ same: true, elements: expect.any(Number) });
      // The interactive popup took over the painted frame: live status, handlers attached.
      await next.waitFor('[data-testid=popup][data-view=status]', { timeout: 30_000 });
      await next.click('[data-testid=sign-out]');
      await waitForPopupState(next, 'signed-out');
      await poll('the copy to be deleted', async () => ((await frameKeys(next)).copy === null ? true : undefined));
      expect(await frameKeys(next)).toEqual({ stored: null, copy: null });
      await next.close();

      const signedOut = await session.openExtensionPage('popup.html');
      await waitForPopupState(signedOut, 'signed-out');
      expect(await signedOut.evaluate(() => document.getElementById('app')!.dataset.frame)).toBeUndefined();
    });

    it('should delete the copy when keep me signed in is turned off, and still paint the frame from storage', async () => {
      session = await kind.launch(setup.extensionDir);
      const { popup } = await signIn(session, { authOrigin: setup.authOrigin, ...alice });
      await poll('the copy', async () => ((await frameKeys(popup)).copy !== null ? true : undefined));
      const options = await session.openExtensionPage('options.html');
      await options.click('[data-testid=keep-signed-in]');
      await poll('the copy to be deleted', async () => ((await frameKeys(popup)).copy === null ? true : undefined));
      await options.close();

      const next = await session.openExtensionPage('popup.html');
      await waitForPopupState(next, 'readings');
      expect(await next.evaluate(() => document.getElementById('app')!.dataset.frame)).toBe('session');
      expect((await frameKeys(next)).copy).toBeNull();
    });
  });
}
