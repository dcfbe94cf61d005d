import { z } from 'zod';

/**
 * Where the background keeps auth state. storage.session (memory only, trusted contexts only) holds the
 * live tokens and the pending sign-in; storage.local holds at most the refresh token, and only when the
 * member chose "Keep me signed in". Every read is validated: invalid data fails closed (treated as
 * signed out and reported once), it is never silently repaired.
 */
export const storedTokensSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).nullable(),
  /** Epoch ms at which the access token expires (null: the server did not say). */
  expiresAt: z.number().nullable(),
  /** Epoch ms when the token was issued; with expiresAt it gives the lifetime for the refresh skew. */
  issuedAt: z.number(),
});
export type StoredTokens = z.infer<typeof storedTokensSchema>;

export const pendingSignInSchema = z.object({
  state: z.string().min(1),
  codeVerifier: z.string().min(43),
  redirectUri: z.string().min(1),
  createdAt: z.number(),
});
export type PendingSignIn = z.infer<typeof pendingSignInSchema>;

export const persistedRefreshTokenSchema = z.object({ refreshToken: z.string().min(1) });

export const AUTH_KEYS = {
  tokens: 'auth.tokens',
  pending: 'auth.pendingSignIn',
  persisted: 'auth.persistedRefreshToken',
} as const;

/** A pending sign-in (state + PKCE verifier) is useless after this; it is also deleted on use. */
export const PENDING_SIGN_IN_TTL_MS = 10 * 60 * 1000;

/** The part of a storage area we use: what browser.storage.* and WXT's fake browser both provide. */
export interface StorageArea {
  get(keys?: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

export interface AuthStorage {
  readTokens(): Promise<StoredTokens | null>;
  writeTokens(tokens: StoredTokens, options: { persistRefreshToken: boolean }): Promise<void>;
  clearTokens(): Promise<void>;
  readPersistedRefreshToken(): Promise<string | null>;
  persistRefreshToken(refreshToken: string | null): Promise<void>;
  readPending(now: number): Promise<PendingSignIn | null>;
  writePending(pending: PendingSignIn): Promise<void>;
  /** Reads and deletes the pending sign-in in one step, so a callback can be used only once. */
  takePending(now: number): Promise<PendingSignIn | null>;
}

export function createAuthStorage(deps: {
  session: StorageArea;
  local: StorageArea;
  warn?: (message: string) => void;
}): AuthStorage {
  const { session, local } = deps;
  const warn = deps.warn ?? ((message) => console.warn(message));

  async function read<T>(area: StorageArea, key: string, schema: z.ZodType<T>): Promise<T | null> {
    const stored = (await area.get(key))[key];
    if (stored === undefined) return null;
    const parsed = schema.safeParse(stored);
    if (!parsed.success) {
      // Fail closed: never use it, never log its content (it may hold a token).
      warn(`Ignoring invalid stored "${key}": ${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}`);
      return null;
    }
    return parsed.data;
  }

  async function readPending(now: number): Promise<PendingSignIn | null> {
    const pending = await read(session, AUTH_KEYS.pending, pendingSignInSchema);
    if (pending && now - pending.createdAt > PENDING_SIGN_IN_TTL_MS) {
      await session.remove(AUTH_KEYS.pending);
      return null;
    }
    return pending;
  }

  return {
    readTokens: () => read(session, AUTH_KEYS.tokens, storedTokensSchema),
    async writeTokens(tokens, { persistRefreshToken }) {
      // The rotated refresh token is written before anything else happens with the response.
      await Promise.all([
        session.set({ [AUTH_KEYS.tokens]: tokens }),
        persistRefreshToken && tokens.refreshToken
          ? local.set({ [AUTH_KEYS.persisted]: { refreshToken: tokens.refreshToken } })
          : local.remove(AUTH_KEYS.persisted),
      ]);
    },
    async clearTokens() {
      await Promise.all([session.remove(AUTH_KEYS.tokens), local.remove(AUTH_KEYS.persisted)]);
    },
    async readPersistedRefreshToken() {
      return (await read(local, AUTH_KEYS.persisted, persistedRefreshTokenSchema))?.refreshToken ?? null;
    },
    async persistRefreshToken(refreshToken) {
      if (refreshToken) await local.set({ [AUTH_KEYS.persisted]: { refreshToken } });
      else await local.remove(AUTH_KEYS.persisted);
    },
    readPending,
    writePending: (pending) => session.set({ [AUTH_KEYS.pending]: pending }),
    async takePending(now) {
      const pending = await readPending(now);
      await session.remove(AUTH_KEYS.pending);
      return pending;
    },
  };
}
