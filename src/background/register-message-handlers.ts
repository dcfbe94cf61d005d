import type { AuthSession } from '../auth/create-auth-session';
import { onMessage } from '../messaging/protocol';
import { err, ok, type Result } from '../shared/error-codes';
import { historyRequestSchema, intradayRequestSchema } from '../shared/readings';
import { settingsPatchSchema } from '../shared/settings';
import type { Status } from '../shared/status';
import type { ReadingsService } from './create-readings-service';
import type { StatusHub } from './create-status-hub';
import type { ReadingsStore } from './readings-store';
import type { SettingsStore } from './settings-store';

export interface MessageHandlerDeps {
  session: AuthSession;
  readings: ReadingsService;
  hub: StatusHub;
  store: ReadingsStore;
  settings: SettingsStore;
  /** Our own extension id: messages from anywhere else are refused. */
  extensionId: string;
}

/** One listener per message type, all in the background. Returns the cleanup. */
export function registerMessageHandlers(deps: MessageHandlerDeps): () => void {
  const { session, readings, hub, store, settings } = deps;
  const fromUs = (sender: { id?: string }) => sender.id === deps.extensionId;
  const refused = () => err('INVALID_MESSAGE', 'message from outside this extension');

  async function statusResult(): Promise<Result<Status>> {
    return ok(await hub.current());
  }

  const cleanups = [
    onMessage('getStatus', async ({ sender }) => {
      const status = await hub.current();
      if (fromUs(sender)) readings.revalidateIfStale();
      return status;
    }),
    onMessage('signIn', async ({ sender }) => {
      if (!fromUs(sender)) return refused();
      await store.writeAuthNote({ error: null, reconnectRequired: false });
      const result = await session.signIn();
      if (!result.ok) {
        await store.writeAuthNote({ error: result.error, reconnectRequired: false });
        hub.changed();
        return err(result.error.code, result.error.message);
      }
      hub.changed();
      await readings.refresh();
      return statusResult();
    }),
    onMessage('signOut', async ({ sender }) => {
      if (!fromUs(sender)) return refused();
      await readings.clear();
      await store.writeAuthNote({ error: null, reconnectRequired: false });
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
      const next = await settings.update(patch.data);
      if (patch.data.keepSignedIn !== undefined) await session.setKeepSignedIn(patch.data.keepSignedIn);
      // Open popups and side panels render with the settings in Status.
      hub.changed();
      return ok(next);
    }),
  ];
  return () => cleanups.forEach((cleanup) => cleanup());
}
