/**
 * How each metric is shown and optimised: the optimizer takes `direction` as an objective's default
 * sense, the UI takes `label` and `format` for its tables. Keyed by the Metrics keys, so adding a
 * metric without describing it here is a compile error.
 */
import type { EquityMetricKey, MetricKey } from './metrics.ts';

export interface MetricDefinition {
  label: string;
  /** Which way is better. Drawdown and VaR are negative numbers, so for them 'max' means "closer to 0". */
  direction: 'max' | 'min';
  /** 'percent': a fraction shown ×100 with %; 'ratio': dimensionless; 'number': currency or days; 'count': an integer. */
  format: 'percent' | 'ratio' | 'number' | 'count';
  description: string;
}

export const METRIC_DEFINITIONS: Readonly<Record<MetricKey, MetricDefinition>> = {
  finalEquity: {
    label: 'Final equity',
    direction: 'max',
    format: 'number',
    description: 'Equity at the last bar, open position marked to its close.',
  },
  totalReturn: {
    label: 'Total return',
    direction: 'max',
    format: 'percent',
    description: 'Final equity over starting wealth, minus 1.',
  },
  annualizedReturn: {
    label: 'Annualized return',
    direction: 'max',
    format: 'percent',
    description:
      'CAGR: product of (1 + period return) to the power P / periods, minus 1 (P periods a year: 252 for daily or intraday bars, 52 weekly, 12 monthly).',
  },
  volatility: {
    label: 'Volatility',
    direction: 'min',
    format: 'percent',
    description:
      'Standard deviation (ddof 1) of period (daily) returns, annualized by √P (√252 for daily bars).',
  },
  sharpeRatio: {
    label: 'Sharpe ratio',
    direction: 'max',
    format: 'ratio',
    description:
      'Mean over standard deviation (ddof 1) of period (daily) returns, times √P (√252 for daily bars); risk-free rate 0.',
  },
  sortinoRatio: {
    label: 'Sortino ratio',
    direction: 'max',
    format: 'ratio',
    description: 'Annualized mean daily return over annualized downside deviation √mean(min(r, 0)²).',
  },
  calmarRatio: {
    label: 'Calmar ratio',
    direction: 'max',
    format: 'ratio',
    description: 'Annualized return over the magnitude of the maximum drawdown.',
  },
  maxDrawdown: {
    label: 'Max drawdown',
    direction: 'max',
    format: 'percent',
    description:
      'Deepest fall of daily wealth from its running peak (starting wealth included), as a negative fraction; closer to 0 is better.',
  },
  maxDrawdownDurationDays: {
    label: 'Max drawdown duration (days)',
    direction: 'min',
    format: 'number',
    description: 'Longest calendar time from a peak to its recovery, or to the end if not recovered.',
  },
  maxDrawdownDurationPeriods: {
    label: 'Max drawdown duration (periods)',
    direction: 'min',
    format: 'count',
    description: 'The longest drawdown counted in trading days (return periods).',
  },
  valueAtRisk: {
    label: 'Value at risk (95%)',
    direction: 'max',
    format: 'percent',
    description:
      '5th percentile of daily returns (linear interpolation): the daily return exceeded on 95% of days; closer to 0 is better.',
  },
  skewness: {
    label: 'Skewness',
    direction: 'max',
    format: 'ratio',
    description: 'Population skewness of daily returns; positive means a longer right tail.',
  },
  kurtosis: {
    label: 'Kurtosis',
    direction: 'min',
    format: 'ratio',
    description:
      'Population kurtosis of daily returns (3 for a normal distribution); higher means fatter tails.',
  },
  probabilisticSharpe: {
    label: 'Probabilistic Sharpe',
    direction: 'max',
    format: 'percent',
    description:
      'Probability that the true Sharpe ratio is above 0 given the track length, skewness and kurtosis (Bailey & López de Prado 2012).',
  },
  deflatedSharpe: {
    label: 'Deflated Sharpe',
    direction: 'max',
    format: 'percent',
    description:
      'Probabilistic Sharpe against the best Sharpe ratio expected by luck among the trials tried (Bailey & López de Prado 2014).',
  },
  consistencyScore: {
    label: 'Consistency',
    direction: 'max',
    format: 'percent',
    description: 'Share of calendar months with a positive return.',
  },
  numPeriods: {
    label: 'Days',
    direction: 'max',
    format: 'count',
    description: 'Number of daily returns the return metrics are computed on.',
  },
  numTrades: {
    label: 'Trades',
    direction: 'max',
    format: 'count',
    description: 'Closed trades; a position still open at the end is not counted.',
  },
  winRate: {
    label: 'Win rate',
    direction: 'max',
    format: 'percent',
    description: 'Share of closed trades with a positive profit after costs.',
  },
  profitFactor: {
    label: 'Profit factor',
    direction: 'max',
    format: 'ratio',
    description: 'Gross profit over gross loss of closed trades; infinite when there is no losing trade.',
  },
  averageWinLossRatio: {
    label: 'Avg win / avg loss',
    direction: 'max',
    format: 'ratio',
    description: 'Mean profit of winning trades over the mean loss of losing trades.',
  },
  expectancy: {
    label: 'Expectancy',
    direction: 'max',
    format: 'number',
    description: 'Mean profit per closed trade, in account currency.',
  },
  averageTradeReturn: {
    label: 'Avg trade return',
    direction: 'max',
    format: 'percent',
    description: 'Mean return of closed trades relative to their entry value.',
  },
  bestTrade: {
    label: 'Best trade',
    direction: 'max',
    format: 'percent',
    description: 'Highest return of a closed trade relative to its entry value.',
  },
  worstTrade: {
    label: 'Worst trade',
    direction: 'max',
    format: 'percent',
    description: 'Lowest return of a closed trade relative to its entry value; closer to 0 is better.',
  },
  avgTradeDurationBars: {
    label: 'Avg trade duration (bars)',
    direction: 'min',
    format: 'number',
    description: 'Mean number of bars from entry to exit.',
  },
  maxTradeDurationBars: {
    label: 'Max trade duration (bars)',
    direction: 'min',
    format: 'count',
    description: 'Longest trade, in bars from entry to exit.',
  },
  avgTradeDurationDays: {
    label: 'Avg trade duration (days)',
    direction: 'min',
    format: 'number',
    description: 'Mean calendar time from entry to exit, in days.',
  },
  maxTradeDurationDays: {
    label: 'Max trade duration (days)',
    direction: 'min',
    format: 'number',
    description: 'Longest trade, in calendar days from entry to exit.',
  },
  exposure: {
    label: 'Exposure',
    direction: 'min',
    format: 'percent',
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
