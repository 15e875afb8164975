import {
  formatDuration,
  formatInteger,
  formatMoney,
  formatNumber,
  formatPercent,
  formatSignedPercent,
  humanizeKey,
} from '../../format.ts';

type Kind = 'percent' | 'signedPercent' | 'ratio' | 'money' | 'count' | 'days' | 'bars';

interface MetricDef {
  label: string;
  kind: Kind;
  /** The direction that is good, for colouring: 1 higher is better, -1 lower is better, 0 neutral. */
  better: 1 | -1 | 0;
}

/**
 * How each metric (keys as the engine names them, camelCase) is labelled and shown. Metrics the engine
 * adds later and this table does not know yet still appear, labelled from their key.
 */
const CATALOG: Record<string, MetricDef> = {
  totalReturn: { label: 'Total return', kind: 'signedPercent', better: 1 },
  sharpeRatio: { label: 'Sharpe ratio', kind: 'ratio', better: 1 },
  maxDrawdown: { label: 'Max drawdown', kind: 'percent', better: 0 },
  numTrades: { label: 'Trades', kind: 'count', better: 0 },
  finalEquity: { label: 'Final equity', kind: 'money', better: 0 },
  annualizedReturn: { label: 'Annualized return (CAGR)', kind: 'signedPercent', better: 1 },
  volatility: { label: 'Volatility (ann.)', kind: 'percent', better: 0 },
  sortinoRatio: { label: 'Sortino ratio', kind: 'ratio', better: 1 },
  calmarRatio: { label: 'Calmar ratio', kind: 'ratio', better: 1 },
  maxDrawdownDurationDays: { label: 'Longest drawdown', kind: 'days', better: 0 },
  maxDrawdownDurationPeriods: { label: 'Longest drawdown (periods)', kind: 'count', better: 0 },
  valueAtRisk: { label: 'Value at risk (95%)', kind: 'percent', better: 0 },
  skewness: { label: 'Skewness', kind: 'ratio', better: 0 },
  kurtosis: { label: 'Kurtosis', kind: 'ratio', better: 0 },
  probabilisticSharpe: { label: 'Probabilistic Sharpe', kind: 'percent', better: 0 },
  deflatedSharpe: { label: 'Deflated Sharpe', kind: 'percent', better: 0 },
  consistencyScore: { label: 'Months positive', kind: 'percent', better: 0 },
  numPeriods: { label: 'Return periods', kind: 'count', better: 0 },
  winRate: { label: 'Win rate', kind: 'percent', better: 0 },
  profitFactor: { label: 'Profit factor', kind: 'ratio', better: 0 },
  averageWinLossRatio: { label: 'Avg win / avg loss', kind: 'ratio', better: 0 },
  expectancy: { label: 'Expectancy per trade', kind: 'money', better: 1 },
  averageTradeReturn: { label: 'Avg trade return', kind: 'signedPercent', better: 1 },
  bestTrade: { label: 'Best trade', kind: 'signedPercent', better: 0 },
  worstTrade: { label: 'Worst trade', kind: 'signedPercent', better: 0 },
  avgTradeDurationDays: { label: 'Avg trade duration', kind: 'days', better: 0 },
  maxTradeDurationDays: { label: 'Max trade duration', kind: 'days', better: 0 },
  avgTradeDurationBars: { label: 'Avg trade duration (bars)', kind: 'bars', better: 0 },
  maxTradeDurationBars: { label: 'Max trade duration (bars)', kind: 'count', better: 0 },
  exposure: { label: 'Exposure', kind: 'percent', better: 0 },
};

/** The four figures shown large above everything else. */
export const HEADLINE_METRICS = ['totalReturn', 'sharpeRatio', 'maxDrawdown', 'numTrades'] as const;

export function metricLabel(key: string): string {
  return CATALOG[key]?.label ?? humanizeKey(key);
}

export function formatMetric(key: string, value: number | null | undefined): string {
  const kind = CATALOG[key]?.kind;
  switch (kind) {
    case 'percent':
      return formatPercent(value);
    case 'signedPercent':
      return formatSignedPercent(value);
    case 'money':
      return formatMoney(value);
    case 'count':
      return formatInteger(value);
    case 'days':
      return formatDuration(value === null || value === undefined ? value : value * 86_400_000);
    case 'bars':
      return formatNumber(value, 1);
    case 'ratio':
      return formatNumber(value, 2);
    default:
      return formatNumber(value, Math.abs(value ?? 0) >= 1000 ? 0 : 4);
  }
}

/** 'up' / 'down' when the value says good or bad news at a glance, else ''. */
export function metricTone(key: string, value: number | null | undefined): 'up' | 'down' | '' {
  if (value === null || value === undefined || !Number.isFinite(value) || value === 0) return '';
  const better = CATALOG[key]?.better ?? 0;
  if (better === 0) return key === 'maxDrawdown' && value < 0 ? 'down' : '';
  return value * better > 0 ? 'up' : 'down';
}

/** Every metric in a stable order: the catalog's first, then the unknown ones alphabetically. */
export function orderedMetricKeys(metrics: Record<string, number | null>): string[] {
  const known = Object.keys(CATALOG).filter((k) => k in metrics);
  const unknown = Object.keys(metrics)
    .filter((k) => !(k in CATALOG))
    .sort();
  return [...known, ...unknown];
}
