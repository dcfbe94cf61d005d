/**
 * Sets a performance mark right after the next frame is on screen: requestAnimationFrame runs just
 * before the frame, a task queued from it runs after (the same rule the bench's floor page uses,
 * docs/performance.md).
 */
export function markAfterPaint(name: string): void {
  requestAnimationFrame(() => setTimeout(() => performance.mark(name), 0));
}
