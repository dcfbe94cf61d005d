import { GLANCE_VERSION, type ComparisonKind, type Glance, type GlanceDay, type GlanceMetric, type GlanceSleep } from '../shared/glance';
import type { Unit } from '../shared/readings';
import { BASELINE_VALUES, BASELINE_WINDOW_DAYS, SPARKLINE_DAYS } from './build-readings-snapshot';
import { compareWithDays } from './compare-with-days';
import { createSlotMinute } from './day-profile';
import { buildDayRecord, hasValues, type DayRecord } from './day-record';
import { displayDecimals, roundTo } from './display-decimals';
import { addDays, dateRange } from '../shared/local-date';
import { ACTIVITY_EXTRA_METRICS, DOCUMENTED_METRICS } from './metrics';
import { readSleep } from './read-sleep';
import type { Summary } from './summary-schema';
import { isTimeOfDayMetric, valuesByMinute } from './typical-by-time';

/**
 * "The first hours of a day": the newest data is from before 10:00, or today has fewer than 1,000
 * steps (a late Sunday start). Then the popup leads with last night's sleep and resting heart rate,
 * which are complete by then, instead of a step count that has barely started.
 */
export const MORNING_UNTIL_MINUTE = 10 * 60;
export const MORNING_STEPS = 1000;

export interface BuildGlanceInput {
  /** Cached day records, any order; today's is replaced by `todaySummary` when given. */
  records: readonly DayRecord[];
  /** Today's summary, fetched with `include_slots=1` (its slots give "last synced" and the time of day). */
  todaySummary?: Summary;
  /** The member's local today. */
  today: string;
  /** Epoch ms now: the time of day when today has no intraday data yet. */
  now: number;
  /** When the extension last asked CardioMood; defaults to `now`. */
  checkedAt?: number;
  /** The member's zone, for slots without a local label and for `now` (default: the browser's). */
  timeZone?: string;
}

/** The popup's metrics: documented units only (distance and calories are assumptions: side panel). */
const HERO_IDS = ['rest_hr', 'steps'] as const;
const ROW_IDS = ['avg_hr', 'max_hr', 'active_minutes', 'workouts', 'glasses'] as const;
/** Complete by the morning: compared with whole days even while today runs. */
const SETTLED_BY_MORNING: ReadonlySet<string> = new Set(['rest_hr', 'sleep']);
/** Counts without a comparison: whether the member did one is the news, not how it compares. */
const NOT_COMPARED: ReadonlySet<string> = new Set(['workouts', 'glasses']);

interface Spec {
  id: string;
  unit: Unit;
  family: string;
  read: (record: DayRecord | undefined) => number | null;
}

const POPUP_METRICS = new Map<string, Spec>(
  [...DOCUMENTED_METRICS, ...ACTIVITY_EXTRA_METRICS]
    .filter((metric) => (HERO_IDS as readonly string[]).includes(metric.id) || (ROW_IDS as readonly string[]).includes(metric.id))
    .map((metric) => [metric.id, { ...metric, read: (record) => record?.values[metric.id] ?? null }]),
);
const SLEEP: Spec = { id: 'sleep', unit: 'minutes', family: 'sleep', read: (record) => (record ? (readSleep(record.values)?.asleep ?? null) : null) };

function spec(id: string): Spec {
  const found = POPUP_METRICS.get(id);
  if (!found) throw new Error(`no popup metric "${id}"`);
  return found;
}

interface Context {
  byDate: ReadonlyMap<string, DayRecord>;
  /** The earliest day with any value: when calibration started. */
  firstDataDate: string | null;
}

interface DayInput {
  date: string;
  complete: boolean;
  /** Minute of day the `by_time` comparisons refer to (today only). */
  at: number | null;
  /** Earlier days of the 28-day window, most recent first. */
  earlier: DayRecord[];
}

/** Runs of nulls as [first, last] index pairs. */
function gapsOf(values: readonly (number | null)[]): [number, number][] {
  const gaps: [number, number][] = [];
  values.forEach((value, i) => {
    if (value !== null) return;
    const last = gaps.at(-1);
    if (last && last[1] === i - 1) last[1] = i;
    else gaps.push([i, i]);
  });
  return gaps;
}

