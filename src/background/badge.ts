import { browser } from 'wxt/browser';
import { localIsoDate } from '../shared/local-date';
import type { SessionEndReason, Status } from '../shared/status';

type BadgeTitleKey = 'badgeReconnect' | 'badgeSignedOut' | 'actionTitle' | 'badgeRestingHr';
/** Why a session ended, in the member's words (the popup and side panel show the same sentence). */
type EndReasonKey = `endReason_${Exclude<SessionEndReason, 'signed_out'>}`;

export interface Badge {
  text: string;
  titleKey: BadgeTitleKey;
  substitution?: string;
  /** For badgeReconnect: the message naming why the session ended, put into the title. */
  reasonKey?: EndReasonKey;
}

/**
 * Today's resting heart rate on the toolbar icon, "!" with the reason when the member must reconnect,
 * or a hint to connect. The glance's today must be the member's today at `now`: after midnight,
 * yesterday's resting heart rate is not shown as today's until the glance is asked for again.
 */
export function badgeFor(status: Status, now: number): Badge {
  const { state, reason } = status.auth;
  if (state === 'reconnect_required' && reason && reason !== 'signed_out') {
    return { text: '!', titleKey: 'badgeReconnect', reasonKey: `endReason_${reason}` };
  }
  if (state !== 'signed_in') return { text: '', titleKey: 'badgeSignedOut' };
  const today = status.glance?.today;
  const rest = today && today.date === localIsoDate(now) ? today.restHr.value : null;
  if (rest === null || rest === undefined) return { text: '', titleKey: 'actionTitle' };
  const text = String(Math.round(rest));
  return { text, titleKey: 'badgeRestingHr', substitution: text };
}

export async function setBadge(status: Status, now: number): Promise<void> {
  const badge = badgeFor(status, now);
  const substitution = badge.reasonKey ? browser.i18n.getMessage(badge.reasonKey) : badge.substitution;
  const title =
    browser.i18n.getMessage(badge.titleKey, substitution ? [substitution] : undefined) || 'CardioMood Readings';
  await Promise.all([
    browser.action.setBadgeText({ text: badge.text }),
    browser.action.setBadgeBackgroundColor({ color: badge.text === '!' ? '#b3261e' : '#8c1d40' }),
    browser.action.setTitle({ title }),
  ]);
}
