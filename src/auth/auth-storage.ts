import type { PendingSignIn, StorageItems, StoredTokens } from '../storage/storage-items';

export type { PendingSignIn, StoredTokens };

/** A pending sign-in (state + PKCE verifier) is useless after this; it is also deleted on use. */
export const PENDING_SIGN_IN_TTL_MS = 10 * 60 * 1000;

/**
 * Where the background keeps auth state: the live tokens and the pending sign-in in storage.session,
 * at most the refresh token in storage.local and only when the member chose "Keep me signed in".
 * Reads go through the validated storage items: invalid data fails closed (treated as signed out).
 */
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

export function createAuthStorage(items: Pick<StorageItems, 'tokens' | 'pendingSignIn' | 'persistedRefreshToken'>): AuthStorage {
  async function readPending(now: number): Promise<PendingSignIn | null> {
    const pending = await items.pendingSignIn.get();
    if (pending && now - pending.createdAt > PENDING_SIGN_IN_TTL_MS) {
      await items.pendingSignIn.remove();
      return null;
    }
    return pending;
  }

  async function persistRefreshToken(refreshToken: string | null): Promise<void> {
    if (refreshToken) await items.persistedRefreshToken.set({ refreshToken });
    else await items.persistedRefreshToken.remove();
  }

  return {
    readTokens: () => items.tokens.get(),
    async writeTokens(tokens, { persistRefreshToken: persist }) {
      // The rotated refresh token is written before anything else happens with the response.
      await Promise.all([items.tokens.set(tokens), persistRefreshToken(persist ? tokens.refreshToken : null)]);
    },
    async clearTokens() {
      await Promise.all([items.tokens.remove(), items.persistedRefreshToken.remove()]);
    },
    async readPersistedRefreshToken() {
      return (await items.persistedRefreshToken.get())?.refreshToken ?? null;
    },
    persistRefreshToken,
    readPending,
    writePending: (pending) => items.pendingSignIn.set(pending),
    async takePending(now) {
      const pending = await readPending(now);
      await items.pendingSignIn.remove();
      return pending;
    },
  };
}
