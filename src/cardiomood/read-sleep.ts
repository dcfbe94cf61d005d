/**
 * Last night's sleep from a day's `sleep.<field>` values, when the field names are ones we recognise
 * and the numbers make sense; otherwise null, and sleep stays out of the glance (the side panel still
 * lists the fields generically).
 *
 * The sleep family's fields are not documented (docs/cardiomood-api.md §9.1): the sandbox invents `sleep.{total_duration,
 * awake, rem, light, deep}` in minutes, the Android SDK names `sleepDuration`, `awakeTime`, `remTime`,
 * `lightTime`, `deepTime` (durations in minutes, §6). Names are matched exactly (after camelCase →
 * snake_case), so `total_duration_seconds` or `deep_ratio` are not mistaken for minutes.
 *
 * Which night: the sandbox files the night that ENDED on the morning of a day under that day
 * (generate-day.ts: "that night's sleep belongs to the next day"), so today's record holds last night.
 */
export interface SleepNight {
  /** Minutes asleep (light + deep + REM). */
  asleep: number;
  /** Minutes per stage, or null when the stages are not all there (the card then shows the total only). */
  awake: number | null;
  rem: number | null;
  light: number | null;
  deep: number | null;
}

const MINUTES_PER_DAY = 1440;
/**
 * A "night" under 30 minutes is more likely a unit we guessed wrong (hours: at most 24) or a watch
 * taken off at bedtime than a night's sleep; rather no card than a wrong one.
 */
const MIN_ASLEEP_MINUTES = 30;

const stageNames = (stage: string) => [
  stage,
  `${stage}_time`,
  `${stage}_duration`,
  `${stage}_minutes`,
  `${stage}_sleep`,
  `${stage}_sleep_time`,
  `${stage}_sleep_duration`,
  `time_${stage}`,
  `minutes_${stage}`,
];

/** Accepted names per role, in order of preference. */
const NAMES = {
  total: [
    'total_duration',
    'sleep_duration',
    'total_sleep',
    'total_sleep_duration',
    'total_sleep_time',
    'total_sleep_minutes',
    'asleep',
    'time_asleep',
    'minutes_asleep',
    'duration',
  ],
  awake: stageNames('awake'),
  rem: stageNames('rem'),
  light: stageNames('light'),
  deep: stageNames('deep'),
} as const;
type Role = keyof typeof NAMES;

const snakeCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Stages may be rounded to the minute one by one, so their sum may miss the total by a little. */
const tolerance = (total: number) => Math.max(5, total * 0.03);

/**
 * `values` are a day record's values (`<family>.<field>` → number); only `sleep.*` are read. A total
 * that matches the stages' sum is time asleep; one that matches stages + awake is time in bed (then
 * time asleep is the stages' sum). Stages that agree with neither make the night implausible.
 */
export function readSleep(values: Readonly<Record<string, number>>): SleepNight | null {
  const fields = new Map<string, number>();
  for (const [id, value] of Object.entries(values)) {
    if (id.startsWith('sleep.')) fields.set(snakeCase(id.slice('sleep.'.length)), value);
  }
  const pick = (role: Role): number | null => {
    for (const name of NAMES[role]) {
      const value = fields.get(name);
      if (value !== undefined) return value;
    }
    return null;
  };
  const found = { total: pick('total'), awake: pick('awake'), rem: pick('rem'), light: pick('light'), deep: pick('deep') };
  if (Object.values(found).some((v) => v !== null && (v < 0 || v > MINUTES_PER_DAY))) return null;

  const { total, awake, rem, light, deep } = found;
  const staged = rem !== null && light !== null && deep !== null ? rem + light + deep : null;
  let asleep: number | null;
  if (total === null) asleep = staged;
  else if (staged === null) asleep = total;
  else if (Math.abs(staged - total) <= tolerance(total)) asleep = total;
  else if (awake !== null && Math.abs(staged + awake - total) <= tolerance(total)) asleep = staged;
  else return null;

  if (asleep === null || asleep < MIN_ASLEEP_MINUTES || asleep + (awake ?? 0) > MINUTES_PER_DAY) return null;
  // A partial stage (say, deep alone) cannot be checked against the total: shown only when it fits.
  if ([rem, light, deep].some((v) => v !== null && v > asleep)) return null;
  return staged === null ? { asleep, awake: null, rem: null, light: null, deep: null } : { asleep, awake, rem, light, deep };
}
