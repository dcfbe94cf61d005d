import type { Glance } from '../../shared/glance';
import type { GlanceFormat } from '../glance-format';
import type { Translate } from '../i18n';
import { checkedText } from './checked-text';

/**
 * Two different times: when the wearable's newest data ends ("Last synced 7:30 AM") and when the
 * extension last asked CardioMood ("checked 2 minutes ago"). `now` comes from the popup's clock,
 * which ticks while it stays open.
 */
export function SyncLine({ glance, now, t, format }: { glance: Glance; now: number; t: Translate; format: GlanceFormat }) {
  const synced = glance.lastSyncedAt;
  return (
    <p class="sync muted small">
      <span data-testid="last-synced" data-at={synced === null ? '' : String(synced)}>
        {synced === null ? t('lastSyncedUnknown') : t('lastSynced', format.when(synced, now))}
      </span>{' '}
      <time data-testid="checked-at" data-at={String(glance.checkedAt)} dateTime={new Date(glance.checkedAt).toISOString()}>
        {checkedText(glance.checkedAt, now, t, format)}
      </time>
    </p>
  );
}
