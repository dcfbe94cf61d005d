import { browser } from 'wxt/browser';
import { createAuthStorage } from '../auth/auth-storage';
import { createAuthorizationServerProbe } from '../auth/authorization-server-probe';
import { createAuthSession, type AuthAlarm, type WebAuthFlowDetails } from '../auth/create-auth-session';
import { createCompanionClient } from '../auth/companion-client';
import { createCardioMoodApi } from '../cardiomood/cardiomood-api';
import { sendMessage } from '../messaging/protocol';
import type { BuildConfig } from '../shared/build-config';
import { POLL_BASE_MS } from '../shared/policy';
import { setBadge } from './badge';
import { ALWAYS_ACTIVE, createBadgePoll, type IdleSource } from './create-badge-poll';
import { createReadingsService, type ReadingsServiceDeps } from './create-readings-service';
import type { FrameCache } from './frame-cache';
import { createStatusHub } from './create-status-hub';
import { createReadingsStore } from './readings-store';
import { registerMessageHandlers } from './register-message-handlers';
import { createSettingsStore } from './settings-store';
import { createStorageItems } from '../storage/storage-items';

export const ALARMS = {
  refreshRetry: 'auth.refresh-retry',
  revokeRetry: 'auth.revoke-retry',
  retryReadings: 'readings.retry',
  pollReadings: 'readings.poll',
} as const;

const AUTH_ALARMS: Record<AuthAlarm, string> = {
  refreshRetry: ALARMS.refreshRetry,
  revokeRetry: ALARMS.revokeRetry,
};


export interface BackgroundDeps {
  config: BuildConfig;
  fetch: typeof fetch;
  now: () => number;
  /** Injected so tests can stand in for the auth window (WXT's fake browser has no identity API). */
  launchWebAuthFlow: (details: WebAuthFlowDetails) => Promise<string | undefined>;
  getRedirectUrl: () => string;
  /** Timers for the quick refresh retries (default setTimeout); tests pass their own. */
  setTimer?: (run: () => void, ms: number) => () => void;
  /** `browser.idle` (the entrypoint passes it); without it the member counts as always at the computer. */
  idle?: IdleSource;
  /** Renders the popup's first frame into each view it writes (see ReadingsServiceDeps.renderFrame). */
  renderPopupFrame?: ReadingsServiceDeps['renderFrame'];
  /** Where the popup's frame is cached for its synchronous first read (see FrameCache). */
  frameCache?: FrameCache;
}

function setTimer(run: () => void, ms: number): () => void {
  const id = setTimeout(run, ms);
  return () => clearTimeout(id);
}

/** The periodic alarm behind the badge poll and the keep-alive check. */
async function ensurePollAlarm(now: () => number): Promise<void> {
  const periodInMinutes = POLL_BASE_MS / 60_000;
  const existing = await browser.alarms.get(ALARMS.pollReadings);
  if (existing?.periodInMinutes === periodInMinutes) return;
  await browser.alarms.create(ALARMS.pollReadings, { when: now() + POLL_BASE_MS, periodInMinutes });
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
  const changed = async (): Promise<void> => {
    if (!stopped) await hub?.changed();
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
    renderFrame: deps.renderPopupFrame,
    frameCache: deps.frameCache,
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

  const idle = deps.idle ?? ALWAYS_ACTIVE;
  const poll = createBadgePoll({
    refresh: () => readings.refresh(),
    store,
    idle,
    now,
    signal: () => session.signal(),
  });
  const logged = (what: string) => (error: unknown) => console.error(`${what} failed`, error);

  // Resolves when the alarm's work is done (browsers ignore the promise; tests await it).
  const onAlarm = async (alarm: { name: string }) => {
    if (alarm.name === ALARMS.refreshRetry) await session.retryRefresh().catch(logged('Retrying the refresh'));
    if (alarm.name === ALARMS.revokeRetry) await session.retryRevocations().catch(logged('Retrying revocations'));
    if (alarm.name === ALARMS.retryReadings) await readings.refresh().catch(logged('Refreshing readings'));
    if (alarm.name === ALARMS.pollReadings) {
      await poll.pollIfDue().catch(logged('Polling readings'));
      await session.keepAlive().catch(logged('Keeping the session alive'));
    }
  };
  browser.alarms.onAlarm.addListener(onAlarm);
  // Created when missing (a fresh install, a browser that dropped alarms at restart) or of another
  // period: creating it again at every worker start would push it back each time and it might never fire.
  void ensurePollAlarm(now).catch(logged('Planning the poll'));
  // The member is back at the computer: the badge catches up if a poll is due.
  const removeIdleListener = idle.onStateChanged((state) => {
    if (state === 'active') poll.pollIfDue().catch(logged('Polling readings'));
  });

  const removeHandlers = registerMessageHandlers({
    session,
    readings,
    hub: { current: hub.current, changed },
    settings,
    extensionId: browser.runtime.id,
    extensionOrigin: browser.runtime.getURL('/'),
  });
  // A sign-in or revocations the previous worker left unfinished.
  session.start().catch(logged('Resuming the session'));
  // The last popup view on disk, if "Keep me signed in" no longer allows it or there is nothing to restore.
  readings.start().catch(logged('Checking the kept popup view'));
  // Paint the badge for whatever state survived (or was restored from "keep me signed in").
  void changed();

  return () => {
    stopped = true;
    removeHandlers();
    browser.alarms.onAlarm.removeListener(onAlarm);
    removeIdleListener();
    session.dispose();
    items.dispose();
  };
}
