import { defineExtensionMessaging } from '@webext-core/messaging';
import type { AppError, Result } from '../shared/error-codes';
import type { History, Intraday } from '../shared/readings';
import type { Settings, SettingsPatch } from '../shared/settings';
import type { Status } from '../shared/status';

/**
 * The one protocol between UI pages (popup, side panel, options) and the background.
 * Imports are type-only so UI bundles stay free of zod; the background validates every
 * incoming payload with the schemas in src/shared.
 * Expected failures are returned as `Result` values; only bugs throw.
 */
export interface ProtocolMap {
  /**
   * Current derived state; also kicks a stale-while-revalidate refresh of the readings. The plain
   * Status (not a Result) keeps the popup's first answer small; only a sender that is not one of our
   * pages gets the refusal, so our pages treat it as a bug.
   */
  getStatus(): Status | Refusal;
  /** Runs the whole sign-in in the background; resolves when it ends (the popup may be gone by then). */
  signIn(): Result<Status>;
  signOut(): Result<Status>;
  /** Fetch today's readings now. */
  refreshReadings(): Result<Status>;
  getHistory(data: { days: 7 | 30 | 90 }): Result<History>;
  getIntraday(data: { date: string }): Result<Intraday>;
  updateSettings(data: SettingsPatch): Result<Settings>;
  /** Background → pages broadcast whenever Status changes. */
  statusChanged(data: Status): void;
}

/** What the background answers a message that does not come from one of our pages. */
export type Refusal = { ok: false; error: AppError };

export const { sendMessage, onMessage, removeAllListeners } = defineExtensionMessaging<ProtocolMap>();
