import { describe, expect, it } from 'vitest';
import { readSleep } from '../../src/cardiomood/read-sleep';

const sleep = (fields: Record<string, number>) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [`sleep.${k}`, v]));

describe('readSleep', () => {
  it.each([
    // The sandbox's invented names: 90 + 230 + 100 = 420 = total_duration.
    ['the sandbox', { total_duration: 420, awake: 25, rem: 90, light: 230, deep: 100 }, [420, 25, 90, 230, 100]],
    // The Android SDK's camelCase names: 100 + 250 + 100 = 450.
    ['the Android SDK', { sleepDuration: 450, awakeTime: 30, remTime: 100, lightTime: 250, deepTime: 100 }, [450, 30, 100, 250, 100]],
  ])("should read %s's field names, the total being time asleep", (_source, fields, [asleep, awake, rem, light, deep]) => {
    expect(readSleep(sleep(fields))).toEqual({ asleep, awake, rem, light, deep });
  });

  it('should take a total that equals stages + awake as time in bed, and the stages as time asleep', () => {
    // Stages 100 + 240 + 100 = 440; 440 + 40 awake = 480 = total → asleep 440.
    expect(readSleep(sleep({ total_duration: 480, awake: 40, rem: 100, light: 240, deep: 100 }))).toMatchObject({ asleep: 440, awake: 40 });
  });

  it('should accept stages that miss the total by rounding (within 5 min or 3 %)', () => {
    // 3 % of 420 = 12.6: 410 is 10 short.
    expect(readSleep(sleep({ total_duration: 420, rem: 90, light: 220, deep: 100 }))).toMatchObject({ asleep: 420 });
  });

  it('should show the total alone when the stages are not all there', () => {
    expect(readSleep(sleep({ total_duration: 400, awake: 20, deep: 80 }))).toEqual({ asleep: 400, awake: null, rem: null, light: null, deep: null });
  });

  it('should add up the stages when there is no total', () => {
    // 90 + 200 + 80.
    expect(readSleep(sleep({ rem: 90, light: 200, deep: 80 }))).toMatchObject({ asleep: 370 });
  });

  it.each([
    ['unfamiliar field names', { score: 80, efficiency: 92, sleep_need: 480 }],
    ['a total in seconds under a name we do not know', { total_duration_seconds: 25_200 }],
    ['a total beyond a day (seconds?)', { total_duration: 25_200 }],
    ['a total that looks like hours', { total_duration: 7.5 }],
    ['stages contradicting the total', { total_duration: 420, awake: 0, rem: 200, light: 300, deep: 100 }],
    ['a stage longer than the night', { total_duration: 300, deep: 400 }],
    ['a negative stage', { total_duration: 420, rem: -10, light: 330, deep: 100 }],
    ['asleep plus awake beyond a day', { total_duration: 1400, awake: 100 }],
    ['no sleep at all', { total_duration: 0 }],
  ])('should leave sleep out for %s', (_case, fields) => {
    expect(readSleep(sleep(fields))).toBeNull();
  });

  it('should read only the sleep family', () => {
    expect(readSleep({ 'spo2.total_duration': 420, total_duration: 420, steps: 420 })).toBeNull();
  });
});
