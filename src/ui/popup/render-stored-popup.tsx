import { renderToString } from 'preact-render-to-string';
import { localIsoDate } from '../../shared/local-date';
import type { PopupFrame, PopupView } from '../../shared/popup-view';
import { POPUP_VIEW_VERSION } from '../../shared/popup-view-keys';
import type { StorageAreaName } from '../../shared/storage-area';
import type { ExtensionApi } from '../extension-api';
import { createGlanceFormat, type GlanceFormat } from '../glance-format';
import type { Translate } from '../i18n';
import { createPageText } from '../page-text';
import { FirstFrame } from './first-frame';
import { htmlToFrameTree } from './html-to-frame-tree';
import { StoredPopup } from './stored-popup';

/** What rendering the popup's first frame needs from the extension API (the background has it). */
export type PopupFrameApi = Pick<ExtensionApi, 'i18n' | 'sidePanel' | 'sidebarAction'>;

let text: { language: string; t: Translate; format: GlanceFormat } | undefined;

/** Messages and Intl formats, kept while the UI language stays the same (a background renders many frames). */
function textFor(api: PopupFrameApi): { language: string; t: Translate; format: GlanceFormat } {
  const language = api.i18n.getUILanguage();
  if (text?.language !== language) {
    const { t, locale } = createPageText(api);
    text = { language, t, format: createGlanceFormat(locale, t) };
  }
  return text;
}

/** FNV-1a (32 bit) of `text`, in hex: tells two renderings apart in the frame's key. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16);
}

/**
 * The popup's first frame for `view`, as the popup would paint the view kept in `area` at `now`
 * (StoredPopup, the popup's own component), rendered to HTML in the background whenever it writes a
 * view, as a tree of plain data (src/shared/frame-tree.ts) and as the HTML that tree was strictly read
 * from (for the Sanitizer API's setHTML where the browser has it). The popup puts it on screen in about
 * a millisecond, instead of loading Preact and rendering the view itself first (docs/performance.md).
 * The markup holds readings, never a token.
 */
export function renderPopupFrame(view: PopupView, area: StorageAreaName, api: PopupFrameApi, now: number, language = navigator.language): PopupFrame {
  const { t, format } = textFor(api);
  const html = renderToString(
    <FirstFrame.Provider value>
      <StoredPopup stored={{ view, area }} t={t} format={format} now={now} hasSidePanel={!!(api.sidePanel || api.sidebarAction)} />
    </FirstFrame.Provider>,
  );
  return {
    v: POPUP_VIEW_VERSION,
    key: `${area}@${now}#${fnv1a(html)}`,
    tree: htmlToFrameTree(html),
    html,
    date: localIsoDate(now),
    language,
    lang: t('lang') || 'en',
    title: t('extName'),
  };
}
