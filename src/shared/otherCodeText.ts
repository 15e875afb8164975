/**
 * What a trader is told of workers on the chosen Redis that run other code (built from another commit,
 * so they serve another queue): they take none of this machine's trials, and "no worker is connected"
 * alone would leave a study waiting with no reason given. The CLI and Settings > Compute say it alike.
 */
export function otherCodeText(others: readonly { readonly host: string }[]): string | null {
  if (others.length === 0) return null;
  const hosts = [...new Set(others.map((w) => w.host))].join(', ');
  return (
    `${others.length} worker(s) there (${hosts}) run other code and take none of these trials: ` +
    'start them from the same commit as this machine'
  );
}
