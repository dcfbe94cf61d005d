/**
 * The refresh replay window in-process: createRefreshReplay over the memory store, and the app
 * around it (what it logs, what it does when the store fails).
 */
import { describe, expect, it } from 'vitest';
import { createCompanionApp } from '../../src/companion/app';
import { parseCompanionConfig } from '../../src/companion/config';
import { createMemoryReplayStore } from '../../src/companion/memory-replay-store';
import { rateLimitKey } from '../../src/companion/rate-limit-key';
import { createRefreshReplay, replayId, type ReplayStore } from '../../src/companion/refresh-replay';
import { ANSWER_MARGIN_MS, CONNECTIONS_CHECK_INTERVAL_MS, serverTimeouts } from '../../src/companion/start-companion';
import { createUpstreamClient } from '../../src/companion/upstream';
import { COMPANION_CLIENT_TIMEOUT_MS, COMPANION_CSRF_HEADER, COMPANION_ROUTES, MAX_UPSTREAM_TIMEOUT_MS } from '../../src/shared/companion-api';
import type { TokenResponse } from '../../src/shared/token-response';

const NONCE = 'nonce-0123456789abcdefghijkl';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A CardioMood that rotates: each refresh token works once. */
function rotatingUpstream(delayMs = 0) {
  const live = new Set<string>(['rt-0']);
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const issued: TokenResponse[] = [];
  const refresh = async (refreshToken: string): Promise<TokenResponse> => {
    calls++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await sleep(delayMs);
      if (!live.delete(refreshToken)) throw Object.assign(new Error('invalid_grant'), { code: 'invalid_grant' });
      const tokens = { token_type: 'Bearer', access_token: `at-${calls}`, refresh_token: `rt-${calls}`, expires_in: 3600 };
      live.add(tokens.refresh_token);
      issued.push(tokens);
      return tokens;
    } finally {
      inFlight--;
    }
  };
  return { refresh, issued, calls: () => calls, maxInFlight: () => maxInFlight };
}

/** A 60 s window over `upstream`, kept in `store`. */
const replayOver = (
  upstream: ReturnType<typeof rotatingUpstream>,
  answerWithinMs: number,
  store: ReplayStore = createMemoryReplayStore({ now: Date.now }),
) => createRefreshReplay({ store, windowSeconds: 60, now: Date.now, upstream: upstream.refresh, answerWithinMs });

describe('createRefreshReplay', () => {
  it('should store an answer that arrives after its requester got 504, for the retry to find', async () => {
    const upstream = rotatingUpstream(150);
    const replay = replayOver(upstream, 50);
    await expect(replay({ refreshToken: 'rt-0', nonce: NONCE })).rejects.toMatchObject({ status: 504, code: 'refresh_outcome_unknown' });
    await sleep(200);
    expect(await replay({ refreshToken: 'rt-0', nonce: NONCE })).toEqual({ tokens: upstream.issued[0], replay: 'hit' });
    expect(upstream.calls()).toBe(1);
  });

  it('should let a retry that arrives while the late refresh is still running join it', async () => {
    const upstream = rotatingUpstream(150);
    const replay = replayOver(upstream, 100);
    await expect(replay({ refreshToken: 'rt-0', nonce: NONCE })).rejects.toMatchObject({ status: 504 });
    expect(await replay({ refreshToken: 'rt-0', nonce: NONCE })).toEqual({ tokens: upstream.issued[0], replay: 'joined' });
    expect(upstream.calls()).toBe(1);
  });

  it('should never send one refresh token to CardioMood twice at the same time, whatever the nonces', async () => {
    const upstream = rotatingUpstream(50);
    const replay = replayOver(upstream, 1_000);
    const results = await Promise.allSettled([
      replay({ refreshToken: 'rt-0', nonce: NONCE }),
      replay({ refreshToken: 'rt-0', nonce: 'another-nonce-0123456789ab' }),
    ]);
    expect(upstream.maxInFlight()).toBe(1);
    // Which one reaches CardioMood first depends on when its (asynchronous) digest is ready: the one
    // that does succeeds, the other then presents a rotated token and is refused.
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(upstream.calls()).toBe(2);
  });

  it('should still hand over the tokens, marked not stored, when the store fails', async () => {
    const upstream = rotatingUpstream();
    const failing: ReplayStore = {
      get: async () => undefined,
      put: async () => {
        throw new Error('storage unavailable');
      },
    };
    const replay = replayOver(upstream, 1_000, failing);
    expect(await replay({ refreshToken: 'rt-0', nonce: NONCE })).toEqual({ tokens: upstream.issued[0], replay: 'miss', stored: false });
  });

  it('should go to CardioMood when the stored entry has been tampered with', async () => {
    const upstream = rotatingUpstream();
    const store = createMemoryReplayStore({ now: Date.now });
    const replay = replayOver(upstream, 1_000, store);
    await replay({ refreshToken: 'rt-0', nonce: NONCE });
    const [[id, entry] = []] = store.entries();
    if (!id || !entry) throw new Error('no entry stored');
    // Extending its life changes the associated data: the entry no longer opens.
    await store.put(id, { ...entry, expiresAt: entry.expiresAt + 1 });
    await expect(replay({ refreshToken: 'rt-0', nonce: NONCE })).rejects.toThrow('invalid_grant');
    expect(upstream.calls()).toBe(2);
  });
});

