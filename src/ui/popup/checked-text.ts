import type { GlanceFormat } from '../glance-format';
import type { Translate } from '../i18n';

/** "checked just now" / "checked 3 minutes ago": when the extension last asked CardioMood, from `now`. */
export function checkedText(checkedAt: number, now: number, t: Translate, format: Pick<GlanceFormat, 'relative'>): string {
  const since = now - checkedAt;
  return since < 60_000 ? t('checkedJustNow') : t('checkedAgo', format.relative(-since));
}
