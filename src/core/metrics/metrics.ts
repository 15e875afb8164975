/**
 * Every performance, risk and trade metric of a backtest, one definition each (issue 4, item 5).
 *
 * Return metrics are computed on period (daily) returns: intraday equity is sampled at each US/Eastern
 * session's last bar (see periods.ts) and the starting wealth (initial cash) is the first point.
 * Risk-free rate 0. They are annualised with the periods a year of the data's own spacing (see
 * `annualizationOf`: 252 for daily or intraday bars, 52 weekly, 12 monthly) unless `periodsPerYear` says
 * otherwise.
 *
 * Undefined values never throw: they are NaN (no returns, no trades, zero variance), and ratios with a
 * zero risk or loss denominator follow `ratio` in statistics.ts (±Infinity, NaN for 0/0); e.g. a profit
 * factor with wins and no losses is Infinity. The optimizer must treat NaN as "no value".
 */
import { DAY_MS, dateKeyFromDays } from '../data/calendar.ts';
import { deflatedSharpeRatio, probabilisticSharpeRatio } from './overfitting.ts';
import { periodCalendarDays, periodEndIndices, periodSeries, resolvePeriodicity } from './periods.ts';
import type { Periodicity } from './periods.ts';
import {
  drawdownSummary,
  mean,
  quantile,
  ratio,
  sampleStd,
  skewnessAndKurtosis,
} from '../math/statistics.ts';

export const TRADING_PERIODS_PER_YEAR = 252;

/** The length of the return periods, as inferred from their spacing, or who chose periods a year. */
export type AnnualizationBasis =
  'intraday' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly' | 'too few periods' | 'given';

/** Periods a year the return metrics are annualised with, and why. */
export interface Annualization {
  readonly periodsPerYear: number;
  readonly basis: AnnualizationBasis;
}

const YEAR_MS = 365.25 * DAY_MS;

/**
 * Canonical periods a year by observed density (periods per calendar year), from the densest down; each
 * bound is about the geometric mean of its neighbours, and below the last one the periods are years.
 * Daily data counts in trading days whether it trades five days a week (~252 a year) or six (FX sessions,
 * ~310); only intraday periods (several a calendar day: periodicity 'bar' on intraday bars) are taken at
 * their observed density.
 */
const PERIOD_BUCKETS: readonly (readonly [minDensity: number, basis: AnnualizationBasis, periods: number])[] =
  [
    [2.5 * 365.25, 'intraday', NaN],
    [114, 'daily', TRADING_PERIODS_PER_YEAR],
    [25, 'weekly', 52],
    [6.9, 'monthly', 12],
    [2, 'quarterly', 4],
  ];

/**
 * Periods a year for `count` period ends spanning `spanMs` from the first bar: O(1), so scoring many
 * trials costs nothing. The density (count - 1 steps over the span) is rounded onto its calendar bucket
 * (GOOG's daily bars, 2,147 steps over 8.53 years: 252; BTCUSD's monthly closes: 12).
 */
function inferAnnualization(spanMs: number, count: number): Annualization {
  if (count < 2 || !(spanMs > 0)) {
    return { periodsPerYear: TRADING_PERIODS_PER_YEAR, basis: 'too few periods' };
  }
  const density = ((count - 1) * YEAR_MS) / spanMs;
  for (const [minDensity, basis, periods] of PERIOD_BUCKETS) {
    if (density >= minDensity) {
      return { periodsPerYear: Number.isNaN(periods) ? Math.round(density) : periods, basis };
    }
  }
  return { periodsPerYear: 1, basis: 'yearly' };
}

function annualizationFor(t: Float64Array, ends: Int32Array, given: number | undefined): Annualization {
  if (given !== undefined) {
    if (!(given > 0 && Number.isFinite(given))) {
      throw new RangeError(`metrics: periodsPerYear must be a finite number > 0, got ${given}`);
    }
    return { periodsPerYear: given, basis: 'given' };
  }
  return ends.length === 0
    ? inferAnnualization(0, 0)
    : inferAnnualization(t[ends[ends.length - 1]] - t[0], ends.length);
}

