import type { SandboxMember } from './demo-members';
import { createPrng, hashSeed, type Prng } from './prng';
import { addDays } from '../shared/local-date';
import { dayNumber, dayOfYear, formatHourMinute, isWeekend, localDayBounds, zoneOffsetMs } from './time-zone';

/**
 * One member-day of synthetic readings, generated from a PRNG seeded with (member id, date): the
 * same day always has the same values, no fixture is stored, and every day total is computed from
 * the slots it is reported with (docs/cardiomood-api.md §7, §8; slot lengths and units are the
 * assumptions of §8 and §11 #15, #17).
 */

export const SUMMARY_TYPES = ['activity', 'heart_rate', 'sleep', 'spo2', 'stress', 'respiration_rate', 'temperature'] as const;
export type SummaryType = (typeof SUMMARY_TYPES)[number];

export interface StepSlot {
  /** Slot start, epoch ms UTC. */
  timestamp: number;
  /** Local `HH:mm` of the slot start. */
  date: string;
  step_count: number;
}

export interface ActivitySummary {
  date: string;
  total_steps: number;
  /** % of a 10 000-step goal. */
  daily_percent: number;
  /** km (assumed unit, §11 #17). */
  distance: number;
  /** Active kcal (assumed unit, §11 #17). */
  calories: number;
  workouts: number;
  active_minutes: number;
  /** Local hours with at least 250 steps. */
  move_every_hour: number;
  avg_gait_asymmetry: number | null;
  /** m/s */
  avg_gait_speed: number | null;
  avg_gait_var: number | null;
  total_glasses: number | null;
  /** 1-minute slots, only minutes with steps. */
  slots: StepSlot[];
  /** 5-minute slots, only buckets with steps. */
  slots_five_minutes: StepSlot[];
}

export interface HeartRateSummary {
  date: string;
  avg_daily_heart_rate: number | null;
  max_daily_heart_rate: number | null;
  rest_daily_heart_rate: number | null;
  /** 5-minute slots; none while the watch was not worn. */
  slots: { timestamp: number; date: string; bpm: number }[];
}

// The families below exist (compliance slot names, SDK models: §9.1) but their REST field names are
// NOT documented: every field name here is INVENTED (listed in §9.1) and sits behind the
// `extraFamilies` option so real names can replace them.

/** INVENTED field names. Sleep of the night that ended on this morning; minutes. */
export interface SleepSummary {
  date: string;
  /** Minutes asleep (light + deep + rem). */
  total_duration: number;
  awake: number;
  rem: number;
  light: number;
  deep: number;
  /** 5-minute stage slots; the first ones fall on the previous evening. */
  slots: { timestamp: number; date: string; sleep_state: SleepState }[];
}
export type SleepState = 'awake' | 'light' | 'deep' | 'rem';

/** INVENTED field names. SpO2 in %, 30-minute slots. */
export interface Spo2Summary {
  date: string;
  avg_daily_spo2: number;
  slots: { timestamp: number; date: string; spo2: number }[];
}

/** INVENTED field names. Stress score 0–100 (EDA based), 30-minute slots while awake. */
export interface StressSummary {
  date: string;
  avg_daily_stress: number;
  slots: { timestamp: number; date: string; stress: number }[];
}

/** INVENTED field names. Breaths per minute, 30-minute slots. */
export interface RespirationRateSummary {
  date: string;
  avg_daily_respiration_rate: number;
  slots: { timestamp: number; date: string; respiration_rate: number }[];
}

/** INVENTED field names. Body temperature in °C, 30-minute slots. */
export interface TemperatureSummary {
  date: string;
  avg_daily_temperature: number;
  slots: { timestamp: number; date: string; temperature: number }[];
}

export interface SummaryDay {
  date: string;
  activity?: ActivitySummary;
  heart_rate?: HeartRateSummary;
  sleep?: SleepSummary;
  spo2?: Spo2Summary;
  stress?: StressSummary;
  respiration_rate?: RespirationRateSummary;
  temperature?: TemperatureSummary;
}

export interface GenerateDayInput {
  member: SandboxMember;
  /** The member's local date `YYYY-MM-DD`. */
  date: string;
  timeZone: string;
  /**
   * Only slots that END at or before this instant are reported (today: the end of the last completed
   * local hour, so today's totals stay stable within an hour). Infinity for past days.
   */
  cutoff: number;
  /** Whether the sandbox serves the invented families at all. */
  extraFamilies: boolean;
}

