import type { GlanceFormat } from '../glance-format';
import type { Translate } from '../i18n';
import type { Platform } from '../platform';
import { GlanceView } from './glance-view';
import { PopupFrame } from './popup-frame';
import { storedViewState, type StoredPopupView } from './read-popup-view';
import { StoredViewNotice } from './stored-view-notice';

const noop = () => undefined;
const noopAsync = async () => undefined;

export interface StoredPopupProps {
  stored: StoredPopupView;
  t: Translate;
  format: GlanceFormat;
  /** Epoch ms the view is painted at (ages and "today" are relative to it). */
  now: number;
  /** Whether this browser has a side panel (Chrome) or sidebar (Firefox) to offer. */
  hasSidePanel: boolean;
}

/**
 * The popup's first frame: a stored glance in the popup's frame, as the interactive popup will show
 * it, with the same buttons; they act once the interactive popup has loaded over it, a frame or two
 * later. The background renders it to HTML with each view it stores (render-stored-popup.tsx).
 */
export function StoredPopup({ stored, t, format, now, hasSidePanel }: StoredPopupProps) {
  const { view } = stored;
  const platform: Platform = { openSidePanel: hasSidePanel ? noopAsync : null, openOptionsPage: noopAsync };
  return (
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
    </PopupFrame>
  );
}
