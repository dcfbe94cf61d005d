import type { GlanceFormat } from '../glance-format';
import type { Translate } from '../i18n';
import type { StoredPopupView } from './read-popup-view';

/**
 * A view kept from an earlier browser session ("Keep me signed in") says how old its numbers are
 * while fresh ones load; the current session's view needs no such note.
 */
export function StoredViewNotice({ stored, now, t, format }: { stored: StoredPopupView; now: number; t: Translate; format: GlanceFormat }) {
  if (stored.area !== 'local') return null;
  return (
    <p class="notice" data-testid="stored-view-notice">
      {t('storedViewNotice', format.when(stored.view.glance.checkedAt, now))}
    </p>
  );
}
