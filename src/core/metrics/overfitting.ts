/**
 * Statistics that ask how much of a backtest's Sharpe ratio is luck: the probabilistic and deflated
 * Sharpe ratios (Bailey & López de Prado 2012, 2014) and the probability of backtest overfitting by
 * combinatorially symmetric cross-validation (Bailey, Borwein, López de Prado & Zhu 2017). The
 * optimizer calls these on every study; computeMetrics uses the first two on single backtests.
 */
import { normalCdf, normalInverseCdf } from '../math/normal.ts';
import { ratio } from '../math/statistics.ts';

/** Euler–Mascheroni constant γ. */
export const EULER_MASCHERONI = 0.5772156649015329;

export interface ProbabilisticSharpeInput {
  /** Observed Sharpe ratio (per period, or annualized when `periodsPerYear` is given). */
  sharpe: number;
  /** Sharpe ratio to beat, in the same units as `sharpe`; 0 by default. */
  benchmark?: number;
  /** Number of return observations the Sharpe ratio was measured on. */
  n: number;
  /** Skewness of those returns (0 for normal). */
  skew: number;
  /** Kurtosis of those returns, raw, not excess (3 for normal). */
  kurtosis: number;
  /**
   * When the Sharpe ratios are annualized, the periods per year used (e.g. 252) so they can be brought
   * back to per-period units, which is what the formula needs. Omit for per-period inputs.
   */
  periodsPerYear?: number;
}

/**
 * Probabilistic Sharpe ratio, Bailey & López de Prado (2012), "The Sharpe ratio efficient frontier",
 * eq. for PSR: the probability that the true Sharpe ratio exceeds the benchmark SR*, given the sample's
 * length, skewness γ3 and kurtosis γ4:
 *
 *   PSR = Φ( (SR − SR*) √(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4 · SR²) )   with SR per period.
 *
 * NaN when n < 2, an input is NaN, or the variance term is not positive (impossible moments).
 */
export function probabilisticSharpeRatio(input: ProbabilisticSharpeInput): number {
  const scale = input.periodsPerYear === undefined ? 1 : Math.sqrt(input.periodsPerYear);
  const sr = input.sharpe / scale;
  const benchmark = (input.benchmark ?? 0) / scale;
  const { n, skew, kurtosis } = input;
  if (!(n >= 2)) return NaN;
  const variance = 1 - skew * sr + ((kurtosis - 1) / 4) * sr * sr;
  if (!(variance > 0)) return NaN;
  return normalCdf(((sr - benchmark) * Math.sqrt(n - 1)) / Math.sqrt(variance));
}

/**
 * Expected maximum Sharpe ratio among `trials` independent trials whose true Sharpe ratios are all zero
 * and whose estimated Sharpe ratios have variance `variance` (Bailey & López de Prado 2014, from the
 * false strategy theorem), with the Gumbel approximation of the expected maximum of normals:
 *
 *   E[max SR] ≈ √V · ( (1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e)) ).
 *
 * Same units as √variance. 0 for a single trial (nothing was selected), NaN for invalid inputs.
 */
export function expectedMaxSharpe(trials: number, variance: number): number {
  if (!(trials >= 1) || !(variance >= 0)) return NaN;
  if (trials === 1) return 0;
  const z =
    (1 - EULER_MASCHERONI) * normalInverseCdf(1 - 1 / trials) +
    EULER_MASCHERONI * normalInverseCdf(1 - 1 / (trials * Math.E));
  return Math.sqrt(variance) * z;
}

export interface DeflatedSharpeInput {
  /** The selected (best) trial's Sharpe ratio. */
  sharpe: number;
  /** Number of independent trials tried before selecting it. */
  trials: number;
  /** Variance of the trials' Sharpe ratios (same units as `sharpe`, squared). */
  sharpeVariance: number;
  /** Number of return observations behind `sharpe`. */
  n: number;
  /** Skewness of the selected trial's returns. */
  skew: number;
  /** Raw kurtosis of the selected trial's returns (3 for normal). */
  kurtosis: number;
  /** Periods per year when `sharpe` and `sharpeVariance` are annualized; omit for per-period units. */
  periodsPerYear?: number;
}

