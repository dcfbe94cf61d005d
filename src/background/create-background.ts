import { browser } from 'wxt/browser';
import { createAuthStorage } from '../auth/auth-storage';
import { createAuthorizationServerProbe } from '../auth/authorization-server-probe';
import { createAuthSession, type AuthAlarm } from '../auth/create-auth-session';
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
  refreshRetry: 'auth.refresh-retry',
  revokeRetry: 'auth.revoke-retry',
  retryReadings: 'readings.retry',
  pollReadings: 'readings.poll',
} as const;

const AUTH_ALARMS: Record<AuthAlarm, string> = {
  refreshAhead: ALARMS.refreshToken,
  refreshRetry: ALARMS.refreshRetry,
  revokeRetry: ALARMS.revokeRetry,
};

/** Keeps the badge's resting heart rate current while no page is open. */
const POLL_MINUTES = 30;

export interface BackgroundDeps {
  config: BuildConfig;
  fetch: typeof fetch;
  now: () => number;
  /** Injected so tests can stand in for the auth window (WXT's fake browser has no identity API). */
  launchWebAuthFlow: (details: { url: string; interactive: boolean }) => Promise<string | undefined>;
  getRedirectUrl: () => string;
  /** Timers for the quick refresh retries (default setTimeout); tests pass their own. */
  setTimer?: (run: () => void, ms: number) => () => void;
}

function setTimer(run: () => void, ms: number): () => void {
  const id = setTimeout(run, ms);
  return () => clearTimeout(id);
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
  let stopped = false;
  // A stopped background (its cleanup ran) publishes nothing more.
  const changed = () => {
    if (!stopped) hub?.changed();
  };

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
    // Unreadable settings read as "off": nothing is persisted or restored until the member saves them.
    keepSignedIn: async () => (await settings.read()).settings.keepSignedIn,
    fetch: deps.fetch,
    now,
    schedule: (alarm, at) => schedule(AUTH_ALARMS[alarm], at),
    setTimer: deps.setTimer ?? setTimer,
    probeAuthorizationServer: createAuthorizationServerProbe({
      authorizeUrl: config.authorizeUrl,
      apiUrl: config.apiUrl,
      fetch: deps.fetch,
    }),
    // The readings service is built below; this runs only when a session ends or begins.
    clearMemberData: () => readings.clear(),
    onChange: changed,
  });
  const api = createCardioMoodApi({ baseUrl: config.apiUrl, authorizedFetch: session.authorizedFetch });
  const readings = createReadingsService({
    session,
    api,
    store,
    now,
    readSettings: () => settings.read(),
    scheduleRetry: (at) => schedule(ALARMS.retryReadings, at),
    onChange: changed,
  });
  hub = createStatusHub({
    session,
    store,
    now,
    readSettings: () => settings.read(),
    broadcast: async (status) => {
      if (stopped) return;
      // No page open is normal: runtime.sendMessage then rejects with "Receiving end does not exist".
      await sendMessage('statusChanged', status).catch(() => undefined);
    },
    setBadge: async (status, at) => {
      if (!stopped) await setBadge(status, at);
    },
  });

  const onAlarm = (alarm: { name: string }) => {
    const logged = (what: string) => (error: unknown) => console.error(`${what} failed`, error);
    if (alarm.name === ALARMS.refreshToken) session.refreshAhead().catch(logged('Refreshing ahead of expiry'));
    if (alarm.name === ALARMS.refreshRetry) session.retryRefresh().catch(logged('Retrying the refresh'));
    if (alarm.name === ALARMS.revokeRetry) session.retryRevocations().catch(logged('Retrying revocations'));
    if (alarm.name === ALARMS.retryReadings || alarm.name === ALARMS.pollReadings) readings.refresh().catch(logged('Refreshing readings'));
  };
  browser.alarms.onAlarm.addListener(onAlarm);
  void browser.alarms.create(ALARMS.pollReadings, { periodInMinutes: POLL_MINUTES });

  const removeHandlers = registerMessageHandlers({
    session,
    readings,
    hub: { current: hub.current, changed },
    settings,
    extensionId: browser.runtime.id,
    extensionOrigin: browser.runtime.getURL('/'),
  });
  // A sign-in or revocations the previous worker left unfinished.
  session.start().catch((error: unknown) => console.error('Resuming the session failed', error));
  // The last popup view on disk, if "Keep me signed in" no longer allows it or there is nothing to restore.
  readings.start().catch((error: unknown) => console.error('Checking the kept popup view failed', error));
  // Paint the badge for whatever state survived (or was restored from "keep me signed in").
  changed();

  return () => {
    stopped = true;
    removeHandlers();
    browser.alarms.onAlarm.removeListener(onAlarm);
    session.dispose();
    items.dispose();
  };
}
