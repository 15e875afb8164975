/**
 * From a per-bar equity curve to the per-period (daily) wealth series every return metric is defined on.
 *
 * Why sample first: Sharpe, volatility, VaR and CAGR are quoted with 252 periods a year, which is only
 * true of daily returns. Intraday equity is therefore taken at each session's last bar, a session being
 * a US/Eastern calendar day (extended hours included). Daily or coarser bars are each their own period.
 */
import { DAY_MS, etDays } from '../data/calendar.ts';

/**
 * 'session': group bars by US/Eastern calendar date; 'bar': every bar is a period; 'auto': 'bar' when
 * consecutive bars are never closer than 20 hours (daily, weekly, monthly data), else 'session'.
 */
export type Periodicity = 'auto' | 'session' | 'bar';

const AUTO_BAR_SPACING_MS = 20 * 3_600_000;

/** Resolves 'auto' by the smallest spacing between consecutive bars (one pass, no sort). */
export function resolvePeriodicity(t: Float64Array, periodicity: Periodicity = 'auto'): 'session' | 'bar' {
  if (periodicity !== 'auto') return periodicity;
  // 20 h rather than 24 h: daily bars stamped at local midnight are 23 h apart across the spring DST change.
  let minSpacing = Infinity;
  for (let i = 1; i < t.length; i++) {
    const d = t[i] - t[i - 1];
    if (d < minSpacing) minSpacing = d;
  }
  return minSpacing >= AUTO_BAR_SPACING_MS ? 'bar' : 'session';
}

/**
 * Index of the last bar of each period, ascending. Compute it once per dataset and pass it to
 * computeMetrics as `periodEnds` when scoring many backtests on the same bars.
 */
export function periodEndIndices(t: Float64Array, periodicity: Periodicity = 'auto'): Int32Array {
  const n = t.length;
  if (resolvePeriodicity(t, periodicity) === 'bar') {
    const ends = new Int32Array(n);
    for (let i = 0; i < n; i++) ends[i] = i;
    return ends;
  }
  const days = easternDays(t, new Float64Array(n));
  let count = 0;
  for (let i = 0; i < n; i++) if (i === n - 1 || days[i + 1] !== days[i]) count++;
  const ends = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) if (i === n - 1 || days[i + 1] !== days[i]) ends[k++] = i;
  return ends;
}

/** Wealth sampled at period ends, preceded by the starting wealth, with the times of those points. */
export interface PeriodSeries {
  /** wealth[0] is the starting wealth; wealth[k + 1] is the equity at the end of period k. */
  wealth: Float64Array;
  /** time[0] = t[0]; time[k + 1] = t of period k's last bar (epoch ms). */
  time: Float64Array;
  /** returns[k] = wealth[k + 1] / wealth[k] - 1. */
  returns: Float64Array;
}

/**
 * Builds the period series. With `startingWealth` (a backtest's initial cash) it is the first point and
 * every period end follows. Without it (a bare equity or price curve) the first bar's value is the
 * starting point and a period ending on that first bar is dropped, so a daily price column gives the
 * ordinary close-to-close returns instead of a leading zero.
 */
export function periodSeries(
  t: Float64Array,
  equity: Float64Array,
  periodEnds: Int32Array,
  startingWealth?: number,
): PeriodSeries {
  const n = equity.length;
  if (n === 0) {
    const wealth = startingWealth === undefined ? new Float64Array(0) : Float64Array.of(startingWealth);
    return { wealth, time: new Float64Array(wealth.length).fill(NaN), returns: new Float64Array(0) };
  }
  const skipFirst = startingWealth === undefined && periodEnds.length > 0 && periodEnds[0] === 0 ? 1 : 0;
  const points = periodEnds.length - skipFirst + 1;
  const wealth = new Float64Array(points);
  const time = new Float64Array(points);
  wealth[0] = startingWealth === undefined ? equity[0] : startingWealth;
  time[0] = t[0];
  for (let k = skipFirst; k < periodEnds.length; k++) {
    const j = k - skipFirst + 1;
    wealth[j] = equity[periodEnds[k]];
    time[j] = t[periodEnds[k]];
  }
  const returns = new Float64Array(points - 1);
  for (let k = 0; k < returns.length; k++) returns[k] = wealth[k + 1] / wealth[k] - 1;
  return { wealth, time, returns };
}

/**
 * Calendar day (days since 1970-01-01) that a period-end time belongs to. Sessions use the US/Eastern
 * date. Daily and coarser bars use the UTC date: CSV dates parse to UTC midnight, which is the previous
 * evening in New York, while Alpaca's daily bars are stamped at New York midnight, the same UTC date.
 */
export function periodCalendarDays(time: Float64Array, periodicity: 'session' | 'bar'): Float64Array {
  const out = new Float64Array(time.length);
  if (periodicity === 'session') return easternDays(time, out);
  for (let i = 0; i < time.length; i++) out[i] = Math.floor(time[i] / DAY_MS);
  return out;
}

/**
 * Fills `out[i]` with the US/Eastern day number of `t[i]`. The calendar caches the current DST segment,
 * so a pass over sorted bars costs two comparisons per bar.
 */
function easternDays(t: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < t.length; i++) out[i] = etDays(t[i]);
  return out;
}
