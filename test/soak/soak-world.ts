import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startBackground } from '../../src/background/create-background';
import { createCompanionApp } from '../../src/companion/app';
import { parseCompanionConfig } from '../../src/companion/config';
import { removeAllListeners } from '../../src/messaging/protocol';
import { createSandbox } from '../../src/sandbox/create-sandbox';
import { DEV_CLIENT_SECRET } from '../../src/sandbox/dev-client-secret';
import type { Prng } from '../../src/sandbox/prng';
import { resolveBuildConfig } from '../../src/shared/build-config';
import { CHROME_EXTENSION_ID, CHROME_REDIRECT_URI, DEV_CLIENT_ID, EXTENSION_REDIRECT_URIS } from '../../src/shared/extension-identity';
import { createFormDriver } from '../unit/support/form-driver';
import { createSoakNetwork } from './soak-network';
import { createVirtualTime } from './virtual-time';
import { installWorkerHost, type StorageWrite, type Worker } from './worker-host';

const config = resolveBuildConfig({}, 'development');

/** The member the soak signs in as, through the sandbox's real login and consent pages. */
export const SOAK_MEMBER = { email: 'alice@example.com', password: 'alice-demo' } as const;

/**
 * The companion's upstream timeout in the soak (real milliseconds): short, so a CardioMood that is
 * too slow costs the run a fraction of a second, not ten.
 */
export const SOAK_UPSTREAM_TIMEOUT_MS = 200;

export interface SoakWorldOptions {
  /** Epoch ms the clock starts at. */
  start: number;
  /** The companion's COMPANION_REFRESH_REPLAY_SECONDS (0: no replay window). */
  replayWindowSeconds: number;
  onWrite: (write: StorageWrite) => void;
  /** What the world did on its own (workers stopped and started), for the soak's trail. */
  onNote: (what: string) => void;
  /** Every line the companion logs (its replay outcomes are counted from them). */
  onCompanionLog: (line: Record<string, unknown>) => void;
}

export type SoakWorld = ReturnType<typeof createSoakWorld>;

