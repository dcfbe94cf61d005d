/**
 * Prints the one line CI ends with — `N passed, N failed` (plus `, N skipped` when any were) — from
 * Vitest's JSON report, totalling every project (unit, node, e2e), and exits non-zero when anything
 * failed or the report is missing.
 *
 *   vitest run --reporter=default --reporter=json --outputFile.json=<file>; tsx scripts/test-summary.ts <file>
 *
 * A test file that fails before any test runs (import error, failing beforeAll with no tests
 * reported) counts as one failure, so it can never vanish from the total. A missing or unreadable
 * report (the type check failed first, Vitest crashed) counts as one failure too.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const reportSchema = z.object({
  numPassedTests: z.number().int(),
  numFailedTests: z.number().int(),
  numPendingTests: z.number().int(),
  numTodoTests: z.number().int().default(0),
  success: z.boolean(),
  testResults: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      message: z.string().optional().default(''),
      assertionResults: z.array(z.object({ status: z.string() })),
    }),
  ),
});
export type VitestJsonReport = z.infer<typeof reportSchema>;

export interface TestSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** Files that failed without a failing test to show for it. */
  brokenFiles: string[];
}

export function summarize(report: VitestJsonReport): TestSummary {
  const brokenFiles = report.testResults
    .filter((file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'))
    .map((file) => file.name);
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + brokenFiles.length,
    skipped: report.numPendingTests + report.numTodoTests,
    brokenFiles,
  };
}

export function formatSummary({ passed, failed, skipped }: Pick<TestSummary, 'passed' | 'failed' | 'skipped'>): string {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

function main(file: string | undefined): number {
  if (!file) {
    console.error('usage: tsx scripts/test-summary.ts <vitest-json-report>');
    console.log(formatSummary({ passed: 0, failed: 1, skipped: 0 }));
    return 1;
  }
  let report: VitestJsonReport;
  try {
    report = reportSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    console.error(`test-summary: no usable Vitest report at ${file} (${error instanceof Error ? error.message.split('\n')[0] : String(error)});`);
    console.error('test-summary: the type check or Vitest itself failed before reporting; counting that as one failure.');
    console.log(formatSummary({ passed: 0, failed: 1, skipped: 0 }));
    return 1;
  }
  const summary = summarize(report);
  for (const name of summary.brokenFiles) console.error(`test-summary: ${name} failed without running its tests`);
  console.log(formatSummary(summary));
  return summary.failed > 0 || !report.success ? 1 : 0;
}

// Run only as a script, so a test can import summarize()/formatSummary().
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  process.exitCode = main(process.argv[2]);
}
