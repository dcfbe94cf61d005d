import { z } from 'zod';
import { appErrorSchema } from '../shared/app-error-schema';
import { dayRecordSchema } from '../cardiomood/day-record';
import { replayNonceSchema } from '../shared/companion-api';
import { popupFrameSchema, popupViewSchema } from '../shared/popup-view';
import { POPUP_FRAME_KEYS, POPUP_VIEW_KEYS } from '../shared/popup-view-keys';
import { readingsSnapshotSchema } from '../shared/readings';
import { settingsSchema } from '../shared/settings';
import { sessionEndReasonSchema, statusSchema } from '../shared/status';
import { defineStoredItem, type StoredItem } from './define-stored-item';
import type { PopupFrame, PopupView } from '../shared/popup-view';

/**
 * Every key the extension stores, with its shape, version and the migrations that lead to it.
 *
 * storage.session (memory only, trusted contexts only): live tokens, the pending sign-in, the readings
 * cache (day records) and derived state (the readings snapshot, the popup's first-frame view).
 * storage.local (the profile on disk): settings and, only with "Keep me signed in", the refresh token
 * and the last popup view (the derived glance of today and yesterday, no raw data). No access token
 * and no other health data ever go to storage.local.
 *
 * 0.1.0 stored these keys without WXT's version meta, which WXT reads as version 1. A shape that
 * changes gets the next version and a migration that parses the old shape with its own schema: an
 * old value that does not parse makes the migration fail, WXT leaves it as it was, and the new
 * schema then refuses it (fail closed). storage.session does not survive an extension update in
 * Chrome or Firefox, so its migrations rarely run; they exist so no shape is ever read unversioned.
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


export const syncRecordSchema = statusSchema.shape.sync.extend({ attempt: z.number().int().nonnegative().default(0) });
export type SyncRecord = z.infer<typeof syncRecordSchema>;

/** 0.1.0's outcome of the last sign-in, with whether the session had ended and needed "Reconnect". */
const authNoteV1Schema = z.object({ error: appErrorSchema.nullable(), reconnectRequired: z.boolean() });

/** v2: only why the last sign-in failed; why a session ended moved to `local:auth.sessionEnd`. */
export const authNoteSchema = z.object({ error: appErrorSchema.nullable() });
export type AuthNote = z.infer<typeof authNoteSchema>;

/**
 * Why the last session ended, and when. In storage.local so that "Reconnect" and its reason survive a
 * browser restart; it holds no token and no health data. Removed when a new session starts.
 */
export const sessionEndSchema = z.object({ reason: sessionEndReasonSchema, at: z.number() });
export type SessionEnd = z.infer<typeof sessionEndSchema>;

/**
 * A refresh in progress, stored before the companion is called: the refresh token presented and the
 * replay nonce that every retry of that same token sends again (a restarted worker included), so the
 * companion can hand back an answer that was lost. Removed when the rotated tokens are stored.
 */
export const refreshAttemptSchema = z.object({
  refreshToken: z.string().min(1),
  nonce: replayNonceSchema,
  /** How many times this refresh token was sent. */
  sends: z.number().int().positive(),
  /**
   * True while the last send may have reached CardioMood without its answer reaching us (it is set
   * before sending and cleared by an answer that says the token was not used): a retry refused with
   * invalid_grant then means the lost answer rotated it.
   */
  unanswered: z.boolean(),
  /**
   * Set before the one silent re-authorization this lost answer may get (never a second one, even
   * from a restarted worker). Optional: attempts stored before it existed stay valid, so the stored
   * shape needs no new version.
   */
  silentReauth: z.literal(true).optional(),
});
export type RefreshAttempt = z.infer<typeof refreshAttemptSchema>;

/** 0.1.0 to 0.2: the refresh token alone. */
const persistedRefreshTokenV1Schema = z.object({ refreshToken: z.string().min(1) });

/**
 * "Keep me signed in": the refresh token on disk and, while a refresh of it may have been carried out
 * without its answer reaching us, that attempt's replay nonce (the rest of the attempt, without a second
 * copy of the token). A browser restart empties storage.session; without the nonce the retry could not
 * be answered from the companion's replay window and the member would be signed out.
 */
export const persistedRefreshTokenSchema = persistedRefreshTokenV1Schema.extend({
  attempt: refreshAttemptSchema.omit({ refreshToken: true }).optional(),
});
export type PersistedRefreshToken = z.infer<typeof persistedRefreshTokenSchema>;

/** Tokens to revoke after a sign-out, retried from an alarm; storage.session only (they are tokens). */
export const pendingRevocationsSchema = z.array(
  z.object({
    token: z.string().min(1),
    hint: z.enum(['refresh_token', 'access_token']),
    /** Attempts made so far. */
    attempts: z.number().int().nonnegative(),
    /** Epoch ms before which the next attempt must not run (backoff). */
    nextAt: z.number(),
  }),
);
export type PendingRevocations = z.infer<typeof pendingRevocationsSchema>;

/**
 * The readings cache: one compact record per member-day (daily values and, for days fetched with
 * slots, a 24-hour profile; never raw slots), the newest 90 days at most. storage.session only.
 */
export const dayRecordsSchema = z.array(dayRecordSchema);
export type DayRecords = z.infer<typeof dayRecordsSchema>;

/**
 * The badge poll's backoff: how many polls in a row left the badge as it was (`pollIntervalMs`).
 * storage.session: a restarted worker keeps backing off.
 */
