import { checkOutput, checkPeriod } from './checks.ts';
import { sma, SmaState } from './moving-average.ts';

/**
 * Rolling population standard deviation (divide by period), the one TA-Lib STDDEV and BBANDS use.
 * Computed with a sliding Welford update rather than TA-Lib's E[x^2] - E[x]^2, which cancels
 * catastrophically once prices are large relative to their spread (and TA-Lib also zeroes variances
 * below 1e-8, which flattens the bands of low-priced instruments such as FX pairs). Values agree with
 * TA-Lib to rounding. Warm-up: the first period - 1 outputs are NaN.
 */
export function rollingStd(src: Float64Array, period: number, out: Float64Array): Float64Array {
  checkPeriod('rollingStd', period);
  const n = src.length;
  checkOutput('rollingStd', n, out);
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i];
    if (i < period) {
      // Growing window: plain Welford.
      const delta = x - mean;
      mean += delta / (i + 1);
      m2 += delta * (x - mean);
    } else {
      const y = src[i - period];
      const oldMean = mean;
      mean += (x - y) / period;
      m2 += (x - y) * (x - mean + y - oldMean);
    }
    out[i] = i < period - 1 ? NaN : Math.sqrt(m2 > 0 ? m2 / period : 0);
  }
  return out;
}

/**
 * Bollinger Bands. Matches TA-Lib BBANDS with an SMA middle band and population standard deviation:
 * upper/lower = middle +/- k x std. Warm-up: the first period - 1 outputs are NaN.
 */
export function bollinger(
  src: Float64Array,
  period: number,
  k: number,
  outUpper: Float64Array,
  outMiddle: Float64Array,
  outLower: Float64Array,
): void {
  checkOutput('bollinger', src.length, outUpper, outMiddle, outLower);
  sma(src, period, outMiddle);
  // The deviation goes through outLower first so no scratch buffer is needed.
  rollingStd(src, period, outLower);
  for (let i = 0; i < src.length; i++) {
    const spread = k * outLower[i];
    outUpper[i] = outMiddle[i] + spread;
    outLower[i] = outMiddle[i] - spread;
  }
}

/** Streaming sliding-Welford state shared by the Bollinger and volatility states. */
class WindowVariance {
  private readonly ring: Float64Array;
  private count = 0;
  private mean = 0;
  private m2 = 0;

  constructor(readonly period: number) {
    this.ring = new Float64Array(period);
  }

  /** Adds x; returns the sum of squared deviations of the current window (or of all values so far). */
  add(x: number): number {
    const p = this.period;
    if (this.count < p) {
      const delta = x - this.mean;
      this.mean += delta / (this.count + 1);
      this.m2 += delta * (x - this.mean);
    } else {
      const y = this.ring[this.count % p];
      const oldMean = this.mean;
      this.mean += (x - y) / p;
      this.m2 += (x - y) * (x - this.mean + y - oldMean);
    }
    this.ring[this.count % p] = x;
    this.count++;
    return this.m2;
  }

  get full(): boolean {
    return this.count >= this.period;
  }

  reset(): void {
    this.count = 0;
    this.mean = 0;
    this.m2 = 0;
  }
}

/** Streaming rolling population standard deviation; equal to `rollingStd`. */
export class StdState {
  private readonly window: WindowVariance;
  value = NaN;

  constructor(readonly period: number) {
    checkPeriod('StdState', period);
    this.window = new WindowVariance(period);
  }

  update(x: number): number {
    const m2 = this.window.add(x);
    if (this.window.full) this.value = Math.sqrt(m2 > 0 ? m2 / this.period : 0);
    return this.value;
  }
}

/** Streaming Bollinger Bands; equal to `bollinger` for the same inputs. */
export class BollingerState {
  private readonly window: WindowVariance;
  /** The middle band: SmaState reproduces the batch `sma` exactly. */
  private readonly average: SmaState;
  upper = NaN;
  middle = NaN;
  lower = NaN;

  constructor(
    readonly period: number,
    readonly k: number,
  ) {
    checkPeriod('BollingerState', period);
    this.window = new WindowVariance(period);
    this.average = new SmaState(period);
  }

  update(x: number): number {
    const p = this.period;
    const m2 = this.window.add(x);
    this.average.update(x);
    if (this.window.full) {
      this.middle = this.average.value;
      const spread = this.k * Math.sqrt(m2 > 0 ? m2 / p : 0);
      this.upper = this.middle + spread;
      this.lower = this.middle - spread;
    }
    return this.middle;
  }

  reset(): void {
    this.window.reset();
    this.average.reset();
    this.upper = this.middle = this.lower = NaN;
  }
}

/**
 * Rolling volatility: sample standard deviation (ddof 1) of log returns ln(c[i] / c[i-1]) over the last
 * `period` returns, not annualised (multiply by sqrt(bars per year) to annualise). Reference: pandas
 * `np.log(c).diff().rolling(period).std()`; no TA-Lib equivalent. Warm-up: the first `period` outputs are
 * NaN (out[period] is the first value, using returns 1..period).
 */
export function rollingVolatility(close: Float64Array, period: number, out: Float64Array): Float64Array {
  checkPeriod('rollingVolatility', period, 2);
  const n = close.length;
  checkOutput('rollingVolatility', n, out);
  if (n > 0) out[0] = NaN;
  // Returns are recomputed on the fly (the one leaving the window too) so no scratch buffer is needed.
  let mean = 0;
  let m2 = 0;
  for (let i = 1; i < n; i++) {
    const x = Math.log(close[i] / close[i - 1]);
    const j = i - 1; // index of this return among returns
    if (j < period) {
      const delta = x - mean;
      mean += delta / (j + 1);
      m2 += delta * (x - mean);
    } else {
      const y = Math.log(close[i - period] / close[i - period - 1]);
      const oldMean = mean;
      mean += (x - y) / period;
      m2 += (x - y) * (x - mean + y - oldMean);
    }
    out[i] = j < period - 1 ? NaN : Math.sqrt(m2 > 0 ? m2 / (period - 1) : 0);
  }
  return out;
}

/** Streaming rolling volatility; equal to `rollingVolatility`. */
export class VolatilityState {
  private readonly window: WindowVariance;
  private previous = NaN;
  value = NaN;

  constructor(readonly period: number) {
    checkPeriod('VolatilityState', period, 2);
    this.window = new WindowVariance(period);
  }

  update(close: number): number {
    if (!Number.isNaN(this.previous)) {
      const m2 = this.window.add(Math.log(close / this.previous));
      if (this.window.full) this.value = Math.sqrt(m2 > 0 ? m2 / (this.period - 1) : 0);
    }
    this.previous = close;
    return this.value;
  }

  reset(): void {
    this.window.reset();
    this.previous = NaN;
    this.value = NaN;
  }
}
