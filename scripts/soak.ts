/**
 * `npm run soak`: drives the real background, sandbox and companion (in-process, on one virtual clock)
 * through SOAK_CYCLES access-token expiries (default 1000) with faults seeded by SOAK_SEED (default
 * 20261128), then prints, as its very last line:
 *
 *   soak: cycles=N spurious_signouts=N reuse_detected=N readings_after_signout=N lost_answers=N worker_restarts=N
 *
 * and exits 1 unless spurious_signouts, reuse_detected and readings_after_signout are all 0.
 *
 * The background needs WXT's fake browser, which exists only inside vitest (WxtVitest()), so this runs
 * test/soak/soak.test.ts in the unit project, hands it the seed and length through vitest's `provide`,
 * and reads the counts back from the test's metadata. docs/soak.md explains what each count means.
 */
import { createVitest } from 'vitest/node';
import { DEFAULT_SOAK_CYCLES, DEFAULT_SOAK_SEED, soakLine, soakPassed, soakResultSchema } from './soak/soak-result';

const SOAK_TEST = 'test/soak/soak.test.ts';

function wholeNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, not "${raw}"`);
  return value;
}

async function main(): Promise<number> {
  const seed = wholeNumber('SOAK_SEED', DEFAULT_SOAK_SEED, 0);
  const cycles = wholeNumber('SOAK_CYCLES', DEFAULT_SOAK_CYCLES, 1);
  const vitest = await createVitest('test', {
    watch: false,
    project: ['unit'],
    // Only the long run: the test that shows the soak can fail runs in `npm test`.
    testNamePattern: /^runSoak should drop no session/,
  });
  let result: unknown;
  let passed = false;
  try {
    vitest.provide('soakRun', { seed, cycles });
    const run = await vitest.start([SOAK_TEST]);
    const tests = run.testModules.flatMap((module) => [...module.children.allTests()]).filter((test) => test.result().state !== 'skipped');
    passed = run.unhandledErrors.length === 0 && tests.length === 1 && tests.every((test) => test.result().state === 'passed');
    result = tests[0]?.meta().soak;
  } finally {
    await vitest.close();
  }
  const parsed = soakResultSchema.safeParse(result);
  if (!parsed.success) {
    console.error(`soak: the run ended without its counts (see above)`);
    return 1;
  }
  // The very last line, whatever vitest printed before it.
  console.log(soakLine(parsed.data.counts));
  return passed && soakPassed(parsed.data.counts) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
