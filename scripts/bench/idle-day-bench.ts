import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../src/dev/project-root';
import { budget, type Row } from './report';

/** The simulated idle member-day (the real background in WXT's fake browser, a fake clock). */
export const IDLE_DAY_TEST = 'test/unit/background-idle-day.test.ts';

/** What each scenario of the simulated day reports in its test's `meta.idleDay`. */
export interface IdleDay {
  scenario: string;
  /** Requests to CardioMood (`/user-summaries`) and to the companion (token refreshes) in the measured day. */
  summaries: number;
  refreshes: number;
  total: number;
  /** The same scenario on main before the change. */
  before: number;
}

/**
 * Runs the simulated idle member-day (vitest, unit project: it needs WXT's fake browser, which only
 * vitest provides) with the JSON reporter and turns each scenario's figures into one row.
 */
export async function benchIdleDay(outDir: string): Promise<Row[]> {
  const report = join(outDir, 'idle-day.json');
  await promisify(execFile)(
    'npx',
    ['vitest', 'run', '--project', 'unit', IDLE_DAY_TEST, '--reporter=json', `--outputFile=${report}`],
    { cwd: PROJECT_ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  const results = JSON.parse(await readFile(report, 'utf8')) as {
    testResults: Array<{ assertionResults: Array<{ status: string; meta?: { idleDay?: IdleDay } }> }>;
  };
  const days = results.testResults.flatMap((file) => file.assertionResults).flatMap((test) => (test.meta?.idleDay ? [test.meta.idleDay] : []));
  if (days.length === 0) throw new Error(`${IDLE_DAY_TEST} reported no idle day`);
  return days.map((day) => ({
    section: 'Requests',
    measurement: `per idle member-day: ${day.scenario}`,
    value: `${day.total} (${day.summaries} readings + ${day.refreshes} token refreshes); before ${day.before}: ${(day.before / Math.max(1, day.total)).toFixed(1)}× fewer`,
    budget: budget('≥ 4× fewer', day.total * 4 <= day.before),
  }));
}
