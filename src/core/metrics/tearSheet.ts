/**
 * A tear sheet's computations, after QuantStats (ranaroussi/quantstats: stats.py and utils.py), on the
 * daily series every return metric here is defined on (periods.ts): monthly and yearly compounded
 * returns, rolling Sharpe ratio and volatility, the drawdown periods with their start, trough, end and
 * recovery, and the distribution of daily returns; a benchmark's, when given, on the same periods.
 *
 * Definitions, as QuantStats has them:
 * - a month's or year's return is the compounded return of its days: prod(1 + r) - 1;
 * - rolling Sharpe = mean / std (ddof 1) of the last `window` returns less the risk-free rate (0 unless
 *   given, compounded to one period as computeMetrics does) x sqrt(periods a year);
 *   rolling volatility = std (ddof 1) of the last `window` returns x sqrt(periods a year); both undefined
 *   (NaN) until a full window (QuantStats: rolling_period 126, periods_per_year 252);
 * - the drawdown series is wealth / running peak - 1 of the compounded returns (to_drawdown_series);
 *   a drawdown period runs from the first day below the peak to the last (drawdown_details: `end`), its
 *   length is end - start in calendar days + 1, and its recovery is the day the peak is regained (null
 *   while it has not been).
 */
import { dateKeyFromDays } from '../data/calendar.ts';
import { periodCalendarDays, periodEndIndices, periodSeries, resolvePeriodicity } from './periods.ts';
import type { Periodicity } from './periods.ts';

/** QuantStats' rolling window: half a year of trading days. */
export const ROLLING_WINDOW = 126;
export const TRADING_DAYS = 252;

export interface PeriodReturn {
  readonly year: number;
  /** 1-12; absent for a yearly row. */
  readonly month?: number;
  readonly value: number;
  /** The benchmark's return over the same days (NaN without one). */
  readonly benchmark: number;
}

export interface DrawdownPeriod {
  /** Period-end times (epoch ms) of its first day below the peak, its trough and its last day below. */
  readonly start: number;
  readonly trough: number;
  readonly end: number;
  /** The first day back at the peak; null when the series ends below it. */
  readonly recovery: number | null;
  /** Deepest drawdown, a negative fraction (-0.2 = 20 % below the peak). */
  readonly depth: number;
  /** Calendar days from start to end, both counted (QuantStats' `days`). */
  readonly days: number;
}

export interface ReturnHistogram {
  /** bins + 1 ascending edges; counts[k] holds returns in [edges[k], edges[k + 1]) (the last bin closed). */
  readonly edges: Float64Array;
  readonly counts: Int32Array;
  readonly mean: number;
  readonly std: number;
  readonly skew: number;
  readonly kurtosis: number;
}

export interface TearSheet {
  /** Period-end times (epoch ms) of the daily returns. */
  readonly time: Float64Array;
  readonly returns: Float64Array;
  /** Compounded wealth from 1 (the strategy, and the benchmark on the same days or null). */
  readonly cumulative: Float64Array;
  readonly benchmarkCumulative: Float64Array | null;
  readonly drawdown: Float64Array;
  readonly monthly: readonly PeriodReturn[];
  readonly yearly: readonly PeriodReturn[];
  readonly rollingSharpe: Float64Array;
  readonly rollingVolatility: Float64Array;
  /** The worst drawdown periods, deepest first. */
  readonly drawdowns: readonly DrawdownPeriod[];
  readonly distribution: ReturnHistogram;
}

export interface TearSheetOptions {
  /** A benchmark's value at every bar (e.g. the symbol's closes for buy-and-hold, or another symbol's). */
  readonly benchmark?: Float64Array;
  readonly startingWealth?: number;
  readonly periodicity?: Periodicity;
  readonly window?: number;
  readonly periodsPerYear?: number;
  /** Annual risk-free rate (0.04 for 4 %) the rolling Sharpe measures excess returns over; 0 by default. */
  readonly riskFreeRate?: number;
  /** How many drawdown periods to keep (default 5). */
  readonly worstDrawdowns?: number;
  readonly bins?: number;
}

