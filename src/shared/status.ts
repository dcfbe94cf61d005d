import { z } from 'zod';
import { appErrorSchema } from './app-error-schema';
import { glanceSchema } from './glance';
import { readingsSnapshotSchema } from './readings';
import { settingsSchema } from './settings';

/**
 * Why the last session ended. One function in the background ends a session and records one of these:
 * - `revoked`: CardioMood refused a refresh token presented for the first time (revoked or expired there);
 * - `answer_lost`: CardioMood's answer to a refresh was lost (the refresh token may have been used),
 *   and signing in again without the member (a silent re-authorization, `prompt=none`) was not possible;
 * - `reuse_refused`: CardioMood refused a refresh token we had sent before, whose answer was lost and
 *   which the companion's replay window could no longer answer. Recorded by versions before the silent
 *   re-authorization (which now ends such a session as `answer_lost`); still read and shown;
 * - `unauthorized`: CardioMood refused the access token it had just issued;
 * - `expired`: the access token ran out and there was no refresh token to renew it;
 * - `signed_out`: the member signed out.
 */
// Adding a reason changes no stored shape that was valid before: every stored value still parses.
export const SESSION_END_REASONS = ['revoked', 'answer_lost', 'reuse_refused', 'unauthorized', 'expired', 'signed_out'] as const;
export const sessionEndReasonSchema = z.enum(SESSION_END_REASONS);
export type SessionEndReason = z.infer<typeof sessionEndReasonSchema>;

/** The reasons that need the member to connect again ("Reconnect"); `signed_out` was their own choice. */
export function needsReconnect(reason: SessionEndReason | null): boolean {
  return reason !== null && reason !== 'signed_out';
}

/**
 * Everything a UI page needs to render, derived by the background. It never contains a token,
 * code or verifier: a test asserts that over every message the background sends.
 */
export const statusSchema = z.object({
  auth: z.object({
    state: z.enum(['signed_out', 'connecting', 'signed_in', 'reconnect_required']),
    /** Why the last sign-in failed (denied consent, closed window, …), until the next attempt. */
    error: appErrorSchema.nullable(),
    /** Why the last session ended, while no session runs (null while signed in, or never signed in). */
    reason: sessionEndReasonSchema.nullable(),
  }),
  /** Last readings (possibly stale, see sync); null when none are cached. */
  readings: readingsSnapshotSchema.nullable(),
  /**
   * The member's glance (today and yesterday, compared honestly; src/shared/glance.ts) that the popup
   * renders; null until the background has computed one (it replaces `readings` in the popup).
   */
  glance: glanceSchema.nullable(),
  sync: z.object({
    state: z.enum(['idle', 'loading', 'error', 'offline']),
    error: appErrorSchema.nullable(),
    /** Epoch ms of the next automatic retry after a transient failure. */
    nextRetryAt: z.number().nullable(),
  }),
  /**
   * The member's preferences (units, hidden tiles): pages need them to render the readings, so they
   * come with the same answer (one message before the popup's first paint, not two) and every change
   * reaches open pages through the same broadcast.
   */
  settings: settingsSchema,
  /**
   * The stored settings could not be read: `settings` are the defaults with "Keep me signed in" off
   * (fail safe) until the member saves settings again; the options page says so.
   */
  settingsUnreadable: z.boolean(),
});
export type Status = z.infer<typeof statusSchema>;
export type AuthState = Status['auth']['state'];
export type SyncState = Status['sync']['state'];
