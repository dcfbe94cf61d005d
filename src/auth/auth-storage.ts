import type { AppError } from '../shared/error-codes';
import type {
  PendingRevocations,
  PendingSignIn,
  PersistedRefreshToken,
  RefreshAttempt,
  SessionEnd,
  StorageItems,
  StoredTokens,
} from '../storage/storage-items';

export type { PendingRevocations, PendingSignIn, RefreshAttempt, SessionEnd, StoredTokens };

/** A pending sign-in (state + PKCE verifier) is useless after this; it is also deleted on use. */
export const PENDING_SIGN_IN_TTL_MS = 10 * 60 * 1000;

/**
 * Where the background keeps auth state: the live tokens, the pending sign-in, a refresh attempt and
 * tokens still to revoke in storage.session; in storage.local at most the refresh token (only when the
 * member chose "Keep me signed in", then with the replay nonce of a refresh of it still unanswered)
 * and why the last session ended. Reads go through the validated
 * storage items: invalid data fails closed (treated as absent, so as signed out).
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
  /** Deletes any pending sign-in, expired or not; true when there was one. */
  discardPending(): Promise<boolean>;
  readSignInError(): Promise<AppError | null>;
  writeSignInError(error: AppError | null): Promise<void>;
  readSessionEnd(): Promise<SessionEnd | null>;
  writeSessionEnd(end: SessionEnd | null): Promise<void>;
  /** The refresh attempt in progress: from storage.session, or after a browser restart from storage.local. */
  readAttempt(): Promise<RefreshAttempt | null>;
  /** Writes the attempt (null: none) and mirrors its nonce next to the persisted refresh token, if there is one. */
  writeAttempt(attempt: RefreshAttempt | null): Promise<void>;
  readRevocations(): Promise<PendingRevocations>;
  writeRevocations(pending: PendingRevocations): Promise<void>;
}

type AuthItems = Pick<
  StorageItems,
  'tokens' | 'pendingSignIn' | 'persistedRefreshToken' | 'authNote' | 'sessionEnd' | 'refreshAttempt' | 'pendingRevocations'
>;

/** The persisted refresh token, with the attempt's nonce when the attempt is for that token. */
function persisted(refreshToken: string, attempt: RefreshAttempt | null): PersistedRefreshToken {
  if (attempt?.refreshToken !== refreshToken) return { refreshToken };
  const { refreshToken: _same, ...rest } = attempt;
  return { refreshToken, attempt: rest };
}

export function createAuthStorage(items: AuthItems): AuthStorage {
  async function readPending(now: number): Promise<PendingSignIn | null> {
    const pending = await items.pendingSignIn.get();
    if (pending && now - pending.createdAt > PENDING_SIGN_IN_TTL_MS) {
      await items.pendingSignIn.remove();
      return null;
    }
    return pending;
  }

  async function persistRefreshToken(refreshToken: string | null): Promise<void> {
    if (refreshToken) await items.persistedRefreshToken.set(persisted(refreshToken, await items.refreshAttempt.get()));
    else await items.persistedRefreshToken.remove();
  }

  return {
    readTokens: () => items.tokens.get(),
    async writeTokens(tokens, { persistRefreshToken: persist }) {
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
    async discardPending() {
      const found = (await items.pendingSignIn.read()).status !== 'absent';
      if (found) await items.pendingSignIn.remove();
      return found;
    },
    readSignInError: async () => (await items.authNote.get())?.error ?? null,
    writeSignInError: (error) => items.authNote.set({ error }),
    readSessionEnd: () => items.sessionEnd.get(),
    writeSessionEnd: (end) => (end ? items.sessionEnd.set(end) : items.sessionEnd.remove()),
    async readAttempt() {
      const attempt = await items.refreshAttempt.get();
      if (attempt) return attempt;
      // After a browser restart: the attempt kept next to the persisted refresh token, if any.
      const onDisk = await items.persistedRefreshToken.get();
      return onDisk?.attempt ? { refreshToken: onDisk.refreshToken, ...onDisk.attempt } : null;
    },
    async writeAttempt(attempt) {
      await (attempt ? items.refreshAttempt.set(attempt) : items.refreshAttempt.remove());
      const onDisk = await items.persistedRefreshToken.get();
      if (!onDisk) return;
      const next = persisted(onDisk.refreshToken, attempt);
      if (JSON.stringify(next) !== JSON.stringify(onDisk)) await items.persistedRefreshToken.set(next);
    },
    readRevocations: async () => (await items.pendingRevocations.get()) ?? [],
    writeRevocations: (pending) => (pending.length > 0 ? items.pendingRevocations.set(pending) : items.pendingRevocations.remove()),
  };
}
