import { checkOutput, checkPeriod, TA_EPSILON } from './checks.ts';

function trueRange(high: number, low: number, previousClose: number): number {
  let range = high - low;
  const up = Math.abs(previousClose - high);
  const down = Math.abs(previousClose - low);
  if (up > range) range = up;
  if (down > range) range = down;
  return range;
}

/**
 * Average True Range with Wilder smoothing. Matches TA-Lib ATR: true range from the second bar on,
 * the first ATR (at index `period`) is the plain mean of TR[1..period], then
 * atr = (atr x (period - 1) + tr) / period. Warm-up: the first `period` outputs are NaN.
 */
export function atr(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out: Float64Array,
): Float64Array {
  checkPeriod('atr', period);
  const n = close.length;
  checkOutput('atr', n, out);
  let value = 0;
  if (n > 0) out[0] = NaN;
  for (let i = 1; i < n; i++) {
    const tr = trueRange(high[i], low[i], close[i - 1]);
    if (i < period) {
      value += tr;
      out[i] = NaN;
    } else if (i === period) {
      value = (value + tr) / period;
      out[i] = value;
    } else {
      value *= period - 1;
      value += tr;
      value /= period;
      out[i] = value;
    }
  }
  return out;
}

/** Streaming ATR; equal to `atr`. */
export class AtrState {
  private count = 0;
  private previousClose = NaN;
  private total = 0;
  value = NaN;

  constructor(readonly period: number) {
    checkPeriod('AtrState', period);
  }

  update(high: number, low: number, close: number): number {
    const p = this.period;
    const i = this.count++;
    const previousClose = this.previousClose;
    this.previousClose = close;
    if (i === 0) return this.value;
    const tr = trueRange(high, low, previousClose);
    if (i < p) {
      this.total += tr;
    } else if (i === p) {
      this.value = (this.total + tr) / p;
    } else {
      let v = this.value;
      v *= p - 1;
      v += tr;
      v /= p;
      this.value = v;
    }
    return this.value;
  }

  reset(): void {
    this.count = 0;
    this.previousClose = NaN;
    this.total = 0;
    this.value = NaN;
  }
}

/**
 * Average Directional Index. Matches TA-Lib ADX (no unstable period): +DM/-DM and TR summed over the
 * first period - 1 changes, then Wilder-smoothed as x - x / period + new; DX = 100 |+DI - -DI| / (+DI + -DI)
 * from index `period`; the first ADX (index 2 x period - 1) is the mean of the first `period` DX values,
 * then adx = (adx x (period - 1) + dx) / period. As in TA-Lib, a bar whose TR or DI sum is within 1e-8 of
 * zero contributes no DX (it adds 0 to the seed sum and leaves the ADX unchanged afterwards).
 * Warm-up: the first 2 x period - 1 outputs are NaN.
 */
export function adx(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out: Float64Array,
): Float64Array {
  const state = new AdxState(period);
  const n = close.length;
  checkOutput('adx', n, out);
  // One state object per call (not per bar); the per-bar step is the same code the streaming path runs,
  // which is what makes batch and streaming agree exactly.
  for (let i = 0; i < n; i++) out[i] = state.update(high[i], low[i], close[i]);
  return out;
}

/** Streaming ADX; `adx` runs this same state over the bars. */
export class AdxState {
  private count = 0;
  private previousHigh = NaN;
  private previousLow = NaN;
  private previousClose = NaN;
  private plusDM = 0;
  private minusDM = 0;
  private trueRange = 0;
  private sumDX = 0;
  value = NaN;

  constructor(readonly period: number) {
    checkPeriod('AdxState', period, 2);
  }

  update(high: number, low: number, close: number): number {
    const p = this.period;
    const i = this.count++;
    const diffPlus = high - this.previousHigh;
    const diffMinus = this.previousLow - low;
    const previousClose = this.previousClose;
    this.previousHigh = high;
    this.previousLow = low;
    this.previousClose = close;
    if (i === 0) return this.value;
    const tr = trueRange(high, low, previousClose);
    if (i < p) {
      if (diffMinus > 0 && diffPlus < diffMinus) this.minusDM += diffMinus;
      else if (diffPlus > 0 && diffPlus > diffMinus) this.plusDM += diffPlus;
      this.trueRange += tr;
      return this.value;
    }
    this.minusDM -= this.minusDM / p;
    this.plusDM -= this.plusDM / p;
    if (diffMinus > 0 && diffPlus < diffMinus) this.minusDM += diffMinus;
    else if (diffPlus > 0 && diffPlus > diffMinus) this.plusDM += diffPlus;
    this.trueRange = this.trueRange - this.trueRange / p + tr;
    let dx = NaN;
    if (Math.abs(this.trueRange) >= TA_EPSILON) {
      const minusDI = 100 * (this.minusDM / this.trueRange);
      const plusDI = 100 * (this.plusDM / this.trueRange);
      const sum = minusDI + plusDI;
      if (Math.abs(sum) >= TA_EPSILON) dx = 100 * (Math.abs(minusDI - plusDI) / sum);
    }
    if (i < 2 * p - 1) {
      if (!Number.isNaN(dx)) this.sumDX += dx;
    } else if (i === 2 * p - 1) {
      if (!Number.isNaN(dx)) this.sumDX += dx;
      this.value = this.sumDX / p;
    } else if (!Number.isNaN(dx)) {
      this.value = (this.value * (p - 1) + dx) / p;
    }
    return this.value;
  }

  reset(): void {
    this.count = 0;
    this.previousHigh = this.previousLow = this.previousClose = NaN;
    this.plusDM = this.minusDM = this.trueRange = this.sumDX = 0;
    this.value = NaN;
  }
}
