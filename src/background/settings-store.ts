import { DEFAULT_SETTINGS, type Settings, type SettingsPatch } from '../shared/settings';
import { createSerialQueue } from '../shared/serial-queue';
import type { StoredItem } from '../storage/define-stored-item';

/** The member's settings as the background must use them. */
export interface SettingsState {
  settings: Settings;
  /**
   * The stored settings could not be read: `settings` are then the defaults with "Keep me signed in"
   * off. Failing safe means persisting nothing on disk; the member sees a notice until they save.
   */
  unreadable: boolean;
}

export interface SettingsStore {
  read(): Promise<SettingsState>;
  get(): Promise<Settings>;
  update(patch: SettingsPatch): Promise<Settings>;
}

export const UNREADABLE_SETTINGS: Settings = { ...DEFAULT_SETTINGS, keepSignedIn: false };

/** Member preferences in storage.local: no token and no health data ever go here. */
export function createSettingsStore(item: StoredItem<Settings>): SettingsStore {
  async function read(): Promise<SettingsState> {
    const stored = await item.read();
    if (stored.status === 'valid') return { settings: stored.value, unreadable: false };
    if (stored.status === 'absent') return { settings: DEFAULT_SETTINGS, unreadable: false };
    return { settings: UNREADABLE_SETTINGS, unreadable: true };
  }
  // Updates run one after another: two quick patches must not both start from the same old settings.
  const queue = createSerialQueue();
  return {
    read,
    get: async () => (await read()).settings,
    update(patch) {
      return queue(async () => {
        // Saving writes complete, valid settings: unreadable ones are replaced (and the notice goes).
        const next: Settings = { ...(await read()).settings, ...patch };
        await item.set(next);
        return next;
      });
    },
  };
}
