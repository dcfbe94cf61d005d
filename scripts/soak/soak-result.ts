import { z } from 'zod';

/**
 * What a soak run reports, shared by the run (test/soak) and `npm run soak` (scripts/soak.ts), which
 * reads it back from vitest's task metadata and validates it here: the one definition of the counts
 * and of the last line.
 */

export const DEFAULT_SOAK_SEED = 20_261_128;
export const DEFAULT_SOAK_CYCLES = 1000;

const count = z.number().int().nonnegative();

export const soakCountsSchema = z.strictObject({
  /** Access-token expiries the session went through. */
  cycles: count,
  /** Sessions that ended other than by the member's sign-out or a browser restart without "keep me signed in". */
  spurious_signouts: count,
  /** Refresh tokens the sandbox saw again after rotating them (CardioMood would revoke the family). */
  reuse_detected: count,
  /** Readings, glance, history or popup-view values written to storage between a sign-out and the next sign-in. */
  readings_after_signout: count,
  /** Successful grants whose answer never reached the background. */
  lost_answers: count,
  /** Workers stopped and started again while the browser kept running. */
  worker_restarts: count,
});
export type SoakCounts = z.infer<typeof soakCountsSchema>;

/** What the soak test leaves in its task metadata for scripts/soak.ts. */
export const soakResultSchema = z.object({ seed: z.number().int(), counts: soakCountsSchema });
export type SoakResult = z.infer<typeof soakResultSchema>;

/** The counts that must all be 0 for a soak to pass. */
export const MUST_BE_ZERO = ['spurious_signouts', 'reuse_detected', 'readings_after_signout'] as const;

export const soakPassed = (counts: SoakCounts) => MUST_BE_ZERO.every((name) => counts[name] === 0);

/** The soak's last line, in the fixed order of soakCountsSchema. */
export function soakLine(counts: SoakCounts): string {
  return `soak: ${Object.keys(soakCountsSchema.shape)
    .map((name) => `${name}=${counts[name as keyof SoakCounts]}`)
    .join(' ')}`;
}

declare module 'vitest' {
  interface ProvidedContext {
    /** Set by `npm run soak`: the long run's seed and length (absent in `npm test`, which runs a short one). */
    soakRun: { seed: number; cycles: number } | undefined;
  }
}

declare module '@vitest/runner' {
  interface TaskMeta {
    /** Left by the soak test for `npm run soak`. */
    soak?: SoakResult;
  }
}
