import { describe, expect, it } from 'vitest';
import { metricDifference } from './metricDifference.ts';

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
