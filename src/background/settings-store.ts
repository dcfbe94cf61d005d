import { DEFAULT_SETTINGS, type Settings, type SettingsPatch } from '../shared/settings';
import type { StoredItem } from '../storage/define-stored-item';

export interface SettingsStore {
  get(): Promise<Settings>;
  update(patch: SettingsPatch): Promise<Settings>;
}

/** Member preferences in storage.local: no token and no health data ever go here. */
export function createSettingsStore(item: StoredItem<Settings>): SettingsStore {
  async function get(): Promise<Settings> {
    return (await item.get()) ?? DEFAULT_SETTINGS;
  }
  // Updates run one after another: two quick patches must not both start from the same old settings.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    get,
    update(patch) {
      const run = queue.then(async () => {
        const next: Settings = { ...(await get()), ...patch };
        await item.set(next);
        return next;
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
