import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { badgeFor, setBadge } from '../../src/background/badge';
import { buildDayRecord } from '../../src/cardiomood/day-record';
import { buildGlance } from '../../src/cardiomood/build-glance';
import { addDays } from '../../src/shared/local-date';
import { summarySchema } from '../../src/cardiomood/summary-schema';
import { DEFAULT_SETTINGS } from '../../src/shared/settings';
import type { Status } from '../../src/shared/status';
import { rawDays } from './cardiomood-fixtures';

const T0 = Date.parse('2026-11-28T12:00:00Z');
const TODAY = '2026-11-28';

/** A glance whose today's resting heart rate is `rest` (null: none today). */
function glanceWith(rest: number | null) {
  const records = rawDays(TODAY, 20).map((day) => {
    const summary = summarySchema.parse(day);
    if (summary.date === TODAY && summary.heart_rate) summary.heart_rate.rest_daily_heart_rate = rest;
    return buildDayRecord(summary, { fetchedOn: TODAY });
  });
  return buildGlance({ records, today: TODAY, now: T0 });
}

function status(parts: Partial<Omit<Status, 'auth'>> & { auth?: Partial<Status['auth']> } = {}): Status {
  return {
    readings: null,
    glance: null,
    sync: { state: 'idle', error: null, nextRetryAt: null },
    settings: DEFAULT_SETTINGS,
    settingsUnreadable: false,
    ...parts,
    auth: { state: 'signed_in', error: null, reason: null, ...parts.auth },
  };
}

describe('badgeFor', () => {
  it.each([
    ['a reason to reconnect', status({ auth: { state: 'reconnect_required', reason: 'revoked' } }), { text: '!', titleKey: 'badgeReconnect', reasonKey: 'endReason_revoked' }],
    ['the member signed out', status({ auth: { state: 'signed_out', reason: 'signed_out' } }), { text: '', titleKey: 'badgeSignedOut' }],
    ['a sign-in in progress', status({ auth: { state: 'connecting' } }), { text: '', titleKey: 'badgeSignedOut' }],
    ['no glance yet', status(), { text: '', titleKey: 'actionTitle' }],
    ['no resting heart rate today', status({ glance: glanceWith(null) }), { text: '', titleKey: 'actionTitle' }],
    ["today's resting heart rate", status({ glance: glanceWith(57) }), { text: '57', titleKey: 'badgeRestingHr', substitution: '57' }],
    ['a fractional value, rounded', status({ glance: glanceWith(56.6) }), { text: '57', titleKey: 'badgeRestingHr', substitution: '57' }],
  ])('should show %s', (_name, given, badge) => {
    expect(badgeFor(given, T0)).toEqual(badge);
  });

  it("should not show yesterday's resting heart rate as today's after midnight", () => {
    const tomorrow = Date.parse(`${addDays(TODAY, 1)}T12:00:00Z`);
    expect(badgeFor(status({ glance: glanceWith(57) }), tomorrow)).toEqual({ text: '', titleKey: 'actionTitle' });
  });
});

describe('setBadge', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((key: string, substitutions?: string | string[]) =>
      substitutions === undefined ? key : `${key}(${[substitutions].flat().join(',')})`,
    );
  });

  it('should paint the text, its colour and a title naming the value', async () => {
    await setBadge(status({ glance: glanceWith(57) }), T0);
    expect(await fakeBrowser.action.getBadgeText({})).toBe('57');
    expect(await fakeBrowser.action.getTitle({})).toBe('badgeRestingHr(57)');
  });

  it('should put the reason in the title when the member must reconnect', async () => {
    await setBadge(status({ auth: { state: 'reconnect_required', reason: 'unauthorized' } }), T0);
    expect(await fakeBrowser.action.getBadgeText({})).toBe('!');
    expect(await fakeBrowser.action.getTitle({})).toBe('badgeReconnect(endReason_unauthorized)');
  });
});
