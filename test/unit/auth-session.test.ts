import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { createAuthStorage, type StoredTokens } from '../../src/auth/auth-storage';
import type { CompanionClient, CompanionResult } from '../../src/auth/companion-client';
import { createAuthSession, isExpired, type AuthSessionDeps } from '../../src/auth/create-auth-session';
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
    async refresh(refreshToken) {
      state.refreshCalls.push(refreshToken);
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

function setup(overrides: Partial<AuthSessionDeps> = {}) {
  const companion = fakeCompanion();
  let now = T0;
  const storage = createAuthStorage(createStorageItems({ warn: vi.fn() }));
  const scheduleRefresh = vi.fn(async (_at: number | null) => undefined);
  const fetch = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
    const auth = new Headers(init?.headers).get('Authorization');
    return new Response(JSON.stringify({ auth }), { status: 200 });
  });
  const launchWebAuthFlow = vi.fn(async ({ url }: { url: string; interactive: boolean }) => {
    const state = new URL(url).searchParams.get('state');
    return `${REDIRECT}?code=the-code&state=${state}`;
  });
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
    scheduleRefresh,
    onChange: vi.fn(),
    ...overrides,
  };
  const session = createAuthSession(deps);
  return {
    session,
    storage,
    companion,
    fetch,
    launchWebAuthFlow,
    scheduleRefresh,
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
      const { session, scheduleRefresh } = setup();
      expect(await session.signIn()).toEqual({ ok: true, value: undefined });
      expect(await stored()).toEqual({ accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: T0 + 3_600_000, issuedAt: T0 });
      expect(await persisted()).toEqual({ refreshToken: 'rt-1' });
      expect(await fakeBrowser.storage.local.get(null)).not.toHaveProperty(AUTH_KEYS.tokens);
      // Refresh ahead: five minutes before expiry.
      expect(scheduleRefresh).toHaveBeenLastCalledWith(T0 + 3_600_000 - 300_000);
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
      ['the window is closed', async () => Promise.reject(new Error('The user did not approve access.')), 'AUTH_CANCELLED'],
      ['consent is denied', async ({ url }: { url: string }) => `${REDIRECT}?error=access_denied&state=${new URL(url).searchParams.get('state')}`, 'ACCESS_DENIED'],
      ['state is forged', async () => `${REDIRECT}?code=x&state=forged`, 'STATE_MISMATCH'],
      ['the callback goes elsewhere', async ({ url }: { url: string }) => `https://evil.example/?code=x&state=${new URL(url).searchParams.get('state')}`, 'INVALID_CALLBACK'],
    ])('should fail with the exact code and store nothing when %s', async (_name, flow, code) => {
      const { session, companion } = setup({ launchWebAuthFlow: flow });
      const result = await session.signIn();
      expect(!result.ok && result.error.code).toBe(code);
      expect(companion.state.exchangeCalls).toBe(0);
      expect(await fakeBrowser.storage.session.get(null)).toEqual({});
      expect(await session.hasSession()).toBe(false);
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
      expect(session.isConnecting()).toBe(true);
      await vi.waitFor(() => expect(finish).toBeTypeOf('function'));
      finish?.('');
      expect(await a).toEqual(await b);
      expect(launchWebAuthFlow).toHaveBeenCalledTimes(1);
      expect(session.isConnecting()).toBe(false);
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
      expect(await persisted()).toEqual({ refreshToken: 'rt-1' });
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

    it('should not loop when the retried request is refused again', async () => {
      const { session, companion } = setup({
        fetch: (async () => new Response('{"error":"Unauthenticated."}', { status: 401 })) as typeof fetch,
      });
      await session.signIn();
      const result = await session.authorizedFetch('http://api/user-summaries');
      expect(result.ok && result.value.status).toBe(401);
      expect(companion.state.refreshCalls).toHaveLength(1);
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

  describe('refreshAhead', () => {
    it('should refresh only once the lead time before expiry is reached', async () => {
      const { session, companion, advance } = setup();
      await session.signIn();
      advance(50 * 60_000);
      await session.refreshAhead();
      expect(companion.state.refreshCalls).toEqual([]);
      advance(6 * 60_000);
      await session.refreshAhead();
      expect(companion.state.refreshCalls).toEqual(['rt-1']);
    });
  });

  describe('signOut', () => {
    it('should clear every token and revoke the refresh token', async () => {
      const { session, companion, scheduleRefresh } = setup();
      await session.signIn();
      await session.signOut();
      expect(await fakeBrowser.storage.session.get(null)).toEqual({});
      expect(await fakeBrowser.storage.local.get(null)).toEqual({});
      expect(companion.state.revoked).toEqual(['rt-1']);
      expect(scheduleRefresh).toHaveBeenLastCalledWith(null);
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
  });
});

describe('isExpired', () => {
  it.each([
    [3_600_000, 3_569_999, false],
    [3_600_000, 3_570_000, true],
    [10_000, 8_999, false],
    [10_000, 9_000, true],
  ])('should apply a skew of a tenth of the lifetime (at most 30 s): lifetime %i, age %i → %s', (lifetime, age, expired) => {
    expect(isExpired({ issuedAt: 0, expiresAt: lifetime }, age)).toBe(expired);
  });
});
