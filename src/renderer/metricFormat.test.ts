import { describe, expect, it } from 'vitest';
import { METRIC_DEFINITIONS, METRIC_KEYS } from '../core/metrics/definitions.ts';
import {
  formatMetric,
  HEADLINE_METRICS,
  metricLabel,
  metricTone,
  orderedMetricKeys,
} from './metricFormat.ts';

/** What the app shows for 1.5 of a metric in each of the catalogue's formats. */
const SHOWN: Record<string, string> = {
  percent: '150.00%',
  signedPercent: '+150.00%',
  probability: '150.0%',
  ratio: '1.50',
  money: '1.50',
  count: '2',
  decimal: '1.5',
};

describe('the app’s metric tables follow the metric catalogue', () => {
  it.each(METRIC_KEYS)('%s: label and number format from the catalogue', (key) => {
    const definition = METRIC_DEFINITIONS[key];
    expect(metricLabel(key)).toBe(definition.label);
    const expected =
      definition.format !== 'duration'
        ? SHOWN[definition.format]
        : definition.unit === 'days'
          ? '1d 12h'
          : `1.5 ${definition.unit}`;
    expect(formatMetric(key, 1.5)).toBe(expected);
  });

  it('says the unit of the average trade duration in its label and its value', () => {
    // It read "12.3" in the app and "12.300" in the tear sheet: bars or days, and a count or a mean?
    expect(metricLabel('avgTradeDurationBars')).toBe('Avg trade duration (bars)');
    expect(formatMetric('avgTradeDurationBars', 12.345)).toBe('12.3 bars');
    expect(formatMetric('avgTradeDurationDays', 3.5)).toBe('3d 12h');
  });

  it.each(METRIC_KEYS)('%s: coloured by the catalogue’s direction only when zero is neutral', (key) => {
    const { direction, magnitude, zeroIsNeutral } = METRIC_DEFINITIONS[key];
    const good = magnitude === true ? 0 : direction === 'maximize' ? 1 : -1;
    const bad = magnitude === true ? -1 : -good;
    expect(metricTone(key, bad)).toBe(zeroIsNeutral ? 'down' : '');
    if (good !== 0) expect(metricTone(key, good)).toBe(zeroIsNeutral ? 'up' : '');
    expect(metricTone(key, 0)).toBe('');
  });

  it('orders the headline first, then the catalogue, then what it does not know', () => {
    const all = Object.fromEntries([...METRIC_KEYS, 'zeta', 'alpha'].map((k) => [k, 1]));
    const order = orderedMetricKeys(all);
    expect(order.slice(0, HEADLINE_METRICS.length)).toEqual([...HEADLINE_METRICS]);
    expect(order.slice(-2)).toEqual(['alpha', 'zeta']);
    expect(order).toHaveLength(METRIC_KEYS.length + 2);
    expect(formatMetric('zeta', 1234.5)).toBe('1,235');
    // One symbol's figure of a several-symbol result reads as its metric does.
    expect(formatMetric('totalReturn@GOOG', 1.5)).toBe('+150.00%');
    expect(metricLabel('totalReturn@GOOG')).toBe(`${METRIC_DEFINITIONS.totalReturn.label} @ GOOG`);
  });
});
