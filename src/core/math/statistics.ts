/**
 * Descriptive statistics shared by the metrics and the overfitting statistics, so that "standard
 * deviation", "skewness" or "percentile" mean one thing throughout Regimen.
 */

/** Arithmetic mean; NaN for an empty sample. */
export function mean(x: ArrayLike<number>): number {
  const n = x.length;
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i];
  return sum / n;
}

/**
 * Variance with `ddof` delta degrees of freedom: 1 (default) for the sample variance (pandas' default,
 * numpy's var(ddof=1)), 0 for the population variance. NaN when there are no more points than `ddof`.
 */
export function variance(x: ArrayLike<number>, ddof = 1): number {
  const n = x.length;
  if (n <= ddof || n === 0) return NaN;
  const m = mean(x);
  // Two passes rather than sum of squares: returns are small numbers with a smaller mean, where the
  // one-pass formula loses digits to cancellation.
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - m;
    ss += d * d;
  }
  return ss / (n - ddof);
}

/** Sample standard deviation (ddof 1, like pandas' default and numpy's std(ddof=1)); NaN below 2 points. */
export function sampleStd(x: ArrayLike<number>): number {
  return Math.sqrt(variance(x, 1));
}

/**
 * Skewness and kurtosis from population (biased) central moments, m3/m2^1.5 and m4/m2^2, as in
 * scipy.stats.skew/kurtosis(fisher=False, bias=True) and as used by Bailey & López de Prado's
 * reference code. Kurtosis is the raw one: 3 for a normal distribution, not excess kurtosis.
 * NaN for fewer than 2 points or zero variance.
 */
export function skewnessAndKurtosis(x: ArrayLike<number>): { skewness: number; kurtosis: number } {
  const n = x.length;
  if (n < 2) return { skewness: NaN, kurtosis: NaN };
  const m = mean(x);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - m;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  if (!(m2 > 0)) return { skewness: NaN, kurtosis: NaN };
  return { skewness: m3 / Math.pow(m2, 1.5), kurtosis: m4 / (m2 * m2) };
}

/**
 * The q-quantile (0 ≤ q ≤ 1) with linear interpolation between order statistics, numpy's default
 * (`method='linear'`): position h = (n-1)q, value x[⌊h⌋] + (h-⌊h⌋)(x[⌊h⌋+1] - x[⌊h⌋]). NaN when empty.
 */
export function quantile(x: ArrayLike<number>, q: number): number {
  const n = x.length;
  if (n === 0 || !(q >= 0 && q <= 1)) return NaN;
  const sorted = Float64Array.from(x).sort();
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** The middle order statistic (mean of the two middle ones for an even count), as numpy's median; NaN when empty. */
export function median(x: ArrayLike<number>): number {
  const n = x.length;
  if (n === 0) return NaN;
  const sorted = Float64Array.from(x).sort();
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/**
 * numerator / denominator with the one rule every ratio metric follows when its denominator (a risk or
 * a loss) is zero: +Infinity for a positive numerator, -Infinity for a negative one, NaN for 0/0. So a
 * strategy with gains and no losses has an infinite profit factor, and a flat one has NaN (undefined)
 * rather than a made-up number.
 */
export function ratio(numerator: number, denominator: number): number {
  if (denominator !== 0 || Number.isNaN(denominator)) return numerator / denominator;
  if (numerator > 0) return Infinity;
  if (numerator < 0) return -Infinity;
  return NaN;
}

export interface DrawdownSummary {
  /** min over points of wealth / running peak - 1: 0 when never under water, negative otherwise. */
  maxDrawdown: number;
  /** Longest stretch under water, in points, from a peak to the point that regains it (or the end). */
  maxDurationPoints: number;
  /** The same stretch measured in `time` units (from the peak's time to the recovery's time). */
  maxDuration: number;
}

/**
 * Wealth compounded from period returns drifts by about 1e-16 a step, so a flat stretch can sit a rounding
 * error under its peak. Counted as a drawdown, that dip gave a Calmar ratio of 6e14 and time under water to
 * a walk-forward window that never lost; a dip this small relative to the peak is the peak.
 */
const ROUNDING_DIP = 1e-12;

/**
 * Drawdown of a wealth series whose first point is the starting wealth, so a loss from the start counts.
 * Durations run from the last peak to the first point at or above it again; a drawdown still open at
 * the end runs to the last point. NaN for an empty series.
 */
export function drawdownSummary(wealth: ArrayLike<number>, time: ArrayLike<number>): DrawdownSummary {
  const n = wealth.length;
  if (n === 0) return { maxDrawdown: NaN, maxDurationPoints: NaN, maxDuration: NaN };
  let peak = wealth[0];
  let peakIndex = 0;
  let maxDrawdown = 0;
  let maxDurationPoints = 0;
  let maxDuration = 0;
  for (let i = 1; i < n; i++) {
    const w = wealth[i];
    if (w >= peak * (1 - ROUNDING_DIP)) {
      if (w > peak) peak = w;
      peakIndex = i;
      continue;
    }
    const dd = w / peak - 1;
    if (dd < maxDrawdown) maxDrawdown = dd;
    // Measured at every under-water point so an unrecovered drawdown counts up to the last point;
    // the recovery point itself is included by measuring the episode one point past its last underwater bar.
    const endIndex = i + 1 < n && wealth[i + 1] >= peak * (1 - ROUNDING_DIP) ? i + 1 : i;
    const points = endIndex - peakIndex;
    if (points > maxDurationPoints) maxDurationPoints = points;
    const duration = time[endIndex] - time[peakIndex];
    if (duration > maxDuration) maxDuration = duration;
  }
  return { maxDrawdown, maxDurationPoints, maxDuration };
}

/**
 * Fills `out[i]` with equity[i] / running peak - 1, the drawdown curve drawn under the equity chart (0 for a
 * rounding dip, as in drawdownSummary).
 * `startingWealth` (the initial cash) seeds the peak so a loss on the first bar shows.
 */
export function drawdownCurve(
  equity: Float64Array,
  out: Float64Array,
  startingWealth = -Infinity,
): Float64Array {
  let peak = startingWealth;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i];
    if (e > peak) peak = e;
    out[i] = e >= peak * (1 - ROUNDING_DIP) ? 0 : e / peak - 1;
  }
  return out;
}
