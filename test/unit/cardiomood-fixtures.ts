import { DAY_RECORD_VERSION, type DayRecord } from '../../src/cardiomood/day-record';
import { addDays } from '../../src/shared/local-date';

/** A plausible raw summary for one day; `overrides` replace whole sub-objects or fields. */
export function rawSummary(date: string, seed = 0, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    date,
    activity: {
      date,
      total_steps: 8000 + seed * 100,
      daily_percent: 80 + seed,
      distance: 6 + seed / 10,
      calories: 400 + seed,
      workouts: 1,
      active_minutes: 50 + seed,
      move_every_hour: 8,
      avg_gait_asymmetry: null,
      avg_gait_speed: 1.2,
      avg_gait_var: null,
      total_glasses: null,
    },
    heart_rate: {
      date,
      avg_daily_heart_rate: 70 + (seed % 5),
      max_daily_heart_rate: 140 + seed,
      rest_daily_heart_rate: 55 + (seed % 3),
    },
    ...overrides,
  };
}

/** Raw summaries for `days` consecutive days ending `to`, skipping the dates in `missing`. */
export function rawDays(to: string, days: number, missing: string[] = []): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = days - 1; i >= 0; i -= 1) {
    const date = addDays(to, -i);
    if (!missing.includes(date)) out.push(rawSummary(date, i));
  }
  return out;
}

/** A Laravel flat-paginator page. */
export function flatPage(data: unknown[], page: number, lastPage: number, perPage: number): Record<string, unknown> {
  return {
    current_page: page,
    data,
    first_page_url: '/user-summaries?page=1',
    from: (page - 1) * perPage + 1,
    last_page: lastPage,
    last_page_url: `/user-summaries?page=${lastPage}`,
    links: [],
    next_page_url: page < lastPage ? `/user-summaries?page=${page + 1}` : null,
    path: '/user-summaries',
    per_page: perPage,
    prev_page_url: page > 1 ? `/user-summaries?page=${page - 1}` : null,
    to: (page - 1) * perPage + data.length,
    total: 0,
  };
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });

/** A Laravel API-resource collection page (`{data, links, meta}`). */
export function resourcePage(data: unknown[], page: number, lastPage: number, perPage: number): Record<string, unknown> {
  return {
    data,
    links: {
      first: '/user-summaries?page=1',
      last: `/user-summaries?page=${lastPage}`,
      prev: page > 1 ? `/user-summaries?page=${page - 1}` : null,
      next: page < lastPage ? `/user-summaries?page=${page + 1}` : null,
    },
    meta: { current_page: page, from: (page - 1) * perPage + 1, last_page: lastPage, path: '/user-summaries', per_page: perPage, to: 0, total: 0 },
  };
}

/**
 * Days ending `to`, oldest first, one per entry of `values`; `make(date, value)` builds the raw summary
 * and a null value leaves the day out entirely (not synced).
 */
export function daysOf<T>(
  to: string,
  values: readonly (T | null)[],
  make: (date: string, value: T) => Record<string, unknown>,
): Record<string, unknown>[] {
  return values.flatMap((value, i) => (value === null ? [] : [make(addDays(to, i - (values.length - 1)), value)]));
}

/** A raw summary with only `activity.total_steps` (and its goal percentage) set. */
export const stepsDay = (date: string, steps: number): Record<string, unknown> => ({
  date,
  activity: { date, total_steps: steps, daily_percent: Math.round(steps / 100) },
});

/**
 * A slot of `date` at local `hhmm`, for a member in UTC (label and timestamp agree); `extra` carries
 * `step_count` or `bpm`.
 */
export const slotAt = (date: string, hhmm: string, extra: Record<string, number>) => ({
  timestamp: Date.parse(`${date}T${hhmm}:00Z`),
  date: hhmm,
  ...extra,
});

/** Epoch ms of `date` at `hhmm` UTC. */
export const at = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00Z`);

/** Epoch ms of local `hh:mm` on `date` (the browser's zone: what the popup shows times in). */
export function localAt(date: string, hhmm: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [h, min] = hhmm.split(':').map(Number) as [number, number];
  return new Date(y, m - 1, d, h, min).getTime();
}

const repeat = <T>(value: T, times: number): T[] => Array<T>(times).fill(value);

/**
 * A cached day `k` days before `today` (what the background keeps), fetched today:
 * - steps: 100·k in hour 7 and 8,000 more in hour 17 (by 07:30 half of 100·k: 50·k; all day 100·k + 8,000);
 * - heart rate from 03:00: maximum 50, then 70 + k from 07:00; resting 50 + k; average 60 + k/2;
 * - active minutes k + 80, sleep 400 + k minutes asleep (REM 90, light 210 + k, deep 100; 20 awake);
 * - `values` replaces or adds daily values.
 */
export function pastDay(today: string, k: number, values: Record<string, number> = {}): DayRecord {
  const date = addDays(today, -k);
  return {
    v: DAY_RECORD_VERSION,
    date,
    fetchedOn: today,
    values: {
      rest_hr: 50 + k,
      steps: 100 * k + 8000,
      max_hr: 70 + k,
      avg_hr: 60 + k / 2,
      active_minutes: k + 80,
      step_goal_percent: k + 80,
      'sleep.total_duration': 400 + k,
      'sleep.awake': 20,
      'sleep.rem': 90,
      'sleep.light': 210 + k,
      'sleep.deep': 100,
      ...values,
    },
    profile: {
      steps: [...repeat(0, 7), ...repeat(100 * k, 10), ...repeat(100 * k + 8000, 7)],
      hrMax: [...repeat(null, 3), ...repeat(50, 4), ...repeat(70 + k, 17)],
      hrAvg: [...repeat(null, 3), ...repeat(50, 4), ...repeat(60 + k / 2, 17)],
      newestAt: localAt(date, '23:00'),
      newestMinute: 23 * 60,
    },
  };
}
