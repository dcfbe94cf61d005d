import { describe, expect, it } from 'vitest';
import { summarySchema, toEpochMs } from '../../src/cardiomood/summary-schema';
import { rawSummary } from './cardiomood-fixtures';

describe('summarySchema', () => {
  it('should keep a day whose fields are null, missing or malformed', () => {
    const parsed = summarySchema.parse(
      rawSummary('2026-11-28', 0, {
        activity: { date: '2026-11-28', total_steps: 'lots', distance: null },
        heart_rate: { date: '2026-11-28', rest_daily_heart_rate: null },
      }),
    );
    expect(parsed.activity?.total_steps).toBeNull();
    expect(parsed.activity?.distance).toBeNull();
    expect(parsed.activity?.calories).toBeNull();
    expect(parsed.heart_rate?.rest_daily_heart_rate).toBeNull();
  });

  it('should accept a day without sub-objects, and a malformed sub-object as missing', () => {
    expect(summarySchema.parse({ date: '2026-11-28' }).heart_rate).toBeUndefined();
    expect(summarySchema.parse({ date: '2026-11-28', heart_rate: 'broken' }).heart_rate).toBeUndefined();
  });

  it('should use the legacy heat_rate keys as fallbacks', () => {
    const parsed = summarySchema.parse({ date: '2026-11-28', heart_rate: { avg_daily_heat_rate: 66, max_daily_heart_rate: 150 } });
    expect(parsed.heart_rate?.avg_daily_heart_rate).toBe(66);
    expect(parsed.heart_rate?.max_daily_heart_rate).toBe(150);
  });

  it('should keep sub-objects the contract does not list', () => {
    const parsed = summarySchema.parse({ date: '2026-11-28', spo2: { avg_daily_spo2: 97 } });
    expect(parsed).toMatchObject({ spo2: { avg_daily_spo2: 97 } });
  });

  it('should normalise slot timestamps in seconds to ms and drop malformed slots', () => {
    const parsed = summarySchema.parse({
      date: '2026-11-28',
      heart_rate: {
        slots: [
          { timestamp: 1_764_320_000, date: '09:00', bpm: 70 },
          { timestamp: 1_764_320_300_000, date: '09:05', bpm: 72 },
          { timestamp: 'x', bpm: 1 },
        ],
      },
    });
    expect(parsed.heart_rate?.slots?.map((s) => s.timestamp)).toEqual([1_764_320_000_000, 1_764_320_300_000]);
  });

  it('should reject a day without a valid date', () => {
    expect(summarySchema.safeParse({ date: '28.11.2026' }).success).toBe(false);
  });
});

describe('toEpochMs', () => {
  it.each([
    [1_700_000_000, 1_700_000_000_000],
    [1_700_000_000_000, 1_700_000_000_000],
  ])('should turn %i into %i', (input, output) => {
    expect(toEpochMs(input)).toBe(output);
  });
});
