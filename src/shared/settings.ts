import { z } from 'zod';

/** Member preferences, kept in storage.local (no health data, no tokens). */
export const settingsSchema = z.object({
  /** Persist only the refresh token in storage.local so a browser restart keeps the member signed in. */
  keepSignedIn: z.boolean().default(true),
  units: z.enum(['metric', 'imperial']).default('metric'),
  temperature: z.enum(['celsius', 'fahrenheit']).default('celsius'),
  /** Tile ids the member chose to hide. */
  hiddenTiles: z.array(z.string()).default([]),
});
export type Settings = z.infer<typeof settingsSchema>;
export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});
export const settingsPatchSchema = settingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
