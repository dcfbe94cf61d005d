import { afterEach, beforeEach, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { IdleSource, IdleState } from '../../../src/background/create-badge-poll';
import { startBackground } from '../../../src/background/create-background';
import { localIsoDate } from '../../../src/shared/local-date';
import { removeAllListeners, sendMessage } from '../../../src/messaging/protocol';
import { resolveBuildConfig } from '../../../src/shared/build-config';
import type { Status } from '../../../src/shared/status';
import { flatPage, json, rawDays } from '../cardiomood-fixtures';
import { installChromeMessaging } from './chrome-messaging';
import { COMPANION_ROUTES } from '../../../src/shared/companion-api';

export const config = resolveBuildConfig({}, 'development');
export const REDIRECT = 'https://ikolmnhkljkbkopbpmgocbneeihjlhfp.chromiumapp.org/';
export const T0 = Date.parse('2026-11-28T12:00:00Z');

export type Fault = null | 'network' | 'invalid_grant' | '503' | '429' | '401';

/** How long the companion keeps a rotated answer for a retry with the same refresh token and nonce. */
export const REPLAY_WINDOW_MS = 120_000;

/**
 * CardioMood + companion stand-in: rotating tokens, Bearer-checked summaries, switchable faults, and
 * the companion's replay window (a rotated answer kept for a retry with the same refresh token and
 * replay_nonce).
 */
export function fakeServers(now: () => number) {
  let serial = 0;
  const live = { access: new Set<string>(), refresh: new Set<string>() };
  const replays = new Map<string, { nonce: string; at: number; body: unknown }>();
  const state = {
    refreshes: 0,
    summaryRequests: 0,
    fault: null as Fault,
    ttl: 3600,
    days: rawDays(localIsoDate(now()), 29),
    /** Refresh calls, in order: the refresh token and replay_nonce each one carried. */
    refreshCalls: [] as Array<{ refresh_token: string; replay_nonce?: string }>,
    /** Rotate at "CardioMood" but lose the answer on the way back, this many times. */
    loseRefreshAnswers: 0,
    /** Replayed answers (same refresh token and nonce inside the window). */
    replays: 0,
    revocations: [] as Array<{ token: string; token_type_hint?: string }>,
    /** Answer revocations with this status instead of 200. */
    revokeStatus: 200,
    /** Holds /user-summaries answers until released. */
    summariesGate: null as Promise<void> | null,
    /** Holds refresh answers (after CardioMood rotated) until released. */
    refreshGate: null as Promise<void> | null,
    /** Answer /user-summaries with a 302 to this URL. */
    redirectSummariesTo: null as string | null,
    /** Every request that reached a server: URL and the Authorization header it carried. */
    requests: [] as Array<{ url: string; authorization: string | null }>,
  };
  const issue = () => {
    serial += 1;
    live.access.add(`access-${serial}`);
    live.refresh.add(`refresh-${serial}`);
    return { token_type: 'Bearer', access_token: `access-${serial}`, refresh_token: `refresh-${serial}`, expires_in: state.ttl };
  };
  /** What fetch does with a redirect: follows it with the same request unless told not to. */
  const fetch = vi.fn(async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let response = await serve(String(input), init);
    for (let hops = 0; response.status >= 300 && response.status < 400 && response.headers.has('Location'); hops += 1) {
      if (init?.redirect === 'error' || hops > 5) throw new TypeError('Failed to fetch: redirect refused');
      if (init?.redirect === 'manual') break;
      response = await serve(response.headers.get('Location')!, init);
    }
    return response;
  });
  async function serve(input: string, init?: RequestInit): Promise<Response> {
    const url = new URL(input);
    state.requests.push({ url: url.href, authorization: new Headers(init?.headers).get('Authorization') });
    if (state.fault === 'network') throw new TypeError('Failed to fetch');
    if (url.pathname === COMPANION_ROUTES.exchange) return json(200, issue());
    if (url.pathname === COMPANION_ROUTES.refresh) {
      const body = JSON.parse(String(init?.body)) as { refresh_token: string; replay_nonce?: string };
      state.refreshCalls.push(body);
      if (state.fault === 'invalid_grant') return json(400, { error: 'invalid_grant' });
      if (state.fault === '503') return json(503, { error: 'upstream_unavailable' });
      const replay = replays.get(body.refresh_token);
      if (replay && body.replay_nonce === replay.nonce && now() - replay.at < REPLAY_WINDOW_MS) {
        state.replays += 1;
        return json(200, replay.body);
      }
      if (!live.refresh.delete(body.refresh_token)) return json(400, { error: 'invalid_grant' });
      state.refreshes += 1;
      const issued = issue();
      if (body.replay_nonce) replays.set(body.refresh_token, { nonce: body.replay_nonce, at: now(), body: issued });
      if (state.refreshGate) await state.refreshGate;
      if (state.loseRefreshAnswers > 0) {
        state.loseRefreshAnswers -= 1;
        throw new TypeError('Failed to fetch');
      }
      return json(200, issued);
    }
    if (url.pathname === COMPANION_ROUTES.revoke) {
      state.revocations.push(JSON.parse(String(init?.body)) as { token: string; token_type_hint?: string });
      return json(state.revokeStatus, {});
    }
    if (url.pathname === '/user-summaries') {
      state.summaryRequests += 1;
      if (state.summariesGate) await state.summariesGate;
      if (state.redirectSummariesTo) return new Response(null, { status: 302, headers: { Location: state.redirectSummariesTo } });
      if (state.fault === '401') return json(401, { error: 'Unauthenticated.' });
      if (state.fault === '429') return json(429, { message: 'Too Many Attempts.' }, { 'Retry-After': '120' });
      if (state.fault === '503') return json(503, { message: 'down' });
      const token = new Headers(init?.headers).get('Authorization')?.replace('Bearer ', '') ?? '';
      if (!live.access.has(token)) return json(401, { error: 'Unauthenticated.' });
      const from = url.searchParams.get('date_from')!;
      const to = url.searchParams.get('date_to')!;
      const days = state.days.filter((d) => (d.date as string) >= from && (d.date as string) <= to);
      return json(200, flatPage(days, 1, 1, 100));
    }
    return json(404, { error: 'not_found' });
  }
  return { fetch, state, live };
}
export type FakeServers = ReturnType<typeof fakeServers>;

