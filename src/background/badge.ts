import { browser } from 'wxt/browser';
import type { Status } from '../shared/status';

type BadgeTitleKey = 'badgeReconnect' | 'badgeSignedOut' | 'actionTitle' | 'badgeRestingHr';

/** Today's resting heart rate on the toolbar icon, or a hint to connect. */
export function badgeFor(status: Status): { text: string; titleKey: BadgeTitleKey; substitution?: string } {
  if (status.auth.state === 'reconnect_required') return { text: '!', titleKey: 'badgeReconnect' };
  if (status.auth.state !== 'signed_in') return { text: '', titleKey: 'badgeSignedOut' };
  const rest = status.readings?.hasToday
    ? status.readings.tiles.find((tile) => tile.id === 'rest_hr')?.value
    : null;
  if (rest === null || rest === undefined) return { text: '', titleKey: 'actionTitle' };
  const text = String(Math.round(rest));
  return { text, titleKey: 'badgeRestingHr', substitution: text };
}

export async function setBadge(status: Status): Promise<void> {
  const badge = badgeFor(status);
  const title =
    browser.i18n.getMessage(badge.titleKey, badge.substitution ? [badge.substitution] : undefined) ||
    'CardioMood Readings';
  await Promise.all([
    browser.action.setBadgeText({ text: badge.text }),
    browser.action.setBadgeBackgroundColor({ color: badge.text === '!' ? '#b3261e' : '#8c1d40' }),
    browser.action.setTitle({ title }),
  ]);
}
