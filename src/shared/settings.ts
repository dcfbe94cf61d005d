import { z } from 'zod';

/** Member preferences, kept in storage.local (no health data, no tokens). */
export const settingsSchema = z.object({
  /** Persist only the refresh token in storage.local so a browser restart keeps the member signed in. */
  keepSignedIn: z.boolean(),
  units: z.enum(['metric', 'imperial']),
  temperature: z.enum(['celsius', 'fahrenheit']),
  /** Tile ids the member chose to hide. */
  hiddenTiles: z.array(z.string()),
});
export type Settings = z.infer<typeof settingsSchema>;

/**
 * What a member who never saved a setting gets. Every field of stored settings is required: a stored
 * object that lacks one is damaged, not an invitation to fill in a default (which for keepSignedIn
 * would switch persistence back on). Defaults are applied once, by the storage migration from 0.1.0.
 */
export const DEFAULT_SETTINGS: Settings = { keepSignedIn: true, units: 'metric', temperature: 'celsius', hiddenTiles: [] };

/** A patch carries only what the member changed. */
export const settingsPatchSchema = settingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