const MINUTE = 60_000;
const STEP_GOAL = 10_000;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** Local minutes after midnight (elapsed, so DST days have 1380 or 1500) when the member wakes. */
function wakeMinute(member: SandboxMember, date: string): number {
  const rng = createPrng(hashSeed(member.id, date, 'wake'));
  return isWeekend(date) ? rng.int(450, 540) : rng.int(375, 450);
}

/** When the member goes to bed on `date`; that night's sleep belongs to the next day. */
function bedtimeMinute(member: SandboxMember, date: string, dayLength: number): number {
  return Math.min(createPrng(hashSeed(member.id, date, 'bed')).int(1335, 1425), dayLength - 15);
}

const RESTING_BASELINE_MIN = 53;
const RESTING_BASELINE_MAX = 65;

/** Resting heart rate baseline: two slow waves (weeks, months) plus a little daily noise. */
function restingBaseline(member: SandboxMember, date: string): number {
  const n = dayNumber(date);
  const phase1 = (hashSeed(member.id, 'phase1') / 2 ** 32) * 2 * Math.PI;
  const phase2 = (hashSeed(member.id, 'phase2') / 2 ** 32) * 2 * Math.PI;
  const noise = createPrng(hashSeed(member.id, date, 'rest')).normal(0, 0.8);
  const drift = member.profile.restingHeartRate + 3 * Math.sin((2 * Math.PI * n) / 61 + phase1) + 1.5 * Math.sin((2 * Math.PI * n) / 17 + phase2) + noise;
  // The reported resting rate (the night's lowest readings) sits ~2 bpm under this baseline: the
  // bounds keep it in the 50–65 bpm band the demo data promises.
  return clamp(drift, RESTING_BASELINE_MIN, RESTING_BASELINE_MAX);
}

/** `HH:mm` for instants in [from, to): one offset lookup unless a DST change falls inside. */
function createLabeler(from: number, to: number, timeZone: string): (instant: number) => string {
  const first = zoneOffsetMs(from, timeZone);
  const last = zoneOffsetMs(Math.max(from, to - 1), timeZone);
  if (first === last) return (instant) => formatHourMinute(instant, first);
  return (instant) => formatHourMinute(instant, zoneOffsetMs(instant, timeZone));
}

function pickBoutStart(rng: Prng, weekend: boolean, wake: number, bed: number): number {
  const u = rng.next();
  let minute: number;
  if (weekend) minute = u < 0.6 ? rng.int(600, 1080) : rng.int(wake, bed - 10);
  else if (u < 0.22) minute = rng.int(450, 540); // morning commute
  else if (u < 0.4) minute = rng.int(720, 810); // lunch
  else if (u < 0.62) minute = rng.int(1020, 1110); // evening commute
  else minute = rng.int(wake, bed - 10);
  return clamp(minute, wake, bed - 2);
}

interface Workout {
  start: number;
  minutes: number;
}