function metricView(context: Context, day: DayInput, metric: Spec): GlanceMetric {
  const record = context.byDate.get(day.date);
  const dp = displayDecimals(metric);
  const value = metric.read(record);
  // While the day runs, what accumulates or peaks during it is compared by the time of day.
  const timeOfDay = !day.complete && isTimeOfDayMetric(metric.id) ? metric.id : null;
  const byTime = timeOfDay !== null;

  let kind: ComparisonKind = 'none';
  let typical: number | null = null;
  let n = 0;
  // Without intraday data today there is no time to compare at: "so far", no comparison.
  if (!NOT_COMPARED.has(metric.id) && (!byTime || day.at !== null)) {
    const earlier =
      timeOfDay !== null && day.at !== null
        ? valuesByMinute(day.earlier, timeOfDay, day.at)
        : day.earlier.map(metric.read).filter((v): v is number => v !== null);
    const comparison = compareWithDays(earlier, context.firstDataDate, day.date);
    n = comparison.n;
    if (comparison.state === 'calibrating') kind = 'calibrating';
    else if (comparison.state === 'ready' && comparison.typical !== null) {
      kind = byTime ? 'by_time' : 'baseline';
      typical = roundTo(comparison.typical, dp);
    }
  }

  const spark = dateRange(addDays(day.date, -(SPARKLINE_DAYS - 1)), day.date).map((date) => metric.read(context.byDate.get(date)));
  const present = spark.filter((v): v is number => v !== null);
  return {
    id: metric.id,
    unit: metric.unit,
    dp,
    value,
    cmp: kind,
    typical,
    // From the value as shown, so value, typical and delta add up on screen (61 − 64 = −3, not −4).
    delta: value !== null && typical !== null ? roundTo(roundTo(value, dp) - typical, dp) : null,
    n,
    ...(metric.id === 'steps' ? { goal: record?.values.step_goal_percent ?? null } : {}),
    spark,
    sparkLo: present.length ? Math.min(...present) : null,
    sparkHi: present.length ? Math.max(...present) : null,
    sparkGaps: gapsOf(spark),
    sparkPartial: !day.complete && !SETTLED_BY_MORNING.has(metric.id),
  };
}

function sleepView(context: Context, day: DayInput): GlanceSleep | null {
  const night = readSleep(context.byDate.get(day.date)?.values ?? {});
  if (!night) return null;
  const { awake, rem, light, deep } = night;
  return { ...metricView(context, day, SLEEP), awake, rem, light, deep };
}

function dayView(context: Context, date: string, complete: boolean, at: number | null): GlanceDay {
  const earlier = dateRange(addDays(date, -BASELINE_WINDOW_DAYS), addDays(date, -1))
    .reverse()
    .flatMap((d) => context.byDate.get(d) ?? []);
  const day: DayInput = { date, complete, at, earlier };
  const record = context.byDate.get(date);
  const rows = ROW_IDS.map((id) => metricView(context, day, spec(id))).filter(
    (row) => (row.id === 'workouts' ? (row.value ?? 0) >= 1 : row.id === 'glasses' ? row.value !== null : true),
  );
  return {
    date,
    complete,
    hasData: hasValues(record),
    at,
    restHr: metricView(context, day, spec('rest_hr')),
    steps: metricView(context, day, spec('steps')),
    sleep: sleepView(context, day),
    rows,
  };
}

/**
 * The glance (see `src/shared/glance.ts`): today so far and yesterday complete, each compared with the
 * member's own earlier days. Pure: the same records, summary and `now` give the same glance.
 */
export function buildGlance(input: BuildGlanceInput): Glance {
  const { today, now, timeZone } = input;
  const byDate = new Map<string, DayRecord>();
  for (const record of input.records) if (record.date <= today) byDate.set(record.date, record);
  if (input.todaySummary) {
    // A summary of another day here is a bug in the caller, not something a member can cause.
    if (input.todaySummary.date !== today) throw new RangeError(`todaySummary is for ${input.todaySummary.date}, not ${today}`);
    byDate.set(today, buildDayRecord(input.todaySummary, { fetchedOn: today, withSlots: true, ...(timeZone ? { timeZone } : {}) }));
  }
  const withData = [...byDate.values()].filter(hasValues).map((record) => record.date);
  const context: Context = { byDate, firstDataDate: withData.length ? withData.reduce((a, b) => (a < b ? a : b)) : null };

  const yesterday = addDays(today, -1);
  const todayProfile = byDate.get(today)?.profile ?? null;
  const todayView = dayView(context, today, false, todayProfile?.newestMinute ?? null);
  const yesterdayView = dayView(context, yesterday, true, null);

  const minute = todayView.at ?? createSlotMinute(timeZone)({ timestamp: now });
  const morning = minute < MORNING_UNTIL_MINUTE || (todayView.steps.value ?? 0) < MORNING_STEPS;
  return {
    v: GLANCE_VERSION,
    today: todayView,
    yesterday: yesterdayView,
    lead: morning ? 'morning' : 'day',
    focus: todayView.hasData || !yesterdayView.hasData ? 'today' : 'yesterday',
    need: BASELINE_VALUES,
    // Today's newest slot; before today's first sync, yesterday's tells the member when that was.
    lastSyncedAt: todayProfile?.newestAt ?? byDate.get(yesterday)?.profile?.newestAt ?? null,
    checkedAt: input.checkedAt ?? now,
  };
}