describe('createMemoryReplayStore', () => {
  const entry = (expiresAt: number) => ({ iv: 'aXY', ciphertext: 'Y3Q', expiresAt });

  it('should forget entries once they expire', async () => {
    let now = 1_000;
    const store = createMemoryReplayStore({ now: () => now });
    await store.put('a', entry(2_000));
    expect(await store.get('a')).toEqual(entry(2_000));
    now = 2_000;
    expect(await store.get('a')).toBeUndefined();
    expect(store.entries()).toEqual([]);
  });

  it('should drop the oldest entries beyond its size limit', async () => {
    const store = createMemoryReplayStore({ now: () => 0, maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) await store.put(id, entry(1_000));
    expect(store.entries().map(([id]) => id)).toEqual(['b', 'c']);
  });
});

describe('replayId', () => {
  it('should name a refresh token by a digest that does not contain it', async () => {
    const id = await replayId('rt-secret-value');
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(id).not.toContain('rt-secret-value');
    expect(await replayId('rt-secret-value')).toBe(id);
    expect(await replayId('rt-secret-valuf')).not.toBe(id);
  });
});

describe('createCompanionApp with the replay window', () => {
  it('should log the replay outcome, and that the store failed, with no token', async () => {
    const lines: Record<string, unknown>[] = [];
    let calls = 0;
    const app = createCompanionApp(
      parseCompanionConfig({
        CARDIOMOOD_TOKEN_URL: 'https://cardiomood.test/oauth/token',
        CARDIOMOOD_CLIENT_ID: 'client-id',
        CARDIOMOOD_CLIENT_SECRET: 'replay-app-secret',
        COMPANION_REDIRECT_URIS: 'https://ikolmnhkljkbkopbpmgocbneeihjlhfp.chromiumapp.org/',
        COMPANION_ALLOWED_ORIGINS: 'chrome-extension://ikolmnhkljkbkopbpmgocbneeihjlhfp',
      }),
      {
        fetch: (async () => {
          calls++;
          return Response.json({ token_type: 'Bearer', access_token: `at-new-${calls}`, refresh_token: `rt-new-${calls}`, expires_in: 60 });
        }) as typeof fetch,
        log: (line) => lines.push(line as Record<string, unknown>),
        clientAddress: () => '203.0.113.1',
        replayStore: { get: async () => undefined, put: async () => Promise.reject(new Error('full')) },
      },
    );
    const refresh = (body: object) =>
      app.request(COMPANION_ROUTES.refresh, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [COMPANION_CSRF_HEADER]: '1' },
        body: JSON.stringify(body),
      });
    expect((await refresh({ refresh_token: 'rt-old-1', replay_nonce: NONCE })).status).toBe(200);
    expect((await refresh({ refresh_token: 'rt-old-2' })).status).toBe(200);
    expect(lines.map((line) => [line.replay, line.replay_stored])).toEqual([
      ['miss', false],
      ['off', undefined],
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/rt-old|rt-new|at-new|nonce-/);
  });
});

