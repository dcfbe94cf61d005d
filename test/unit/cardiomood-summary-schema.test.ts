import { describe, expect, it } from 'vitest';
import { pageInfoOf, summariesPageSchema, summarySchema, toEpochMs, type Summary } from '../../src/cardiomood/summary-schema';
import { rawSummary } from './cardiomood-fixtures';

const DAY = '2026-11-28';
const parse = (raw: unknown) => summarySchema.parse(raw);
const activity = (fields: Record<string, unknown>) => parse({ date: DAY, activity: { date: DAY, ...fields } }).activity!;
const heartRate = (fields: Record<string, unknown>) =>
  parse({ date: DAY, heart_rate: { date: DAY, ...fields } }).heart_rate! as NonNullable<Summary['heart_rate']> & Record<string, unknown>;

describe('summarySchema', () => {
  it('should read every documented field of a complete day', () => {
    const day = parse(rawSummary(DAY, 3));
    expect(day.activity).toMatchObject({ total_steps: 8300, daily_percent: 83, distance: 6.3, calories: 403, active_minutes: 53 });
    expect(day.heart_rate).toMatchObject({ avg_daily_heart_rate: 73, max_daily_heart_rate: 143, rest_daily_heart_rate: 55 });
  });

  it('should keep a day whose fields are null, missing or malformed, each such field reading null', () => {
    const day = parse(
      rawSummary(DAY, 0, {
        activity: { date: DAY, total_steps: 'lots', distance: null, daily_percent: true },
        heart_rate: { date: DAY, rest_daily_heart_rate: null, avg_daily_heart_rate: { bpm: 60 } },
      }),
    );
    expect(day.activity).toMatchObject({ total_steps: null, distance: null, daily_percent: null, calories: null });
    expect(day.heart_rate).toMatchObject({ rest_daily_heart_rate: null, avg_daily_heart_rate: null, max_daily_heart_rate: null });
  });

  it.each([
    ['total_steps', -5, null],
    ['total_steps', '8421', 8421],
    ['total_steps', ' 12 ', 12],
    ['total_steps', '0x1A', null],
    ['total_steps', Number.NaN, null],
    ['distance', '6.1', 6.1],
    ['distance', -0.5, null],
    ['calories', 0, 0],
    ['daily_percent', 130, 130],
    ['avg_gait_asymmetry', -0.02, -0.02],
    ['avg_gait_speed', -1, null],
    ['total_glasses', -1, null],
  ])('should read activity.%s = %j as %j', (field, value, expected) => {
    expect(activity({ [field]: value })[field]).toBe(expected);
  });

  it.each([
    ['rest_daily_heart_rate', 0, null],
    ['rest_daily_heart_rate', -1, null],
    ['rest_daily_heart_rate', 256, null],
    ['rest_daily_heart_rate', 255, 255],
    ['avg_daily_heart_rate', '71', 71],
    ['max_daily_heart_rate', 142, 142],
  ])('should read heart_rate.%s = %j as %j', (field, value, expected) => {
    expect(heartRate({ [field]: value })[field]).toBe(expected);
  });

  it.each([
    ['missing', {}],
    ['null', { heart_rate: null }],
    ['an empty PHP array', { heart_rate: [] }],
    ['a string', { heart_rate: 'broken' }],
  ])('should read a heart_rate sub-object that is %s as absent and keep the day', (_n, extra) => {
    const day = parse({ date: DAY, activity: { total_steps: 10 }, ...extra });
    expect(day.heart_rate).toBeUndefined();
    expect(day.activity?.total_steps).toBe(10);
  });

  it.each(['avg', 'max', 'rest'])('should fall back to the legacy %s_daily_heat_rate key and drop it from the output', (kind) => {
    const hr = heartRate({ [`${kind}_daily_heat_rate`]: 66 });
    expect(hr[`${kind}_daily_heart_rate`]).toBe(66);
    expect(`${kind}_daily_heat_rate` in hr).toBe(false);
  });

  it('should prefer the correctly spelled key over the legacy one when both have values', () => {
    expect(heartRate({ avg_daily_heart_rate: 70, avg_daily_heat_rate: 66 }).avg_daily_heart_rate).toBe(70);
  });

  it('should use the legacy key when the correctly spelled one is present but null', () => {
    expect(heartRate({ rest_daily_heart_rate: null, rest_daily_heat_rate: 52 }).rest_daily_heart_rate).toBe(52);
  });

  it('should keep sub-objects the contract does not list, as they came', () => {
    const extra = {
      sleep: { date: DAY, total_duration: 431, deep: 80, slots: [{ timestamp: 1, sleep_state: 2 }] },
      spo2: { avg_daily_spo2: 97 },
      stress: { avg_daily_stress: 31 },
      respiration_rate: { avg_daily_respiration_rate: 14.5 },
      temperature: { avg_daily_temperature: 36.4 },
      hydration: { litres: 1.5 },
    };
    expect(parse({ date: DAY, ...extra })).toEqual({ date: DAY, ...extra });
  });

  it('should keep unknown fields inside the documented sub-objects', () => {
    expect(activity({ floors: 3 }).floors).toBe(3);
  });

  it('should normalise slot timestamps in seconds to ms and keep ms as they are', () => {
    const hr = heartRate({
      slots: [
        { timestamp: 1_764_320_000, date: '09:00', bpm: 70 },
        { timestamp: 1_764_320_300_000, date: '09:05', bpm: 72 },
        { timestamp: '1764320600', bpm: 74 },
      ],
    });
    expect(hr.slots).toEqual([
      { timestamp: 1_764_320_000_000, date: '09:00', bpm: 70 },
      { timestamp: 1_764_320_300_000, date: '09:05', bpm: 72 },
      { timestamp: 1_764_320_600_000, bpm: 74 },
    ]);
  });

  it.each([
    ['a timestamp that is not a number', { timestamp: 'x', bpm: 70 }],
    ['no timestamp', { bpm: 70 }],
    ['a zero timestamp', { timestamp: 0, bpm: 70 }],
    ['0 bpm (not worn)', { timestamp: 1_764_320_000_000, bpm: 0 }],
    ['null bpm', { timestamp: 1_764_320_000_000, bpm: null }],
    ['not an object', 42],
  ])('should drop a heart-rate slot with %s and keep the others', (_n, bad) => {
    const hr = heartRate({ slots: [bad, { timestamp: 1_764_320_000_000, bpm: 70 }] });
    expect(hr.slots).toEqual([{ timestamp: 1_764_320_000_000, bpm: 70 }]);
  });

  it('should keep step slots with 0 steps and drop those with negative or missing counts', () => {
    const a = activity({
      slots: [
        { timestamp: 1_764_320_000_000, step_count: 0 },
        { timestamp: 1_764_320_060_000, step_count: -4 },
        { timestamp: 1_764_320_120_000 },
      ],
      slots_five_minutes: [{ timestamp: 1_764_320_000, step_count: 431 }],
    });
    expect(a.slots).toEqual([{ timestamp: 1_764_320_000_000, step_count: 0 }]);
    expect(a.slots_five_minutes).toEqual([{ timestamp: 1_764_320_000_000, step_count: 431 }]);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['an object', { 0: {} }],
  ])('should read slots that are %s as no slots', (_n, slots) => {
    expect(activity({ total_steps: 5, slots }).slots).toBeUndefined();
  });

  it.each([
    ['missing', {}],
    ['in another format', { date: '28.11.2026' }],
    ['not a calendar day', { date: '2026-02-30' }],
    ['a timestamp', { date: '2026-11-28T00:00:00Z' }],
    ['a number', { date: 20261128 }],
  ])('should reject a day whose date is %s', (_n, raw) => {
    expect(summarySchema.safeParse({ ...raw, activity: { total_steps: 1 } }).success).toBe(false);
  });
});

