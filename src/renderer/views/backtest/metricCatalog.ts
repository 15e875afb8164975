import { METRIC_DEFINITIONS, type MetricDefinition } from '../../../core/metrics/definitions.ts';
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

/** How the page shows a metric; its name comes from the one catalogue, core/metrics/definitions.ts. */
interface MetricDef {
  kind: Kind;
  /** The direction that is good, for colouring: 1 higher is better, -1 lower is better, 0 neutral. */
  better: 1 | -1 | 0;
}

/**
 * How each metric (keys as the engine names them, camelCase) is shown. Metrics the engine adds later and
 * this table does not know yet still appear, formatted as plain numbers.
 */
const CATALOG: Record<string, MetricDef> = {
  totalReturn: { kind: 'signedPercent', better: 1 },
  sharpeRatio: { kind: 'ratio', better: 1 },
  maxDrawdown: { kind: 'percent', better: 0 },
  numTrades: { kind: 'count', better: 0 },
  finalEquity: { kind: 'money', better: 0 },
  annualizedReturn: { kind: 'signedPercent', better: 1 },
  volatility: { kind: 'percent', better: 0 },
  sortinoRatio: { kind: 'ratio', better: 1 },
  calmarRatio: { kind: 'ratio', better: 1 },
  maxDrawdownDurationDays: { kind: 'days', better: 0 },
  maxDrawdownDurationPeriods: { kind: 'count', better: 0 },
  valueAtRisk: { kind: 'percent', better: 0 },
  skewness: { kind: 'ratio', better: 0 },
  kurtosis: { kind: 'ratio', better: 0 },
  probabilisticSharpe: { kind: 'percent', better: 0 },
  deflatedSharpe: { kind: 'percent', better: 0 },
  consistencyScore: { kind: 'percent', better: 0 },
  numPeriods: { kind: 'count', better: 0 },
  winRate: { kind: 'percent', better: 0 },
  profitFactor: { kind: 'ratio', better: 0 },
  averageWinLossRatio: { kind: 'ratio', better: 0 },
  expectancy: { kind: 'money', better: 1 },
  averageTradeReturn: { kind: 'signedPercent', better: 1 },
  bestTrade: { kind: 'signedPercent', better: 0 },
  worstTrade: { kind: 'signedPercent', better: 0 },
  avgTradeDurationDays: { kind: 'days', better: 0 },
  maxTradeDurationDays: { kind: 'days', better: 0 },
  avgTradeDurationBars: { kind: 'bars', better: 0 },
  maxTradeDurationBars: { kind: 'count', better: 0 },
  exposure: { kind: 'percent', better: 0 },
};

/** The four figures shown large above everything else. */
export const HEADLINE_METRICS = ['totalReturn', 'sharpeRatio', 'maxDrawdown', 'numTrades'] as const;

const LABELS: Readonly<Record<string, MetricDefinition>> = METRIC_DEFINITIONS;

/** The catalogue's name for a metric; `sharpeRatio@1h` (multi-timeframe) reads "Sharpe ratio @ 1h". */
export function metricLabel(key: string): string {
  const [metric = key, timeframe] = key.split('@');
  const label = LABELS[metric]?.label ?? humanizeKey(metric);
  return timeframe ? `${label} @ ${timeframe}` : label;
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