export const pollStateSchema = z.object({ unchanged: z.number().int().nonnegative() });
export type PollState = z.infer<typeof pollStateSchema>;

/** 0.1.0's settings: every field had a default, so a partial object was complete after parsing. */
const settingsV1Schema = z.object({
  keepSignedIn: z.boolean().default(true),
  units: z.enum(['metric', 'imperial']).default('metric'),
  temperature: z.enum(['celsius', 'fahrenheit']).default('celsius'),
  hiddenTiles: z.array(z.string()).default([]),
});

/** Parses the previous version's value for a migration; the error names paths, never values (tokens). */
export function previousShape<T>(key: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
  throw new Error(`"${key}" does not have its previous shape (${where})`);
}

export interface StorageItems {
  tokens: StoredItem<StoredTokens>;
  pendingSignIn: StoredItem<PendingSignIn>;
  persistedRefreshToken: StoredItem<PersistedRefreshToken>;
  settings: StoredItem<z.infer<typeof settingsSchema>>;
  readingsSnapshot: StoredItem<z.infer<typeof readingsSnapshotSchema>>;
  readingsSync: StoredItem<SyncRecord>;
  readingsDays: StoredItem<DayRecords>;
  readingsPoll: StoredItem<PollState>;
  /** The popup's first-frame view (raw key: the popup reads it bare, before any library). */
  popupView: StoredItem<PopupView>;
  /** The last popup view, on disk, only while "Keep me signed in" is on. */
  lastPopupView: StoredItem<PopupView>;
  /** The first frame rendered from `popupView` (storage.session). */
  popupFrame: StoredItem<PopupFrame>;
  /** The first frame rendered from `lastPopupView` (storage.local, "Keep me signed in" only). */
  lastPopupFrame: StoredItem<PopupFrame>;
  authNote: StoredItem<AuthNote>;
  sessionEnd: StoredItem<SessionEnd>;
  refreshAttempt: StoredItem<RefreshAttempt>;
  pendingRevocations: StoredItem<PendingRevocations>;
  /** Stops every item's change watcher. */
  dispose(): void;
}

/**
 * Defines every item. Call it once per background start (never at import: defining an item starts its
 * migrations).
 */
export function createStorageItems(options: { warn?: (message: string) => void } = {}): StorageItems {
  const { warn } = options;
  const sessionEnd = defineStoredItem('local:auth.sessionEnd', { schema: sessionEndSchema, version: 1, warn });
  const items = {
    tokens: defineStoredItem('session:auth.tokens', { schema: storedTokensSchema, version: 1, warn }),
    pendingSignIn: defineStoredItem('session:auth.pendingSignIn', { schema: pendingSignInSchema, version: 1, warn }),
    persistedRefreshToken: defineStoredItem('local:auth.persistedRefreshToken', {
      schema: persistedRefreshTokenSchema,
      // v2: the replay nonce of an unanswered refresh may sit next to the token.
      version: 2,
      migrations: { 2: (v1: unknown) => previousShape('auth.persistedRefreshToken', persistedRefreshTokenV1Schema, v1) },
      warn,
    }),
    settings: defineStoredItem('local:settings', {
      schema: settingsSchema,
      // v2: every field required (see DEFAULT_SETTINGS); 0.1.0's missing fields get 0.1.0's defaults once.
      version: 2,
      migrations: { 2: (v1: unknown) => previousShape('settings', settingsV1Schema, v1) },
      warn,
    }),
    readingsSnapshot: defineStoredItem('session:readings.snapshot', { schema: readingsSnapshotSchema, version: 1, warn }),
    readingsSync: defineStoredItem('session:readings.sync', { schema: syncRecordSchema, version: 1, warn }),
    readingsDays: defineStoredItem('session:readings.days', { schema: dayRecordsSchema, version: 1, warn }),
    readingsPoll: defineStoredItem('session:readings.poll', { schema: pollStateSchema, version: 1, warn }),
    popupView: defineStoredItem(`session:${POPUP_VIEW_KEYS.session}`, { schema: popupViewSchema, version: 1, warn }),
    lastPopupView: defineStoredItem(`local:${POPUP_VIEW_KEYS.local}`, { schema: popupViewSchema, version: 1, warn }),
    popupFrame: defineStoredItem(`session:${POPUP_FRAME_KEYS.session}`, { schema: popupFrameSchema, version: 1, warn }),
    lastPopupFrame: defineStoredItem(`local:${POPUP_FRAME_KEYS.local}`, { schema: popupFrameSchema, version: 1, warn }),
    authNote: defineStoredItem('session:auth.note', {
      schema: authNoteSchema,
      version: 2,
      migrations: {
        // 0.1.0 only knew that a session ended and needed "Reconnect", not why; it ended that way only
        // when CardioMood refused the sign-in, the common case of which is a revoked refresh token.
        2: async (v1: unknown) => {
          const note = previousShape('auth.note', authNoteV1Schema, v1);
          if (note.reconnectRequired && !(await sessionEnd.get())) await sessionEnd.set({ reason: 'revoked', at: Date.now() });
          return { error: note.error };
        },
      },
      warn,
    }),
    sessionEnd,
    refreshAttempt: defineStoredItem('session:auth.refreshAttempt', { schema: refreshAttemptSchema, version: 1, warn }),
    pendingRevocations: defineStoredItem('session:auth.pendingRevocations', {
      schema: pendingRevocationsSchema,
      version: 1,
      warn,
    }),
  };
  return {
    ...items,
    dispose() {
      for (const item of Object.values(items)) item.dispose();
    },
  };
}
