import { checkOutput, checkPeriod, TA_EPSILON } from './checks.ts';

/**
 * Relative Strength Index with Wilder smoothing. Matches TA-Lib RSI (default compatibility, no unstable
 * period): average gain and loss seeded with the plain mean of the first `period` changes, then
 * avg = (avg x (period - 1) + change) / period; RSI = 100 x gain / (gain + loss), and 0 when the sum is
 * within 1e-8 of zero (TA-Lib's choice for a flat window).
 * Warm-up: the first `period` outputs are NaN (out[period] uses changes 1..period).
 */
export function rsi(src: Float64Array, period: number, out: Float64Array): Float64Array {
  checkPeriod('rsi', period, 2);
  const n = src.length;
  checkOutput('rsi', n, out);
  let gain = 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0) {
      out[i] = NaN;
      continue;
    }
    const change = src[i] - src[i - 1];
    if (i <= period) {
      if (change < 0) loss -= change;
      else gain += change;
      if (i < period) {
        out[i] = NaN;
        continue;
      }
      gain /= period;
      loss /= period;
    } else {
      loss *= period - 1;
      gain *= period - 1;
      if (change < 0) loss -= change;
      else gain += change;
      loss /= period;
      gain /= period;
    }
    const total = gain + loss;
    out[i] = Math.abs(total) < TA_EPSILON ? 0 : 100 * (gain / total);
  }
  return out;
}

/** Streaming RSI; equal to `rsi`. */
export class RsiState {
  private count = 0;
  private previous = NaN;
  private gain = 0;
  private loss = 0;
  value = NaN;

  constructor(readonly period: number) {
    checkPeriod('RsiState', period, 2);
  }

  update(x: number): number {
    const p = this.period;
    const i = this.count++;
    const previous = this.previous;
    this.previous = x;
    if (i === 0) return this.value;
    const change = x - previous;
    if (i <= p) {
      if (change < 0) this.loss -= change;
      else this.gain += change;
      if (i < p) return this.value;
      this.gain /= p;
      this.loss /= p;
    } else {
      this.loss *= p - 1;
      this.gain *= p - 1;
      if (change < 0) this.loss -= change;
      else this.gain += change;
      this.loss /= p;
      this.gain /= p;
    }
    const total = this.gain + this.loss;
    this.value = Math.abs(total) < TA_EPSILON ? 0 : 100 * (this.gain / total);
    return this.value;
  }

  reset(): void {
    this.count = 0;
    this.previous = NaN;
    this.gain = this.loss = 0;
    this.value = NaN;
  }
}

/**
 * Money Flow Index. Matches TA-Lib MFI: typical price (h + l + c) / 3, raw flow = typical x volume,
 * counted positive when the typical price rose, negative when it fell, in neither when unchanged;
 * MFI = 100 x positive / (positive + negative) over the last `period` flows, and 0 when that sum is
 * below 1 (TA-Lib's guard against empty windows, e.g. zero volume).
 * Warm-up: the first `period` outputs are NaN (out[period] uses flows 1..period).
 */
export function mfi(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  period: number,
  out: Float64Array,
): Float64Array {
  checkPeriod('mfi', period);
  const n = close.length;
  checkOutput('mfi', n, out);
  let positive = 0;
  let negative = 0;
  let previousTypical = n > 0 ? (high[0] + low[0] + close[0]) / 3 : 0;
  if (n > 0) out[0] = NaN;
  for (let i = 1; i < n; i++) {
    const typical = (high[i] + low[i] + close[i]) / 3;
    const flow = typical * volume[i];
    if (typical > previousTypical) positive += flow;
    else if (typical < previousTypical) negative += flow;
    previousTypical = typical;
    if (i < period) {
      out[i] = NaN;
      continue;
    }
    const total = positive + negative;
    out[i] = total < 1 ? 0 : 100 * (positive / total);
    // Drop the flow that leaves the window before the next bar, recomputing its sign from the bars.
    const j = i - period + 1;
    const typicalOut = (high[j] + low[j] + close[j]) / 3;
    const typicalBefore = (high[j - 1] + low[j - 1] + close[j - 1]) / 3;
    const flowOut = typicalOut * volume[j];
    if (typicalOut > typicalBefore) positive -= flowOut;
    else if (typicalOut < typicalBefore) negative -= flowOut;
  }
  return out;
}

/** Streaming MFI; equal to `mfi`. Keeps the signed flows of the window in a ring buffer. */
export class MfiState {
  private readonly positiveRing: Float64Array;
  private readonly negativeRing: Float64Array;
  private count = 0;
  private previousTypical = NaN;
  private positive = 0;
  private negative = 0;
  value = NaN;

  constructor(readonly period: number) {
    checkPeriod('MfiState', period);
    this.positiveRing = new Float64Array(period);
    this.negativeRing = new Float64Array(period);
  }

  update(high: number, low: number, close: number, volume: number): number {
    const p = this.period;
    const typical = (high + low + close) / 3;
    const i = this.count++;
    const previous = this.previousTypical;
    this.previousTypical = typical;
    if (i === 0) return this.value;
    const flow = typical * volume;
    const slot = i % p;
    const up = typical > previous ? flow : 0;
    const down = typical < previous ? flow : 0;
    if (typical > previous) this.positive += flow;
    else if (typical < previous) this.negative += flow;
    this.positiveRing[slot] = up;
    this.negativeRing[slot] = down;
    if (i < p) return this.value;
    const total = this.positive + this.negative;
    this.value = total < 1 ? 0 : 100 * (this.positive / total);
    // The flow of update i - p + 1 leaves before the next bar; it sits one slot ahead of this one.
    const out = (i + 1) % p;
    this.positive -= this.positiveRing[out];
    this.negative -= this.negativeRing[out];
    return this.value;
  }

  reset(): void {
    this.count = 0;
    this.previousTypical = NaN;
    this.positive = this.negative = 0;
    this.value = NaN;
  }
}
