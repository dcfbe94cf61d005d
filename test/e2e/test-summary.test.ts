/** The CI summary line (scripts/test-summary.ts) over Vitest JSON reports. */
import { describe, expect, it } from 'vitest';
import { formatSummary, summarize, type VitestJsonReport } from '../../scripts/test-summary';

const file = (name: string, status: string, tests: string[]) => ({
  name,
  status,
  message: '',
  assertionResults: tests.map((testStatus) => ({ status: testStatus })),
});

const report = (overrides: Partial<VitestJsonReport>): VitestJsonReport => ({
  numPassedTests: 0,
  numFailedTests: 0,
  numPendingTests: 0,
  numTodoTests: 0,
  success: true,
  testResults: [],
  ...overrides,
});

describe('formatSummary', () => {
  it.each([
    [{ passed: 12, failed: 0, skipped: 0 }, '12 passed, 0 failed'],
    [{ passed: 3, failed: 2, skipped: 0 }, '3 passed, 2 failed'],
    [{ passed: 3, failed: 0, skipped: 4 }, '3 passed, 0 failed, 4 skipped'],
  ])('should print %j as "%s"', (counts, line) => {
    expect(formatSummary(counts)).toBe(line);
  });
});

describe('summarize', () => {
  it('should total passed, failed and skipped tests when every file ran', () => {
    const summary = summarize(
      report({
        numPassedTests: 5,
        numFailedTests: 1,
        numPendingTests: 2,
        numTodoTests: 1,
        success: false,
        testResults: [file('a.test.ts', 'failed', ['passed', 'failed']), file('b.test.ts', 'passed', ['passed'])],
      }),
    );
    expect(summary).toEqual({ passed: 5, failed: 1, skipped: 3, brokenFiles: [] });
  });

  it('should count a file that failed without a failing test as one failure when it could not run', () => {
    const summary = summarize(
      report({ numPassedTests: 4, success: false, testResults: [file('broken.test.ts', 'failed', []), file('ok.test.ts', 'passed', ['passed'])] }),
    );
    expect(summary.failed).toBe(1);
    expect(summary.brokenFiles).toEqual(['broken.test.ts']);
  });
});
