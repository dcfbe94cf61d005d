import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createAuthStorage, type StoredTokens } from '../../src/auth/auth-storage';
import type { CompanionClient, CompanionResult } from '../../src/auth/companion-client';
import {
  createAuthSession,
  REFRESH_RETRY_DELAYS_MS,
  type AuthAlarm,
  type AuthSessionDeps,
  type WebAuthFlowDetails,
} from '../../src/auth/create-auth-session';
import { COMPANION_CLIENT_TIMEOUT_MS } from '../../src/shared/companion-api';
import { KEEP_ALIVE_MS, SILENT_REAUTH_TIMEOUT_MS } from '../../src/shared/policy';
import type { TokenResponse } from '../../src/shared/token-response';
import { createStorageItems } from '../../src/storage/storage-items';

const REDIRECT = 'https://ikolmnhkljkbkopbpmgocbneeihjlhfp.chromiumapp.org/';
/** The stored keys, as 0.1.0 named them. */
const AUTH_KEYS = { tokens: 'auth.tokens', pending: 'auth.pendingSignIn', persisted: 'auth.persistedRefreshToken' } as const;
const T0 = Date.parse('2026-11-28T10:00:00Z');

/** A stand-in for the companion + CardioMood token endpoint with rotation, counting every call. */
function fakeCompanion() {
  let serial = 0;
  const state = {
    refreshCalls: [] as string[],
    /** The replay_nonce each refresh call carried, in order. */
    nonces: [] as Array<string | undefined>,
    exchangeCalls: 0,
    revoked: [] as string[],
    liveRefresh: new Set<string>(),
    nextRefresh: null as null | (() => Promise<CompanionResult<TokenResponse>>),
    gate: null as null | Promise<void>,
  };
  const issue = (): TokenResponse => {
    serial += 1;
    const refresh = `rt-${serial}`;
    state.liveRefresh.add(refresh);
    return { token_type: 'Bearer', access_token: `at-${serial}`, expires_in: 3600, refresh_token: refresh };
  };
  const client: CompanionClient = {
    async exchangeCode() {
      state.exchangeCalls += 1;
      return { ok: true, value: issue() };
    },
    async refresh({ refresh_token: refreshToken, replay_nonce: nonce }) {
      state.refreshCalls.push(refreshToken);
      state.nonces.push(nonce);
      if (state.gate) await state.gate;
      if (state.nextRefresh) {
        const next = state.nextRefresh;
        state.nextRefresh = null;
        return next();
      }
      if (!state.liveRefresh.delete(refreshToken)) {
        return { ok: false, error: { code: 'REAUTH_REQUIRED', message: 'invalid_grant', status: 400 } };
      }
      return { ok: true, value: issue() };
    },
    async revoke(token) {
      state.revoked.push(token);
      return { ok: true, value: true };
    },
  };
  return { client, state, issue };
}

const lostAnswer = async (): Promise<CompanionResult<TokenResponse>> => ({
  ok: false,
  error: { code: 'NETWORK_ERROR', message: 'could not reach the companion' },
});

/** Makes every non-interactive auth flow of this setup fail as a browser does when a page needs the member. */
function silentFlowRefused(_session: unknown, launch?: ReturnType<typeof setup>['launchWebAuthFlow']) {
  const target = launch ?? lastLaunch;
  target?.mockImplementation(async (details) => {
    if (!details.interactive) throw new Error('User interaction required.');
    return `${REDIRECT}?code=the-code&state=${new URL(details.url).searchParams.get('state')}`;
  });
}
let lastLaunch: ReturnType<typeof setup>['launchWebAuthFlow'] | undefined;

function setup(overrides: Partial<AuthSessionDeps> = {}) {
  const companion = fakeCompanion();
  let now = T0;
  const storage = createAuthStorage(createStorageItems({ warn: vi.fn() }));
  const schedule = vi.fn(async (_alarm: AuthAlarm, _at: number | null) => undefined);
  const timers: Array<{ run: () => void; ms: number; cancelled: boolean }> = [];
  const setTimer = vi.fn((run: () => void, ms: number) => {
    const timer = { run, ms, cancelled: false };
    timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  });
  const fetch = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
    const auth = new Headers(init?.headers).get('Authorization');
    return new Response(JSON.stringify({ auth }), { status: 200 });
  });
  const launchWebAuthFlow = vi.fn(async ({ url }: WebAuthFlowDetails) => {
    const state = new URL(url).searchParams.get('state');
    return `${REDIRECT}?code=the-code&state=${state}`;
  });
  lastLaunch = launchWebAuthFlow;
  const clearMemberData = vi.fn(async () => undefined);
  let keep = true;
  const deps: AuthSessionDeps = {
    storage,
    companion: companion.client,
    config: { authorizeUrl: 'http://127.0.0.1:8787/oauth/authorize', clientId: 'client-1' },
    getRedirectUrl: () => REDIRECT,
    launchWebAuthFlow,
    keepSignedIn: async () => keep,
    fetch: fetch as typeof globalThis.fetch,
    now: () => now,
    schedule,
    setTimer,
    clearMemberData,
    onChange: vi.fn(),
    ...overrides,
  };
  const session = createAuthSession(deps);
  /** The last plan for one alarm (undefined: never planned). */
  const planned = (alarm: AuthAlarm) => schedule.mock.calls.filter(([name]) => name === alarm).at(-1)?.[1];
  return {
    session,
    deps,
    storage,
    companion,
    fetch,
    launchWebAuthFlow,
    schedule,
    planned,
    timers,
    clearMemberData,
    advance: (ms: number) => {
      now += ms;
    },
    setKeep: (value: boolean) => {
      keep = value;
    },
  };
}

