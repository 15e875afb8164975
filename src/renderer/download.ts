/** Saves content as a file the browser (or Electron) downloads: the page names it, no path is given. */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  // After the click has handed the URL over; revoking at once can cancel the download in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Saves text made in the page as a download: no request to the services. */
export function downloadText(fileName: string, text: string, type: 'text/csv' | 'text/html'): void {
  downloadBlob(fileName, new Blob([text], { type: `${type};charset=utf-8` }));
}

/** A file name from a result's parts: letters, digits, '-', '_' and '.' only. */
export function fileNameOf(parts: readonly (string | number)[], extension: 'csv' | 'html'): string {
  return `${parts.map((p) => String(p).replace(/[^A-Za-z0-9_.-]+/g, '-')).join('_')}.${extension}`;
}
