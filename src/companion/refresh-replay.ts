import { z } from 'zod';
import { tokenResponseSchema, type TokenResponse } from '../shared/token-response';
import { LOST_REFRESH, type ObserveUpstream, type UpstreamCallOptions } from './upstream';

/**
 * The refresh replay window (SECURITY.md, "Refresh replay window"). CardioMood invalidates a refresh
 * token the moment it is used; when its answer reaches the companion but the companion's answer
 * never reaches the extension, the extension's retry of the same refresh token would be refused and
 * the member signed out. So a successful refresh's answer is kept for a short window, encrypted,
 * and served again to a retry that presents the same refresh token AND the same replay_nonce.
 *
 * - Address: SHA-256 of the refresh token (a Durable Object name on Workers), so every attempt for
 *   one refresh token meets in one place.
 * - Key: HKDF-SHA-256 over the refresh token, salted with the nonce; AES-256-GCM with the address and
 *   expiry as associated data. The store alone yields nothing usable; an old refresh token with
 *   another nonce (or none) does not decrypt and goes to CardioMood, which refuses it.
 */

/** One stored answer: the token response encrypted, and when it stops being served. */
export const replayEntrySchema = z.strictObject({
  iv: z.string().min(1),
  ciphertext: z.string().min(1),
  expiresAt: z.number().int(),
});
export type ReplayEntry = z.infer<typeof replayEntrySchema>;

/** Where answers wait for a retry: this process's memory on Node, a Durable Object's storage on Workers. */
export interface ReplayStore {
  /** The entry at `id`, or undefined when there is none or it has expired. */
  get(id: string): Promise<ReplayEntry | undefined>;
  put(id: string, entry: ReplayEntry): Promise<void>;
}

/** How a refresh was answered: from the store, by sharing an identical refresh in flight, or by CardioMood. */
export const REPLAY_OUTCOMES = ['hit', 'joined', 'miss'] as const;

export const refreshOutcomeSchema = z.object({
  tokens: tokenResponseSchema,
  replay: z.enum(REPLAY_OUTCOMES),
  /** false when CardioMood answered but the store could not keep it (the member still gets the tokens). */
  stored: z.boolean().optional(),
});
export type RefreshOutcome = z.infer<typeof refreshOutcomeSchema>;

export interface ReplayRequest {
  refreshToken: string;
  nonce: string;
}

/** Answers one refresh that carries a replay_nonce; throws the CompanionError the client should see. */
export type RefreshReplay = (request: ReplayRequest, options?: { observe?: ObserveUpstream }) => Promise<RefreshOutcome>;

/**
 * How long a refresh keeps waiting for CardioMood after its requester was answered 504: an answer
 * that arrives late still lands in the window, where the extension's retry finds it.
 */
export const LATE_ANSWER_MS = 60_000;

export interface RefreshReplayOptions {
  store: ReplayStore;
  windowSeconds: number;
  now: () => number;
  /** The refresh at CardioMood. */
  upstream: (refreshToken: string, options: UpstreamCallOptions) => Promise<TokenResponse>;
  /** How long a requester waits for its answer (COMPANION_UPSTREAM_TIMEOUT_MS) before it gets 504. */
  answerWithinMs: number;
  /** How long the refresh itself may take at CardioMood (defaults to LATE_ANSWER_MS). */
  lateAnswerMs?: number;
}

/**
 * The replay window around `upstream`. One refresh token is refreshed once at a time in this
 * instance: identical requests (same token, same nonce) share the call in flight; a request with
 * another nonce waits for it and then tries on its own (and is refused by CardioMood, since the
 * token has rotated). A failed refresh stores nothing; a successful one is stored before it is
 * answered, so an answer lost on its way to the extension can be served again.
 */
export function createRefreshReplay(options: RefreshReplayOptions): RefreshReplay {
  const { store, now, upstream, answerWithinMs } = options;
  const windowMs = options.windowSeconds * 1000;
  const lateAnswerMs = Math.max(options.lateAnswerMs ?? LATE_ANSWER_MS, answerWithinMs);
  const flights = new Map<string, { nonce: string; done: Promise<RefreshOutcome> }>();

  return async ({ refreshToken, nonce }, { observe } = {}) => {
    const id = await replayId(refreshToken);
    const key = await replayKey(refreshToken, nonce);
    for (;;) {
      const flight = flights.get(id);
      if (!flight) break;
      if (flight.nonce === nonce) return { tokens: (await withDeadline(flight.done, answerWithinMs)).tokens, replay: 'joined' };
      await withDeadline(
        flight.done.catch(() => undefined),
        answerWithinMs,
      );
    }

    const done = (async (): Promise<RefreshOutcome> => {
      const entry = await store.get(id);
      if (entry && entry.expiresAt > now()) {
        const tokens = await openEntry(entry, key, id);
        if (tokens) return { tokens, replay: 'hit' };
      }
      const tokens = await upstream(refreshToken, { ...(observe ? { observe } : {}), timeoutMs: lateAnswerMs });
      try {
        await store.put(id, await sealEntry(tokens, key, id, now() + windowMs));
      } catch {
        // The refresh token has rotated at CardioMood: the tokens must reach the member even if
        // the window cannot keep them.
        return { tokens, replay: 'miss', stored: false };
      }
      return { tokens, replay: 'miss', stored: true };
    })();
    const flight = { nonce, done };
    flights.set(id, flight);
    done
      .finally(() => {
        if (flights.get(id) === flight) flights.delete(id);
      })
      .catch(() => undefined);
    return withDeadline(done, answerWithinMs);
  };
}

/** The store address of a refresh token: it names the token without revealing it. */
export async function replayId(refreshToken: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', utf8(`cardiomood-readings/refresh-replay/id/v1\u0000${refreshToken}`));
  return toBase64Url(new Uint8Array(digest));
}

async function replayKey(refreshToken: string, nonce: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', utf8(refreshToken), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8(nonce), info: utf8('cardiomood-readings/refresh-replay/key/v1') },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

async function sealEntry(tokens: TokenResponse, key: CryptoKey, id: string, expiresAt: number): Promise<ReplayEntry> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(`${id}.${expiresAt}`) },
    key,
    utf8(JSON.stringify(tokens)),
  );
  return { iv: toBase64Url(iv), ciphertext: toBase64Url(new Uint8Array(ciphertext)), expiresAt };
}

/** The stored tokens, or undefined when the key does not open the entry (another nonce, or tampering). */
async function openEntry(entry: ReplayEntry, key: CryptoKey, id: string): Promise<TokenResponse | undefined> {
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64Url(entry.iv), additionalData: utf8(`${id}.${entry.expiresAt}`) },
      key,
      fromBase64Url(entry.ciphertext),
    );
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(plaintext));
  } catch {
    return undefined;
  }
  const parsed = tokenResponseSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** `promise`, or a 504 refresh_outcome_unknown after `ms` (the promise itself runs on). */
async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      // The refresh runs on: a late answer still lands in the window for a retry with the same nonce.
      () => reject(LOST_REFRESH.timedOut(ms)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
    deadline.catch(() => undefined);
  }
}

const utf8 = (text: string) => new TextEncoder().encode(text);

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
