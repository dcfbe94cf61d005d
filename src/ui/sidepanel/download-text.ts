/**
 * Saves text as a file through the page's own download of a Blob URL (`<a download>`): no
 * `downloads` permission. The URL is revoked a little later, not at once: Firefox may still be
 * reading it after click() returns.
 */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.hidden = true;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
