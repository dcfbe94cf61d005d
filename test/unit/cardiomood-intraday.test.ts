import { describe, expect, it } from 'vitest';
import { buildIntraday } from '../../src/cardiomood/build-intraday';
import { summarySchema } from '../../src/cardiomood/summary-schema';
import { intradaySchema } from '../../src/shared/readings';

const DAY = '2026-11-28';
const T0 = Date.parse('2026-11-28T08:00:00Z');
const minutes = (n: number) => T0 + n * 60_000;
/** `n` slots every `step` minutes from 08:00, `value(i)` each; timestamps in ms, or seconds when asked. */
const slots = <K extends string>(key: K, n: number, step: number, value: (i: number) => number, unit: 'ms' | 's' = 'ms') =>
  Array.from({ length: n }, (_, i) => ({
    timestamp: unit === 'ms' ? minutes(i * step) : minutes(i * step) / 1000,
    date: `08:${String(i * step).padStart(2, '0')}`,
    [key]: value(i),
  }));
const day = (raw: Record<string, unknown>) => summarySchema.parse({ date: DAY, ...raw });

describe('buildIntraday', () => {
  it('should take heart-rate slots and one-minute step slots, in ms, sorted by time', () => {
    const summary = day({
      heart_rate: { slots: slots('bpm', 3, 5, (i) => 70 + i).reverse() },
      activity: { slots: slots('step_count', 4, 1, (i) => i * 10), slots_five_minutes: slots('step_count', 1, 5, () => 999) },
    });
    const intraday = buildIntraday(summary, DAY);
    expect(intradaySchema.safeParse(intraday).success).toBe(true);
    expect(intraday).toEqual({
      date: DAY,
      heartRate: [
        { t: minutes(0), bpm: 70 },
        { t: minutes(5), bpm: 71 },
        { t: minutes(10), bpm: 72 },
      ],
      steps: [0, 1, 2, 3].map((i) => ({ t: minutes(i), steps: i * 10 })),
    });
  });

  it('should convert slot timestamps sent in seconds to ms', () => {
    const summary = day({ heart_rate: { slots: slots('bpm', 2, 5, () => 60, 's') } });
    expect(buildIntraday(summary, DAY).heartRate.map((p) => p.t)).toEqual([minutes(0), minutes(5)]);
  });

  it.each([
    ['missing', undefined],
    ['empty', []],
  ])('should fall back to five-minute steps when one-minute slots are %s', (_n, oneMinute) => {
    const summary = day({ activity: { slots: oneMinute, slots_five_minutes: slots('step_count', 2, 5, (i) => 400 + i) } });
    expect(buildIntraday(summary, DAY).steps).toEqual([
      { t: minutes(0), steps: 400 },
      { t: minutes(5), steps: 401 },
    ]);
  });

  it('should keep one point per timestamp (the last one) when a slot repeats', () => {
    const summary = day({ heart_rate: { slots: [...slots('bpm', 2, 5, () => 60), { timestamp: minutes(0), bpm: 99 }] } });
    expect(buildIntraday(summary, DAY).heartRate).toEqual([
      { t: minutes(0), bpm: 99 },
      { t: minutes(5), bpm: 60 },
    ]);
  });

  it('should leave out slots without a reading (0 bpm) but keep quiet minutes (0 steps)', () => {
    const summary = day({
      heart_rate: { slots: slots('bpm', 3, 5, (i) => (i === 1 ? 0 : 65)) },
      activity: { slots: slots('step_count', 2, 1, () => 0) },
    });
    const intraday = buildIntraday(summary, DAY);
    expect(intraday.heartRate.map((p) => p.t)).toEqual([minutes(0), minutes(10)]);
    expect(intraday.steps).toHaveLength(2);
  });

  it('should be empty without a summary, without slots, or without the sub-objects', () => {
    const empty = { date: DAY, heartRate: [], steps: [] };
    expect(buildIntraday(undefined, DAY)).toEqual(empty);
    expect(buildIntraday(day({}), DAY)).toEqual(empty);
    expect(buildIntraday(day({ activity: { total_steps: 9 }, heart_rate: { avg_daily_heart_rate: 60 } }), DAY)).toEqual(empty);
  });
});
