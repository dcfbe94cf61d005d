import type { StorageArea } from '../auth/auth-storage';
import { DEFAULT_SETTINGS, settingsSchema, type Settings, type SettingsPatch } from '../shared/settings';

export const SETTINGS_KEY = 'settings';

export interface SettingsStore {
  get(): Promise<Settings>;
  update(patch: SettingsPatch): Promise<Settings>;
}

/** Member preferences in storage.local: no token and no health data ever go here. */
export function createSettingsStore(local: StorageArea): SettingsStore {
  async function get(): Promise<Settings> {
    const stored = (await local.get(SETTINGS_KEY))[SETTINGS_KEY];
    if (stored === undefined) return DEFAULT_SETTINGS;
    const parsed = settingsSchema.safeParse(stored);
    if (!parsed.success) {
      console.warn('Ignoring invalid stored settings; using defaults until the member saves them again');
      return DEFAULT_SETTINGS;
    }
    return parsed.data;
  }
  // Updates run one after another: two quick patches must not both start from the same old settings.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    get,
    update(patch) {
      const run = queue.then(async () => {
        const next = settingsSchema.parse({ ...(await get()), ...patch });
        await local.set({ [SETTINGS_KEY]: next });
        return next;
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
