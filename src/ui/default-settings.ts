import type { Settings } from '../shared/settings';

/**
 * What a page shows with until `getSettings` answers. Mirrors DEFAULT_SETTINGS in
 * src/shared/settings.ts, which the UI cannot import at runtime (it would pull zod in); a unit test
 * keeps the two equal.
 */
export const UI_DEFAULT_SETTINGS: Settings = {
  keepSignedIn: true,
  units: 'metric',
  temperature: 'celsius',
  hiddenTiles: [],
};
