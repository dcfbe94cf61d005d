/**
 * The one clock of a soak run. The background, the sandbox and the companion all read `now()`, so an
 * hour-long token lifetime passes in a step; timers the background sets (its quick refresh retries)
 * wait on this clock too and run only when the soak moves time past them.
 */
export interface VirtualTime {
  now(): number;
  /** The background's `setTimer`: `run` is due `ms` from now; returns the cancel. */
  setTimer(run: () => void, ms: number): () => void;
  /** The earliest timer due at or before `until` (ties in the order they were set), or null. */
  nextTimer(until: number): { at: number; fire(): void } | null;
  /** Moves the clock forward to `ms` (never back). */
  moveTo(ms: number): void;
}

export function createVirtualTime(start: number): VirtualTime {
  let now = start;
  let sequence = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  return {
    now: () => now,
    setTimer(run, ms) {
      const id = ++sequence;
      timers.set(id, { at: now + Math.max(0, ms), run });
      return () => {
        timers.delete(id);
      };
    },
    nextTimer(until) {
      let earliest: [number, { at: number; run: () => void }] | undefined;
      for (const entry of timers) {
        if (entry[1].at <= until && (!earliest || entry[1].at < earliest[1].at)) earliest = entry;
      }
      if (!earliest) return null;
      const [id, timer] = earliest;
      return {
        at: timer.at,
        fire() {
          timers.delete(id);
          timer.run();
        },
      };
    },
    moveTo(ms) {
      if (ms > now) now = ms;
    },
  };
}
