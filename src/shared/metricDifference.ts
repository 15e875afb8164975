import { metricDefinition } from '../core/metrics/definitions.ts';

/** A metric of a pin against the reference pin's: the difference, and whether it is better or worse. */
export interface MetricDifference {
  delta: number | null;
  /** By the metric's direction (a drawdown by its magnitude); '' when equal, unknown or not comparable. */
  verdict: 'better' | 'worse' | '';
}

/**
 * How `value` compares with `reference` for `key`: the catalogue says which way is better (and whether
 * the size of a negative number is what counts, as for a drawdown); a metric it does not describe gets
 * its delta but no verdict.
 */
export function metricDifference(
  key: string,
  value: number | null | undefined,
  reference: number | null | undefined,
): MetricDifference {
  if (value === null || value === undefined || reference === null || reference === undefined)
    return { delta: null, verdict: '' };
  if (!Number.isFinite(value) || !Number.isFinite(reference)) return { delta: null, verdict: '' };
  const delta = value - reference;
  const definition = metricDefinition(key.split('@')[0] ?? key);
  if (definition === undefined || delta === 0) return { delta, verdict: '' };
  const [a, b] = definition.magnitude === true ? [Math.abs(value), Math.abs(reference)] : [value, reference];
  if (a === b) return { delta, verdict: '' };
  const higherIsBetter = definition.direction === 'maximize';
  return { delta, verdict: a > b === higherIsBetter ? 'better' : 'worse' };
}

/**
 * Whether a difference of `key` is in percentage points: the metric is a fraction shown as a percentage
 * (the catalogue's percent and probability formats), and a difference of two percentages (12 % and 15 %) is 3
 * percentage points, where "%" would read as a relative change (25 %).
 */
export function differsInPoints(key: string): boolean {
  const format = metricDefinition(key.split('@')[0] ?? key)?.format;
  return format === 'percent' || format === 'signedPercent' || format === 'probability';
}

const POINTS = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * A pin's difference from the reference as the CLI and the Compare view print it: signed, a percentage
 * metric's in percentage points ("+3.00 pp"), any other in the metric's own format (`formatMetric`, the
 * surface's), with `minus` as the surface writes it.
 */
export function formatMetricDelta(
  key: string,
  delta: number,
  formatMetric: (key: string, value: number) => string,
  minus = '-',
): string {
  const sign = delta > 0 ? '+' : delta < 0 ? minus : '';
  const size = Math.abs(delta);
  return differsInPoints(key)
    ? `${sign}${POINTS.format(size * 100)} pp`
    : `${sign}${formatMetric(key, size).replace(/^\+/, '')}`;
}