async function stored(): Promise<StoredTokens | undefined> {
  return (await fakeBrowser.storage.session.get(AUTH_KEYS.tokens))[AUTH_KEYS.tokens] as StoredTokens | undefined;
}
async function persisted(): Promise<unknown> {
  return (await fakeBrowser.storage.local.get(AUTH_KEYS.persisted))[AUTH_KEYS.persisted];
}

beforeEach(() => {
  fakeBrowser.reset();
});

describe('createAuthSession', () => {
  describe('signIn', () => {
    it('should store tokens in storage.session and only the refresh token in storage.local', async () => {
      const { session, schedule } = setup();
      expect(await session.signIn()).toEqual({ ok: true, value: undefined });
      expect(await stored()).toEqual({ accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: T0 + 3_600_000, issuedAt: T0 });
      expect(await persisted()).toEqual({ refreshToken: 'rt-1' });
      expect(await fakeBrowser.storage.local.get(null)).not.toHaveProperty(AUTH_KEYS.tokens);
      // No alarm ahead of the access token's expiry: it is renewed when a request needs it.
      expect(schedule).not.toHaveBeenCalled();
    });

    it('should persist nothing in storage.local when keep me signed in is off', async () => {
      const { session, setKeep } = setup();
      setKeep(false);
      await session.signIn();
      expect(await fakeBrowser.storage.local.get(null)).toEqual({});
    });

    it('should send the verifier and the redirect URI of the pending sign-in and delete it after use', async () => {
      const exchangeCode = vi.fn(async () => ({
        ok: true as const,
        value: { token_type: 'Bearer', access_token: 'a', refresh_token: 'r', expires_in: 60 },
      }));
      const { session, companion } = setup();
      companion.client.exchangeCode = exchangeCode;
      await session.signIn();
      const request = (exchangeCode.mock.calls[0] as unknown[])[0] as Record<string, string>;
      expect(request.code).toBe('the-code');
      expect(request.redirect_uri).toBe(REDIRECT);
      expect(request.code_verifier).toMatch(/^[A-Za-z0-9\-._~]{43,}$/);
      expect(await fakeBrowser.storage.session.get(AUTH_KEYS.pending)).toEqual({});
    });

    it.each([
      ['Chrome cannot load the authorization page', 'Authorization page could not be loaded.', undefined, 'AUTH_PAGE_UNREACHABLE'],
      ['Chrome: the member closed the window', 'The user did not approve access.', undefined, 'AUTH_CANCELLED'],
      ['Firefox: the window closed and the server does not answer', 'User cancelled or denied access.', false, 'AUTH_PAGE_UNREACHABLE'],
      ['Firefox: the window closed and the server answers', 'User cancelled or denied access.', true, 'AUTH_CANCELLED'],
    ] as const)('should tell what happened when %s', async (_name, message, reachable, code) => {
      const { session } = setup({
        launchWebAuthFlow: async () => Promise.reject(new Error(message)),
        ...(reachable === undefined ? {} : { probeAuthorizationServer: async () => reachable }),
      });
      const result = await session.signIn();
      expect(!result.ok && result.error.code).toBe(code);
      expect((await session.authStatus()).error?.code).toBe(code);
    });

    it.each([
      ['an implicit-flow token', (state: string) => `${REDIRECT}?code=c&token=t&state=${state}`, 'INVALID_CALLBACK'],
      ['an id_token', (state: string) => `${REDIRECT}?code=c&id_token=x.y.z&state=${state}`, 'INVALID_CALLBACK'],
      ['another issuer', (state: string) => `${REDIRECT}?code=c&state=${state}&iss=${encodeURIComponent('https://evil.example')}`, 'ISSUER_MISMATCH'],
    ])('should end in a clear error, not a rejection, when the callback carries %s', async (_name, callback, code) => {
      const { session, companion } = setup({
        launchWebAuthFlow: async ({ url }) => callback(new URL(url).searchParams.get('state')!),
      });
      const result = await session.signIn();
      expect(!result.ok && result.error.code).toBe(code);
      expect(companion.state.exchangeCalls).toBe(0);
      expect((await session.authStatus()).state).toBe('signed_out');
    });

    it('should accept the iss of the authorization endpoint origin', async () => {
      const { session } = setup({
        launchWebAuthFlow: async ({ url }) =>
          `${REDIRECT}?code=c&state=${new URL(url).searchParams.get('state')}&iss=${encodeURIComponent('http://127.0.0.1:8787')}`,
      });
      expect(await session.signIn()).toEqual({ ok: true, value: undefined });
    });

    it.each([
      ['the window is closed', async () => Promise.reject(new Error('The user did not approve access.')), 'AUTH_CANCELLED'],
      ['consent is denied', async ({ url }: { url: string }) => `${REDIRECT}?error=access_denied&state=${new URL(url).searchParams.get('state')}`, 'ACCESS_DENIED'],
      ['state is forged', async () => `${REDIRECT}?code=x&state=forged`, 'STATE_MISMATCH'],
      ['the callback goes elsewhere', async ({ url }: { url: string }) => `https://evil.example/?code=x&state=${new URL(url).searchParams.get('state')}`, 'INVALID_CALLBACK'],
    ])('should fail with the exact code and store nothing when %s', async (_name, flow, code) => {
      const { session, companion } = setup({ launchWebAuthFlow: flow });
      const result = await session.signIn();
      expect(!result.ok && result.error.code).toBe(code);
      expect(companion.state.exchangeCalls).toBe(0);
      // Only why it failed is kept (for the pages); no token, no pending sign-in.
      expect(await fakeBrowser.storage.session.get(null)).toEqual({
        'auth.note': { error: { code, message: expect.any(String) } },
        'auth.note$': { v: 2 },
      });
      expect(await session.hasSession()).toBe(false);
      expect(await session.authStatus()).toEqual({ state: 'signed_out', error: { code, message: expect.any(String) }, reason: null });
    });

    it('should refuse a callback once its pending sign-in has expired', async () => {
      let t = T0;
      const { session, companion } = setup({
        now: () => t,
        launchWebAuthFlow: async ({ url }) => {
          t += 11 * 60_000;
          return `${REDIRECT}?code=x&state=${new URL(url).searchParams.get('state')}`;
        },
      });
      const result = await session.signIn();
      expect(!result.ok && result.error.code).toBe('STATE_MISMATCH');
      expect(companion.state.exchangeCalls).toBe(0);
    });

    it('should share one flow between concurrent sign-ins and report connecting meanwhile', async () => {
      let finish: ((url: string) => void) | undefined;
      const launchWebAuthFlow = vi.fn(
          ({ url }: { url: string }) =>
            new Promise<string>((resolve) => {
              finish = () => resolve(`${REDIRECT}?code=c&state=${new URL(url).searchParams.get('state')}`);
            }),
        );
      const { session } = setup({ launchWebAuthFlow });
      const a = session.signIn();
      const b = session.signIn();
      expect((await session.authStatus()).state).toBe('connecting');
      await vi.waitFor(() => expect(finish).toBeTypeOf('function'));
      finish?.('');
      expect(await a).toEqual(await b);
      expect(launchWebAuthFlow).toHaveBeenCalledTimes(1);
      expect((await session.authStatus()).state).toBe('signed_in');
    });
  });

  describe('getAccessToken', () => {
    it('should return the stored token without refreshing while it is valid', async () => {
      const { session, companion, advance } = setup();
      await session.signIn();
      advance(30 * 60_000);
      expect(await session.getAccessToken()).toEqual({ ok: true, value: 'at-1' });
      expect(companion.state.refreshCalls).toEqual([]);
    });

    it('should refresh lazily when the token has expired and store the rotated refresh token', async () => {
      const { session, companion, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      expect(await session.getAccessToken()).toEqual({ ok: true, value: 'at-2' });
      expect(companion.state.refreshCalls).toEqual(['rt-1']);
      expect((await stored())?.refreshToken).toBe('rt-2');
      expect(await persisted()).toEqual({ refreshToken: 'rt-2' });
    });

    it('should make exactly one refresh for 50 simultaneous callers with an expired token', async () => {
      const { session, companion, advance } = setup();
      await session.signIn();
      advance(2 * 3_600_000);
      const results = await Promise.all(Array.from({ length: 50 }, () => session.getAccessToken()));
      expect(companion.state.refreshCalls).toEqual(['rt-1']);
      expect(new Set(results.map((r) => r.ok && r.value))).toEqual(new Set(['at-2']));
    });

    it('should not refresh again when a caller saw the old token after another refresh finished', async () => {
      const { session, companion, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      await session.getAccessToken();
      // A 401 for the old token arriving late must not rotate again.
      const response = await session.authorizedFetch('http://api/x');
      expect(response.ok).toBe(true);
      expect(companion.state.refreshCalls).toEqual(['rt-1']);
    });

    it('should clear the session on invalid_grant when the failing refresh token is still the stored one', async () => {
      const { session, companion, advance } = setup();
      await session.signIn();
      companion.state.liveRefresh.clear();
      advance(3_600_000);
      const result = await session.getAccessToken();
      expect(!result.ok && result.error.code).toBe('REAUTH_REQUIRED');
      expect(await stored()).toBeUndefined();
      expect(await persisted()).toBeUndefined();
      expect(await session.hasSession()).toBe(false);
    });

    it('should keep the newer tokens when invalid_grant answers a refresh token that was already rotated', async () => {
      const { session, companion, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      companion.state.nextRefresh = async () => {
        // Meanwhile something else stored rotated tokens (e.g. another worker instance).
        await fakeBrowser.storage.session.set({
          [AUTH_KEYS.tokens]: { accessToken: 'at-new', refreshToken: 'rt-new', expiresAt: T0 + 9_000_000, issuedAt: T0 },
        });
        return { ok: false, error: { code: 'REAUTH_REQUIRED', message: 'invalid_grant', status: 400 } };
      };
      expect(await session.getAccessToken()).toEqual({ ok: true, value: 'at-new' });
      expect((await stored())?.refreshToken).toBe('rt-new');
    });

    it.each([
      ['NETWORK_ERROR', undefined],
      ['SERVER_ERROR', undefined],
      ['RATE_LIMITED', 5000],
    ] as const)('should keep every token when the refresh fails with %s', async (code, retryAfterMs) => {
      const { session, companion, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      const before = await stored();
      companion.state.nextRefresh = async () => ({ ok: false, error: { code, message: 'x', ...(retryAfterMs ? { retryAfterMs } : {}) } });
      const result = await session.getAccessToken();
      expect(!result.ok && result.error.code).toBe(code);
      if (retryAfterMs) expect(!result.ok && result.error.retryAfterMs).toBe(retryAfterMs);
      expect(await stored()).toEqual(before);
      expect(await persisted()).toMatchObject({ refreshToken: 'rt-1' });
      // The next attempt uses the same, still valid refresh token.
      expect(await session.getAccessToken()).toEqual({ ok: true, value: 'at-2' });
    });

    it('should restore a session from the persisted refresh token after a browser restart', async () => {
      const first = setup();
      await first.session.signIn();
      // A browser restart or extension update wipes storage.session.
      await fakeBrowser.storage.session.clear();
      const { session, companion } = setup();
      companion.state.liveRefresh.add('rt-1');
      expect(await session.hasSession()).toBe(true);
      const token = await session.getAccessToken();
      expect(token.ok).toBe(true);
      expect(companion.state.refreshCalls).toEqual(['rt-1']);
      expect((await stored())?.accessToken).toBe(token.ok && token.value);
    });

    it('should be signed out after a restart when keep me signed in was off', async () => {
      const first = setup();
      first.setKeep(false);
      await first.session.signIn();
      await fakeBrowser.storage.session.clear();
      const { session } = setup();
      expect(await session.hasSession()).toBe(false);
      expect(await session.getAccessToken()).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    });

    it('should fail closed on invalid stored tokens', async () => {
      const { session } = setup();
      await fakeBrowser.storage.session.set({ [AUTH_KEYS.tokens]: { accessToken: 42 } });
      expect(await session.getAccessToken()).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
    });
  });

  describe('authorizedFetch', () => {
    it('should refresh once and retry once on 401', async () => {
      const calls: string[] = [];
      const { session, companion } = setup({
        fetch: (async (_url: string | URL | Request, init?: RequestInit) => {
          const auth = new Headers(init?.headers).get('Authorization') ?? '';
          calls.push(auth);
          return new Response('{}', { status: auth === 'Bearer at-1' ? 401 : 200 });
        }) as typeof fetch,
      });
      await session.signIn();
      const result = await session.authorizedFetch('http://api/user-summaries');
      expect(result.ok && result.value.status).toBe(200);
      expect(calls).toEqual(['Bearer at-1', 'Bearer at-2']);
      expect(companion.state.refreshCalls).toEqual(['rt-1']);
    });

    it('should not loop, and end the session as unauthorized, when the retried request is refused again', async () => {
      const { session, companion } = setup({
        fetch: (async () => new Response('{"error":"Unauthenticated."}', { status: 401 })) as typeof fetch,
      });
      await session.signIn();
      const result = await session.authorizedFetch('http://api/user-summaries');
      expect(!result.ok && result.error.code).toBe('REAUTH_REQUIRED');
      expect(companion.state.refreshCalls).toHaveLength(1);
      expect(await session.authStatus()).toEqual({ state: 'reconnect_required', error: null, reason: 'unauthorized' });
      expect(await stored()).toBeUndefined();
    });

    it('should report NETWORK_ERROR and keep the tokens when the API is unreachable', async () => {
      const { session } = setup({
        fetch: (async () => {
          throw new TypeError('Failed to fetch');
        }) as typeof fetch,
      });
      await session.signIn();
      const result = await session.authorizedFetch('http://api/user-summaries');
      expect(!result.ok && result.error.code).toBe('NETWORK_ERROR');
      expect((await stored())?.accessToken).toBe('at-1');
    });
  });

  describe('keepAlive', () => {
    it('should renew the tokens only once a day has passed since the last renewal', async () => {
      const { session, companion, advance } = setup();
      await session.signIn();
      // The access token expired long ago: that alone is no reason (nobody needs it).
      advance(KEEP_ALIVE_MS - 60_000);
      await session.keepAlive();
      expect(companion.state.refreshCalls).toEqual([]);
      advance(60_000);
      await session.keepAlive();
      expect(companion.state.refreshCalls).toEqual(['rt-1']);
      await session.keepAlive();
      expect(companion.state.refreshCalls).toEqual(['rt-1']);
    });

    it('should restore a kept session the browser restarted with, with the kept refresh token', async () => {
      const { session, companion } = setup();
      await session.signIn();
      // A browser restart: storage.session is gone, the refresh token stays on disk.
      await fakeBrowser.storage.session.clear();
      const next = setup();
      await next.session.keepAlive();
      expect(companion.state.refreshCalls).toEqual([]);
      expect(next.companion.state.refreshCalls).toEqual(['rt-1']);
    });

    it('should do nothing without a session', async () => {
      const { session, companion } = setup();
      await session.keepAlive();
      expect(companion.state.refreshCalls).toEqual([]);
    });

    it('should end the session as revoked when CardioMood refused the kept refresh token', async () => {
      const { session, companion, advance } = setup();
      await session.signIn();
      companion.state.liveRefresh.clear();
      advance(KEEP_ALIVE_MS);
      await session.keepAlive();
      expect(await session.authStatus()).toEqual({ state: 'reconnect_required', error: null, reason: 'revoked' });
    });
  });

  describe('signOut', () => {
    it('should clear every token and revoke both, the refresh token first', async () => {
      const { session, companion, planned, clearMemberData } = setup();
      await session.signIn();
      await session.signOut();
      await vi.waitFor(() => expect(companion.state.revoked).toEqual(['rt-1', 'at-1']));
      await vi.waitFor(async () => expect(Object.keys(await fakeBrowser.storage.session.get(null))).toEqual(['auth.note', 'auth.note$']));
      // The token is gone; what stays is why the session ended and the version of the emptied key.
      expect(await fakeBrowser.storage.local.get(null)).toEqual({
        'auth.sessionEnd': { reason: 'signed_out', at: T0 },
        'auth.persistedRefreshToken$': { v: 2 },
      });
      expect(planned('revokeRetry')).toBeNull();
      expect(clearMemberData).toHaveBeenCalled();
      expect(await session.authStatus()).toEqual({ state: 'signed_out', error: null, reason: 'signed_out' });
    });

    it('should not let a refresh that finishes after sign-out bring tokens back', async () => {
      const { session, companion, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      let release!: () => void;
      companion.state.gate = new Promise((resolve) => {
        release = resolve;
      });
      const pending = session.getAccessToken();
      await vi.waitFor(() => expect(companion.state.refreshCalls).toHaveLength(1));
      await session.signOut();
      release();
      expect(await pending).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
      expect(await stored()).toBeUndefined();
      expect(await persisted()).toBeUndefined();
    });
  });

  describe('setKeepSignedIn', () => {
    it('should drop the persisted refresh token when switched off and write it back when on', async () => {
      const { session } = setup();
      await session.signIn();
      await session.setKeepSignedIn(false);
      expect(await persisted()).toBeUndefined();
      await session.setKeepSignedIn(true);
      expect(await persisted()).toEqual({ refreshToken: 'rt-1' });
    });

    it('should not leave the new refresh token persisted when switched off while a refresh saves its tokens', async () => {
      let keep = true;
      let reading: Promise<void> | null = null;
      let entered = false;
      const { session, companion, advance } = setup({
        // Reads the setting, then (held) hands it over: the refresh decided with "on".
        keepSignedIn: async () => {
          const value = keep;
          entered = true;
          if (reading) await reading;
          return value;
        },
      });
      await session.signIn();
      advance(3_600_000);
      let release!: () => void;
      reading = new Promise((resolve) => (release = resolve));
      entered = false;
      const refreshing = session.getAccessToken();
      await vi.waitFor(() => expect(companion.state.refreshCalls).toHaveLength(1));
      await vi.waitFor(() => expect(entered).toBe(true));
      // The member switches it off now: the setting is saved, then the session is told.
      keep = false;
      const switchedOff = session.setKeepSignedIn(false);
      release();
      await Promise.all([refreshing, switchedOff]);
      expect((await stored())?.refreshToken).toBe('rt-2');
      expect(await persisted()).toBeUndefined();
    });

    it('should neither use nor keep a persisted refresh token while the setting reads as off (unreadable settings)', async () => {
      const first = setup();
      await first.session.signIn();
      await fakeBrowser.storage.session.clear();
      const { session, companion } = setup({ keepSignedIn: async () => false });
      expect(await session.hasSession()).toBe(false);
      expect(await session.getAccessToken()).toMatchObject({ ok: false, error: { code: 'NOT_SIGNED_IN' } });
      expect(companion.state.refreshCalls).toEqual([]);
      expect(await persisted()).toBeUndefined();
    });
  });

  describe('refresh with a replay nonce', () => {
    const attempt = async () => (await fakeBrowser.storage.session.get('auth.refreshAttempt'))['auth.refreshAttempt'];

    it('should send the same nonce with every retry of one refresh token, from a restarted worker too', async () => {
      const { session, companion, deps, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      companion.state.nextRefresh = lostAnswer;
      expect(await session.getAccessToken()).toMatchObject({ ok: false, error: { code: 'NETWORK_ERROR' } });
      expect(await attempt()).toMatchObject({ refreshToken: 'rt-1', sends: 1, unanswered: true });
      // The worker stops; a new one (fresh memory, same storage) needs a token.
      const restarted = createAuthSession(deps);
      expect(await restarted.getAccessToken()).toEqual({ ok: true, value: 'at-2' });
      expect(companion.state.refreshCalls).toEqual(['rt-1', 'rt-1']);
      const [first, second] = companion.state.nonces;
      expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
      expect(second).toBe(first);
      expect(await attempt()).toBeUndefined();
    });

    it('should use a new nonce for a new refresh token', async () => {
      const { session, companion, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      await session.getAccessToken();
      advance(3_600_000);
      await session.getAccessToken();
      expect(companion.state.refreshCalls).toEqual(['rt-1', 'rt-2']);
      expect(companion.state.nonces[1]).not.toBe(companion.state.nonces[0]);
    });

    it('should retry a lost answer from a timer, with an alarm behind it, at 2, 10 and 30 s, keeping every token', async () => {
      const { session, companion, timers, planned, advance, deps } = setup();
      await session.signIn();
      advance(3_600_000);
      const before = await stored();
      for (const [index, delay] of REFRESH_RETRY_DELAYS_MS.entries()) {
        companion.state.nextRefresh = lostAnswer;
        if (index === 0) await session.getAccessToken();
        else timers.at(-1)!.run();
        await vi.waitFor(() => expect(timers).toHaveLength(index + 1));
        expect(timers.at(-1)!.ms).toBe(delay);
        expect(planned('refreshRetry')).toBe(deps.now() + delay);
        expect(await stored()).toEqual(before);
        advance(delay);
      }
      // The fourth send gets through.
      timers.at(-1)!.run();
      await vi.waitFor(async () => expect((await stored())?.refreshToken).toBe('rt-2'));
      expect(new Set(companion.state.nonces).size).toBe(1);
      expect(companion.state.refreshCalls).toHaveLength(4);
      await vi.waitFor(async () => expect(await attempt()).toBeUndefined());
      expect(planned('refreshRetry')).toBeNull();
    });

    it('should plan the retry alarm before sending, so a worker stopped with the refresh on the wire is brought back inside the replay window', async () => {
      const { session, companion, planned, advance, deps } = setup();
      await session.signIn();
      advance(3_600_000);
      // The refresh goes out and the worker stops before any answer: nothing after the send runs.
      companion.state.gate = new Promise(() => undefined);
      void session.getAccessToken();
      await vi.waitFor(() => expect(companion.state.refreshCalls).toEqual(['rt-1']));
      const retryAt = planned('refreshRetry');
      expect(retryAt).toBeTypeOf('number');
      expect(retryAt! - deps.now()).toBeLessThanOrEqual(COMPANION_CLIENT_TIMEOUT_MS);
      // The alarm starts a new worker (fresh memory, same storage), which retries with the same nonce.
      advance(retryAt! - deps.now());
      companion.state.gate = null;
      const restarted = createAuthSession(deps);
      await restarted.retryRefresh();
      expect(companion.state.refreshCalls).toEqual(['rt-1', 'rt-1']);
      expect(companion.state.nonces[1]).toBe(companion.state.nonces[0]);
      expect((await stored())?.refreshToken).toBe('rt-2');
      expect(planned('refreshRetry')).toBeNull();
    });

    it('should cancel the retry alarm when the companion answers with a failure that is not a lost answer', async () => {
      const { session, companion, planned, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      companion.state.nextRefresh = async () => ({ ok: false, error: { code: 'RATE_LIMITED', message: '429', status: 429 } });
      await session.getAccessToken();
      expect(planned('refreshRetry')).toBeNull();
    });

    it('should leave no retry alarm once the quick retries are spent (the readings backoff asks again)', async () => {
      const { session, companion, timers, planned, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      for (let send = 0; send <= REFRESH_RETRY_DELAYS_MS.length; send += 1) {
        companion.state.nextRefresh = lostAnswer;
        if (send === 0) await session.getAccessToken();
        else await session.retryRefresh();
      }
      expect(companion.state.refreshCalls).toHaveLength(REFRESH_RETRY_DELAYS_MS.length + 1);
      expect(timers).toHaveLength(REFRESH_RETRY_DELAYS_MS.length);
      expect(planned('refreshRetry')).toBeNull();
    });

    it('should fit three retries, each after a send that timed out, in the companion replay window', () => {
      const sends = REFRESH_RETRY_DELAYS_MS.length + 1;
      const worstCase = REFRESH_RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay, 0) + (sends - 1) * COMPANION_CLIENT_TIMEOUT_MS;
      expect(worstCase).toBeLessThan(120_000);
    });

    it('should call a refusal after a definite answer revoked, not reuse_refused', async () => {
      const { session, companion, timers, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      companion.state.nextRefresh = async () => ({ ok: false, error: { code: 'RATE_LIMITED', message: '429', status: 429 } });
      await session.getAccessToken();
      expect(timers).toHaveLength(0);
      companion.state.liveRefresh.clear();
      await session.getAccessToken();
      expect(await session.authStatus()).toEqual({ state: 'reconnect_required', error: null, reason: 'revoked' });
    });

    it('should call a refusal after a lost answer answer_lost when signing in again silently is refused', async () => {
      const { session, companion, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      silentFlowRefused(session);
      companion.state.nextRefresh = async () => {
        companion.state.liveRefresh.delete('rt-1'); // rotated at CardioMood, answer lost on the way
        return lostAnswer();
      };
      await session.getAccessToken();
      await session.getAccessToken();
      expect(await session.authStatus()).toEqual({ state: 'reconnect_required', error: null, reason: 'answer_lost' });
      expect(await attempt()).toBeUndefined();
    });
  });

  describe('silent re-authorization after a lost refresh answer', () => {
    const attempt = async () => (await fakeBrowser.storage.session.get('auth.refreshAttempt'))['auth.refreshAttempt'];
    /** The companion's 502 when its connection to CardioMood broke after the refresh went out; CardioMood rotated. */
    const lostUpstream = (companion: ReturnType<typeof fakeCompanion>, token = 'rt-1') => async (): Promise<CompanionResult<TokenResponse>> => {
      companion.state.liveRefresh.delete(token);
      return { ok: false, error: { code: 'SERVER_ERROR', message: 'refresh_outcome_unknown', status: 502, oauthError: 'refresh_outcome_unknown' } };
    };
    /** The non-interactive flows the session started. */
    const silentCalls = (launch: ReturnType<typeof setup>['launchWebAuthFlow']) =>
      launch.mock.calls.map(([details]) => details).filter((details) => !details.interactive);

    it('should sign in again without a window, with prompt=none, fresh state and PKCE S256, without sending the used refresh token again', async () => {
      const { session, companion, launchWebAuthFlow, advance, planned } = setup();
      await session.signIn();
      const interactive = new URL(launchWebAuthFlow.mock.calls[0]![0].url);
      advance(3_600_000);
      companion.state.nextRefresh = lostUpstream(companion);
      expect(await session.getAccessToken()).toEqual({ ok: true, value: 'at-2' });
      const [silent, ...more] = silentCalls(launchWebAuthFlow);
      expect(more).toEqual([]);
      expect(silent).toMatchObject({ interactive: false, abortOnLoadForNonInteractive: true, timeoutMsForNonInteractive: SILENT_REAUTH_TIMEOUT_MS });
      const url = new URL(silent!.url);
      expect(url.searchParams.get('prompt')).toBe('none');
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(url.searchParams.get('state')).not.toBe(interactive.searchParams.get('state'));
      expect(url.searchParams.get('code_challenge')).not.toBe(interactive.searchParams.get('code_challenge'));
      // One send of rt-1, never a second: it may have been used, and reuse would revoke the sign-in.
      expect(companion.state.refreshCalls).toEqual(['rt-1']);
      expect(companion.state.exchangeCalls).toBe(2);
      expect(await stored()).toMatchObject({ accessToken: 'at-2', refreshToken: 'rt-2' });
      expect(await persisted()).toEqual({ refreshToken: 'rt-2' });
      expect(await session.authStatus()).toEqual({ state: 'signed_in', error: null, reason: null });
      expect(await attempt()).toBeUndefined();
      expect(planned('refreshRetry')).toBeNull();
      // The old refresh token (used up, or live with nobody to use it) is revoked.
      await vi.waitFor(() => expect(companion.state.revoked).toEqual(['rt-1']));
    });

    it('should keep the new refresh token off the disk when keep me signed in is off', async () => {
      const { session, companion, advance, setKeep } = setup();
      await session.signIn();
      setKeep(false);
      advance(3_600_000);
      companion.state.nextRefresh = lostUpstream(companion);
      expect((await session.getAccessToken()).ok).toBe(true);
      expect(await persisted()).toBeUndefined();
      expect((await stored())?.refreshToken).toBe('rt-2');
    });

    it('should re-authorize silently when a retry after an unanswered send is refused with invalid_grant', async () => {
      const { session, companion, launchWebAuthFlow, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      companion.state.nextRefresh = async () => {
        companion.state.liveRefresh.delete('rt-1');
        return lostAnswer();
      };
      await session.getAccessToken();
      expect(silentCalls(launchWebAuthFlow)).toHaveLength(0);
      expect(await session.getAccessToken()).toEqual({ ok: true, value: 'at-2' });
      expect(silentCalls(launchWebAuthFlow)).toHaveLength(1);
      expect(companion.state.refreshCalls).toEqual(['rt-1', 'rt-1']);
      expect(await session.authStatus()).toEqual({ state: 'signed_in', error: null, reason: null });
    });

    it('should never try silently after a plain refusal (revoked): the session ends as revoked', async () => {
      const { session, companion, launchWebAuthFlow, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      companion.state.liveRefresh.clear();
      await session.getAccessToken();
      expect(silentCalls(launchWebAuthFlow)).toHaveLength(0);
      expect(await session.authStatus()).toEqual({ state: 'reconnect_required', error: null, reason: 'revoked' });
    });

    it('should not re-authorize while CardioMood is only late (504): the retry may still get the answer', async () => {
      const { session, companion, launchWebAuthFlow, advance, timers } = setup();
      await session.signIn();
      advance(3_600_000);
      companion.state.nextRefresh = async () => ({
        ok: false,
        error: { code: 'SERVER_ERROR', message: 'late', status: 504, oauthError: 'refresh_outcome_unknown' },
      });
      await session.getAccessToken();
      expect(silentCalls(launchWebAuthFlow)).toHaveLength(0);
      expect(timers.at(-1)?.ms).toBe(REFRESH_RETRY_DELAYS_MS[0]);
    });

    it.each([
      ['the flow needs the member (Chrome)', async () => Promise.reject(new Error('User interaction required.'))],
      ['the flow needs the member (Firefox)', async () => Promise.reject(new Error('User cancelled or denied access.'))],
      ['CardioMood answers login_required', async ({ url }: { url: string }) =>
        `${REDIRECT}?error=login_required&state=${new URL(url).searchParams.get('state')}`],
      ['CardioMood answers consent_required', async ({ url }: { url: string }) =>
        `${REDIRECT}?error=consent_required&state=${new URL(url).searchParams.get('state')}`],
      ['Passport answers access_denied', async ({ url }: { url: string }) =>
        `${REDIRECT}?error=access_denied&error_description=Unauthenticated&state=${new URL(url).searchParams.get('state')}`],
      ['the callback carries another state', async () => `${REDIRECT}?code=the-code&state=forged`],
      ['the callback comes from another issuer', async ({ url }: { url: string }) =>
        `${REDIRECT}?code=the-code&state=${new URL(url).searchParams.get('state')}&iss=https%3A%2F%2Fevil.example`],
      ['the callback is not the redirect URI', async ({ url }: { url: string }) =>
        `https://evil.example/?code=the-code&state=${new URL(url).searchParams.get('state')}`],
    ])('should end the session as answer_lost, exchanging nothing, when %s', async (_case, silentAnswer) => {
      const { session, companion, launchWebAuthFlow, advance, timers } = setup();
      await session.signIn();
      advance(3_600_000);
      launchWebAuthFlow.mockImplementation(async (details) => (details.interactive ? `${REDIRECT}?code=x&state=x` : silentAnswer(details)));
      companion.state.nextRefresh = lostUpstream(companion);
      await session.getAccessToken();
      // Not re-authorized: perhaps CardioMood never used the token, so it is tried once more.
      expect(companion.state.exchangeCalls).toBe(1);
      expect(await session.authStatus()).toMatchObject({ state: 'signed_in' });
      timers.at(-1)!.run();
      await vi.waitFor(async () => expect(await session.authStatus()).toEqual({ state: 'reconnect_required', error: null, reason: 'answer_lost' }));
      // Once per lost answer: the refused retry did not start a second silent flow.
      expect(silentCalls(launchWebAuthFlow)).toHaveLength(1);
      expect(companion.state.refreshCalls).toEqual(['rt-1', 'rt-1']);
      expect(companion.state.exchangeCalls).toBe(1);
      expect(await stored()).toBeUndefined();
    });

    it('should keep the session when the silent flow fails and CardioMood had not used the token after all', async () => {
      const { session, companion, launchWebAuthFlow, advance, timers } = setup();
      await session.signIn();
      advance(3_600_000);
      silentFlowRefused(session, launchWebAuthFlow);
      // The connection broke before CardioMood used the token: it is still live.
      companion.state.nextRefresh = async () => ({
        ok: false,
        error: { code: 'SERVER_ERROR', message: 'cut', status: 502, oauthError: 'refresh_outcome_unknown' },
      });
      await session.getAccessToken();
      timers.at(-1)!.run();
      await vi.waitFor(async () => expect((await stored())?.refreshToken).toBe('rt-2'));
      expect(await session.authStatus()).toEqual({ state: 'signed_in', error: null, reason: null });
    });

    it('should not re-authorize a restarted worker a second time for the same lost answer', async () => {
      const { session, companion, launchWebAuthFlow, advance, deps } = setup();
      await session.signIn();
      advance(3_600_000);
      // The worker stops while the silent flow is open.
      launchWebAuthFlow.mockImplementation(async (details) => (details.interactive ? `${REDIRECT}?code=x` : new Promise<string>(() => undefined)));
      companion.state.nextRefresh = lostUpstream(companion);
      void session.getAccessToken();
      await vi.waitFor(() => expect(silentCalls(launchWebAuthFlow)).toHaveLength(1));
      await vi.waitFor(async () => expect(await attempt()).toMatchObject({ silentReauth: true }));
      const restarted = createAuthSession(deps);
      await restarted.start();
      await vi.waitFor(async () => expect(await restarted.authStatus()).toEqual({ state: 'reconnect_required', error: null, reason: 'answer_lost' }));
      expect(silentCalls(launchWebAuthFlow)).toHaveLength(1);
    });

    it('should let a sign-out during the silent flow win: nothing is exchanged or kept', async () => {
      const { session, companion, launchWebAuthFlow, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      let finish: (url: string) => void = () => undefined;
      launchWebAuthFlow.mockImplementation(async (details) =>
        details.interactive ? `${REDIRECT}?code=x` : new Promise<string>((resolve) => (finish = resolve)),
      );
      companion.state.nextRefresh = lostUpstream(companion);
      const refreshed = session.getAccessToken();
      await vi.waitFor(() => expect(silentCalls(launchWebAuthFlow)).toHaveLength(1));
      await session.signOut();
      finish(`${REDIRECT}?code=the-code&state=${new URL(silentCalls(launchWebAuthFlow)[0]!.url).searchParams.get('state')}`);
      expect((await refreshed).ok).toBe(false);
      expect(companion.state.exchangeCalls).toBe(1);
      expect(await stored()).toBeUndefined();
      expect(await session.authStatus()).toEqual({ state: 'signed_out', error: null, reason: 'signed_out' });
    });

    it('should revoke what the exchange brought when a sign-out wins while it runs', async () => {
      const { session, companion, advance } = setup();
      await session.signIn();
      advance(3_600_000);
      let release: (() => void) | undefined;
      const exchange = companion.client.exchangeCode;
      companion.client.exchangeCode = async (request) => {
        await new Promise<void>((resolve) => (release = resolve));
        return exchange(request);
      };
      companion.state.nextRefresh = lostUpstream(companion);
      const refreshed = session.getAccessToken();
      await vi.waitFor(() => expect(release).toBeDefined());
      await session.signOut();
      expect(companion.state.exchangeCalls).toBe(1);
      release!();
      expect((await refreshed).ok).toBe(false);
      await vi.waitFor(() => expect(companion.state.revoked).toEqual(expect.arrayContaining(['rt-2', 'at-2'])));
      expect(await stored()).toBeUndefined();
      expect(await session.authStatus()).toMatchObject({ state: 'signed_out', reason: 'signed_out' });
    });

    it('should not continue as another member whom CardioMood signed in meanwhile', async () => {
      const jwt = (sub: string, n: number) => `${btoa('{"alg":"HS256"}')}.${btoa(JSON.stringify({ sub, jti: String(n) }))}.sig`;
      const { session, companion, advance, clearMemberData } = setup();
      let exchanges = 0;
      companion.client.exchangeCode = async () => {
        exchanges += 1;
        companion.state.liveRefresh.add(`member-rt-${exchanges}`);
        return { ok: true, value: { token_type: 'Bearer', access_token: jwt(exchanges === 1 ? 'alice' : 'bob', exchanges), expires_in: 3600, refresh_token: `member-rt-${exchanges}` } };
      };
      await session.signIn();
      advance(3_600_000);
      companion.state.nextRefresh = lostUpstream(companion, 'member-rt-1');
      clearMemberData.mockClear();
      await session.getAccessToken();
      expect(exchanges).toBe(2);
      // Bob's tokens are revoked, never stored; Alice's session goes on to its retry.
      await vi.waitFor(() => expect(companion.state.revoked).toEqual(expect.arrayContaining(['member-rt-2', jwt('bob', 2)])));
      expect((await stored())?.refreshToken).toBe('member-rt-1');
    });

    it('should keep the cached readings only when the new tokens are known to be the same member', async () => {
      const { session, companion, advance, clearMemberData } = setup();
      await session.signIn();
      advance(3_600_000);
      clearMemberData.mockClear();
      companion.state.nextRefresh = lostUpstream(companion);
      await session.getAccessToken();
      // The fake's tokens are not JWTs: who they belong to is unknown, so the derived data goes.
      expect(clearMemberData).toHaveBeenCalledTimes(1);
    });
  });

  describe('start', () => {
    it('should end a sign-in whose flow died with the previous worker as SIGN_IN_INTERRUPTED, not connecting', async () => {
      const first = setup({ launchWebAuthFlow: () => new Promise<string>(() => undefined) });
      void first.session.signIn();
      await vi.waitFor(async () => expect((await fakeBrowser.storage.session.get(AUTH_KEYS.pending))[AUTH_KEYS.pending]).toBeDefined());
      expect((await first.session.authStatus()).state).toBe('connecting');
      // The worker stops with the auth window open; the next one starts over the same storage.
      const restarted = createAuthSession({ ...first.deps, launchWebAuthFlow: setup().deps.launchWebAuthFlow });
      await restarted.start();
      expect(await restarted.authStatus()).toEqual({
        state: 'signed_out',
        error: { code: 'SIGN_IN_INTERRUPTED', message: expect.any(String) },
        reason: null,
      });
      expect((await fakeBrowser.storage.session.get(AUTH_KEYS.pending))[AUTH_KEYS.pending]).toBeUndefined();
      // Connect works again.
      expect(await restarted.signIn()).toEqual({ ok: true, value: undefined });
      expect((await restarted.authStatus()).state).toBe('signed_in');
    });

    it('should report nothing when no sign-in was pending', async () => {
      const { session } = setup();
      await session.start();
      expect(await session.authStatus()).toEqual({ state: 'signed_out', error: null, reason: null });
    });
  });
});
