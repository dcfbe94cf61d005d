import { describe, expect, it } from 'vitest';
import { buildDayRecord, type DayRecord } from '../../src/cardiomood/day-record';
import { summarySchema } from '../../src/cardiomood/summary-schema';
import { valueByMinute, valuesByMinute } from '../../src/cardiomood/typical-by-time';
import { slotAt } from './cardiomood-fixtures';

const DAY = '2026-11-27';
const FETCHED = '2026-11-28';

/**
 * Steps 200 in hour 7 (07:00, 07:59 → 100 + 100) and 800 at 17:00: 1000 in all.
 * Heart rate 50 at 03:00, 90 at 07:00, 120 at 17:00.
 * Daily values: 40 active minutes, 500 kcal, 8 km.
 */
function record(fetchedOn = FETCHED, overrides: Record<string, unknown> = {}): DayRecord {
  const steps = (hhmm: string, count: number) => slotAt(DAY, hhmm, { step_count: count });
  const bpm = (hhmm: string, value: number) => slotAt(DAY, hhmm, { bpm: value });
  const summary = summarySchema.parse({
    date: DAY,
    activity: {
      total_steps: 1000,
      active_minutes: 40,
      calories: 500,
      distance: 8,
      slots: [steps('07:00', 100), steps('07:59', 100), steps('17:00', 800)],
    },
    heart_rate: { slots: [bpm('03:00', 50), bpm('07:00', 90), bpm('17:00', 120)] },
    ...overrides,
  });
  return buildDayRecord(summary, { fetchedOn });
}

describe('valueByMinute', () => {
  it.each([
    // 07:30: half of hour 7's 200 steps.
    ['steps', 450, 100],
    // 07:30: max 50 by 07:00, 90 by 08:00 → 50 + 0.5 × 40.
    ['max_hr', 450, 70],
    // 07:30: mean 50 by 07:00, (50 + 90) / 2 = 70 by 08:00 → 50 + 0.5 × 20.
    ['avg_hr', 450, 60],
    // Estimates: the full day's value × 100 / 1000 steps done by 07:30.
    ['active_minutes', 450, 4],
    ['calories', 450, 50],
    ['distance', 450, 0.8],
    // 19:00: the whole day's steps; 40 × 1000 / 1000.
    ['steps', 1140, 1000],
    ['active_minutes', 1140, 40],
    // 02:00: no heart rate yet, no steps.
    ['max_hr', 120, null],
    ['steps', 120, 0],
    ['active_minutes', 120, 0],
  ] as const)('should read %s at minute %i as %s', (metric, minute, expected) => {
    const value = valueByMinute(record(), metric, minute);
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 9);
  });

  it('should not use a day fetched while it was still running', () => {
    expect(valueByMinute(record(DAY), 'steps', 450)).toBeNull();
  });

  it('should not use a day without a profile, or estimate from a day without steps', () => {
    const noProfile = buildDayRecord(summarySchema.parse({ date: DAY, activity: { total_steps: 1000, active_minutes: 40 } }), { fetchedOn: FETCHED });
    expect(valueByMinute(noProfile, 'steps', 450)).toBeNull();
    expect(valueByMinute(noProfile, 'active_minutes', 450)).toBeNull();
    const still = record(FETCHED, { activity: { total_steps: 0, active_minutes: 3, slots: [] } });
    expect(valueByMinute(still, 'steps', 450)).toBe(0);
    expect(valueByMinute(still, 'active_minutes', 450)).toBeNull();
  });

  it('should not estimate a metric the day has no value for', () => {
    const noCalories = record(FETCHED, { activity: { total_steps: 1000, slots: [slotAt(DAY, '07:00', { step_count: 1000 })] } });
    expect(valueByMinute(noCalories, 'calories', 450)).toBeNull();
  });
});

describe('valuesByMinute', () => {
  it('should keep the order of the records and skip those that cannot tell', () => {
    expect(valuesByMinute([record(), record(DAY), record()], 'steps', 450)).toEqual([100, 100]);
  });
});