/**
 * The periods a year `computeMetrics` / `computeEquityMetrics` annualise with for bars at times `t` and
 * these options: `periodsPerYear` when given, else inferred from the spacing of the return periods.
 */
export function annualizationOf(t: Float64Array, options: EquityMetricsOptions = {}): Annualization {
  const ends = options.periodEnds ?? periodEndIndices(t, resolvePeriodicity(t, options.periodicity));
  return annualizationFor(t, ends, options.periodsPerYear);
}

/** Metrics of an equity curve alone: returns, drawdown and risk. */
export interface EquityMetrics {
  /** Equity at the last bar. */
  finalEquity: number;
  /** final / starting wealth - 1 (= ∏(1 + r) - 1). */
  totalReturn: number;
  /** CAGR: ∏(1 + r)^(P/n) - 1 with P periods a year and n returns; -1 if wealth reached 0 or below. */
  annualizedReturn: number;
  /** Sample standard deviation (ddof 1) of period returns × √P. */
  volatility: number;
  /** mean(r) / std(r, ddof 1) × √P. */
  sharpeRatio: number;
  /** mean(r) × P / (√mean(min(r, 0)²) × √P): downside deviation over all periods, target 0. */
  sortinoRatio: number;
  /** annualizedReturn / |maxDrawdown|. */
  calmarRatio: number;
  /** min over period ends of wealth / running peak - 1, starting wealth included; in [-1, 0] while wealth stays positive. */
  maxDrawdown: number;
  /** Longest time under water, peak to recovery (or to the end), in calendar days. */
  maxDrawdownDurationDays: number;
  /** The same stretch counted in periods (trading days for intraday or daily data). */
  maxDrawdownDurationPeriods: number;
  /** 5th percentile of period returns, numpy's linear interpolation; a return, usually negative. */
  valueAtRisk: number;
  /** Population skewness of period returns. */
  skewness: number;
  /** Population (raw, normal = 3) kurtosis of period returns. */
  kurtosis: number;
  /** PSR: probability that the true Sharpe ratio is above 0 (Bailey & López de Prado 2012). */
  probabilisticSharpe: number;
  /** DSR given `trialCount` and `trialSharpeVariance`; NaN when those are not supplied. */
  deflatedSharpe: number;
  /**
   * Share of calendar months (US/Eastern for intraday data) with a positive compounded return, over the
   * months that have at least one period return. Chosen over rolling-return stability because a trader
   * reads "8 of 12 months up" directly.
   */
  consistencyScore: number;
  /** Number of period returns n. */
  numPeriods: number;
}

/** Metrics from the closed trades of a backtest and its market exposure. */
export interface TradeMetrics {
  /** Closed trades (the trade log's `count`; a position still open at the end is not a trade). */
  numTrades: number;
  /** Trades with pnl > 0 over all trades; a zero-pnl trade counts in the denominator only. */
  winRate: number;
  /** Gross profit / gross loss of trade pnl (Infinity with wins and no losses, NaN with neither). */
  profitFactor: number;
  /** Mean winning pnl / |mean losing pnl| (0 without wins, Infinity without losses). */
  averageWinLossRatio: number;
  /** Mean pnl per trade, in account currency (= win rate × average win − loss rate × average loss). */
  expectancy: number;
  /** Mean of the trades' returnPct (pnl relative to entry value). */
  averageTradeReturn: number;
  /** Largest trade returnPct. */
  bestTrade: number;
  /** Smallest trade returnPct. */
  worstTrade: number;
  /** Mean of exitIndex - entryIndex. */
  avgTradeDurationBars: number;
  /** Max of exitIndex - entryIndex. */
  maxTradeDurationBars: number;
  /** Mean of exitTime - entryTime, in days. */
  avgTradeDurationDays: number;
  /** Max of exitTime - entryTime, in days. */
  maxTradeDurationDays: number;
  /**
   * Share of bars with an open position. From `inMarket` when given (non-zero = in the market at that
   * bar); otherwise from the trades, a bar counting when a trade is open at any time in it, entry and
   * exit bars included (backtesting.py's "Exposure Time").
   */
  exposure: number;
}