describe('toEpochMs', () => {
  it.each([
    [1_700_000_000, 1_700_000_000_000],
    [999_999_999_999, 999_999_999_999_000],
    [1_000_000_000_000, 1_000_000_000_000],
    [1_700_000_000_000, 1_700_000_000_000],
  ])('should turn %i into %i', (input, output) => {
    expect(toEpochMs(input)).toBe(output);
  });
});

describe('summariesPageSchema', () => {
  it('should need nothing but data', () => {
    expect(summariesPageSchema.safeParse({ data: [] }).success).toBe(true);
    expect(summariesPageSchema.safeParse({ current_page: 1 }).success).toBe(false);
    expect(summariesPageSchema.safeParse({ data: {} }).success).toBe(false);
  });

  it('should tolerate odd pagination values as "not said"', () => {
    const page = summariesPageSchema.parse({ data: [], current_page: '2', last_page: null, per_page: 0, total: 'many', next_page_url: 5 });
    expect(pageInfoOf(page)).toEqual({ currentPage: 2 });
  });
});

describe('pageInfoOf', () => {
  it('should read the flat paginator (whose links is an array)', () => {
    const page = summariesPageSchema.parse({
      data: [],
      current_page: 1,
      last_page: 2,
      per_page: 10,
      total: 12,
      next_page_url: 'https://api.test/user-summaries?page=2',
      links: [{ url: null, label: 'Previous', active: false }],
    });
    expect(pageInfoOf(page)).toEqual({
      currentPage: 1,
      lastPage: 2,
      perPage: 10,
      total: 12,
      nextPageUrl: 'https://api.test/user-summaries?page=2',
    });
  });

  it('should read the resource collection ({data, links, meta})', () => {
    const page = summariesPageSchema.parse({
      data: [],
      links: { first: 'a', last: 'b', prev: null, next: null },
      meta: { current_page: 2, last_page: 2, per_page: 25, total: 40 },
    });
    expect(pageInfoOf(page)).toEqual({ currentPage: 2, lastPage: 2, perPage: 25, total: 40, nextPageUrl: null });
  });
});
