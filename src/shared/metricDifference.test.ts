import { describe, expect, it } from 'vitest';
import { formatMetricDelta, metricDifference } from './metricDifference.ts';

describe('metricDifference', () => {
  it("marks better and worse by each metric's direction, a drawdown by its magnitude", () => {
    expect(metricDifference('sharpeRatio', 1.2, 0.8)).toEqual({
      delta: expect.closeTo(0.4, 12),
      verdict: 'better',
    });
    expect(metricDifference('sharpeRatio', 0.5, 0.8).verdict).toBe('worse');
    // A shallower drawdown (-0.1 against -0.3) is the better one though the number is larger.
    expect(metricDifference('maxDrawdown', -0.1, -0.3)).toEqual({
      delta: expect.closeTo(0.2, 12),
      verdict: 'better',
    });
    expect(metricDifference('maxDrawdown', -0.4, -0.3).verdict).toBe('worse');
    expect(metricDifference('sharpeRatio@1h', 2, 1).verdict).toBe('better');
  });

  it('gives no verdict for equal, missing, non-finite or unknown metrics', () => {
    expect(metricDifference('sharpeRatio', 1, 1)).toEqual({ delta: 0, verdict: '' });
    expect(metricDifference('sharpeRatio', null, 1)).toEqual({ delta: null, verdict: '' });
    expect(metricDifference('profitFactor', Infinity, 1)).toEqual({ delta: null, verdict: '' });
    expect(metricDifference('madeUpMetric', 3, 1)).toEqual({ delta: 2, verdict: '' });
  });
});

describe('formatMetricDelta', () => {
  const plain = (_key: string, value: number): string => value.toFixed(2);

  it('prints the difference of two percentages in percentage points, not as a relative %', () => {
    // 15 % against 12 %: 3 points (a relative change would be 25 %).
    expect(formatMetricDelta('totalReturn', 0.15 - 0.12, plain)).toBe('+3.00 pp');
    expect(formatMetricDelta('winRate', -0.0525, plain)).toBe('-5.25 pp');
    expect(formatMetricDelta('maxDrawdown@GOOG', 0.2, plain)).toBe('+20.00 pp');
    expect(formatMetricDelta('volatility', -0.01, plain, '−')).toBe('−1.00 pp');
  });

  it("prints any other metric's difference in the surface's format, signed once", () => {
    expect(formatMetricDelta('sharpeRatio', -0.4, plain)).toBe('-0.40');
    expect(formatMetricDelta('finalEquity', 250, (_k, v) => `+${v}`)).toBe('+250');
    expect(formatMetricDelta('madeUpMetric', 2, plain)).toBe('+2.00');
  });
});