export interface Metrics extends EquityMetrics, TradeMetrics {}

export type EquityMetricKey = keyof EquityMetrics;
export type TradeMetricKey = keyof TradeMetrics;
export type MetricKey = keyof Metrics;

export interface EquityMetricsOptions {
  /** How bars are grouped into return periods; 'auto' by default (see periods.ts). */
  periodicity?: Periodicity;
  /** Precomputed periodEndIndices(t, periodicity): saves a pass when scoring many runs on the same bars. */
  periodEnds?: Int32Array;
  /** Return periods per year for annualization; inferred from the periods' spacing by default (annualizationOf). */
  periodsPerYear?: number;
  /**
   * Annual risk-free rate (0.045 for 4.5 %) the Sharpe and Sortino ratios measure excess returns over:
   * each period's return less the rate compounded to one period, (1 + rate)^(1/P) - 1. 0 by default.
   */
  riskFreeRate?: number;
  /** Number of trials the strategy was selected from, for the deflated Sharpe ratio. */
  trialCount?: number;
  /** Variance across those trials of their annualized sharpeRatio values, for the deflated Sharpe ratio. */
  trialSharpeVariance?: number;
}

/**
 * The closed trades the trade metrics read, as structure-of-arrays (only the first `count` entries): the
 * engine's TradeLog is one, and so is any log of real fills with these columns.
 */
export interface ClosedTrades {
  readonly count: number;
  readonly entryIndex: ArrayLike<number>;
  readonly exitIndex: ArrayLike<number>;
  /** Epoch ms UTC. */
  readonly entryTime: ArrayLike<number>;
  readonly exitTime: ArrayLike<number>;
  /** Profit after costs, in account currency. */
  readonly pnl: ArrayLike<number>;
  /** pnl relative to the entry value. */
  readonly returnPct: ArrayLike<number>;
}

export interface MetricsInput extends EquityMetricsOptions {
  /** Bar times, epoch ms UTC, increasing. */
  t: Float64Array;
  /** Equity marked at each bar's close. */
  equity: Float64Array;
  /** Cash at the start: the first wealth point, before the first bar (with returnsFrom 'initial-cash'). */
  initialCash: number;
  /**
   * 'initial-cash' (default): returns start from initialCash, before the first bar. 'first-bar': from the
   * equity at the first bar, as a bare curve's do (backtesting.py's convention: one return fewer).
   */
  returnsFrom?: 'initial-cash' | 'first-bar';
  trades: ClosedTrades;
  /** Per bar, non-zero when a position is held (e.g. the signed position size); overrides the trades for exposure. */
  inMarket?: ArrayLike<number>;
  /**
   * Entry bar of a position still open after the last bar: it is in no closed trade, yet the run held
   * it from there to the end, so exposure counts those bars (a buy-and-hold is ~100 % exposed).
   */
  openFrom?: number;
}

/** All metrics of a backtest. */
export function computeMetrics(input: MetricsInput): Metrics {
  const startingWealth = input.returnsFrom === 'first-bar' ? undefined : input.initialCash;
  const equityMetrics = equityMetricsOf(input.t, input.equity, input, startingWealth);
  return { ...equityMetrics, ...tradeMetrics(input.trades, input.t.length, input.inMarket, input.openFrom) };
}

/**
 * Metrics of a bare equity (or price) curve, e.g. a CSV column: the first value is the starting wealth.
 * Returns, drawdown and risk metrics only.
 */
export function computeEquityMetrics(
  t: Float64Array,
  equity: Float64Array,
  options: EquityMetricsOptions = {},
): EquityMetrics {
  return equityMetricsOf(t, equity, options, undefined);
}

