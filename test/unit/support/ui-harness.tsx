import { cleanup, render, type RenderResult } from '@testing-library/preact';
import type { VNode } from 'preact';
import { afterEach, beforeEach, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { buildGlance } from '../../../src/cardiomood/build-glance';
import { buildHistory, buildHistoryFromRecords } from '../../../src/cardiomood/build-history';
import { buildDayRecord, type DayRecord } from '../../../src/cardiomood/day-record';
import { buildIntraday } from '../../../src/cardiomood/build-intraday';
import { buildReadingsSnapshot } from '../../../src/cardiomood/build-readings-snapshot';
import { addDays, dateRange, localIsoDate } from '../../../src/shared/local-date';
import { summarySchema, type Summary } from '../../../src/cardiomood/summary-schema';
import { onMessage, removeAllListeners, sendMessage } from '../../../src/messaging/protocol';
import { DEMO_MEMBERS } from '../../../src/sandbox/demo-members';
import { generateDay } from '../../../src/sandbox/generate-day';
import { ok, type Result } from '../../../src/shared/error-codes';
import type { Glance } from '../../../src/shared/glance';
import type { PopupView } from '../../../src/shared/popup-view';
import { POPUP_VIEW_VERSION } from '../../../src/shared/popup-view-keys';
import type { History, Intraday, ReadingsSnapshot } from '../../../src/shared/readings';
import { DEFAULT_SETTINGS, type Settings, type SettingsPatch } from '../../../src/shared/settings';
import { statusSchema, type Status } from '../../../src/shared/status';
import { createFormat } from '../../../src/ui/format';
import type { StoredPopupView } from '../../../src/ui/popup/read-popup-view';
import { createTranslate, type GetMessage } from '../../../src/ui/i18n';
import type { Platform } from '../../../src/ui/platform';
import { createUiClient, type UiClientDeps } from '../../../src/ui/ui-client';
import { UiEnvContext, type UiEnv } from '../../../src/ui/ui-env';
import de from '../../../public/_locales/de/messages.json';
import en from '../../../public/_locales/en/messages.json';
import { localAt, pastDay, rawDays } from '../cardiomood-fixtures';

export { localAt, pastDay };
import { installChromeMessaging } from './chrome-messaging';

export type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;
export const LOCALES = { en: en as Messages, de: de as Messages };

/**
 * `browser.i18n.getMessage` with Chrome's rules: named placeholders (case-insensitive) whose content
 * refers to the substitutions as $1…$9, `$$` for a dollar sign, "" for an unknown key.
 */
export function getMessageFrom(messages: Messages): GetMessage {
  return (key, substitutions = []) => {
    const entry = messages[key];
    if (!entry) return '';
    const placeholders = Object.fromEntries(
      Object.entries(entry.placeholders ?? {}).map(([name, value]) => [name.toLowerCase(), value.content]),
    );
    const fill = (text: string) => text.replace(/\$(\d)/g, (_, n: string) => substitutions[Number(n) - 1] ?? '');
    return entry.message
      .replace(/\$([A-Za-z0-9_@]+)\$/g, (_, name: string) => fill(placeholders[name.toLowerCase()] ?? ''))
      .replace(/\$\$/g, '$');
  };
}

/** Real summaries through the real readings model: what the background would cache. */
export function summaries(today: string, days: number, options: { missing?: string[]; extra?: Record<string, unknown> } = {}): Summary[] {
  return rawDays(today, days, options.missing ?? []).map((day) => summarySchema.parse({ ...day, ...(options.extra ?? {}) }));
}

export function snapshotOf(list: Summary[], today: string, fetchedAt: number): ReadingsSnapshot {
  return buildReadingsSnapshot(list, today, fetchedAt);
}

export function historyOf(list: Summary[], to: string, days: number, fetchedAt: number): History {
  return buildHistory(list, addDays(to, -(days - 1)), to, fetchedAt);
}

export function intradayOf(list: Summary[], date: string): Intraday {
  return buildIntraday(
    list.find((summary) => summary.date === date),
    date,
  );
}




/**
 * Today synced at 07:30 (step slots 07:05 and 07:29, heart rate 07:20 and 07:25; `syncedAt` moves the
 * last step slot to the minute before and the last heart-rate slot to five minutes before): 97 steps, resting
 * 55, maximum 76, average 58, 3 active minutes, and last night's sleep: 420 minutes asleep (REM 90, light
 * 230, deep 100; 20 awake).
 * `activity` and `extra` replace or add fields.
 */
export function morningSummary(
  today: string,
  options: { syncedAt?: string; activity?: Record<string, unknown>; extra?: Record<string, unknown> } = {},
): Summary {
  const slot = (hhmm: string, extra: Record<string, number>) => ({ timestamp: localAt(today, hhmm), date: hhmm, ...extra });
  const end = localAt(today, options.syncedAt ?? '07:30');
  const before = (minutes: number) => {
    const time = new Date(end - minutes * 60_000);
    return `${String(time.getHours()).padStart(2, '0')}:${String(time.getMinutes()).padStart(2, '0')}`;
  };
  return summarySchema.parse({
    date: today,
    activity: {
      date: today,
      slots: [slot('07:05', { step_count: 60 }), slot(before(1), { step_count: 37 })],
      total_steps: 97,
      daily_percent: 1,
      active_minutes: 3,
      workouts: 0,
      ...options.activity,
    },
    heart_rate: {
      date: today,
      slots: [slot('07:20', { bpm: 70 }), slot(before(5), { bpm: 76 })],
      rest_daily_heart_rate: 55,
      max_daily_heart_rate: 76,
      avg_daily_heart_rate: 58,
    },
    sleep: { date: today, total_duration: 420, awake: 20, rem: 90, light: 230, deep: 100 },
    ...options.extra,
  });
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * The glance the background would compute (the real `buildGlance`) for `now`, from `pastDay` days
 * k = 1…`days` (leaving out `missing` k) and today's summary (none: today not synced yet).
 */
export function glanceOf(options: { now: number; days?: number; missing?: number[]; today?: Summary | null; records?: DayRecord[] }): Glance {
  const today = localIsoDate(options.now);
  const ks = range(1, options.days ?? 20).filter((k) => !(options.missing ?? []).includes(k));
  const todaySummary = options.today === undefined ? morningSummary(today) : options.today;
  return buildGlance({
    records: options.records ?? ks.map((k) => pastDay(today, k)),
    ...(todaySummary ? { todaySummary } : {}),
    today,
    now: options.now,
  });
}

/** The sandbox's Alice (every family) as the background would see her at `now`: `days` whole days and today so far. */
export function aliceGlance(now: number, days = 30): Glance {
  const member = DEMO_MEMBERS[0]!;
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const today = localIsoDate(now);
  const summary = (date: string, cutoff: number) => summarySchema.parse(generateDay({ member, date, timeZone, cutoff, extraFamilies: true }));
  const records = dateRange(addDays(today, -days), addDays(today, -1)).map((date) =>
    buildDayRecord(summary(date, Infinity), { fetchedOn: today, withSlots: true, timeZone }),
  );
  return buildGlance({ records, todaySummary: summary(today, now), today, now, timeZone });
}

/** The history of cached day records (what the background answers getHistory with since the day records). */
export function historyFromRecords(records: DayRecord[], to: string, days: number, fetchedAt: number): History {
  return buildHistoryFromRecords(records, addDays(to, -(days - 1)), to, fetchedAt);
}

/** Day records through the real model, from fixture summaries. */
export function recordsOf(list: Summary[], fetchedOn: string): DayRecord[] {
  return list.map((summary) => buildDayRecord(summary, { fetchedOn }));
}

/** The first-frame view the background stores for a glance, as the popup reads it from storage. */
export function storedView(glance: Glance, area: StoredPopupView['area'] = 'session', settings: Settings = DEFAULT_SETTINGS): StoredPopupView {
  const view: PopupView = {
    v: POPUP_VIEW_VERSION,
    glance,
    units: settings.units,
    temperature: settings.temperature,
    hidden: settings.hiddenTiles,
    savedAt: glance.checkedAt,
  };
  return { view, area };
}

/** A Status, validated by the real schema so a test can never hand the UI something the background could not send. */
export function statusOf(parts: {
  auth?: Status['auth']['state'];
  authError?: Status['auth']['error'];
  /** Why the last session ended; by default `revoked` for reconnect_required and none otherwise. */
  reason?: Status['auth']['reason'];
  readings?: ReadingsSnapshot | null;
  glance?: Status['glance'];
  sync?: Partial<Status['sync']>;
  settings?: Settings;
  settingsUnreadable?: boolean;
}): Status {
  const state = parts.auth ?? 'signed_in';
  return statusSchema.parse({
    auth: {
      state,
      error: parts.authError ?? null,
      reason: parts.reason !== undefined ? parts.reason : state === 'reconnect_required' ? 'revoked' : null,
    },
    readings: parts.readings ?? null,
    glance: parts.glance ?? null,
    sync: { state: 'idle', error: null, nextRetryAt: null, ...parts.sync },
    settings: parts.settings ?? DEFAULT_SETTINGS,
    settingsUnreadable: parts.settingsUnreadable ?? false,
  });
}

export interface FakeBackground {
  status: Status;
  settings: Settings;
  /** Every request the page sent, in order: `[type, data]`. */
  calls: Array<[string, unknown]>;
  history: (days: 7 | 30 | 90) => Result<History>;
  intraday: (date: string) => Result<Intraday>;
  /** What signIn / refreshReadings / signOut do to `status` (default: nothing). */
  onSignIn: () => Promise<Result<Status>>;
  onRefresh: () => Promise<Result<Status>>;
  onSignOut: () => Promise<Result<Status>>;
  onUpdateSettings: (patch: SettingsPatch) => Promise<Result<Settings>>;
  /** Holds getStatus answers until released (to look at the page before the first answer). */
  statusGate: Promise<void> | null;
  /** Sends `statusChanged` to the page, as the background does (with the current `settings`). */
  broadcast(status: Status): Promise<void>;
}

/**
 * A background made of real protocol handlers (`onMessage`) over in-memory chrome messaging; the page
 * talks to it through a real `createUiClient`. Call `removeAllListeners()` after each test.
 */
export function startFakeBackground(initial: { status: Status; settings?: Settings }): FakeBackground {
  installChromeMessaging();
  const background: FakeBackground = {
    status: initial.status,
    settings: initial.settings ?? initial.status.settings,
    calls: [],
    history: () => ({ ok: false, error: { code: 'NOT_SIGNED_IN', message: 'no history in this test' } }),
    intraday: (date) => ok({ date, heartRate: [], steps: [] }),
    onSignIn: async () => ok(background.status),
    onRefresh: async () => ok(background.status),
    onSignOut: async () => {
      background.status = statusOf({ auth: 'signed_out' });
      return ok(background.status);
    },
    onUpdateSettings: async (patch) => {
      background.settings = { ...background.settings, ...patch };
      return ok(background.settings);
    },
    statusGate: null,
    broadcast: async (status) => {
      background.status = status;
      await sendMessage('statusChanged', { ...status, settings: background.settings });
    },
  };
  const log = (type: string, data?: unknown) => background.calls.push([type, data]);
  onMessage('getStatus', async () => {
    log('getStatus');
    if (background.statusGate) await background.statusGate;
    // Like the real background, the status carries the current settings.
    return { ...background.status, settings: background.settings };
  });
  onMessage('signIn', () => (log('signIn'), background.onSignIn()));
  onMessage('signOut', () => (log('signOut'), background.onSignOut()));
  onMessage('refreshReadings', () => (log('refreshReadings'), background.onRefresh()));
  onMessage('getHistory', ({ data }) => (log('getHistory', data), background.history(data.days)));
  onMessage('getIntraday', ({ data }) => (log('getIntraday', data), background.intraday(data.date)));
  onMessage('updateSettings', async ({ data }) => {
    log('updateSettings', data);
    const result = await background.onUpdateSettings(data);
    if (result.ok) {
      // The real background publishes the change to every open page.
      background.settings = result.value;
      void background.broadcast(background.status);
    }
    return result;
  });
  return background;
}

export interface RenderedPage extends RenderResult {
  env: UiEnv;
  platform: { openSidePanel: ReturnType<typeof vi.fn>; openOptionsPage: ReturnType<typeof vi.fn> };
  clock: { now: number };
}

/** Renders a page with the real client against the fake background, in English or German. */
export function renderPage(
  page: VNode,
  options: { locale?: keyof typeof LOCALES; now?: number; sidePanel?: boolean } = {},
): RenderedPage {
  const lang = options.locale ?? 'en';
  const t = createTranslate(getMessageFrom(LOCALES[lang]));
  const clock = { now: options.now ?? Date.now() };
  const platform = {
    openSidePanel: vi.fn(async () => undefined),
    openOptionsPage: vi.fn(async () => undefined),
  };
  const env: UiEnv = {
    client: createUiClient({ sendMessage: sendMessage as UiClientDeps['sendMessage'], onMessage }),
    t,
    format: createFormat(lang === 'de' ? 'de-DE' : 'en-US', t),
    platform: {
      openSidePanel: options.sidePanel === false ? null : platform.openSidePanel,
      openOptionsPage: platform.openOptionsPage,
    } satisfies Platform,
    now: () => clock.now,
  };
  const result = render(
    <UiEnvContext.Provider value={env}>
      {page}
    </UiEnvContext.Provider>,
  );
  return { ...result, env, platform, clock };
}

/** Today in the local zone (the day the UI calls "Today"). */
export const todayOf = (now: number) => localIsoDate(now);

/** Registers the hooks every page test file needs: a fresh fake browser, and nothing left mounted, listening or stubbed. */
export function resetPagesBetweenTests(): void {
  beforeEach(() => {
    fakeBrowser.reset();
  });
  afterEach(() => {
    cleanup();
    removeAllListeners();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
}
