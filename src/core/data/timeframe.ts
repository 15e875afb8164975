/** The bar size that timestamps' spacing shows (for imports, which are not told the timeframe). */
import { isTimeframe, type Timeframe } from './bars.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './calendar.ts';
import { median as medianOf } from '../math/statistics.ts';

/** What the spacing of timestamps says about the bar size. */
export interface SpacingGuess {
  /** A timeframe Regimen stores, or null (a spacing it stores none of, irregular data, too few bars). */
  timeframe: Timeframe | null;
  /** '1m' | '5m' | '15m' | '1h' | '1d' | other whole minutes/hours like '30m', '4h' | '1w' | '1mo' | '3mo' | 'irregular'. */
  label: string;
  /** Median spacing between consecutive timestamps, ms (NaN with fewer than two bars). */
  medianSpacingMs: number;
}

const INTRADAY: readonly [Timeframe, number][] = [
  ['1m', MINUTE_MS],
  ['5m', 5 * MINUTE_MS],
  ['15m', 15 * MINUTE_MS],
  ['1h', HOUR_MS],
];

/**
 * Guesses the bar size from the median spacing of (sorted) timestamps, using at most the first 100,000
 * gaps. Gaps from missing bars, nights and weekends are longer than the bar, so the median is the bar
 * length as long as most consecutive bars are adjacent: true for intraday data with sparse extended hours
 * (SPY_1min), daily data (weekends and DST days shift few gaps), and month-end monthly data ('1mo').
 * The label is a timeframe whenever Regimen stores one of that size (4h, 1w and 1mo too: `regimen regimes
 * --csv BTCUSD.csv` said it could not tell the bar size of its '1mo' bars).
 */
export function inferTimeframe(t: Float64Array): SpacingGuess {
  const gapCount = Math.min(t.length - 1, 100_000);
  if (gapCount < 1) return { timeframe: null, label: 'irregular', medianSpacingMs: NaN };
  const gaps = new Float64Array(gapCount);
  let m = 0;
  for (let i = 0; i < gapCount; i++) {
    const gap = t[i + 1]! - t[i]!;
    if (gap > 0) gaps[m++] = gap;
  }
  if (m === 0) return { timeframe: null, label: 'irregular', medianSpacingMs: NaN };
  const median = medianOf(gaps.subarray(0, m));
  for (const [timeframe, ms] of INTRADAY) {
    if (Math.abs(median - ms) <= ms * 0.02) return { timeframe, label: timeframe, medianSpacingMs: median };
  }
  const day = DAY_MS;
  if (median >= 0.8 * day && median <= 4 * day)
    return { timeframe: '1d', label: '1d', medianSpacingMs: median };
  if (median >= 6 * day && median <= 8 * day)
    return { timeframe: '1w', label: '1w', medianSpacingMs: median };
  if (median >= 27 * day && median <= 32 * day)
    return { timeframe: '1mo', label: '1mo', medianSpacingMs: median };
  if (median >= 88 * day && median <= 93 * day)
    return { timeframe: null, label: '3mo', medianSpacingMs: median };
  if (median < day && median % MINUTE_MS === 0) {
    const minutes = median / MINUTE_MS;
    const label = minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
    return { timeframe: isTimeframe(label) ? label : null, label, medianSpacingMs: median };
  }
  return { timeframe: null, label: 'irregular', medianSpacingMs: median };
}
