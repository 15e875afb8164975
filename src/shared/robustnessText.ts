/**
 * How the Monte Carlo's drawdown figures are named, by the CLI and the Backtest view alike. Drawdowns are
 * signed as the maxDrawdown metric is everywhere (-0.2 is 20 % below the running peak) and read from the
 * worst tail: the p95 drawdown is the 95th-percentile worst, the most negative, while the p95 equity is
 * the best tail. The names say "worst" so the two tails cannot be mistaken for each other.
 */

/** "p5 / p50 / p95 worst": the drawdown percentiles shown, named by their tail. */
export function worstPercentilesLabel(percentiles: readonly number[]): string {
  return `${percentiles.map((p) => `p${Math.round(p * 100)}`).join(' / ')} worst`;
}

/** The line under a table whose rows are percentiles of both final equity and max drawdown. */
export function drawdownTailNote(percentile: number): string {
  const p = `${Math.round(percentile * 100)}%`;
  return (
    `Max drawdown is read from the worst tail: the ${p} row is the ${Math.round(percentile * 100)}th-percentile ` +
    `worst, deeper than in ${p} of resamples (final equity's ${p} row is higher than in ${p}).`
  );
}

/** The odds of a maximum drawdown deeper than the depth asked, the depth printed as a signed drawdown. */
export function drawdownOddsLabel(signedDepth: string): string {
  return `P(max drawdown < ${signedDepth})`;
}