export function generateDay(input: GenerateDayInput): SummaryDay {
  const { member, date, timeZone, cutoff } = input;
  const { start: dayStart, end: dayEnd } = localDayBounds(date, timeZone);
  const length = Math.round((dayEnd - dayStart) / MINUTE);
  const label = createLabeler(dayStart, dayEnd, timeZone);
  const at = (minute: number) => dayStart + minute * MINUTE;
  const weekend = isWeekend(date);
  const wake = wakeMinute(member, date);
  const bed = bedtimeMinute(member, date, length);
  const rng = createPrng(hashSeed(member.id, date, 'day'));

  // Times the watch was off the wrist (charging): neither steps nor heart rate.
  const worn = new Uint8Array(length).fill(1);
  for (let gap = rng.int(0, 2); gap > 0; gap--) {
    const from = rng.int(wake + 60, bed - 120);
    worn.fill(0, from, Math.min(length, from + rng.int(30, 90)));
  }

  const steps = new Int32Array(length);
  let workout: Workout | undefined;
  if (rng.chance(weekend ? 0.5 : 0.35)) {
    const start = rng.chance(0.4) ? rng.int(wake + 15, wake + 60) : rng.int(1050, 1170);
    workout = { start, minutes: Math.min(rng.int(20, 45), bed - start - 5) };
    const cadence = rng.int(150, 170);
    worn.fill(1, workout.start, workout.start + workout.minutes);
    for (let m = workout.start; m < workout.start + workout.minutes; m++) steps[m] = clamp(Math.round(rng.normal(cadence, 4)), 120, 190);
  }
  const inWorkout = (minute: number) => workout !== undefined && minute >= workout.start && minute < workout.start + workout.minutes;
  const workoutSteps = workout ? steps.slice(workout.start, workout.start + workout.minutes).reduce((a, b) => a + b, 0) : 0;

  // The last walking minute can overshoot the target by up to 190 steps: 15 800 keeps days ≤ 16 000.
  const target = clamp(Math.round(rng.normal(weekend ? 7000 : 9500, weekend ? 3500 : 2500) * member.profile.stepsFactor), 2000, 15_800);
  const walkingTarget = Math.max(800, target - workoutSteps);
  let walked = 0;
  // Pottering about: a few steps here and there while awake.
  for (let i = rng.int(40, 90); i > 0; i--) {
    const m = rng.int(wake, bed - 1);
    if (!worn[m] || inWorkout(m)) continue;
    const add = rng.int(5, 40);
    steps[m] = (steps[m] ?? 0) + add;
    walked += add;
  }
  for (let guard = 0; walked < walkingTarget && guard < 500; guard++) {
    const start = pickBoutStart(rng, weekend, wake, bed);
    const minutes = Math.min(45, 2 + Math.floor(-Math.log(1 - rng.next()) * 8));
    const cadence = rng.int(70, 115);
    for (let m = start; m < Math.min(start + minutes, bed, length) && walked < walkingTarget; m++) {
      if (!worn[m] || inWorkout(m)) continue;
      const before = steps[m] ?? 0;
      steps[m] = Math.min(190, before + Math.max(0, Math.round(rng.normal(cadence, 8))));
      walked += (steps[m] ?? 0) - before;
    }
  }

  // Heart rate, 5-minute buckets. The day's peak: a run on workout days, the briskest walk otherwise.
  const peak = workout ? rng.int(140, 170) : rng.int(110, 135);
  const buckets = Math.floor(length / 5);
  const bucketSteps = (k: number) => {
    let sum = 0;
    for (let m = k * 5; m < k * 5 + 5; m++) sum += steps[m] ?? 0;
    return sum;
  };
  let peakBucket = Math.floor((wake + 60) / 5);
  if (workout) peakBucket = Math.floor((workout.start + workout.minutes / 2) / 5);
  else {
    let best = -1;
    for (let k = 0; k < buckets; k++) {
      const value = bucketSteps(k);
      if (value > best) [best, peakBucket] = [value, k];
    }
  }
  const rest = restingBaseline(member, date);
  // Days with a low resting rate lift a little more once awake, so the day's average stays in the
  // 65–80 bpm band the demo data promises whatever the resting drift (checked over years of days).
  const awakeLift = rng.range(15, 20) + (57.5 - rest) * 0.8;
  const heartRateAll: HeartRateSummary['slots'] = [];
  for (let k = 0; k < buckets; k++) {
    const m = k * 5;
    // Values are drawn for every bucket, so filtering by the cutoff never shifts the sequence.
    const asleepNoise = rng.normal(0, 1.5);
    const awakeNoise = rng.normal(0, 3);
    const effort = rng.int(3, 16);
    if (!worn[m]) continue;
    let bpm: number;
    if (k === peakBucket) bpm = peak;
    else if (inWorkout(m)) bpm = peak - effort;
    else if (m < wake || m >= bed) bpm = rest + 1 + asleepNoise;
    else bpm = rest + awakeLift + 3 * Math.sin((4 * Math.PI * m) / 1440) + awakeNoise + Math.min(45, (bucketSteps(k) / 5) * 0.35);
    heartRateAll.push({ timestamp: at(m), date: label(at(m)), bpm: clamp(Math.round(bpm), 40, peak) });
  }

  const complete = (timestamp: number, minutes: number) => timestamp + minutes * MINUTE <= cutoff;
  const day: SummaryDay = { date };
  day.activity = buildActivity(member, date, steps, at, label, complete, workout, rng);

  const heartRateSlots = heartRateAll.filter((slot) => complete(slot.timestamp, 5));
  const heartRateMissing = createPrng(hashSeed(member.id, date, 'hr-missing')).chance(member.heartRateMissingRate ?? 0);
  if (!heartRateMissing) {
    const bpms = heartRateSlots.map((slot) => slot.bpm);
    const lowest = [...bpms].sort((a, b) => a - b).slice(0, 6);
    const restNull = member.nullRestHeartRateEveryFifthDay === true && dayOfYear(date) % 5 === 0;
    day.heart_rate = {
      date,
      avg_daily_heart_rate: bpms.length ? Math.round(mean(bpms)) : null,
      max_daily_heart_rate: bpms.length ? Math.max(...bpms) : null,
      rest_daily_heart_rate: bpms.length && !restNull ? Math.round(mean(lowest)) : null,
      slots: heartRateSlots,
    };
  }

  if (input.extraFamilies && member.extraFamilies) {
    Object.assign(day, buildSleep(member, date, timeZone, dayStart, wake, cutoff));
    Object.assign(day, buildHalfHourFamilies(member, date, { length, wake, bed, worn, weekend, at, label, complete }));
  }
  return day;
}