describe('serverTimeouts', () => {
  it.each([1, 5_000, 10_000, MAX_UPSTREAM_TIMEOUT_MS])(
    'should let a request arrive and CardioMood answer within the extension\'s wait when the upstream timeout is %i ms',
    (upstreamTimeoutMs) => {
      const { headersTimeoutMs, requestTimeoutMs } = serverTimeouts(upstreamTimeoutMs);
      expect(headersTimeoutMs).toBeLessThanOrEqual(requestTimeoutMs);
      expect(requestTimeoutMs).toBeGreaterThan(0);
      expect(requestTimeoutMs + CONNECTIONS_CHECK_INTERVAL_MS + upstreamTimeoutMs + ANSWER_MARGIN_MS).toBeLessThanOrEqual(COMPANION_CLIENT_TIMEOUT_MS);
    },
  );
});

describe('rateLimitKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::ffff:7f00:1', '127.0.0.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['[2001:DB8:1:2::1]', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['2001:db8::1.2.3.4', '2001:db8:0:0::/64'],
  ])('should key %s as %s', (address, key) => {
    expect(rateLimitKey(address)).toBe(key);
  });

  it.each(['unknown', '', '1.2.3.999', '2001:db8::1::2', '1:2:3:4:5:6:7:8:9', 'g::1'])('should refuse %j as an address', (address) => {
    expect(rateLimitKey(address)).toBeUndefined();
  });
});

describe('createUpstreamClient', () => {
  const config = parseCompanionConfig({
    CARDIOMOOD_TOKEN_URL: 'http://127.0.0.1:9/oauth/token',
    CARDIOMOOD_CLIENT_ID: 'client-id',
    CARDIOMOOD_CLIENT_SECRET: 'upstream-secret',
    COMPANION_REDIRECT_URIS: 'https://ikolmnhkljkbkopbpmgocbneeihjlhfp.chromiumapp.org/',
    COMPANION_ALLOWED_ORIGINS: 'chrome-extension://ikolmnhkljkbkopbpmgocbneeihjlhfp',
  });
  const tokens = { token_type: 'bearer', access_token: 'at', expires_in: 60 };

  it('should allow plain http to loopback (the sandbox) through oauth4webapi\'s named opt-in', async () => {
    const client = createUpstreamClient(config, { fetch: (async () => Response.json(tokens)) as typeof fetch, now: Date.now });
    expect(await client.refresh('rt')).toEqual({ ...tokens, token_type: 'Bearer' });
  });

  it('should refuse plain http anywhere else without sending the secret', async () => {
    let called = false;
    const client = createUpstreamClient(
      { ...config, tokenUrl: 'http://cardiomood.example/oauth/token' },
      {
        fetch: (async () => {
          called = true;
          return Response.json(tokens);
        }) as typeof fetch,
        now: Date.now,
      },
    );
    await expect(client.refresh('rt')).rejects.toMatchObject({ status: 500, code: 'server_misconfigured' });
    expect(called).toBe(false);
  });

  it('should drop an id_token instead of failing the sign-in over it', async () => {
    const client = createUpstreamClient(config, {
      fetch: (async () => Response.json({ ...tokens, id_token: 'not-a-jwt' })) as typeof fetch,
      now: Date.now,
    });
    expect(await client.exchange({ code: 'c', code_verifier: 'v'.repeat(43), redirect_uri: 'https://ikolmnhkljkbkopbpmgocbneeihjlhfp.chromiumapp.org/' })).toEqual({
      ...tokens,
      token_type: 'Bearer',
    });
  });
});
