import { describe, expect, it } from 'vitest';
import { aggregateTimeframes, flattenTimeframeMetrics } from './multiTimeframe.ts';
import { naturalObjective } from './objectives.ts';

const perTimeframe = {
  '1m': { sharpeRatio: 1.2, maxDrawdown: -0.3, numTrades: 40, exposure: 0.5 },
  '5m': { sharpeRatio: 0.8, maxDrawdown: -0.1, numTrades: 12, exposure: 0.3 },
  '15m': { sharpeRatio: 1.0, maxDrawdown: -0.2, numTrades: 5, exposure: 0.1 },
};
const objectives = [naturalObjective('sharpeRatio'), naturalObjective('maxDrawdown')];

describe('aggregateTimeframes', () => {
  it('takes the worst value in each objective direction and the fewest trades', () => {
    const { metrics } = aggregateTimeframes(perTimeframe, { aggregation: 'worst', objectives });
    expect(metrics).toEqual({ sharpeRatio: 0.8, maxDrawdown: -0.3, numTrades: 5, exposure: 0.3 });
  });
  it('averages, plainly or weighted, and names a missing weight', () => {
    expect(
      aggregateTimeframes(perTimeframe, { aggregation: 'mean', objectives }).metrics['sharpeRatio'],
    ).toBeCloseTo(1, 12);
    const weighted = aggregateTimeframes(perTimeframe, {
      aggregation: 'weighted',
      objectives,
      weights: { '1m': 2, '5m': 1, '15m': 1 },
    });
    expect(weighted.metrics['sharpeRatio']).toBeCloseTo((2 * 1.2 + 0.8 + 1.0) / 4, 12);
    expect(() =>
      aggregateTimeframes(perTimeframe, { aggregation: 'weighted', objectives, weights: { '1m': 1 } }),
    ).toThrow(/no weight for timeframe "5m"/);
  });
  it('treats NaN as the worst and keeps per-timeframe metrics flattened', () => {
    const withNaN = { ...perTimeframe, '5m': { ...perTimeframe['5m'], sharpeRatio: NaN } };
    const score = aggregateTimeframes(withNaN, { aggregation: 'worst', objectives });
    expect(score.metrics['sharpeRatio']).toBeNaN();
    const flat = flattenTimeframeMetrics(score);
    expect(flat['sharpeRatio@1m']).toBe(1.2);
    expect(flat['numTrades@15m']).toBe(5);
  });
});
