import { afterEach, beforeEach, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startBackground } from '../../../src/background/create-background';
import { localToday } from '../../../src/cardiomood/local-date';
import { removeAllListeners } from '../../../src/messaging/protocol';
import { resolveBuildConfig } from '../../../src/shared/build-config';
import type { Status } from '../../../src/shared/status';
import { flatPage, json, rawDays } from '../cardiomood-fixtures';
import { installChromeMessaging } from './chrome-messaging';

export const config = resolveBuildConfig({}, 'development');
export const REDIRECT = 'https://ikolmnhkljkbkopbpmgocbneeihjlhfp.chromiumapp.org/';
export const T0 = Date.parse('2026-11-28T12:00:00Z');

export type Fault = null | 'network' | 'invalid_grant' | '503' | '429';

/** CardioMood + companion stand-in: rotating tokens, Bearer-checked summaries, switchable faults. */
export function fakeServers(now: () => number) {
  let serial = 0;
  const live = { access: new Set<string>(), refresh: new Set<string>() };
  const state = {
    refreshes: 0,
    summaryRequests: 0,
    fault: null as Fault,
    ttl: 3600,
    days: rawDays(localToday(new Date(now())), 29),
  };
  const issue = () => {
    serial += 1;
    live.access.add(`access-${serial}`);
    live.refresh.add(`refresh-${serial}`);
    return { token_type: 'Bearer', access_token: `access-${serial}`, refresh_token: `refresh-${serial}`, expires_in: state.ttl };
  };
  const fetch = vi.fn(async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    if (state.fault === 'network') throw new TypeError('Failed to fetch');
    if (url.pathname === '/v1/token/exchange') return json(200, issue());
    if (url.pathname === '/v1/token/refresh') {
      if (state.fault === 'invalid_grant') return json(400, { error: 'invalid_grant' });
      if (state.fault === '503') return json(503, { error: 'upstream_unavailable' });
      const { refresh_token } = JSON.parse(String(init?.body)) as { refresh_token: string };
      if (!live.refresh.delete(refresh_token)) return json(400, { error: 'invalid_grant' });
      state.refreshes += 1;
      return json(200, issue());
    }
    if (url.pathname === '/v1/token/revoke') return json(200, {});
    if (url.pathname === '/user-summaries') {
      state.summaryRequests += 1;
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
  });
  return { fetch, state, live };
}
export type FakeServers = ReturnType<typeof fakeServers>;

/** The status broadcasts among everything the background sent. */
export const broadcasts = (sent: unknown[]) =>
  sent.filter((m): m is { type: string; data: Status } => (m as { type?: string }).type === 'statusChanged').map((m) => m.data);

export interface BackgroundHarness {
  /** The background's clock (epoch ms); tests move it. */
  now: number;
  /** Starts the real background against `servers` (fresh ones by default), with a stand-in auth window. */
  start(servers?: FakeServers): { servers: FakeServers; messaging: ReturnType<typeof installChromeMessaging>; launchWebAuthFlow: ReturnType<typeof authWindow> };
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
  const harness: BackgroundHarness = {
    now: T0,
    start(servers = fakeServers(() => harness.now)) {
      const messaging = installChromeMessaging();
      const launchWebAuthFlow = authWindow();
      stopBackground = startBackground({
        config,
        fetch: servers.fetch as typeof fetch,
        now: () => harness.now,
        launchWebAuthFlow,
        getRedirectUrl: () => REDIRECT,
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
    // WXT's fake browser does not implement i18n; the badge title only needs some text.
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation((key: string) => key);
    harness.now = T0;
  });
  afterEach(() => {
    harness.stop();
    vi.unstubAllGlobals();
  });
  return harness;
}
