/**
 * The one metric catalogue: how each metric is named, shown and optimised. The optimizer takes
 * `direction` (and `magnitude`) as an objective's natural sense, the app's and the CLI's tables take
 * `label`, `format` and `unit`, the app colours a value by `direction` when `zeroIsNeutral`. Keyed by
 * the Metrics keys, so adding a metric without describing it here is a compile error. Data only: the
 * renderer imports it too.
 */
import type { EquityMetricKey, MetricKey } from './metrics.ts';

/** Which way an objective on a metric goes. */
export type Direction = 'maximize' | 'minimize';

/** What a metric's number counts; `fraction` is a ratio of money (0.12 = 12 %). */
export type MetricUnit = 'fraction' | 'currency' | 'days' | 'bars' | 'periods' | 'trades' | 'none';

/**
 * How a surface shows the number: `percent` a fraction ×100 with %, `signedPercent` the same with a
 * `+` on gains, `probability` a chance as formatProbability prints it, `ratio` dimensionless, `money`
 * currency, `count` an integer, `duration` a span in the metric's unit, `decimal` a plain number.
 */
export type MetricFormat =
  'percent' | 'signedPercent' | 'probability' | 'ratio' | 'money' | 'count' | 'duration' | 'decimal';

/**
 * A probability (a probabilistic or deflated Sharpe ratio, a PBO) as every surface prints it: a
 * percentage to a tenth, "95.0%", and "n/a" when there is none. Percentages rather than fractions
 * (0.95): traders read odds in percent, the Optimize view already did, and the thresholds then read as
 * said ("a deflated Sharpe of at least 95% and a PBO below 20%"). One formatter for the Optimize view,
 * the regime comparison, the scorecard and the CLI, so they cannot drift apart again.
 */
export function formatProbability(probability: number | null | undefined, digits = 1): string {
  return probability === null || probability === undefined || !Number.isFinite(probability)
    ? 'n/a'
    : `${(probability * 100).toFixed(digits)}%`;
}

/**
 * A duration metric's value in its unit, as a surface without a finer duration format prints it:
 * "12.3 bars", "3.2 days" (a mean of bars is no count, and a bare "12.300" said neither what nor how many).
 */
export function formatDurationIn(value: number, unit: MetricUnit): string {
  return `${value.toLocaleString('en-US', { maximumFractionDigits: 1 })} ${unit}`;
}

export interface MetricDefinition {
  label: string;
  unit: MetricUnit;
  format: MetricFormat;
  /** Which way is better, as an objective's natural direction. */
  direction: Direction;
  /**
   * Compared by magnitude: the metric reports a loss as a negative number (max drawdown -0.2), so
   * "minimise" means the shallowest, the smallest |value|.
   */
  magnitude?: true;
  /**
   * The sign of the value is itself good or bad news (a return, a Sharpe ratio, a drawdown): a table
   * may colour it by `direction`. False where any value is just a size (equity, a count, a duration).
   */
  zeroIsNeutral: boolean;
  description: string;
}