/** Compounded return of returns[from..to) (QuantStats' comp). */
function compounded(returns: Float64Array, from: number, to: number): number {
  let wealth = 1;
  for (let i = from; i < to; i++) wealth *= 1 + returns[i]!;
  return wealth - 1;
}

/** Compounded returns of consecutive runs of equal keys (months or years). */
function grouped(
  returns: Float64Array,
  benchmark: Float64Array | null,
  keys: Int32Array,
  row: (key: number) => { year: number; month?: number },
): PeriodReturn[] {
  const out: PeriodReturn[] = [];
  let from = 0;
  for (let i = 1; i <= returns.length; i++) {
    if (i < returns.length && keys[i] === keys[from]) continue;
    out.push({
      ...row(keys[from]!),
      value: compounded(returns, from, i),
      benchmark: benchmark === null ? NaN : compounded(benchmark, from, i),
    });
    from = i;
  }
  return out;
}

/** Rolling mean / std (ddof 1) over `window` returns, by running sums re-anchored each window. */
function rolling(returns: Float64Array, window: number, periodsPerYear: number, riskFreeRate: number) {
  const riskFree = Math.pow(1 + riskFreeRate, 1 / periodsPerYear) - 1;
  const n = returns.length;
  const sharpe = new Float64Array(n).fill(NaN);
  const volatility = new Float64Array(n).fill(NaN);
  const scale = Math.sqrt(periodsPerYear);
  for (let i = window - 1; i < n; i++) {
    // Two passes over the window (mean, then squared deviations): exact like pandas' rolling std, at a
    // cost of window x days, a few milliseconds for decades of days.
    let sum = 0;
    for (let k = i - window + 1; k <= i; k++) sum += returns[k]!;
    const mean = sum / window;
    let squares = 0;
    for (let k = i - window + 1; k <= i; k++) squares += (returns[k]! - mean) ** 2;
    const std = Math.sqrt(squares / (window - 1));
    sharpe[i] = ((mean - riskFree) / std) * scale;
    volatility[i] = std * scale;
  }
  return { sharpe, volatility };
}

/** Drawdown of compounded returns from their running peak (QuantStats' to_drawdown_series). */
function drawdownOf(cumulative: Float64Array): Float64Array {
  const out = new Float64Array(cumulative.length);
  let peak = -Infinity;
  for (let i = 0; i < cumulative.length; i++) {
    if (cumulative[i]! > peak) peak = cumulative[i]!;
    out[i] = cumulative[i]! / peak - 1;
  }
  return out;
}

function drawdownPeriods(drawdown: Float64Array, time: Float64Array, days: Float64Array): DrawdownPeriod[] {
  const periods: DrawdownPeriod[] = [];
  let i = 0;
  while (i < drawdown.length) {
    if (!(drawdown[i]! < 0)) {
      i++;
      continue;
    }
    const start = i;
    let trough = i;
    while (i < drawdown.length && drawdown[i]! < 0) {
      if (drawdown[i]! < drawdown[trough]!) trough = i;
      i++;
    }
    const end = i - 1;
    periods.push({
      start: time[start]!,
      trough: time[trough]!,
      end: time[end]!,
      recovery: i < drawdown.length ? time[i]! : null,
      depth: drawdown[trough]!,
      days: days[end]! - days[start]! + 1,
    });
  }
  return periods;
}

