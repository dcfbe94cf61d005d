import { createBrowserClient } from '../create-browser-client';
import { createPageEnv } from '../create-page-env';
import type { ExtensionApi } from '../extension-api';
import { mountPage } from '../mount-page';
import { PopupApp } from './popup-app';
import type { StoredPopupView } from './read-popup-view';

/**
 * The popup's second chunk: Preact, the messaging client and the interactive popup, mounted over the
 * first frame when one was painted (rendered again from the same components, reusing its elements,
 * now with handlers and the live status), else into the empty root.
 */
export function mountPopupApp(root: HTMLElement, api: ExtensionApi, stored: StoredPopupView | null, painted: boolean): void {
  mountPage(<PopupApp stored={stored} painted={painted} />, root, { ...createPageEnv(api), client: createBrowserClient() }, 'extName');
}
