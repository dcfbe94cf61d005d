import { z } from 'zod';
import { appErrorSchema } from './app-error-schema';
import { glanceSchema } from './glance';
import { readingsSnapshotSchema } from './readings';
import { settingsSchema } from './settings';

/**
 * Everything a UI page needs to render, derived by the background. It never contains a token,
 * code or verifier: a test asserts that over every message the background sends.
 */
export const statusSchema = z.object({
  auth: z.object({
    state: z.enum(['signed_out', 'connecting', 'signed_in', 'reconnect_required']),
    /** Why the last sign-in failed (denied consent, closed window, …), until the next attempt. */
    error: appErrorSchema.nullable(),
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
});
export type Status = z.infer<typeof statusSchema>;
export type AuthState = Status['auth']['state'];
export type SyncState = Status['sync']['state'];
