// The floor for `npm run bench`: an extension page that does nothing but paint one line.
// "Painted" is detected the same way the popup and side panel detect it (see docs/performance.md):
// requestAnimationFrame runs just before the next frame is painted, and a task queued from it runs
// after that frame has been produced.
requestAnimationFrame(() => {
  setTimeout(() => performance.mark('floor-painted'), 0);
});
