import { cleanup, render, type RenderResult } from '@testing-library/preact';
import type { VNode } from 'preact';
import { afterEach, beforeEach, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { buildHistory } from '../../../src/cardiomood/build-history';
import { buildIntraday } from '../../../src/cardiomood/build-intraday';
import { buildReadingsSnapshot } from '../../../src/cardiomood/build-readings-snapshot';
import { addDays } from '../../../src/cardiomood/local-date';
import { summarySchema, type Summary } from '../../../src/cardiomood/summary-schema';
import { onMessage, removeAllListeners, sendMessage } from '../../../src/messaging/protocol';
import { ok, type Result } from '../../../src/shared/error-codes';
import type { History, Intraday, ReadingsSnapshot } from '../../../src/shared/readings';
import { DEFAULT_SETTINGS, type Settings, type SettingsPatch } from '../../../src/shared/settings';
import { statusSchema, type Status } from '../../../src/shared/status';
import { createFormat, localIsoDate } from '../../../src/ui/format';
import { createTranslate, type GetMessage } from '../../../src/ui/i18n';
import type { Platform } from '../../../src/ui/platform';
import { createUiClient, type UiClientDeps } from '../../../src/ui/ui-client';
import { UiEnvContext, type UiEnv } from '../../../src/ui/ui-env';
import de from '../../../public/_locales/de/messages.json';
import en from '../../../public/_locales/en/messages.json';
import { rawDays } from '../cardiomood-fixtures';
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