/**
 * Deflated Sharpe ratio, Bailey & López de Prado (2014), "The deflated Sharpe ratio": the PSR against
 * the Sharpe ratio that the best of `trials` worthless strategies would reach by luck,
 * DSR = PSR(SR* = expectedMaxSharpe(trials, sharpeVariance)). A probability; above 0.95 is the paper's
 * bar for a discovery at 5% significance.
 */
export function deflatedSharpeRatio(input: DeflatedSharpeInput): number {
  const periods = input.periodsPerYear ?? 1;
  // Work per period: the benchmark must be in the units the PSR formula uses.
  const benchmark = expectedMaxSharpe(input.trials, input.sharpeVariance / periods);
  return probabilisticSharpeRatio({
    sharpe: input.sharpe / Math.sqrt(periods),
    benchmark,
    n: input.n,
    skew: input.skew,
    kurtosis: input.kurtosis,
  });
}

export interface BacktestOverfittingResult {
  /** Probability of backtest overfitting: share of splits whose in-sample best ranks at or below the out-of-sample median (logit ≤ 0). */
  pbo: number;
  /** One logit λ = ln(ω / (1 − ω)) per split, ω the out-of-sample relative rank of the in-sample best. */
  logits: Float64Array;
  /** Per split, the in-sample best trial's index. */
  selected: Int32Array;
  /** Per split, the in-sample best trial's Sharpe ratio (per period) on the training half. */
  inSampleSharpe: Float64Array;
  /** Per split, the same trial's Sharpe ratio (per period) on the testing half. */
  outOfSampleSharpe: Float64Array;
  /** Share of splits where the selected trial's out-of-sample Sharpe ratio is below 0. */
  probabilityOfLoss: number;
  /** Slope of the least-squares line of outOfSampleSharpe on inSampleSharpe (performance degradation). */
  degradationSlope: number;
  /** Number of splits, C(S, S/2). */
  combinations: number;
  /** Rows used: the oldest rows % S rows are dropped so all S blocks are equally long. */
  rowsUsed: number;
}

/**
 * Probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV), Bailey,
 * Borwein, López de Prado & Zhu (2017), "The probability of backtest overfitting", J. Comp. Finance.
 *
 * `matrix` holds the per-period returns of `cols` trials over `rows` periods, row-major (row = period).
 * Rows are cut into `partitions` (S, even) contiguous blocks; for each of the C(S, S/2) ways to choose
 * half the blocks as the training set (the rest, in time order, is the test set) the trial with the best
 * training Sharpe ratio is located among all trials on the test set by its rank r (1 = worst, ties
 * averaged), ω = r / (N + 1), λ = ln(ω / (1 − ω)). PBO is the share of λ ≤ 0.
 *
 * Conventions follow pypbo (esvhd/pypbo): oldest T mod S rows dropped, ranks averaged on ties, the first
 * best trial on a tie in training, λ ≤ 0 counted. Performance is the per-period Sharpe ratio (mean / sample
 * std); a trial with zero variance on a half ranks below every trial with a finite Sharpe ratio there.
 * Splits are enumerated in itertools.combinations order. Throws RangeError on a malformed matrix.
 */
