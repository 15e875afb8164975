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
