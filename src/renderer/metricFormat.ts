import {
  formatDurationIn,
  formatProbability,
  METRIC_KEYS,
  metricDefinition,
} from '../core/metrics/definitions.ts';
import {
  DAY_MS,
  formatDuration,
  formatInteger,
  formatMoney,
  formatNumber,
  formatPercent,
  formatSignedPercent,
  humanizeKey,
} from './format.ts';

/**
 * The app's face of the metric catalogue (core/metrics/definitions.ts): labels, number formats, colours
 * and table order all come from it. Metrics the catalogue does not describe still appear, as plain
 * numbers under a name made from their key.
 */

/** The four figures shown large above everything else. */
export const HEADLINE_METRICS = ['totalReturn', 'sharpeRatio', 'maxDrawdown', 'numTrades'] as const;

/** The catalogue's name for a metric; `sharpeRatio@1h` (multi-timeframe) reads "Sharpe ratio @ 1h". */
export function metricLabel(key: string): string {
  const [metric = key, timeframe] = key.split('@');
  const label = metricDefinition(metric)?.label ?? humanizeKey(metric);
  return timeframe ? `${label} @ ${timeframe}` : label;
}

/** The catalogue's one-line explanation of a metric, for a hover title ('' for one it does not know). */
export function metricDescription(key: string): string {
  const [metric = key] = key.split('@');
  return metricDefinition(metric)?.description ?? '';
}

/** A symbol's or timeframe's metric (`sharpeRatio@GOOG`) is shown as the metric it is. */
export function formatMetric(key: string, value: number | null | undefined): string {
  const definition = metricDefinition(key.split('@')[0] ?? key);
  switch (definition?.format) {
    case 'percent':
      return formatPercent(value);
    case 'signedPercent':
      return formatSignedPercent(value);
    case 'probability':
      return formatProbability(value);
    case 'money':
      return formatMoney(value);
    case 'count':
      return formatInteger(value);
    case 'duration':
      // Durations in days read as "3d 4h"; in bars as the catalogue says them, "12.3 bars".
      if (definition.unit === 'days')
        return formatDuration(value === null || value === undefined ? value : value * DAY_MS);
      return value === null || value === undefined || !Number.isFinite(value)
        ? formatNumber(value, 1)
        : formatDurationIn(value, definition.unit);
    case 'decimal':
      return formatNumber(value, 1);
    case 'ratio':
      return formatNumber(value, 2);
    default:
      return formatNumber(value, Math.abs(value ?? 0) >= 1000 ? 0 : 4);
  }
}

/**
 * 'up' / 'down' when the value is good or bad news at a glance (the catalogue says its sign means
 * something), else ''. A magnitude metric (a drawdown) is bad news whenever it is not zero.
 */
export function metricTone(key: string, value: number | null | undefined): 'up' | 'down' | '' {
  if (value === null || value === undefined || !Number.isFinite(value) || value === 0) return '';
  const definition = metricDefinition(key);
  if (definition?.zeroIsNeutral !== true) return '';
  const compared = definition.magnitude === true ? Math.abs(value) : value;
  return (definition.direction === 'maximize') === compared > 0 ? 'up' : 'down';
}

/** Every metric in a stable order: the headline, then the catalogue's order, then unknown ones alphabetically. */
export function orderedMetricKeys(metrics: Record<string, number | null>): string[] {
  const headline: readonly string[] = HEADLINE_METRICS;
  const known = [...headline, ...METRIC_KEYS.filter((k) => !headline.includes(k))].filter(
    (k) => k in metrics,
  );
  const unknown = Object.keys(metrics)
    .filter((k) => metricDefinition(k) === undefined)
    .sort();
  return [...known, ...unknown];
}
