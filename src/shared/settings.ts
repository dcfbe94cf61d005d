import { z } from 'zod';

/** The settings' fields without defaults: a patch must carry only what the member changed. */
const settingsFields = {
  /** Persist only the refresh token in storage.local so a browser restart keeps the member signed in. */
  keepSignedIn: z.boolean(),
  units: z.enum(['metric', 'imperial']),
  temperature: z.enum(['celsius', 'fahrenheit']),
  /** Tile ids the member chose to hide. */
  hiddenTiles: z.array(z.string()),
};

/** Member preferences, kept in storage.local (no health data, no tokens). */
export const settingsSchema = z.object({
  keepSignedIn: settingsFields.keepSignedIn.default(true),
  units: settingsFields.units.default('metric'),
  temperature: settingsFields.temperature.default('celsius'),
  hiddenTiles: settingsFields.hiddenTiles.default([]),
});
export type Settings = z.infer<typeof settingsSchema>;
export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});
/**
 * Built from the plain fields, not `settingsSchema.partial()`: in zod 4 `.partial()` still applies each
 * `.default()`, so a one-field patch would reset every other setting (and re-persist the refresh token).
 */
export const settingsPatchSchema = z.object(settingsFields).partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