export const METRIC_DEFINITIONS: Readonly<Record<MetricKey, MetricDefinition>> = {
  finalEquity: {
    label: 'Final equity',
    unit: 'currency',
    format: 'money',
    direction: 'maximize',
    zeroIsNeutral: false,
    description: 'Equity at the last bar, open position marked to its close.',
  },
  totalReturn: {
    label: 'Total return',
    unit: 'fraction',
    format: 'signedPercent',
    direction: 'maximize',
    zeroIsNeutral: true,
    description: 'Final equity over starting wealth, minus 1.',
  },
  annualizedReturn: {
    label: 'Annualized return',
    unit: 'fraction',
    format: 'signedPercent',
    direction: 'maximize',
    zeroIsNeutral: true,
    description:
      'CAGR: product of (1 + period return) to the power P / periods, minus 1 (P periods a year: 252 for daily or intraday bars, 52 weekly, 12 monthly).',
  },
  volatility: {
    label: 'Volatility',
    unit: 'fraction',
    format: 'percent',
    direction: 'minimize',
    zeroIsNeutral: false,
    description:
      'Standard deviation (ddof 1) of period (daily) returns, annualized by √P (√252 for daily bars).',
  },
  sharpeRatio: {
    label: 'Sharpe ratio',
    unit: 'none',
    format: 'ratio',
    direction: 'maximize',
    zeroIsNeutral: true,
    description:
      'Mean excess over the risk-free rate (Settings; 0 unless set) over standard deviation (ddof 1) of period (daily) returns, times √P (√252 for daily bars).',
  },
  sortinoRatio: {
    label: 'Sortino ratio',
    unit: 'none',
    format: 'ratio',
    direction: 'maximize',
    zeroIsNeutral: true,
    description:
      'Annualized mean daily excess return over the risk-free rate (Settings; 0 unless set) over annualized downside deviation √mean(min(r − rf, 0)²).',
  },
  calmarRatio: {
    label: 'Calmar ratio',
    unit: 'none',
    format: 'ratio',
    direction: 'maximize',
    zeroIsNeutral: true,
    description: 'Annualized return over the magnitude of the maximum drawdown.',
  },
  maxDrawdown: {
    label: 'Max drawdown',
    unit: 'fraction',
    format: 'percent',
    direction: 'minimize',
    magnitude: true,
    zeroIsNeutral: true,
    description:
      'Deepest fall of daily wealth from its running peak (starting wealth included), as a negative fraction; closer to 0 is better.',
  },
  maxDrawdownDurationDays: {
    label: 'Max drawdown duration (days)',
    unit: 'days',
    format: 'duration',
    direction: 'minimize',
    zeroIsNeutral: false,
    description: 'Longest calendar time from a peak to its recovery, or to the end if not recovered.',
  },
  maxDrawdownDurationPeriods: {
    label: 'Max drawdown duration (periods)',
    unit: 'periods',
    format: 'count',
    direction: 'minimize',
    zeroIsNeutral: false,
    description: 'The longest drawdown counted in trading days (return periods).',
  },
  valueAtRisk: {
    label: 'Value at risk (95%)',
    unit: 'fraction',
    format: 'percent',
    direction: 'maximize',
    zeroIsNeutral: false,
    description:
      '5th percentile of daily returns (linear interpolation): the daily return exceeded on 95% of days; closer to 0 is better.',
  },
  skewness: {
    label: 'Skewness',
    unit: 'none',
    format: 'ratio',
    direction: 'maximize',
    zeroIsNeutral: false,
    description: 'Population skewness of daily returns; positive means a longer right tail.',
  },
  kurtosis: {
    label: 'Kurtosis',
    unit: 'none',
    format: 'ratio',
    direction: 'minimize',
    zeroIsNeutral: false,
    description:
      'Population kurtosis of daily returns (3 for a normal distribution); higher means fatter tails.',
  },
  probabilisticSharpe: {
    label: 'Probabilistic Sharpe',
    unit: 'fraction',
    format: 'probability',
    direction: 'maximize',
    zeroIsNeutral: false,
    description:
      'Probability that the true Sharpe ratio is above 0 given the track length, skewness and kurtosis (Bailey & López de Prado 2012).',
  },
  deflatedSharpe: {
    label: 'Deflated Sharpe',
    unit: 'fraction',
    format: 'probability',
    direction: 'maximize',
    zeroIsNeutral: false,
    description:
      'Probabilistic Sharpe against the best Sharpe ratio expected by luck among the trials tried (Bailey & López de Prado 2014).',
  },
  consistencyScore: {
    label: 'Consistency',
    unit: 'fraction',
    format: 'percent',
    direction: 'maximize',
    zeroIsNeutral: false,
    description: 'Share of calendar months with a positive return.',
  },
  numPeriods: {
    label: 'Days',
    unit: 'periods',
    format: 'count',
    direction: 'maximize',
    zeroIsNeutral: false,
    description: 'Number of daily returns the return metrics are computed on.',
  },
  numTrades: {
    label: 'Trades',
    unit: 'trades',
    format: 'count',
    direction: 'maximize',
    zeroIsNeutral: false,
    description: 'Closed trades; a position still open at the end is not counted.',
  },
  winRate: {
    label: 'Win rate',
    unit: 'fraction',
    format: 'percent',
    direction: 'maximize',
    zeroIsNeutral: false,
    description: 'Share of closed trades with a positive profit after costs.',
  },
  profitFactor: {
    label: 'Profit factor',
    unit: 'none',
    format: 'ratio',
    direction: 'maximize',
    zeroIsNeutral: false,
    description: 'Gross profit over gross loss of closed trades; infinite when there is no losing trade.',
  },
  averageWinLossRatio: {
    label: 'Avg win / avg loss',
    unit: 'none',
    format: 'ratio',
    direction: 'maximize',
    zeroIsNeutral: false,
    description: 'Mean profit of winning trades over the mean loss of losing trades.',
  },
  expectancy: {
    label: 'Expectancy',
    unit: 'currency',
    format: 'money',
    direction: 'maximize',
    zeroIsNeutral: true,
    description: 'Mean profit per closed trade, in account currency.',
  },
  averageTradeReturn: {
    label: 'Avg trade return',
    unit: 'fraction',
    format: 'signedPercent',
    direction: 'maximize',
    zeroIsNeutral: true,
    description: 'Mean return of closed trades relative to their entry value.',
  },
  bestTrade: {
    label: 'Best trade',
    unit: 'fraction',
    format: 'signedPercent',
    direction: 'maximize',
    zeroIsNeutral: false,
    description: 'Highest return of a closed trade relative to its entry value.',
  },
  worstTrade: {
    label: 'Worst trade',
    unit: 'fraction',
    format: 'signedPercent',
    direction: 'maximize',
    zeroIsNeutral: false,
    description: 'Lowest return of a closed trade relative to its entry value; closer to 0 is better.',
  },
  avgTradeDurationBars: {
    label: 'Avg trade duration (bars)',
    unit: 'bars',
    format: 'duration',
    direction: 'minimize',
    zeroIsNeutral: false,
    description: 'Mean number of bars from entry to exit.',
  },
  maxTradeDurationBars: {
    label: 'Max trade duration (bars)',
    unit: 'bars',
    format: 'count',
    direction: 'minimize',
    zeroIsNeutral: false,
    description: 'Longest trade, in bars from entry to exit.',
  },
  avgTradeDurationDays: {
    label: 'Avg trade duration (days)',
    unit: 'days',
    format: 'duration',
    direction: 'minimize',
    zeroIsNeutral: false,
    description: 'Mean calendar time from entry to exit, in days.',
  },
  maxTradeDurationDays: {
    label: 'Max trade duration (days)',
    unit: 'days',
    format: 'duration',
    direction: 'minimize',
    zeroIsNeutral: false,
    description: 'Longest trade, in calendar days from entry to exit.',
  },
  exposure: {
    label: 'Exposure',
    unit: 'fraction',
    format: 'percent',
    direction: 'minimize',
    zeroIsNeutral: false,
    description: 'Share of bars with an open position; less exposure for the same return frees capital.',
  },
};

/** The keys computeEquityMetrics fills, in table order (for `regimen metrics` and equity-only views). */
export const EQUITY_METRIC_KEYS: readonly EquityMetricKey[] = [
  'finalEquity',
  'totalReturn',
  'annualizedReturn',
  'volatility',
  'sharpeRatio',
  'sortinoRatio',
  'calmarRatio',
  'maxDrawdown',
  'maxDrawdownDurationDays',
  'maxDrawdownDurationPeriods',
  'valueAtRisk',
  'skewness',
  'kurtosis',
  'probabilisticSharpe',
  'deflatedSharpe',
  'consistencyScore',
  'numPeriods',
];

/** Every key of Metrics in table order. */
export const METRIC_KEYS: readonly MetricKey[] = Object.keys(METRIC_DEFINITIONS) as MetricKey[];

/** The catalogue's entry for a key, or undefined for a value it does not describe (e.g. `score`). */
export function metricDefinition(key: string): MetricDefinition | undefined {
  return Object.hasOwn(METRIC_DEFINITIONS, key) ? METRIC_DEFINITIONS[key as MetricKey] : undefined;
}
