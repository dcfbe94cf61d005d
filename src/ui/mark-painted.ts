/**
 * Sets a performance mark right after the next frame is on screen: requestAnimationFrame runs just
 * before the frame, a task queued from it runs after (the same rule the bench's floor page uses,
 * docs/performance.md). `stillTrue`, asked after the frame, can withdraw the mark (what was to be
 * painted was taken down before the frame).
 */
export function markAfterPaint(name: string, stillTrue: () => boolean = () => true): void {
  requestAnimationFrame(() => setTimeout(() => stillTrue() && performance.mark(name), 0));
}
