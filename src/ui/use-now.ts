import { useEffect, useState } from 'preact/hooks';

/** The current time, re-read every `intervalMs` so relative times ("3 min ago") stay true while open. */
export function useNow(now: () => number, intervalMs: number): number {
  const [value, setValue] = useState(now);
  useEffect(() => {
    const timer = setInterval(() => setValue(now()), intervalMs);
    return () => clearInterval(timer);
  }, [now, intervalMs]);
  return value;
}
