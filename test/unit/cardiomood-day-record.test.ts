import { describe, expect, it } from 'vitest';
import {
  buildDayRecord,
  datesToFetch,
  dayRecordSchema,
  emptyDayRecord,
  isSettled,
  mergeDayRecord,
  type DayRecord,
} from '../../src/cardiomood/day-record';
import { addDays } from '../../src/shared/local-date';
import { summarySchema } from '../../src/cardiomood/summary-schema';
import { DEMO_MEMBERS } from '../../src/sandbox/demo-members';
import { generateDay } from '../../src/sandbox/generate-day';
import { rawSummary, slotAt } from './cardiomood-fixtures';

const DAY = '2026-11-28';
const parse = (raw: Record<string, unknown>) => summarySchema.parse(raw);

describe('buildDayRecord', () => {
  it('should keep every known daily value by id, generic families as <family>.<field>, and no nulls', () => {
    const summary = parse(
      rawSummary(DAY, 2, {
        spo2: { date: DAY, avg_daily_spo2: 97, slots: [{ timestamp: 1, spo2: 97 }] },
        sleep: { total_duration: 420, awake: 25, quality: null },
      }),
    );
    const record = buildDayRecord(summary, { fetchedOn: addDays(DAY, 1) });
    expect(record).toEqual({
      v: 1,
      date: DAY,
      fetchedOn: addDays(DAY, 1),
      // rawSummary(DAY, 2): steps 8000 + 200, percent 82, distance 6.2, calories 402, active 52,
      // heart rate 70 + 2, 140 + 2, 55 + 2; gait asymmetry/var and glasses are null there.
      values: {
        rest_hr: 57,
        avg_hr: 72,
        max_hr: 142,
        steps: 8200,
        active_minutes: 52,
        calories: 402,
        distance: 6.2,
        step_goal_percent: 82,
        workouts: 1,
        move_every_hour: 8,
        gait_speed: 1.2,
        'sleep.awake': 25,
        'sleep.total_duration': 420,
        'spo2.avg_daily_spo2': 97,
      },
      profile: null,
    });
    expect(dayRecordSchema.parse(record)).toEqual(record);
  });

  it('should fold slots into a profile, and give a day asked with slots but without any an empty one', () => {
    const withSlots = parse({ date: DAY, activity: { total_steps: 30, slots: [slotAt(DAY, '09:00', { step_count: 30 })] } });
    expect(buildDayRecord(withSlots, { fetchedOn: DAY }).profile?.steps?.[9]).toBe(30);

    const bare = parse({ date: DAY, sleep: { total_duration: 400 } });
    expect(buildDayRecord(bare, { fetchedOn: DAY }).profile).toBeNull();
    expect(buildDayRecord(bare, { fetchedOn: DAY, withSlots: true }).profile).toEqual({
      steps: null,
      hrMax: Array(24).fill(null),
      hrAvg: Array(24).fill(null),
      newestAt: null,
      newestMinute: null,
    });
  });

  it('should keep a full sandbox day with its profile under 1 KB', () => {
    const raw = generateDay({ member: DEMO_MEMBERS[0]!, date: '2026-11-24', timeZone: 'Europe/Berlin', cutoff: Infinity, extraFamilies: true });
    const record = buildDayRecord(summarySchema.parse(raw), { fetchedOn: DAY, timeZone: 'Europe/Berlin' });
    expect(record.profile).not.toBeNull();
    expect(JSON.stringify(record).length).toBeLessThan(1024);
  });
});

describe('dayRecordSchema', () => {
  it.each([
    ['another version', { v: 2 }],
    ['a malformed date', { date: '28.11.2026' }],
    ['a null value (absent values are left out)', { values: { steps: null } }],
    ['a short profile', { profile: { steps: [1, 2], hrMax: [], hrAvg: [], newestAt: null, newestMinute: null } }],
  ])('should refuse %s', (_case, patch) => {
    expect(dayRecordSchema.safeParse({ ...emptyDayRecord(DAY, DAY), ...patch }).success).toBe(false);
  });
});

describe('mergeDayRecord', () => {
  const profiled = (fetchedOn: string): DayRecord => ({
    ...buildDayRecord(parse({ date: DAY, activity: { total_steps: 30, slots: [slotAt(DAY, '09:00', { step_count: 30 })] } }), { fetchedOn }),
  });
  const plain = (fetchedOn: string, steps: number) => buildDayRecord(parse({ date: DAY, activity: { total_steps: steps } }), { fetchedOn });

  it('should keep the stored profile of a finished day when the newer fetch had no slots', () => {
    const merged = mergeDayRecord(profiled(addDays(DAY, 1)), plain(addDays(DAY, 2), 31));
    expect(merged).toMatchObject({ fetchedOn: addDays(DAY, 2), values: { steps: 31 } });
    expect(merged.profile?.steps?.[9]).toBe(30);
  });

  it('should drop a profile fetched while the day was still running', () => {
    expect(mergeDayRecord(profiled(DAY), plain(addDays(DAY, 1), 9000)).profile).toBeNull();
  });

  it('should take the newer profile when the newer fetch has one', () => {
    const newer = profiled(addDays(DAY, 2));
    expect(mergeDayRecord(profiled(addDays(DAY, 1)), newer)).toBe(newer);
  });
});

describe('datesToFetch', () => {
  const TODAY = '2026-11-28';
  const record = (date: string, fetchedOn: string, profile = false): DayRecord =>
    buildDayRecord(parse({ date, activity: { total_steps: 10, ...(profile ? { slots: [] } : {}) } }), { fetchedOn });

  it('should ask for missing and unsettled days; settled days and settled empty days are not asked again', () => {
    const records = [
      record('2026-11-23', TODAY),
      // 11-24 missing.
      emptyDayRecord('2026-11-25', TODAY), // nothing there, settled (fetched 3 days after)
      record('2026-11-26', TODAY), // fetched 2 days after: settled
      record('2026-11-27', TODAY), // yesterday: the watch may still sync it
      record(TODAY, TODAY),
    ];
    expect(datesToFetch(records, '2026-11-23', TODAY)).toEqual(['2026-11-24', '2026-11-27', TODAY]);
  });

  it('should ask again, with slots, for days with data but no profile', () => {
    const records = [record('2026-11-20', TODAY, true), record('2026-11-21', TODAY), emptyDayRecord('2026-11-22', TODAY)];
    expect(datesToFetch(records, '2026-11-20', '2026-11-22', { needProfile: true })).toEqual(['2026-11-21']);
  });
});

describe('isSettled', () => {
  it.each([
    [0, false],
    [1, false],
    [2, true],
    [30, true],
  ])('should be settled %i days after the day: %s', (days, settled) => {
    expect(isSettled(emptyDayRecord(DAY, addDays(DAY, days)))).toBe(settled);
  });
});
