import { describe, expect, it } from 'vitest';
import { METRIC_DEFINITIONS, METRIC_KEYS } from '../../core/metrics/definitions.ts';
import { formatMetric, metricLabel } from './format.ts';

/** What the CLI prints for 1234.5 of a metric in each of the catalogue's formats. */
const PRINTED: Record<string, string> = {
  percent: '123450.00%',
  signedPercent: '123450.00%',
  probability: '123450.0%',
  ratio: '1,234.5',
  money: '1,234.5',
  count: '1,234.5',
  decimal: '1,234.5',
  duration: '1,234.5',
};

describe('the CLI’s metric tables follow the metric catalogue', () => {
  it.each(METRIC_KEYS)('%s: label and number format from the catalogue', (key) => {
    const definition = METRIC_DEFINITIONS[key];
    expect(metricLabel(key)).toBe(definition.label);
    expect(formatMetric(key, 1234.5)).toBe(PRINTED[definition.format]);
  });

  it('prints ratios to four places, counts whole, and what the catalogue lacks as a plain number', () => {
    expect(formatMetric('sharpeRatio', 1.234567)).toBe('1.2346');
    expect(formatMetric('numTrades', 1234)).toBe('1,234');
    expect(formatMetric('finalEquity', 10_000.126)).toBe('10,000.13');
    expect(formatMetric('score', 0.123456)).toBe('0.1235');
    expect(formatMetric('totalReturn', Number.NaN)).toBe('n/a');
  });
});
