import { browser } from 'wxt/browser';
import { createAuthStorage } from '../auth/auth-storage';
import { createAuthSession } from '../auth/create-auth-session';
import { createCompanionClient } from '../auth/companion-client';
import { createCardioMoodApi } from '../cardiomood/cardiomood-api';
import { sendMessage } from '../messaging/protocol';
import type { BuildConfig } from '../shared/build-config';
import { setBadge } from './badge';
import { createReadingsService } from './create-readings-service';
import { createStatusHub } from './create-status-hub';
import { createReadingsStore } from './readings-store';
import { registerMessageHandlers } from './register-message-handlers';
import { createSettingsStore } from './settings-store';
import { createStorageItems } from '../storage/storage-items';

export const ALARMS = {
  refreshToken: 'auth.refresh-ahead',
  retryReadings: 'readings.retry',
  pollReadings: 'readings.poll',
} as const;

/** Keeps the badge's resting heart rate current while no page is open. */
const POLL_MINUTES = 30;

export interface BackgroundDeps {
  config: BuildConfig;
  fetch: typeof fetch;
  now: () => number;
  /** Injected so tests can stand in for the auth window (WXT's fake browser has no identity API). */
  launchWebAuthFlow: (details: { url: string; interactive: boolean }) => Promise<string | undefined>;
  getRedirectUrl: () => string;
}

/**
 * The composition root of the background: builds every service from its dependencies and attaches
 * the listeners. Returns the cleanup. Everything it needs is rehydrated from storage on each start.
 */
export function startBackground(deps: BackgroundDeps): () => void {
  const { config, now } = deps;
  // Tokens and readings in storage.session: trusted contexts only (the default in Chrome, made explicit;
  // Firefox exposes storage.session to extension pages only and has no setAccessLevel).
  void browser.storage.session.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' })?.catch?.(() => undefined);
  // Every stored key, migrated and validated; repeated reads come from memory (the popup's getStatus
  // reads several keys), storage stays the truth.
  const items = createStorageItems();
  const authStorage = createAuthStorage(items);
  const store = createReadingsStore(items);
  const settings = createSettingsStore(items.settings);
  let hub: ReturnType<typeof createStatusHub> | undefined;
  const changed = () => hub?.changed();

  async function schedule(name: string, at: number | null): Promise<void> {
    if (at === null) await browser.alarms.clear(name);
    else await browser.alarms.create(name, { when: Math.max(at, now() + 1000) });
  }

  const session = createAuthSession({
    storage: authStorage,
    companion: createCompanionClient({ companionUrl: config.companionUrl, fetch: deps.fetch }),
    config,
    getRedirectUrl: deps.getRedirectUrl,
    launchWebAuthFlow: deps.launchWebAuthFlow,
    keepSignedIn: async () => (await settings.get()).keepSignedIn,
    fetch: deps.fetch,
    now,
    scheduleRefresh: (at) => schedule(ALARMS.refreshToken, at),
    onChange: changed,
  });
  const api = createCardioMoodApi({ baseUrl: config.apiUrl, authorizedFetch: session.authorizedFetch });
  const readings = createReadingsService({
    session,
    api,
    store,
    now,
    scheduleRetry: (at) => schedule(ALARMS.retryReadings, at),
    onChange: changed,
  });
  hub = createStatusHub({
    session,
    store,
    readSettings: () => settings.get(),
    broadcast: async (status) => {
      // No page open is normal: runtime.sendMessage then rejects with "Receiving end does not exist".
      await sendMessage('statusChanged', status).catch(() => undefined);
    },
    setBadge,
  });

  const onAlarm = (alarm: { name: string }) => {
    if (alarm.name === ALARMS.refreshToken) void session.refreshAhead();
    if (alarm.name === ALARMS.retryReadings || alarm.name === ALARMS.pollReadings) void readings.refresh();
  };
  browser.alarms.onAlarm.addListener(onAlarm);
  void browser.alarms.create(ALARMS.pollReadings, { periodInMinutes: POLL_MINUTES });

  const removeHandlers = registerMessageHandlers({
    session,
    readings,
    hub,
    store,
    settings,
    extensionId: browser.runtime.id,
  });
  // Paint the badge for whatever state survived (or was restored from "keep me signed in").
  hub.changed();

  return () => {
    removeHandlers();
    browser.alarms.onAlarm.removeListener(onAlarm);
    items.dispose();
  };
}