function histogram(returns: Float64Array, bins: number): ReturnHistogram {
  const n = returns.length;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = returns[i]!;
    if (r < min) min = r;
    if (r > max) max = r;
    sum += r;
  }
  const mean = n > 0 ? sum / n : NaN;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = returns[i]! - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  const std = Math.sqrt(m2 / (n - 1));
  // pandas' skew and kurt (bias-corrected, excess kurtosis), which QuantStats' skew and kurtosis call.
  const variance = m2 / n;
  const g1 = m3 / n / variance ** 1.5;
  const skew = (Math.sqrt(n * (n - 1)) / (n - 2)) * g1;
  const g2 = m4 / n / (variance * variance) - 3;
  const kurtosis = ((n - 1) / ((n - 2) * (n - 3))) * ((n + 1) * g2 + 6);
  const edges = new Float64Array(bins + 1);
  const counts = new Int32Array(bins);
  if (n === 0) return { edges, counts, mean, std, skew, kurtosis };
  const width = max > min ? (max - min) / bins : 1;
  for (let k = 0; k <= bins; k++) edges[k] = min + k * width;
  for (let i = 0; i < n; i++) counts[Math.min(bins - 1, Math.floor((returns[i]! - min) / width))]!++;
  return { edges, counts, mean, std, skew, kurtosis };
}

/**
 * The tear sheet of an equity curve (one value per bar at times `t`). A backtest passes its starting
 * cash, so the first day's return is measured from it; a bare price series starts at its first value.
 */
export function tearSheet(t: Float64Array, equity: Float64Array, options: TearSheetOptions = {}): TearSheet {
  const periodicity = resolvePeriodicity(t, options.periodicity ?? 'auto');
  const ends = periodEndIndices(t, periodicity);
  const series = periodSeries(t, equity, ends, options.startingWealth);
  const returns = series.returns;
  const time = series.time.subarray(1);
  const n = returns.length;
  let benchmark: Float64Array | null = null;
  if (options.benchmark !== undefined) {
    if (options.benchmark.length !== equity.length)
      throw new RangeError(
        `tear sheet: the benchmark has ${options.benchmark.length} values for ${equity.length} bars`,
      );
    // The benchmark is held from the same first point: its own first value when the strategy starts
    // from its cash before the first bar, so both series cover the same days.
    const b = periodSeries(
      t,
      options.benchmark,
      ends,
      options.startingWealth === undefined ? undefined : options.benchmark[0],
    );
    benchmark = b.returns;
  }
  const cumulative = new Float64Array(n);
  const benchmarkCumulative = benchmark === null ? null : new Float64Array(n);
  let wealth = 1;
  let benchmarkWealth = 1;
  for (let i = 0; i < n; i++) {
    wealth *= 1 + returns[i]!;
    cumulative[i] = wealth;
    if (benchmark !== null) {
      benchmarkWealth *= 1 + benchmark[i]!;
      benchmarkCumulative![i] = benchmarkWealth;
    }
  }
  const days = periodCalendarDays(time, periodicity);
  const monthKeys = new Int32Array(n);
  const yearKeys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = dateKeyFromDays(days[i]!); // YYYYMMDD
    const year = Math.floor(key / 10_000);
    monthKeys[i] = year * 12 + (Math.floor(key / 100) % 100) - 1;
    yearKeys[i] = year;
  }
  const periodsPerYear = options.periodsPerYear ?? TRADING_DAYS;
  const { sharpe, volatility } = rolling(
    returns,
    options.window ?? ROLLING_WINDOW,
    periodsPerYear,
    options.riskFreeRate ?? 0,
  );
  const drawdown = drawdownOf(cumulative);
  const drawdowns = drawdownPeriods(drawdown, time, days)
    .sort((a, b) => a.depth - b.depth)
    .slice(0, options.worstDrawdowns ?? 5);
  return {
    time: Float64Array.from(time),
    returns,
    cumulative,
    benchmarkCumulative,
    drawdown,
    monthly: grouped(returns, benchmark, monthKeys, (key) => ({
      year: Math.floor(key / 12),
      month: (key % 12) + 1,
    })),
    yearly: grouped(returns, benchmark, yearKeys, (year) => ({ year })),
    rollingSharpe: sharpe,
    rollingVolatility: volatility,
    drawdowns,
    distribution: histogram(returns, options.bins ?? 30),
  };
}