function equityMetricsOf(
  t: Float64Array,
  equity: Float64Array,
  options: EquityMetricsOptions,
  startingWealth: number | undefined,
): EquityMetrics {
  if (t.length !== equity.length) {
    // A caller bug, not a data condition: mismatched columns would silently misalign every period.
    throw new RangeError(`metrics: t has ${t.length} bars but equity has ${equity.length}`);
  }
  const periodicity = resolvePeriodicity(t, options.periodicity);
  const ends = options.periodEnds ?? periodEndIndices(t, periodicity);
  const { periodsPerYear } = annualizationFor(t, ends, options.periodsPerYear);
  const { wealth, time, returns: allReturns } = periodSeries(t, equity, ends, startingWealth);
  const returns = allReturns.subarray(0, periodsUntilRuin(wealth));
  const n = returns.length;

  const first = wealth.length > 0 ? wealth[0] : NaN;
  const last = wealth.length > 0 ? wealth[wealth.length - 1] : NaN;
  const totalReturn = last / first - 1;
  const growth = last / first;
  const annualizedReturn = n === 0 ? NaN : growth <= 0 ? -1 : Math.pow(growth, periodsPerYear / n) - 1;

  const riskFree = Math.pow(1 + (options.riskFreeRate ?? 0), 1 / periodsPerYear) - 1;
  // Excess returns: the deviation is the same less a constant; the mean and the downside are not.
  const mu = mean(returns) - riskFree;
  const std = sampleStd(returns);
  let downsideSq = 0;
  for (let k = 0; k < n; k++) {
    const excess = returns[k] - riskFree;
    if (excess < 0) downsideSq += excess * excess;
  }
  const downside = n === 0 ? NaN : Math.sqrt(downsideSq / n);
  const sqrtP = Math.sqrt(periodsPerYear);

  const drawdown = drawdownSummary(wealth, time);
  const { skewness, kurtosis } = skewnessAndKurtosis(returns);
  const sharpeRatio = ratio(mu, std) * sqrtP;
  const probabilisticSharpe = probabilisticSharpeRatio({
    sharpe: sharpeRatio,
    n,
    skew: skewness,
    kurtosis,
    periodsPerYear,
  });
  const deflatedSharpe =
    options.trialCount === undefined || options.trialSharpeVariance === undefined
      ? NaN
      : deflatedSharpeRatio({
          sharpe: sharpeRatio,
          trials: options.trialCount,
          sharpeVariance: options.trialSharpeVariance,
          n,
          skew: skewness,
          kurtosis,
          periodsPerYear,
        });

  return {
    finalEquity: equity.length > 0 ? equity[equity.length - 1] : NaN,
    totalReturn,
    annualizedReturn,
    volatility: std * sqrtP,
    sharpeRatio,
    sortinoRatio: ratio(mu * periodsPerYear, downside * sqrtP),
    calmarRatio: ratio(annualizedReturn, Math.abs(drawdown.maxDrawdown)),
    maxDrawdown: drawdown.maxDrawdown,
    maxDrawdownDurationDays: drawdown.maxDuration / DAY_MS,
    maxDrawdownDurationPeriods: drawdown.maxDurationPoints,
    valueAtRisk: quantile(returns, 0.05),
    skewness,
    kurtosis,
    probabilisticSharpe,
    deflatedSharpe,
    consistencyScore: positiveMonthShare(returns, time, periodicity),
    numPeriods: n,
  };
}

/**
 * Returns up to the period whose wealth fell to or below 0, that one's included (-100 % for a run the
 * engine stopped when wiped out): a return after it is over a base of 0 or of the wrong sign, undefined
 * (0 / 0) or misleading (a loss over a negative base reads as a gain), so none is counted.
 */
function periodsUntilRuin(wealth: Float64Array): number {
  for (let k = 1; k < wealth.length; k++) if (wealth[k] <= 0) return k;
  return Math.max(0, wealth.length - 1);
}