function buildActivity(
  member: SandboxMember,
  date: string,
  steps: Int32Array,
  at: (minute: number) => number,
  label: (instant: number) => string,
  complete: (timestamp: number, minutes: number) => boolean,
  workout: Workout | undefined,
  rng: Prng,
): ActivitySummary {
  const slots: StepSlot[] = [];
  const fiveMinutes = new Map<number, StepSlot>();
  const hours = new Map<number, number>();
  let activeMinutes = 0;
  let workoutSteps = 0;
  let workoutMinutes = 0;
  for (let m = 0; m < steps.length; m++) {
    const count = steps[m] ?? 0;
    if (count === 0 || !complete(at(m), 1)) continue;
    slots.push({ timestamp: at(m), date: label(at(m)), step_count: count });
    const bucket = Math.floor(m / 5) * 5;
    const slot = fiveMinutes.get(bucket) ?? { timestamp: at(bucket), date: label(at(bucket)), step_count: 0 };
    slot.step_count += count;
    fiveMinutes.set(bucket, slot);
    hours.set(Math.floor(m / 60), (hours.get(Math.floor(m / 60)) ?? 0) + count);
    if (count >= 60) activeMinutes++;
    if (workout && m >= workout.start && m < workout.start + workout.minutes) {
      workoutSteps += count;
      workoutMinutes++;
    }
  }
  const totalSteps = slots.reduce((sum, slot) => sum + slot.step_count, 0);
  const stride = member.profile.strideMeters * (1 + rng.normal(0, 0.015));
  // Running strides are longer than walking ones; distance stays a function of the reported steps.
  const distanceKm = ((totalSteps - workoutSteps) * stride + workoutSteps * stride * 1.3) / 1000;
  const gait = createPrng(hashSeed(member.id, date, 'gait'));
  const workoutDone = workout !== undefined && complete(at(workout.start), workout.minutes);
  return {
    date,
    total_steps: totalSteps,
    daily_percent: Math.round((totalSteps / STEP_GOAL) * 100),
    distance: round2(distanceKm),
    calories: Math.round(totalSteps * 0.045 + workoutMinutes * 5),
    workouts: workoutDone ? 1 : 0,
    active_minutes: activeMinutes,
    move_every_hour: [...hours.values()].filter((count) => count >= 250).length,
    avg_gait_asymmetry: gait.chance(0.3) ? round1(gait.range(1.5, 6)) : null,
    avg_gait_speed: gait.chance(0.45) ? round2(gait.range(1.0, 1.45)) : null,
    avg_gait_var: gait.chance(0.3) ? round1(gait.range(2, 6)) : null,
    total_glasses: gait.chance(0.2) ? gait.int(2, 10) : null,
    slots,
    slots_five_minutes: [...fiveMinutes.values()],
  };
}

