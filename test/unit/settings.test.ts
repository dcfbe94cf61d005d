import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, settingsPatchSchema } from '../../src/shared/settings';

describe('settingsPatchSchema', () => {
  it('should carry only the fields the member changed', () => {
    expect(settingsPatchSchema.parse({ units: 'imperial' })).toEqual({ units: 'imperial' });
    expect(settingsPatchSchema.parse({ hiddenTiles: ['steps'] })).toEqual({ hiddenTiles: ['steps'] });
  });

  it('should refuse unknown fields', () => {
    expect(settingsPatchSchema.safeParse({ theme: 'dark' }).success).toBe(false);
  });
});

describe('DEFAULT_SETTINGS', () => {
  it('should keep the member signed in by default', () => {
    expect(DEFAULT_SETTINGS).toEqual({ keepSignedIn: true, units: 'metric', temperature: 'celsius', hiddenTiles: [] });
  });
});
