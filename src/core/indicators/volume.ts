import { checkOutput, checkPeriod } from './checks.ts';
import { sma, SmaState } from './moving-average.ts';

/**
 * On-Balance Volume. Matches TA-Lib OBV: out[0] = v[0], then volume is added on an up close, subtracted
 * on a down close, and the total carried on an unchanged close. No warm-up.
 */
export function obv(close: Float64Array, volume: Float64Array, out: Float64Array): Float64Array {
  const n = close.length;
  checkOutput('obv', n, out);
  if (n === 0) return out;
  let total = volume[0];
  out[0] = total;
  for (let i = 1; i < n; i++) {
    if (close[i] > close[i - 1]) total += volume[i];
    else if (close[i] < close[i - 1]) total -= volume[i];
    out[i] = total;
  }
  return out;
}

/** Streaming OBV; equal to `obv`. */
export class ObvState {
  private previousClose = NaN;
  value = NaN;

  update(close: number, volume: number): number {
    if (Number.isNaN(this.previousClose)) this.value = volume;
    else if (close > this.previousClose) this.value += volume;
    else if (close < this.previousClose) this.value -= volume;
    this.previousClose = close;
    return this.value;
  }

  reset(): void {
    this.previousClose = NaN;
    this.value = NaN;
  }
}

/**
 * Volume ratio: v[i] / SMA(v, period)[i], the current bar's volume against its average including the
 * current bar (TA-Lib SMA). No TA-Lib equivalent. A zero average (no volume at all in the window) gives 0,
 * i.e. "no volume confirmation", rather than NaN, which is reserved for the warm-up.
 * Warm-up: the first period - 1 outputs are NaN.
 */
export function volumeRatio(volume: Float64Array, period: number, out: Float64Array): Float64Array {
  checkPeriod('volumeRatio', period);
  const n = volume.length;
  checkOutput('volumeRatio', n, out);
  sma(volume, period, out);
  for (let i = period - 1; i < n; i++) {
    const average = out[i];
    out[i] = average > 0 ? volume[i] / average : 0;
  }
  return out;
}

/** Streaming volume ratio; equal to `volumeRatio`. */
export class VolumeRatioState {
  private readonly average: SmaState;
  value = NaN;

  constructor(readonly period: number) {
    this.average = new SmaState(period);
  }

  update(volume: number): number {
    const average = this.average.update(volume);
    if (!Number.isNaN(average)) this.value = average > 0 ? volume / average : 0;
    return this.value;
  }

  reset(): void {
    this.average.reset();
    this.value = NaN;
  }
}