/** INVENTED family (see SleepSummary): the night from yesterday's bedtime to this morning's wake-up. */
function buildSleep(
  member: SandboxMember,
  date: string,
  timeZone: string,
  dayStart: number,
  wake: number,
  cutoff: number,
): { sleep?: SleepSummary } {
  const previous = addDays(date, -1);
  const previousBounds = localDayBounds(previous, timeZone);
  const previousLength = Math.round((previousBounds.end - previousBounds.start) / MINUTE);
  const from = previousBounds.start + bedtimeMinute(member, previous, previousLength) * MINUTE;
  const to = dayStart + wake * MINUTE;
  const label = createLabeler(from, to, timeZone);
  const rng = createPrng(hashSeed(member.id, date, 'sleep'));
  const slots: SleepSummary['slots'] = [];
  for (let t = from; t + 5 * MINUTE <= to; t += 5 * MINUTE) {
    const elapsed = (t - from) / MINUTE;
    const cycle = Math.floor(elapsed / 90);
    const position = (elapsed % 90) / 90;
    const deepShare = Math.max(0.05, 0.45 - 0.1 * cycle);
    const remShare = Math.min(0.4, 0.1 + 0.08 * cycle);
    let state: SleepState;
    const blip = rng.chance(0.03);
    if (elapsed < 10 || t + 10 * MINUTE > to || blip) state = 'awake';
    else if (position < 0.15) state = 'light';
    else if (position < 0.15 + deepShare) state = 'deep';
    else if (position < 1 - remShare) state = 'light';
    else state = 'rem';
    if (t + 5 * MINUTE <= cutoff) slots.push({ timestamp: t, date: label(t), sleep_state: state });
  }
  if (slots.length === 0) return {};
  const minutes = (state: SleepState) => slots.filter((slot) => slot.sleep_state === state).length * 5;
  const [light, deep, rem] = [minutes('light'), minutes('deep'), minutes('rem')];
  return { sleep: { date, total_duration: light + deep + rem, awake: minutes('awake'), rem, light, deep, slots } };
}

interface HalfHourContext {
  length: number;
  wake: number;
  bed: number;
  worn: Uint8Array;
  weekend: boolean;
  at: (minute: number) => number;
  label: (instant: number) => string;
  complete: (timestamp: number, minutes: number) => boolean;
}

/** INVENTED families (see Spo2Summary etc.): 30-minute slots while the watch was worn. */
function buildHalfHourFamilies(member: SandboxMember, date: string, context: HalfHourContext) {
  const rng = createPrng(hashSeed(member.id, date, 'half-hour'));
  const spo2: Spo2Summary['slots'] = [];
  const stress: StressSummary['slots'] = [];
  const respiration: RespirationRateSummary['slots'] = [];
  const temperature: TemperatureSummary['slots'] = [];
  const stressBase = context.weekend ? 25 : 35;
  for (let m = 0; m + 30 <= context.length; m += 30) {
    const asleep = m < context.wake || m >= context.bed;
    const draws = [rng.normal(0, 1), rng.normal(0, 1), rng.normal(0, 1), rng.normal(0, 1)] as const;
    const t = context.at(m);
    if (!context.worn[m] || !context.complete(t, 30)) continue;
    const slot = { timestamp: t, date: context.label(t) };
    spo2.push({ ...slot, spo2: clamp(Math.round(asleep ? 95.5 + draws[0] : 97.5 + 0.8 * draws[0]), 90, 100) });
    if (!asleep) stress.push({ ...slot, stress: clamp(Math.round(stressBase + 15 * Math.sin((Math.PI * (m - context.wake)) / (context.bed - context.wake)) + 8 * draws[1]), 1, 99) });
    respiration.push({ ...slot, respiration_rate: clamp(round1(asleep ? 13.5 + 0.6 * draws[2] : 15.5 + draws[2]), 10, 22) });
    temperature.push({ ...slot, temperature: round2(asleep ? 36.3 + 0.1 * draws[3] : 36.7 + 0.15 * draws[3]) });
  }
  const families: Partial<Pick<SummaryDay, 'spo2' | 'stress' | 'respiration_rate' | 'temperature'>> = {};
  if (spo2.length) families.spo2 = { date, avg_daily_spo2: Math.round(mean(spo2.map((s) => s.spo2))), slots: spo2 };
  if (stress.length) families.stress = { date, avg_daily_stress: Math.round(mean(stress.map((s) => s.stress))), slots: stress };
  if (respiration.length) {
    families.respiration_rate = { date, avg_daily_respiration_rate: round1(mean(respiration.map((s) => s.respiration_rate))), slots: respiration };
  }
  if (temperature.length) families.temperature = { date, avg_daily_temperature: round2(mean(temperature.map((s) => s.temperature))), slots: temperature };
  return families;
}