/** A gate: `wait` stays pending until `open()`. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** getStatus from one of our pages: a Status (a refusal would be a bug, so it throws). */
export async function getStatus(): Promise<Status> {
  const answer = await sendMessage('getStatus');
  if ('ok' in answer) throw new Error(`getStatus was refused: ${answer.error.code}`);
  return answer;
}

/** The status broadcasts among everything the background sent. */
export const broadcasts = (sent: unknown[]) =>
  sent.filter((m): m is { type: string; data: Status } => (m as { type?: string }).type === 'statusChanged').map((m) => m.data);

export interface BackgroundHarness {
  /** The background's clock (epoch ms); tests move it. */
  now: number;
  /** What the background's idle API reports (default `active`); `setIdle` also tells its listeners. */
  idle: IdleState;
  setIdle(state: IdleState): Promise<void>;
  /** Starts the real background against `servers` (fresh ones by default), with a stand-in auth window. */
  start(servers?: FakeServers, options?: { sender?: { id?: string; url?: string } }): { servers: FakeServers; messaging: ReturnType<typeof installChromeMessaging>; launchWebAuthFlow: ReturnType<typeof authWindow> };
  /** Stops the running background (its listeners and watchers), as when the worker goes away. */
  stop(): void;
}

/** An auth window that signs the member in at once, answering with the state it was given. */
function authWindow() {
  return vi.fn(async ({ url }: { url: string; interactive: boolean }): Promise<string | undefined> => {
    const state = new URL(url).searchParams.get('state');
    return `${REDIRECT}?code=code-1&state=${state}`;
  });
}

/** Registers the hooks (fresh fake browser, clock at T0; everything stopped afterwards) and returns the harness. */
export function useBackground(): BackgroundHarness {
  let stopBackground: (() => void) | undefined;
  const idleListeners = new Set<(state: IdleState) => void>();
  const idle: IdleSource = {
    queryState: async () => harness.idle,
    onStateChanged(listener) {
      idleListeners.add(listener);
      return () => idleListeners.delete(listener);
    },
  };
  const harness: BackgroundHarness = {
    now: T0,
    idle: 'active',
    async setIdle(state) {
      harness.idle = state;
      for (const listener of idleListeners) listener(state);
      // Let the listeners' work (a poll) start before the caller looks.
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
    start(servers = fakeServers(() => harness.now), options = {}) {
      const messaging = installChromeMessaging(options.sender);
      const launchWebAuthFlow = authWindow();
      stopBackground = startBackground({
        config,
        fetch: servers.fetch as typeof fetch,
        now: () => harness.now,
        launchWebAuthFlow,
        getRedirectUrl: () => REDIRECT,
        idle,
      });
      return { servers, messaging, launchWebAuthFlow };
    },
    stop() {
      stopBackground?.();
      stopBackground = undefined;
      removeAllListeners();
    },
  };
  beforeEach(() => {
    fakeBrowser.reset();
    // WXT's fake browser does not implement i18n: the key, with its substitutions, stands for the text.
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((key: string, substitutions?: string | string[]) =>
      substitutions === undefined || substitutions.length === 0 ? key : `${key}(${[substitutions].flat().join(',')})`,
    );
    harness.now = T0;
    harness.idle = 'active';
  });
  afterEach(async () => {
    harness.stop();
    // Messages already on their way finish against the stubbed chrome before it goes.
    await new Promise((resolve) => setTimeout(resolve, 0));
    vi.unstubAllGlobals();
  });
  return harness;
}