const never = <T>() => new Promise<T>(() => undefined);
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The real background (WXT's fake browser, workers that can be killed), the real sandbox and the
 * real companion with its replay window, in one process on one clock. The soak's driver (run-soak.ts)
 * plays the member, the browser and the faults on top of it.
 */
export function createSoakWorld(options: SoakWorldOptions) {
  fakeBrowser.reset();
  const clock = createVirtualTime(options.start);
  // The member's CardioMood login is remembered (Laravel's "remember me"), so a silent
  // re-authorization (prompt=none) can find it on any day of the run.
  const sandbox = createSandbox({ now: clock.now, sessionTtlSeconds: 400 * 86_400 });
  const sandboxFetch = (request: Request) => sandbox.app.fetch(request);
  let wire: Prng | null = null;
  let interruptSignIns = 0;
  /** What the soak does right after the next lost answer (before any retry), and what is due now. */
  let afterLoss: (() => Promise<void>) | null = null;
  const reactions: (() => Promise<void>)[] = [];
  const kills = { midRefresh: 0, other: 0, midSignIn: 0 };

  const network = createSoakNetwork({
    companionUrl: config.companionUrl,
    sandboxUrl: config.apiUrl,
    origin: `chrome-extension://${CHROME_EXTENSION_ID}`,
    companion: (request) => companion.fetch(request),
    sandbox: sandboxFetch,
    turns: () => wire?.int(0, 3) ?? 0,
    onLost: () => {
      if (afterLoss) reactions.push(afterLoss);
      afterLoss = null;
    },
    kill: (worker) => {
      kills.midRefresh += 1;
      options.onNote(`worker ${worker.id} stopped with a refresh on the wire`);
      host.kill(worker);
    },
  });
  const companion = createCompanionApp(
    parseCompanionConfig({
      CARDIOMOOD_TOKEN_URL: `${config.apiUrl}/oauth/token`,
      CARDIOMOOD_REVOKE_URL: `${config.apiUrl}/oauth/revoke`,
      CARDIOMOOD_CLIENT_ID: DEV_CLIENT_ID,
      CARDIOMOOD_CLIENT_SECRET: DEV_CLIENT_SECRET,
      COMPANION_REDIRECT_URIS: EXTENSION_REDIRECT_URIS.join(','),
      COMPANION_ALLOWED_ORIGINS: `chrome-extension://${CHROME_EXTENSION_ID},moz-extension://*`,
      COMPANION_UPSTREAM_TIMEOUT_MS: String(SOAK_UPSTREAM_TIMEOUT_MS),
      COMPANION_REFRESH_REPLAY_SECONDS: String(options.replayWindowSeconds),
      COMPANION_RATE_LIMIT_PER_MINUTE: '100000',
    }),
    {
      fetch: network.upstream,
      now: clock.now,
      // In-process there is no socket; the companion refuses requests without a client address.
      clientAddress: () => '127.0.0.1',
      log: (line) => options.onCompanionLog(line as Record<string, unknown>),
    },
  );

  /**
   * The browser's cookies at CardioMood (the sandbox's session cookie), shared by every auth flow as
   * Chrome's web-auth-flow partition and Firefox's cookie jar share them. Kept across browser
   * restarts: the member's CardioMood login is taken to be remembered ("remember me" in Laravel),
   * and the sandbox keeps it (sessionTtlSeconds below).
   */
  const authCookies = createFormDriver((target, init) => Promise.resolve(sandbox.app.fetch(new Request(target, init))));
  const silentFlows = { tried: 0, answered: 0 };

  /**
   * The auth window: the member logs in (or only consents) and allows; it may outlive its worker. Not
   * interactive, it does what both browsers do: the flow succeeds only if loading the URL lands on the
   * redirect URI at once; anything that would need a window fails.
   */
  function authWindowFor(worker: Worker) {
    return async ({ url, interactive }: { url: string; interactive: boolean }): Promise<string | undefined> => {
      const form = authCookies;
      const login = await form.open(url);
      if (!interactive) {
        silentFlows.tried += 1;
        if (login.kind !== 'redirect') throw new Error('User interaction required.');
        silentFlows.answered += 1;
        return worker.dead ? never() : login.location;
      }
      const consent = login.kind === 'page' && login.html.includes('id="password"') ? await form.submit(login, { ...SOAK_MEMBER }) : login;
      // A member who still holds a valid token is approved without the consent screen (as Passport does).
      const done = consent.kind === 'redirect' ? consent : await form.submit(consent, {}, { name: 'decision', value: 'allow' });
      if (done.kind !== 'redirect') throw new Error(`the consent did not redirect (HTTP ${done.status})`);
      if (interruptSignIns > 0) {
        // The browser stops the worker while the auth window is still open.
        interruptSignIns -= 1;
        kills.midSignIn += 1;
        options.onNote(`worker ${worker.id} stopped while the auth window was open`);
        host.kill(worker);
      }
      // A dead worker never hears back from its auth window.
      return worker.dead ? never() : done.location;
    };
  }

  const host = installWorkerHost({
    now: clock.now,
    onWrite: options.onWrite,
    start: (worker) => {
      options.onNote(`worker ${worker.id} starts`);
      return startBackground({
        config,
        fetch: network.fetchFor(worker),
        now: clock.now,
        launchWebAuthFlow: authWindowFor(worker),
        getRedirectUrl: () => CHROME_REDIRECT_URI,
        setTimer: (run, ms) =>
          clock.setTimer(() => {
            if (!worker.dead) host.runIn(worker, run);
          }, ms),
      });
    },
  });

  /** Until nothing is on the wire and the background has had a few turns to act on what arrived. */
  async function settle(): Promise<void> {
    for (let quiet = 0; quiet < 3; ) {
      await network.idle();
      for (let i = 0; i < 4; i += 1) await turn();
      quiet = network.busy() ? 0 : quiet + 1;
    }
  }

  /** Runs what was to happen right after a lost answer, now that the background has taken it in. */
  async function react(): Promise<void> {
    await settle();
    for (let reaction = reactions.shift(); reaction; reaction = reactions.shift()) {
      await reaction();
      await settle();
    }
  }

  /** Moves the clock to `target`, firing the timers and alarms due on the way, in order. */
  async function advanceTo(target: number): Promise<void> {
    for (;;) {
      await react();
      const timer = clock.nextTimer(target);
      const alarm = await host.nextAlarm(target);
      const next = timer && (!alarm || timer.at <= alarm.at) ? timer : alarm;
      if (!next) {
        clock.moveTo(target);
        return;
      }
      clock.moveTo(next.at);
      await next.fire();
    }
  }

  return {
    clock,
    sandbox,
    network,
    host,
    kills,
    silentFlows,
    settle,
    react,
    advanceTo,
    /** `reaction` runs right after the next lost answer, before the background retries. */
    afterNextLoss(reaction: () => Promise<void>) {
      afterLoss = reaction;
    },
    /** Seeds how long requests and answers spend on the wire. */
    setWire(prng: Prng) {
      wire = prng;
    },
    /** The next sign-in's worker is stopped while its auth window is open. */
    interruptNextSignIn() {
      interruptSignIns += 1;
    },
    /** Stops the running worker (Chrome stopping an idle or busy service worker). */
    killWorker() {
      const worker = host.current();
      if (!worker) return false;
      kills.other += 1;
      options.onNote(`worker ${worker.id} stopped`);
      host.kill(worker);
      return true;
    },
    /** The live access token's expiry, as the background stored it. */
    async tokenExpiry(): Promise<number | null> {
      const tokens = (await host.read('session'))['auth.tokens'] as { expiresAt?: number | null } | undefined;
      return tokens?.expiresAt ?? null;
    },
    close() {
      host.uninstall();
      removeAllListeners();
    },
  };
}
