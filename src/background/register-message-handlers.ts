import type { AuthSession } from '../auth/create-auth-session';
import { onMessage } from '../messaging/protocol';
import { err, ok, type Result } from '../shared/error-codes';
import { historyRequestSchema, intradayRequestSchema } from '../shared/readings';
import { settingsPatchSchema } from '../shared/settings';
import type { Status } from '../shared/status';
import type { ReadingsService } from './create-readings-service';
import type { StatusHub } from './create-status-hub';
import type { SettingsStore } from './settings-store';

export interface MessageHandlerDeps {
  session: Pick<AuthSession, 'signIn' | 'signOut' | 'setKeepSignedIn' | 'restoreFromDisk'>;
  readings: ReadingsService;
  /** The status, and a change to push (the handlers do not wait for it to go out). */
  hub: Pick<StatusHub, 'current'> & { changed(): unknown };
  settings: SettingsStore;
  /** Our own extension id: messages from anywhere else are refused. */
  extensionId: string;
  /** Our pages' origin with a trailing slash (`runtime.getURL('/')`): messages from other URLs are refused. */
  extensionOrigin: string;
}

/** Who sent a message, as the messaging library passes it on from runtime.onMessage. */
interface Sender {
  id?: string;
  url?: string;
}

/**
 * One listener per message type, all in the background. Returns the cleanup.
 *
 * Every message, getStatus included, must come from one of our own pages: our extension id AND a URL
 * of our origin. The id alone is not enough: a content script (we have none, but a future one, or
 * another extension's page if externally_connectable were ever opened) sends with our id from a web
 * page's URL.
 */
export function registerMessageHandlers(deps: MessageHandlerDeps): () => void {
  const { session, readings, hub, settings } = deps;
  const fromUs = (sender: Sender) => sender.id === deps.extensionId && (sender.url ?? '').startsWith(deps.extensionOrigin);
  const refused = () => err('INVALID_MESSAGE', 'message from outside this extension');

  async function statusResult(): Promise<Result<Status>> {
    return ok(await hub.current());
  }

  const cleanups = [
    onMessage('getStatus', async ({ sender }) => {
      if (!fromUs(sender)) return refused();
      const status = await hub.current();
      readings.revalidateIfStale();
      return status;
    }),
    onMessage('signIn', async ({ sender }) => {
      if (!fromUs(sender)) return refused();
      const result = await session.signIn();
      hub.changed();
      if (!result.ok) return result;
      await readings.refresh();
      return statusResult();
    }),
    onMessage('signOut', async ({ sender }) => {
      if (!fromUs(sender)) return refused();
      await session.signOut();
      hub.changed();
      return statusResult();
    }),
    onMessage('refreshReadings', async ({ sender }) => {
      if (!fromUs(sender)) return refused();
      // Failures are part of the Status (sync.error, reconnect) the page renders.
      await readings.refresh();
      return statusResult();
    }),
    onMessage('getHistory', async ({ sender, data }) => {
      const request = historyRequestSchema.safeParse(data);
      if (!fromUs(sender) || !request.success) return err('INVALID_MESSAGE', 'expected { days: 7 | 30 | 90 }');
      return readings.getHistory(request.data.days);
    }),
    onMessage('getIntraday', async ({ sender, data }) => {
      const request = intradayRequestSchema.safeParse(data);
      if (!fromUs(sender) || !request.success) return err('INVALID_MESSAGE', 'expected { date: "YYYY-MM-DD" }');
      return readings.getIntraday(request.data.date);
    }),
    onMessage('updateSettings', async ({ sender, data }) => {
      const patch = settingsPatchSchema.safeParse(data);
      if (!fromUs(sender) || !patch.success) return err('INVALID_MESSAGE', 'invalid settings');
      if (patch.data.keepSignedIn === false) {
        // Switching the option off forgets the token on disk; it must not end a session that lives there.
        const restored = await session.restoreFromDisk();
        if (!restored.ok) return restored;
      }
      const next = await settings.update(patch.data);
      // Saved settings are readable again: the stored keepSignedIn decides, whichever field changed.
      await session.setKeepSignedIn(next.keepSignedIn);
      // The popup's stored view is painted with these settings, and kept on disk only with the option on.
      await readings.settingsChanged();
      // Open popups and side panels render with the settings in Status.
      hub.changed();
      return ok(next);
    }),
  ];
  return () => cleanups.forEach((cleanup) => cleanup());
}