export function probabilityOfBacktestOverfitting(
  matrix: Float64Array,
  rows: number,
  cols: number,
  partitions = 16,
): BacktestOverfittingResult {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || matrix.length !== rows * cols) {
    throw new RangeError(`PBO: matrix length ${matrix.length} is not rows x cols = ${rows} x ${cols}`);
  }
  if (!Number.isInteger(partitions) || partitions < 2 || partitions % 2 !== 0) {
    throw new RangeError(`PBO: partitions must be an even integer >= 2, got ${partitions}`);
  }
  if (cols < 2) throw new RangeError(`PBO: needs at least 2 trials (columns), got ${cols}`);
  const blockRows = Math.floor(rows / partitions);
  if (blockRows < 1) throw new RangeError(`PBO: ${rows} rows cannot fill ${partitions} partitions`);

  const S = partitions;
  const N = cols;
  const skip = rows - blockRows * S;
  // Per block and trial: sum and sum of squares, so each split's statistics are sums of S/2 blocks.
  const blockSum = new Float64Array(S * N);
  const blockSumSq = new Float64Array(S * N);
  for (let b = 0; b < S; b++) {
    for (let r = 0; r < blockRows; r++) {
      const rowOffset = (skip + b * blockRows + r) * N;
      for (let j = 0; j < N; j++) {
        const x = matrix[rowOffset + j];
        blockSum[b * N + j] += x;
        blockSumSq[b * N + j] += x * x;
      }
    }
  }
  const totalSum = new Float64Array(N);
  const totalSumSq = new Float64Array(N);
  for (let b = 0; b < S; b++) {
    for (let j = 0; j < N; j++) {
      totalSum[j] += blockSum[b * N + j];
      totalSumSq[j] += blockSumSq[b * N + j];
    }
  }

  const half = S / 2;
  const m = half * blockRows;
  let combinations = 1;
  for (let i = 0; i < half; i++) combinations = (combinations * (S - i)) / (i + 1);

  const logits = new Float64Array(combinations);
  const selected = new Int32Array(combinations);
  const inSampleSharpe = new Float64Array(combinations);
  const outOfSampleSharpe = new Float64Array(combinations);
  const trainSum = new Float64Array(N);
  const trainSumSq = new Float64Array(N);
  const testSharpe = new Float64Array(N);
  const chosen = new Int32Array(half);
  for (let i = 0; i < half; i++) chosen[i] = i;

  let overfit = 0;
  let losses = 0;
  for (let c = 0; c < combinations; c++) {
    trainSum.fill(0);
    trainSumSq.fill(0);
    for (let i = 0; i < half; i++) {
      const offset = chosen[i] * N;
      for (let j = 0; j < N; j++) {
        trainSum[j] += blockSum[offset + j];
        trainSumSq[j] += blockSumSq[offset + j];
      }
    }
    let best = 0;
    let bestSharpe = -Infinity;
    for (let j = 0; j < N; j++) {
      const sr = sharpeFromSums(trainSum[j], trainSumSq[j], m);
      if (sr > bestSharpe || j === 0) {
        bestSharpe = sr;
        best = j;
      }
      testSharpe[j] = sharpeFromSums(totalSum[j] - trainSum[j], totalSumSq[j] - trainSumSq[j], m);
    }
    const target = testSharpe[best];
    let below = 0;
    let ties = 0;
    for (let j = 0; j < N; j++) {
      if (testSharpe[j] < target) below++;
      else if (testSharpe[j] === target) ties++;
    }
    // Average rank among ties (scipy.stats.rankdata's default), `ties` including the trial itself.
    const rank = below + (ties + 1) / 2;
    const omega = rank / (N + 1);
    const logit = Math.log(omega / (1 - omega));
    logits[c] = logit;
    selected[c] = best;
    inSampleSharpe[c] = bestSharpe;
    outOfSampleSharpe[c] = target;
    if (logit <= 0) overfit++;
    if (target < 0) losses++;

    // Next combination in lexicographic order (as itertools.combinations).
    let i = half - 1;
    while (i >= 0 && chosen[i] === S - half + i) i--;
    if (i < 0) break;
    chosen[i]++;
    for (let k = i + 1; k < half; k++) chosen[k] = chosen[k - 1] + 1;
  }

  return {
    pbo: overfit / combinations,
    logits,
    selected,
    inSampleSharpe,
    outOfSampleSharpe,
    probabilityOfLoss: losses / combinations,
    degradationSlope: leastSquaresSlope(inSampleSharpe, outOfSampleSharpe),
    combinations,
    rowsUsed: blockRows * S,
  };
}

/** Per-period Sharpe ratio (sample std, ddof 1) of m returns from their sum and sum of squares. */
function sharpeFromSums(sum: number, sumSq: number, m: number): number {
  const mu = sum / m;
  // Clamped: for a flat trial rounding can leave a tiny negative variance.
  const variance = Math.max(0, (sumSq - sum * mu) / (m - 1));
  const sr = ratio(mu, Math.sqrt(variance));
  // Undefined Sharpe ratios (flat trials) rank last rather than poisoning comparisons with NaN.
  return Number.isNaN(sr) ? -Infinity : sr;
}

/** Slope of y on x by ordinary least squares over the finite pairs; NaN without spread in x. */
function leastSquaresSlope(x: Float64Array, y: Float64Array): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    n++;
    sx += x[i];
    sy += y[i];
  }
  if (n < 2) return NaN;
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
  }
  return sxx > 0 ? sxy / sxx : NaN;
}
