import { describe, expect, inject, it } from 'vitest';
import { DEFAULT_SOAK_SEED, soakLine } from '../../scripts/soak/soak-result';
import { runSoak, type SoakReport } from './run-soak';

/**
 * The soak (run-soak.ts) as a test. `npm test` runs a short one; `npm run soak` (scripts/soak.ts) runs
 * this same test for 1000 cycles (SOAK_CYCLES, SOAK_SEED) and prints its counts as its last line.
 */
const SHORT_RUN = { seed: DEFAULT_SOAK_SEED, cycles: 150 };
const run = inject('soakRun') ?? SHORT_RUN;

/** Far more than a run takes (about 70 ms per cycle on two busy cores), far less than forever. */
const timeoutFor = (cycles: number) => 60_000 + cycles * 600;

function describeRun(report: SoakReport): string {
  const { counts, details, endings } = report;
  const lines = [
    `soak seed ${report.seed}: ${counts.cycles} cycles in ${(details.durationMs / 1000).toFixed(1)} s`,
    `  lost answers: ${JSON.stringify(details.lostAnswers)}; worker kills: ${JSON.stringify(details.workerKills)}`,
    `  token faults: ${JSON.stringify(details.tokenFaults)}; summaries faults: ${details.summariesFaults}`,
    `  browser restarts: ${JSON.stringify(details.browserRestarts)}; sign-outs: ${details.signOuts}; sign-ins: ${details.signIns} (${details.interruptedSignIns} interrupted)`,
    `  companion replay outcomes: ${JSON.stringify(details.replay)}; sandbox: ${JSON.stringify(details.sandbox)}`,
    `  answers lost upstream: ${details.upstreamLost} (of ${details.tokenFaults.drop_upstream ?? 0} armed); silent re-authorizations: ${JSON.stringify(details.silentFlows)}`,
    `  checks without today's readings: ${details.staleChecks} ${JSON.stringify(details.staleReasons)}; errors logged: ${JSON.stringify(details.errorsLogged)}`,
  ];
  for (const ending of endings) lines.push(`  spurious end in cycle ${ending.cycle}: ${ending.reason} (seen in ${ending.seenBy})`, ...ending.trail.map((step) => `    ${step}`));
  return lines.join('\n');
}

describe('runSoak', () => {
  it(
    `should drop no session, trigger no refresh-token reuse and write no readings after a sign-out over ${run.cycles} token expiries`,
    async ({ task }) => {
      const report = await runSoak({ ...run, log: (line) => console.log(line) });
      task.meta.soak = { seed: report.seed, counts: report.counts };
      console.log(describeRun(report));
      console.log(soakLine(report.counts));
      expect(report.endings).toEqual([]);
      expect(report.counts).toMatchObject({ cycles: run.cycles, spurious_signouts: 0, reuse_detected: 0, readings_after_signout: 0 });
      // The member got today's readings after every expiry, once the faults stopped.
      expect(report.details.staleChecks).toBe(0);
      // The faults did happen (else the zeros above would prove nothing).
      expect(report.counts.lost_answers).toBeGreaterThan(run.cycles / 5);
      expect(report.counts.worker_restarts).toBeGreaterThan(run.cycles / 5);
      expect(report.details.browserRestarts.keep).toBeGreaterThan(0);
      expect(report.details.browserRestarts.noKeep).toBeGreaterThan(0);
      expect(report.details.signOuts).toBeGreaterThan(0);
      // Answers lost upstream happened, and every silent re-authorization they led to got a code (a
      // refresh whose session a sign-out ended meanwhile needs none, so there may be fewer flows).
      expect(report.details.upstreamLost).toBeGreaterThan(run.cycles / 30);
      expect(report.details.silentFlows.answered).toBe(report.details.silentFlows.tried);
      expect(report.details.silentFlows.answered).toBeGreaterThan(run.cycles / 30);
    },
    timeoutFor(run.cycles),
  );

  it(
    'should count spurious sign-outs and reuse detections when the companion keeps no replay window',
    async () => {
      const report = await runSoak({ seed: DEFAULT_SOAK_SEED, cycles: 40, replayWindowSeconds: 0 });
      expect(report.counts.spurious_signouts).toBeGreaterThan(0);
      expect(report.counts.reuse_detected).toBeGreaterThan(0);
      // The retry reused the rotated token, CardioMood revoked the sign-in, so signing in again silently found nothing to approve.
      expect(report.endings.map((ending) => ending.reason)).toContain('answer_lost');
    },
    timeoutFor(40),
  );
});