/** Share of calendar months whose compounded period returns are positive; NaN without returns. */
function positiveMonthShare(
  returns: Float64Array,
  time: Float64Array,
  periodicity: 'session' | 'bar',
): number {
  const n = returns.length;
  if (n === 0) return NaN;
  // returns[k] ends at time[k + 1]; that period-end decides its month.
  const days = periodCalendarDays(time.subarray(1), periodicity);
  let months = 0;
  let positive = 0;
  let currentMonth = NaN;
  let growth = 1;
  for (let k = 0; k < n; k++) {
    // YYYYMM: one key per calendar month.
    const key = Math.floor(dateKeyFromDays(days[k]) / 100);
    if (key !== currentMonth) {
      if (k > 0) {
        months++;
        if (growth > 1) positive++;
      }
      currentMonth = key;
      growth = 1;
    }
    growth *= 1 + returns[k];
  }
  months++;
  if (growth > 1) positive++;
  return positive / months;
}

/** Trade statistics and exposure; `barCount` is the number of bars of the backtest. */
export function tradeMetrics(
  trades: ClosedTrades,
  barCount: number,
  inMarket?: ArrayLike<number>,
  openFrom?: number,
): TradeMetrics {
  const count = trades.count;
  let wins = 0;
  let losses = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let pnlSum = 0;
  let returnSum = 0;
  let best = -Infinity;
  let worst = Infinity;
  let barsSum = 0;
  let barsMax = -Infinity;
  let timeSum = 0;
  let timeMax = -Infinity;
  for (let i = 0; i < count; i++) {
    const pnl = trades.pnl[i];
    pnlSum += pnl;
    if (pnl > 0) {
      wins++;
      grossProfit += pnl;
    } else if (pnl < 0) {
      losses++;
      grossLoss -= pnl;
    }
    const r = trades.returnPct[i];
    returnSum += r;
    if (r > best) best = r;
    if (r < worst) worst = r;
    const bars = trades.exitIndex[i] - trades.entryIndex[i];
    barsSum += bars;
    if (bars > barsMax) barsMax = bars;
    const duration = trades.exitTime[i] - trades.entryTime[i];
    timeSum += duration;
    if (duration > timeMax) timeMax = duration;
  }
  const none = count === 0;
  const averageWin = wins > 0 ? grossProfit / wins : 0;
  const averageLoss = losses > 0 ? grossLoss / losses : 0;
  return {
    numTrades: count,
    winRate: none ? NaN : wins / count,
    profitFactor: none ? NaN : ratio(grossProfit, grossLoss),
    averageWinLossRatio: none ? NaN : ratio(averageWin, averageLoss),
    expectancy: none ? NaN : pnlSum / count,
    averageTradeReturn: none ? NaN : returnSum / count,
    bestTrade: none ? NaN : best,
    worstTrade: none ? NaN : worst,
    avgTradeDurationBars: none ? NaN : barsSum / count,
    maxTradeDurationBars: none ? NaN : barsMax,
    avgTradeDurationDays: none ? NaN : timeSum / count / DAY_MS,
    maxTradeDurationDays: none ? NaN : timeMax / DAY_MS,
    exposure: exposureOf(trades, barCount, inMarket, openFrom),
  };
}

function exposureOf(
  trades: ClosedTrades,
  barCount: number,
  inMarket: ArrayLike<number> | undefined,
  openFrom: number | undefined,
): number {
  if (barCount === 0) return NaN;
  let held = 0;
  if (inMarket !== undefined) {
    for (let i = 0; i < barCount; i++) if (inMarket[i] !== 0 && !Number.isNaN(inMarket[i])) held++;
    return held / barCount;
  }
  // Difference array: trades may overlap (a reversal exits and enters on the same bar), so count the
  // union of [entry, exit] intervals rather than summing their lengths.
  const delta = new Int32Array(barCount + 1);
  for (let i = 0; i < trades.count; i++) {
    const entry = Math.max(0, trades.entryIndex[i]);
    const exit = Math.min(barCount - 1, trades.exitIndex[i]);
    if (exit < entry) continue;
    delta[entry]++;
    delta[exit + 1]--;
  }
  if (openFrom !== undefined && openFrom >= 0 && openFrom < barCount) {
    delta[openFrom]++;
    delta[barCount]--;
  }
  let open = 0;
  for (let i = 0; i < barCount; i++) {
    open += delta[i];
    if (open > 0) held++;
  }
  return held / barCount;
}
