/**
 * Means and ratios of a time series with a Newey-West (1987) heteroskedasticity- and
 * autocorrelation-consistent standard error: Bartlett kernel, weights 1 - j/(lag + 1), no prewhitening,
 * and the n/(n - 1) small-sample factor, as statsmodels' `cov_hac(use_correction=True)` and R's
 * `sandwich::NeweyWest(fit, lag, prewhite = FALSE, adjust = TRUE)` compute it for a regression on a
 * constant. With the factor a lag of 0 gives back the textbook sd/√n, so the classic t is the special
 * case of no serial correlation.
 *
 * The learner's figures use it over walk-forward windows in time order: every prediction of a window
 * shares that window's market move (they hit or miss together), and a market's regimes persist from one
 * window to the next, so neither the predictions nor the windows are independent draws.
 */

import { mean } from './statistics.ts';

/** The two-sided 95 % quantile of the standard normal distribution (HAC inference is asymptotic). */
export const Z_95 = 1.959963984540054;

/**
 * Newey & West (1994)'s rule of thumb for the Bartlett kernel, floor(4 (n/100)^(2/9)), statsmodels'
 * default for `nlags`; never more than n - 1 (there are no longer lags).
 */
export function neweyWestLag(n: number): number {
  if (n < 2) return 0;
  return Math.min(n - 1, Math.floor(4 * (n / 100) ** (2 / 9)));
}

export interface HacEstimate {
  readonly estimate: number;
  /** NaN below two observations. */
  readonly standardError: number;
  readonly lag: number;
}

/**
 * The variance of the mean of a series whose deviations from its estimate are `residuals` (they sum to
 * 0): (n/(n - 1)) (1/n²) [Σ e_t² + 2 Σ_j w_j Σ_t e_t e_{t-j}].
 */
function hacVarianceOfMean(residuals: readonly number[], lag: number): number {
  const n = residuals.length;
  if (n < 2) return Number.NaN;
  let s = 0;
  for (let t = 0; t < n; t++) s += residuals[t]! ** 2;
  for (let j = 1; j <= lag; j++) {
    let cross = 0;
    for (let t = j; t < n; t++) cross += residuals[t]! * residuals[t - j]!;
    s += 2 * (1 - j / (lag + 1)) * cross;
  }
  // Bartlett weights keep the sum non-negative; the max guards rounding when every term cancels.
  return Math.max(0, s) / (n * (n - 1));
}

/** The mean of `values` (a time series, oldest first) and its HAC standard error. */
export function hacMean(values: readonly number[], lag = neweyWestLag(values.length)): HacEstimate {
  if (values.length === 0) return { estimate: Number.NaN, standardError: Number.NaN, lag: 0 };
  const m = mean(values);
  return {
    estimate: m,
    standardError: Math.sqrt(
      hacVarianceOfMean(
        values.map((v) => v - m),
        lag,
      ),
    ),
    lag,
  };
}

/**
 * The ratio of sums Σ numerator / Σ denominator over periods (hits over predictions of each window) and
 * its HAC standard error by linearisation (the ratio estimator): the residual of period t is
 * (numerator_t - ratio · denominator_t) / mean denominator, the period's sum of its observations'
 * residuals, so this is Driscoll & Kraay's (1998) panel estimator (statsmodels' `cov_nw_groupsum`) for
 * a pooled share. Periods of unequal size weigh by their size, as the pooled share does; with equal sizes
 * it is `hacMean` of the per-period shares.
 */
export function hacRatio(
  numerators: readonly number[],
  denominators: readonly number[],
  lag = neweyWestLag(numerators.length),
): HacEstimate {
  if (numerators.length !== denominators.length)
    throw new Error(`hacRatio: ${numerators.length} numerators against ${denominators.length} denominators`);
  const n = numerators.length;
  const top = numerators.reduce((a, v) => a + v, 0);
  const bottom = denominators.reduce((a, v) => a + v, 0);
  if (n === 0 || bottom === 0) return { estimate: Number.NaN, standardError: Number.NaN, lag: 0 };
  const ratio = top / bottom;
  const meanDenominator = bottom / n;
  const residuals = numerators.map((y, t) => (y - ratio * denominators[t]!) / meanDenominator);
  return { estimate: ratio, standardError: Math.sqrt(hacVarianceOfMean(residuals, lag)), lag };
}

/** estimate ± z·s.e., clipped to [min, max] (a share's interval stays within 0 and 1). */
export function interval95(
  { estimate, standardError }: HacEstimate,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
): { lower: number; upper: number } {
  return {
    lower: Math.max(min, estimate - Z_95 * standardError),
    upper: Math.min(max, estimate + Z_95 * standardError),
  };
}
