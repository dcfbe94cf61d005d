import type { Glance } from '../../shared/glance';
import type { GlanceFormat } from '../glance-format';
import type { Translate } from '../i18n';
import { useContext } from 'preact/hooks';
import { FirstFrame } from './first-frame';

/**
 * Two different times: when the wearable's newest data ends ("Last synced 7:30 AM") and when the
 * extension last asked CardioMood ("checked 2 minutes ago"). `now` comes from the popup's clock,
 * which ticks while it stays open.
 */
export function SyncLine({ glance, now, t, format }: { glance: Glance; now: number; t: Translate; format: GlanceFormat }) {
  // The one text that moves within a day is left to the interactive popup (see FirstFrame).
  const firstFrame = useContext(FirstFrame);
  const since = now - glance.checkedAt;
  const synced = glance.lastSyncedAt;
  return (
    <p class="sync muted small">
      <span data-testid="last-synced" data-at={synced === null ? '' : String(synced)}>
        {synced === null ? t('lastSyncedUnknown') : t('lastSynced', format.when(synced, now))}
      </span>{' '}
      <time data-testid="checked-at" data-at={String(glance.checkedAt)} dateTime={new Date(glance.checkedAt).toISOString()}>
        {firstFrame ? null : since < 60_000 ? t('checkedJustNow') : t('checkedAgo', format.relative(-since))}
      </time>
    </p>
  );
}
