import { checkOutput, checkPeriod } from './checks.ts';

/**
 * Simple moving average. Matches TA-Lib SMA (a running sum: add the new value, divide, drop the oldest),
 * so the streaming state below reproduces it bit for bit.
 * Warm-up: the first `period - 1` outputs are NaN; out[period - 1] is the mean of src[0..period-1].
 */
export function sma(src: Float64Array, period: number, out: Float64Array): Float64Array {
  checkPeriod('sma', period);
  const n = src.length;
  checkOutput('sma', n, out);
  const warm = Math.min(period - 1, n);
  let total = 0;
  for (let i = 0; i < warm; i++) {
    total += src[i];
    out[i] = NaN;
  }
  for (let i = period - 1; i < n; i++) {
    total += src[i];
    out[i] = total / period;
    total -= src[i - period + 1];
  }
  return out;
}

/** Streaming SMA over a ring buffer; `update` returns the same values as `sma` for the same inputs. */
export class SmaState {
  readonly period: number;
  private readonly ring: Float64Array;
  private count = 0;
  private total = 0;
  value = NaN;

  constructor(period: number) {
    checkPeriod('SmaState', period);
    this.period = period;
    this.ring = new Float64Array(period);
  }

  update(x: number): number {
    const p = this.period;
    this.total += x;
    this.ring[this.count % p] = x;
    this.count++;
    if (this.count >= p) {
      this.value = this.total / p;
      // The oldest value still in the window is the one written p - 1 updates ago.
      this.total -= this.ring[this.count % p];
    }
    return this.value;
  }

  reset(): void {
    this.count = 0;
    this.total = 0;
    this.value = NaN;
  }
}

/**
 * EMA over src starting at `start`: seeded with the SMA of src[start..start+period-1] (TA-Lib's default
 * compatibility), then prev + k (x - prev) with k = 2 / (period + 1), written the way TA-Lib writes it.
 */
function emaFrom(src: Float64Array, period: number, start: number, out: Float64Array): void {
  const n = src.length;
  const seedAt = start + period - 1;
  for (let i = 0; i < Math.min(seedAt, n); i++) out[i] = NaN;
  if (seedAt >= n) return;
  let total = 0;
  for (let i = start; i <= seedAt; i++) total += src[i];
  let prev = total / period;
  out[seedAt] = prev;
  const k = 2 / (period + 1);
  for (let i = seedAt + 1; i < n; i++) {
    prev = (src[i] - prev) * k + prev;
    out[i] = prev;
  }
}

function firstFinite(src: Float64Array): number {
  let i = 0;
  while (i < src.length && Number.isNaN(src[i])) i++;
  return i;
}

/**
 * Exponential moving average. Matches TA-Lib EMA (seeded with the SMA of the first `period` values,
 * k = 2 / (period + 1)). Leading NaNs in src are skipped so the kernel chains on another indicator's
 * output (MACD's signal line); on NaN-free input this is exactly TA-Lib's lookback.
 * Warm-up: NaN until index first + period - 1, where `first` is the first non-NaN input.
 */
export function ema(src: Float64Array, period: number, out: Float64Array): Float64Array {
  checkPeriod('ema', period);
  checkOutput('ema', src.length, out);
  emaFrom(src, period, firstFinite(src), out);
  return out;
}

/** Streaming EMA: NaN inputs before the first finite one are ignored, as in `ema`. */
export class EmaState {
  readonly period: number;
  private readonly k: number;
  private count = 0;
  private total = 0;
  value = NaN;

  constructor(period: number) {
    checkPeriod('EmaState', period);
    this.period = period;
    this.k = 2 / (period + 1);
  }

  update(x: number): number {
    if (this.count === 0 && Number.isNaN(x)) return this.value;
    this.count++;
    if (this.count < this.period) {
      this.total += x;
    } else if (this.count === this.period) {
      this.total += x;
      this.value = this.total / this.period;
    } else {
      this.value = (x - this.value) * this.k + this.value;
    }
    return this.value;
  }

  reset(): void {
    this.count = 0;
    this.total = 0;
    this.value = NaN;
  }
}

/**
 * MACD line only (fast EMA - slow EMA), with TA-Lib MACD's alignment: both EMAs start at index
 * slow - 1, so the fast EMA is seeded with the SMA of the `fast` values ending there (not the first
 * `fast` values, which plain EMA would use). Warm-up: NaN until index slow - 1.
 * Exposed separately so a cache can share one MACD line among signal periods.
 */
