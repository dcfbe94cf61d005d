/**
 * Runs tasks one after another, in the order they were queued: each starts once the one before it
 * has settled, whether it succeeded or failed. A task's own result (or rejection) goes to its caller
 * only; a failure never stops the queue. For read-modify-write of stored values that concurrent
 * callers must not interleave.
 */
export function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const result = tail.then(task);
    tail = result.catch(() => undefined);
    return result;
  };
}
