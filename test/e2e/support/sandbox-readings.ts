import type { DevStack } from '../../../src/dev/start-dev-stack';

/** Four popup metrics the e2e tests compare, and where each lives in a CardioMood user summary. */
export const TILE_SOURCES = {
  rest_hr: ['heart_rate', 'rest_daily_heart_rate'],
  avg_hr: ['heart_rate', 'avg_daily_heart_rate'],
  max_hr: ['heart_rate', 'max_daily_heart_rate'],
  steps: ['activity', 'total_steps'],
} as const;
export type TileId = keyof typeof TILE_SOURCES;
export const TILE_IDS = Object.keys(TILE_SOURCES) as TileId[];

export type SummaryDay = { date: string } & Record<string, unknown>;

/**
 * What the sandbox itself answers for a member over `GET /user-summaries` (inclusive local dates),
 * all pages, fetched over HTTP with a token the sandbox issues directly — the reference the
 * extension's screens are compared with.
 */
export async function fetchSandboxDays(stack: DevStack, email: string, from: string, to: string): Promise<SummaryDay[]> {
  const tokens = await stack.sandbox.control.issueTokens(email);
  const days: SummaryDay[] = [];
  const perPage = 100;
  for (let page = 1; ; page += 1) {
    const url = new URL('/user-summaries', stack.sandbox.url);
    url.search = new URLSearchParams({ date_from: from, date_to: to, per_page: String(perPage), page: String(page) }).toString();
    const response = await fetch(url, {
      headers: { Authorization: `Bearer ${tokens.access_token}`, 'Content-Type': 'application/json' },
    });
    if (!response.ok) throw new Error(`sandbox GET /user-summaries answered ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as { data: SummaryDay[] };
    days.push(...body.data);
    if (body.data.length < perPage) return days;
  }
}

/**
 * Where a side panel metric id lives in a summary: the documented ids (src/shared/readings.ts), or
 * `<family>.<field>` for the families the contract does not document.
 */
const DOCUMENTED_SOURCES: Record<string, readonly [string, string]> = {
  ...TILE_SOURCES,
  active_minutes: ['activity', 'active_minutes'],
  calories: ['activity', 'calories'],
  distance: ['activity', 'distance'],
  // The other documented activity fields, which the history built from day records lists too.
  step_goal_percent: ['activity', 'daily_percent'],
  workouts: ['activity', 'workouts'],
  glasses: ['activity', 'total_glasses'],
  move_every_hour: ['activity', 'move_every_hour'],
  gait_speed: ['activity', 'avg_gait_speed'],
  gait_asymmetry: ['activity', 'avg_gait_asymmetry'],
  gait_variability: ['activity', 'avg_gait_var'],
};

export function metricSource(id: string): readonly [string, string] {
  const documented = DOCUMENTED_SOURCES[id];
  if (documented) return documented;
  const dot = id.indexOf('.');
  if (dot <= 0) throw new Error(`unknown metric id "${id}"`);
  return [id.slice(0, dot), id.slice(dot + 1)];
}

/** The canonical value of a metric on a summary day, or null when the day, family or field is missing. */
export function expectedMetricValue(day: SummaryDay | undefined, id: string): number | null {
  const [family, field] = metricSource(id);
  const group = day?.[family];
  if (!group || typeof group !== 'object') return null;
  const value = (group as Record<string, unknown>)[field];
  return typeof value === 'number' ? value : null;
}

/** The value a tile should show for a summary day: the field, or null when the day or the field is missing. */
export function expectedTileValue(day: SummaryDay | undefined, tile: TileId): number | null {
  return expectedMetricValue(day, tile);
}

/** `data-value` as a number, or null for a tile that shows no value. */
export function parseDataValue(raw: string | null): number | null {
  return raw === null || raw.trim() === '' ? null : Number(raw);
}
