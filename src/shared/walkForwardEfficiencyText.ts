import type { WalkForwardResult } from './optimizeContract.ts';

/**
 * A run's walk-forward efficiency in words, as the Walk-forward view and the CLI say it: the ratio with the
 * two annualized returns it divides, or "n/a" and why. A bare ratio read 0.002 or 40 when the in-sample
 * return was a hair above 0, and "n/a" without a reason when it was a loss. `formatMetric` is the
 * surface's own (the view's or the CLI's), so the returns read as every other figure beside them.
 */
export function walkForwardEfficiencyText(
  result: Pick<WalkForwardResult, 'efficiency' | 'inSampleMean' | 'outOfSample'>,
  formatMetric: (key: string, value: number) => string,
): string {
  const inSample = result.inSampleMean['annualizedReturn'];
  const outOfSample = result.outOfSample['annualizedReturn'];
  const percent = (value: number): string => formatMetric('annualizedReturn', value);
  if (inSample === null || inSample === undefined)
    return 'n/a: no window has an in-sample annualized return to divide by';
  if (!(inSample > 0))
    return (
      `n/a: the in-sample annualized return (the windows' mean) is ${percent(inSample)}, not positive, ` +
      'so out of sample over in sample is no ratio of how much of the fit carried over'
    );
  if (result.efficiency === null || outOfSample === null || outOfSample === undefined)
    return 'n/a: the stitched out-of-sample curve has no annualized return';
  return (
    `${result.efficiency.toFixed(3)} (annualized return out of sample ${percent(outOfSample)} over in ` +
    `sample ${percent(inSample)}, the windows' mean)`
  );
}
