import { render } from 'preact';
import { createPageText } from '../page-text';
import type { ExtensionApi } from '../extension-api';
import { createGlanceFormat, type GlanceFormat } from '../glance-format';
import type { Translate } from '../i18n';
import { markAfterPaint } from '../mark-painted';
import type { Platform } from '../platform';
import { GlanceView } from './glance-view';
import { PopupFrame } from './popup-frame';
import { readPopupView, storedViewState, type StoredPopupView } from './read-popup-view';
import { StoredViewNotice } from './stored-view-notice';

/** Mounts the interactive popup (PopupApp with its messaging client) over `root`. */
export type MountPopupApp = (root: HTMLElement, api: ExtensionApi, stored: StoredPopupView | null) => void;

export interface StartPopupDeps {
  api: ExtensionApi;
  /** The rest of the popup, as a dynamic import(): loaded after the first frame. */
  loadApp(): Promise<MountPopupApp>;
  /** Runs `task` after the next frame is on screen. */
  afterPaint?(task: () => void): void;
}

/**
 * After the next frame: requestAnimationFrame runs just before it, a task queued from there after
 * it. The timeout is a floor for a page whose frames are throttled (a background tab).
 */
function afterNextPaint(task: () => void): void {
  let done = false;
  const once = () => {
    if (!done) {
      done = true;
      task();
    }
  };
  requestAnimationFrame(() => setTimeout(once, 0));
  setTimeout(once, 100);
}

const noop = () => undefined;
const noopAsync = async () => undefined;

/** The first frame: the stored glance in the popup's frame, as the interactive popup will show it. */
function paintStoredView(root: HTMLElement, stored: StoredPopupView, api: ExtensionApi, t: Translate, format: GlanceFormat): void {
  const { view } = stored;
  const now = Date.now();
  // The same buttons the interactive popup shows; they act once it has loaded, a frame or two later.
  const platform: Platform = { openSidePanel: api.sidePanel || api.sidebarAction ? noopAsync : null, openOptionsPage: noopAsync };
  render(
    <PopupFrame t={t} platform={platform} state={storedViewState(view.glance)} source={stored.area} signedIn busy={false} onRefresh={noop} onSignOut={noop}>
      <GlanceView
        glance={view.glance}
        settings={{ units: view.units, temperature: view.temperature, hidden: view.hidden }}
        day={view.glance.focus}
        onDay={noop}
        t={t}
        format={format}
        now={now}
        notices={<StoredViewNotice stored={stored} now={now} t={t} format={format} />}
      />
    </PopupFrame>,
    root,
  );
}

/**
 * The popup's start. With a view the background stored, the first frame paints it with nothing but
 * Preact and the bare extension API (no zod, no polyfill, no messaging, no hooks), and only after
 * that frame is the rest loaded: the interactive popup, which asks the background for the live
 * status. Without one (signed out, first run) the rest loads at once.
 */
export async function startPopup(root: HTMLElement, deps: StartPopupDeps): Promise<void> {
  const { api, loadApp, afterPaint = afterNextPaint } = deps;
  const { t, locale } = createPageText(api);
  document.documentElement.lang = t('lang') || 'en';
  document.title = t('extName');
  let stored = await readPopupView(api.storage);
  let target = root;
  if (stored) {
    try {
      paintStoredView(target, stored, api, t, createGlanceFormat(locale, t));
      markAfterPaint('readings-painted');
    } catch (error) {
      // A stored view this popup cannot paint must not leave it blank: go on as without one, in a
      // fresh element (the failed render may have left Preact's state in the old one half done).
      console.error('Painting the stored popup view failed', error);
      stored = null;
      target = root.cloneNode(false) as HTMLElement;
      root.replaceWith(target);
    }
  }
  const mount = () =>
    loadApp().then(
      (mountApp) => mountApp(target, api, stored),
      (error: unknown) => {
        console.error('Loading the popup failed', error);
        render(<p role="status">{t('backgroundUnreachable')}</p>, target);
      },
    );
  if (stored) afterPaint(() => void mount());
  else await mount();
}
