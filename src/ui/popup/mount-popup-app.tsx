import { createBrowserClient } from '../create-browser-client';
import { createPageEnv } from '../create-page-env';
import type { ExtensionApi } from '../extension-api';
import { mountPage } from '../mount-page';
import { PopupApp } from './popup-app';
import type { StoredPopupView } from './read-popup-view';

/**
 * The popup's second chunk: the messaging client and the interactive popup, mounted over the first
 * frame (which it renders again from the same components, now with handlers and the live status).
 */
export function mountPopupApp(root: HTMLElement, api: ExtensionApi, stored: StoredPopupView | null): void {
  mountPage(<PopupApp stored={stored} />, root, { ...createPageEnv(api), client: createBrowserClient() }, 'extName');
}