export function macdLine(src: Float64Array, fast: number, slow: number, out: Float64Array): Float64Array {
  checkPeriod('macd fast', fast, 2);
  checkPeriod('macd slow', slow, 2);
  if (fast >= slow) throw new RangeError(`macd: fast period (${fast}) must be less than slow (${slow})`);
  const n = src.length;
  checkOutput('macd', n, out);
  const seedAt = slow - 1;
  for (let i = 0; i < Math.min(seedAt, n); i++) out[i] = NaN;
  if (seedAt >= n) return out;
  let slowTotal = 0;
  for (let i = 0; i <= seedAt; i++) slowTotal += src[i];
  let fastTotal = 0;
  for (let i = slow - fast; i <= seedAt; i++) fastTotal += src[i];
  let s = slowTotal / slow;
  let f = fastTotal / fast;
  out[seedAt] = f - s;
  const ks = 2 / (slow + 1);
  const kf = 2 / (fast + 1);
  for (let i = seedAt + 1; i < n; i++) {
    const x = src[i];
    s = (x - s) * ks + s;
    f = (x - f) * kf + f;
    out[i] = f - s;
  }
  return out;
}

/**
 * MACD (line, signal, histogram). Matches TA-Lib MACD: signal = EMA(signal) of the MACD line seeded with
 * the SMA of its first `signal` values; histogram = line - signal. As in TA-Lib, all three outputs are NaN
 * during the whole warm-up of slow - 1 + signal - 1 bars (the line itself is known from slow - 1, and
 * `macdLine` exposes it from there).
 */
export function macd(
  src: Float64Array,
  fast: number,
  slow: number,
  signal: number,
  outLine: Float64Array,
  outSignal: Float64Array,
  outHistogram: Float64Array,
): void {
  checkPeriod('macd signal', signal);
  checkOutput('macd', src.length, outLine, outSignal, outHistogram);
  macdLine(src, fast, slow, outLine);
  ema(outLine, signal, outSignal);
  const n = src.length;
  const warm = Math.min(slow + signal - 2, n);
  for (let i = 0; i < warm; i++) {
    outLine[i] = NaN;
    outHistogram[i] = NaN;
  }
  for (let i = warm; i < n; i++) outHistogram[i] = outLine[i] - outSignal[i];
}

/** Streaming MACD with TA-Lib's alignment (see `macdLine`); fields hold the last bar's values. */
export class MacdState {
  private readonly fast: number;
  private readonly slow: number;
  private readonly ring: Float64Array;
  private readonly signalEma: EmaState;
  private count = 0;
  private slowTotal = 0;
  private slowEma = NaN;
  private fastEma = NaN;
  line = NaN;
  signal = NaN;
  histogram = NaN;

  constructor(fast: number, slow: number, signal: number) {
    checkPeriod('MacdState fast', fast, 2);
    checkPeriod('MacdState slow', slow, 2);
    if (fast >= slow) throw new RangeError(`macd: fast period (${fast}) must be less than slow (${slow})`);
    this.fast = fast;
    this.slow = slow;
    this.ring = new Float64Array(fast);
    this.signalEma = new EmaState(signal);
  }

  update(x: number): number {
    const { fast, slow } = this;
    this.ring[this.count % fast] = x;
    this.count++;
    if (this.count < slow) {
      this.slowTotal += x;
      return this.line;
    }
    if (this.count === slow) {
      this.slowTotal += x;
      this.slowEma = this.slowTotal / slow;
      // Sum the last `fast` values oldest first, the order the batch kernel adds them in.
      let fastTotal = 0;
      for (let j = 0; j < fast; j++) fastTotal += this.ring[(this.count + j) % fast];
      this.fastEma = fastTotal / fast;
    } else {
      this.slowEma = (x - this.slowEma) * (2 / (slow + 1)) + this.slowEma;
      this.fastEma = (x - this.fastEma) * (2 / (fast + 1)) + this.fastEma;
    }
    const rawLine = this.fastEma - this.slowEma;
    this.signal = this.signalEma.update(rawLine);
    if (Number.isNaN(this.signal)) return this.line;
    this.line = rawLine;
    this.histogram = rawLine - this.signal;
    return this.line;
  }

  reset(): void {
    this.count = 0;
    this.slowTotal = 0;
    this.slowEma = NaN;
    this.fastEma = NaN;
    this.line = NaN;
    this.signal = NaN;
    this.histogram = NaN;
    this.signalEma.reset();
  }
}
