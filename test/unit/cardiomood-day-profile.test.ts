import { describe, expect, it } from 'vitest';
import { buildDayProfile, createSlotMinute, dayProfileSchema, profileAt } from '../../src/cardiomood/day-profile';
import { summarySchema } from '../../src/cardiomood/summary-schema';
import { DEMO_MEMBERS } from '../../src/sandbox/demo-members';
import { generateDay } from '../../src/sandbox/generate-day';
import { at, slotAt } from './cardiomood-fixtures';

const DAY = '2026-11-28';
const day = (raw: Record<string, unknown>) => summarySchema.parse({ date: DAY, ...raw });
const steps = (...slots: [string, number][]) => slots.map(([hhmm, count]) => slotAt(DAY, hhmm, { step_count: count }));
const bpm = (...slots: [string, number][]) => slots.map(([hhmm, value]) => slotAt(DAY, hhmm, { bpm: value }));
const repeat = <T>(value: T, times: number): T[] => Array<T>(times).fill(value);

/**
 * Steps: 06:10 100 + 06:11 50 (hour 6: 150), 07:05 200 + 07:59 40 (hour 7: 240), 12:30 1000 (hour 12).
 * Heart rate every 5 min or more: 00:00 55, 00:05 57, 07:00 80, 07:10 100, 12:30 70.
 */
const SAMPLE = day({
  activity: { slots: steps(['06:10', 100], ['06:11', 50], ['07:05', 200], ['07:59', 40], ['12:30', 1000]) },
  heart_rate: { slots: bpm(['00:00', 55], ['00:05', 57], ['07:00', 80], ['07:10', 100], ['12:30', 70]) },
});

describe('buildDayProfile', () => {
  it('should fold the slots into cumulative steps, running max and running mean heart rate per local hour', () => {
    const profile = buildDayProfile(SAMPLE)!;
    expect(dayProfileSchema.parse(profile)).toEqual(profile);
    // Cumulative: 0 until hour 5, 150 after hour 6, 150 + 240 = 390 after hour 7, 390 + 1000 = 1390 from hour 12.
    expect(profile.steps).toEqual([...repeat(0, 6), 150, ...repeat(390, 5), ...repeat(1390, 12)]);
    // Max: 57 from hour 0, 100 from hour 7.
    expect(profile.hrMax).toEqual([...repeat(57, 7), ...repeat(100, 17)]);
    // Mean: (55 + 57) / 2 = 56; by hour 7 (112 + 80 + 100) / 4 = 73; by hour 12 (292 + 70) / 5 = 72.4.
    expect(profile.hrAvg).toEqual([...repeat(56, 7), ...repeat(73, 5), ...repeat(72.4, 12)]);
  });

  it('should end the newest data with the newest slot: a 5-minute heart-rate slot at 12:30 ends 12:35', () => {
    // Steps 12:30 (1 min) end 12:31; heart rate 12:30 (slots 5 min apart at the closest) ends 12:35.
    expect(buildDayProfile(SAMPLE)).toMatchObject({ newestAt: at(DAY, '12:35'), newestMinute: 12 * 60 + 35 });
  });

  it('should take the five-minute step slots when the one-minute ones are empty', () => {
    const profile = buildDayProfile(day({ activity: { slots: [], slots_five_minutes: steps(['06:05', 300]) } }))!;
    expect(profile.steps?.slice(5, 8)).toEqual([0, 300, 300]);
    // 06:05 + 5 min.
    expect(profile).toMatchObject({ newestAt: at(DAY, '06:10'), newestMinute: 370 });
    expect(profile.hrMax).toEqual(repeat(null, 24));
  });

  it('should give zero steps all day for an empty step array, and no steps at all without one', () => {
    expect(buildDayProfile(day({ activity: { slots: [] } }))).toMatchObject({ steps: repeat(0, 24), newestAt: null, newestMinute: null });
    expect(buildDayProfile(day({ heart_rate: { slots: bpm(['09:00', 60]) } }))).toMatchObject({
      steps: null,
      // A single heart-rate slot: the contract's 5 minutes (docs/cardiomood-api.md §8).
      newestMinute: 9 * 60 + 5,
    });
  });

  it('should be null for a summary fetched without slots', () => {
    expect(buildDayProfile(day({ activity: { total_steps: 5000 }, heart_rate: { avg_daily_heart_rate: 70 } }))).toBeNull();
  });

  it('should count a repeated slot once', () => {
    const profile = buildDayProfile(day({ activity: { slots: steps(['08:00', 10], ['08:00', 10], ['08:01', 5]) } }))!;
    expect(profile.steps?.[8]).toBe(15);
  });

  it('should place a slot by its local label, not by its UTC timestamp', () => {
    // Berlin in winter is UTC+1: the label 07:30 goes with 06:30 UTC.
    const slot = { timestamp: Date.parse('2026-11-28T06:30:00Z'), date: '07:30', step_count: 10 };
    const profile = buildDayProfile(day({ activity: { slots: [slot] } }), 'UTC')!;
    expect(profile.steps?.[6]).toBe(0);
    expect(profile.steps?.[7]).toBe(10);
    expect(profile.newestMinute).toBe(7 * 60 + 31);
    expect(profile.newestAt).toBe(Date.parse('2026-11-28T06:31:00Z'));
  });

  it.each([
    ['Europe/Berlin', 7],
    ['UTC', 6],
  ])('should fall back to the timestamp in %s (hour %i) when the label is missing or malformed', (timeZone, hour) => {
    const noLabel = { timestamp: Date.parse('2026-11-28T06:30:00Z'), step_count: 10 };
    const badLabel = { ...noLabel, timestamp: noLabel.timestamp + 60_000, date: '7h31' };
    const profile = buildDayProfile(day({ activity: { slots: [noLabel, badLabel] } }), timeZone)!;
    expect(profile.steps?.[hour]).toBe(20);
    expect(profile.steps?.[hour - 1]).toBe(0);
  });

  it('should put both 02:30s of the autumn DST change in hour 2 and leave nothing after hour 23', () => {
    // Berlin 2026-10-25: 02:30 CEST = 00:30 UTC, 02:30 CET = 01:30 UTC.
    const slots = [
      { timestamp: Date.parse('2026-10-25T00:30:00Z'), date: '02:30', step_count: 10 },
      { timestamp: Date.parse('2026-10-25T01:30:00Z'), date: '02:30', step_count: 20 },
      { timestamp: Date.parse('2026-10-25T22:59:00Z'), date: '23:59', step_count: 5 },
    ];
    const profile = buildDayProfile(summarySchema.parse({ date: '2026-10-25', activity: { slots } }))!;
    expect(profile.steps?.slice(1, 4)).toEqual([0, 30, 30]);
    expect(profile.steps?.[23]).toBe(35);
    // 23:59 + 1 min = 24:00, the end of the day.
    expect(profile.newestMinute).toBe(1440);
  });

  it('should stay a few hundred bytes for a full sandbox day of ~40 KB with slots', () => {
    const raw = generateDay({ member: DEMO_MEMBERS[0]!, date: '2026-11-24', timeZone: 'Europe/Berlin', cutoff: Infinity, extraFamilies: true });
    const summary = summarySchema.parse(raw);
    // Measured: 148 one-minute, 67 five-minute and 258 heart-rate slots, 42,896 bytes → a 385-byte profile.
    expect(JSON.stringify(raw).length).toBeGreaterThan(30_000);
    const profile = buildDayProfile(summary, 'Europe/Berlin')!;
    // The day's totals survive the folding.
    expect(profile.steps?.[23]).toBe(summary.activity?.total_steps);
    expect(profile.hrMax[23]).toBe(summary.heart_rate?.max_daily_heart_rate);
    // The sandbox rounds its mean to a whole bpm, the profile to a tenth.
    expect(Math.abs(profile.hrAvg[23]! - summary.heart_rate!.avg_daily_heart_rate!)).toBeLessThanOrEqual(0.5);
    expect(JSON.stringify(profile).length).toBeLessThan(600);
  });
});

