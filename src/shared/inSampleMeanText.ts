/**
 * How many windows an in-sample mean is over, when not every window: a window where the figure is
 * undefined (a Calmar ratio of a window that never drew down, a Sharpe ratio of a flat curve) is left out
 * of the mean, so a mean of 2.1 can be three windows' of eight. Null when every window has it. The
 * Walk-forward view and the CLI say it beside the mean.
 */
export function inSampleMeanWindows(
  windows: readonly { readonly inSample: Readonly<Record<string, number | null | undefined>> }[],
  key: string,
): string | null {
  const defined = windows.filter((w) => Number.isFinite(w.inSample[key] ?? NaN)).length;
  return defined === windows.length ? null : `${defined} of ${windows.length} windows`;
}