describe('profileAt', () => {
  const profile = buildDayProfile(SAMPLE)!;

  it.each([
    // minute, steps, max, mean: hand-computed from SAMPLE.
    // 07:30: half of hour 7: 150 + 0.5 × 240 = 270; max 57 + 0.5 × (100 − 57) = 78.5; mean 56 + 0.5 × (73 − 56) = 64.5.
    [450, 270, 78.5, 64.5],
    // 07:00 exactly: by the end of hour 6.
    [420, 150, 57, 56],
    // 00:30: no heart rate before 00:00, so hour 0's own value.
    [30, 0, 57, 56],
    // 12:15: 390 + 0.25 × 1000 = 640; max 100 → 100; mean 73 + 0.25 × (72.4 − 73) = 72.85.
    [735, 640, 100, 72.85],
    // The end of the day.
    [1440, 1390, 100, 72.4],
  ])('should read minute %i as %d steps, max %d, mean %d', (minute, stepsThen, max, mean) => {
    expect(profileAt(profile.steps!, minute, 0)).toBeCloseTo(stepsThen, 9);
    expect(profileAt(profile.hrMax, minute, null)).toBeCloseTo(max, 9);
    expect(profileAt(profile.hrAvg, minute, null)).toBeCloseTo(mean, 9);
  });

  it('should have no heart rate at 00:00 and none in hours before the first slot', () => {
    expect(profileAt(profile.hrMax, 0, null)).toBeNull();
    const late = buildDayProfile(day({ heart_rate: { slots: bpm(['09:00', 60]) } }))!;
    expect(profileAt(late.hrMax, 8 * 60 + 30, null)).toBeNull();
  });
});

describe('createSlotMinute', () => {
  it.each([
    ['7:05', 425],
    ['00:00', 0],
    ['23:59', 1439],
  ])('should read the label %s as minute %i', (label, minute) => {
    expect(createSlotMinute('UTC')({ timestamp: 0, date: label })).toBe(minute);
  });

  it.each(['24:00', '12:60', '', 'noon'])('should ignore the malformed label %j and use the timestamp', (label) => {
    expect(createSlotMinute('UTC')({ timestamp: at(DAY, '13:14'), date: label })).toBe(13 * 60 + 14);
  });
});
