import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aggregateSlices,
  flattenSliceMetrics,
  perSliceMetrics,
  sliceCombination,
  sliceLabel,
  sliceWeights,
} from './slices.ts';
import { naturalObjective } from './objectives.ts';

const perTimeframe = {
  '1m': { sharpeRatio: 1.2, maxDrawdown: -0.3, numTrades: 40, exposure: 0.5 },
  '5m': { sharpeRatio: 0.8, maxDrawdown: -0.1, numTrades: 12, exposure: 0.3 },
  '15m': { sharpeRatio: 1.0, maxDrawdown: -0.2, numTrades: 5, exposure: 0.1 },
};
const objectives = [naturalObjective('sharpeRatio'), naturalObjective('maxDrawdown')];

describe('aggregateSlices', () => {
  it('takes the worst value in each objective direction and the fewest trades', () => {
    const { metrics } = aggregateSlices(perTimeframe, { aggregation: 'worst', objectives });
    expect(metrics).toEqual({ sharpeRatio: 0.8, maxDrawdown: -0.3, numTrades: 5, exposure: 0.3 });
  });
  it('averages, plainly or weighted, and names a missing weight', () => {
    expect(
      aggregateSlices(perTimeframe, { aggregation: 'mean', objectives }).metrics['sharpeRatio'],
    ).toBeCloseTo(1, 12);
    const weighted = aggregateSlices(perTimeframe, {
      aggregation: 'weighted',
      objectives,
      weights: { '1m': 2, '5m': 1, '15m': 1 },
    });
    expect(weighted.metrics['sharpeRatio']).toBeCloseTo((2 * 1.2 + 0.8 + 1.0) / 4, 12);
    expect(() =>
      aggregateSlices(perTimeframe, { aggregation: 'weighted', objectives, weights: { '1m': 1 } }),
    ).toThrow(/no weight for slice "5m"/);
  });
  it('treats NaN as the worst and keeps per-slice metrics flattened', () => {
    const withNaN = { ...perTimeframe, '5m': { ...perTimeframe['5m'], sharpeRatio: NaN } };
    const score = aggregateSlices(withNaN, { aggregation: 'worst', objectives });
    expect(score.metrics['sharpeRatio']).toBeNaN();
    const flat = flattenSliceMetrics(score);
    expect(flat['sharpeRatio@1m']).toBe(1.2);
    expect(flat['numTrades@15m']).toBe(5);
  });
});

/** 1-6 slices of finite metric values, keyed like symbols. */
const slicesArb = fc
  .array(
    fc.record({
      sharpeRatio: fc.double({ min: -5, max: 5, noNaN: true }),
      maxDrawdown: fc.double({ min: -1, max: 0, noNaN: true }),
      numTrades: fc.integer({ min: 0, max: 500 }),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((sets) => Object.fromEntries(sets.map((m, i) => [`S${i}`, m])));

describe('aggregateSlices, properties over any slices', () => {
  it('worst is the minimum of a maximised metric, the largest magnitude of maxDrawdown, the fewest trades', () => {
    fc.assert(
      fc.property(slicesArb, (perSlice) => {
        const all = Object.values(perSlice);
        const { metrics } = aggregateSlices(perSlice, { aggregation: 'worst', objectives });
        expect(metrics['sharpeRatio']).toBe(Math.min(...all.map((m) => m.sharpeRatio)));
        // maxDrawdown is reported negative and compared by magnitude: the worst is the deepest.
        expect(Math.abs(metrics['maxDrawdown']!)).toBe(Math.max(...all.map((m) => Math.abs(m.maxDrawdown))));
        expect(metrics['numTrades']).toBe(Math.min(...all.map((m) => m.numTrades)));
      }),
    );
  });
  it('a minimised objective takes the largest value under worst', () => {
    fc.assert(
      fc.property(slicesArb, (perSlice) => {
        const minimised = [{ metric: 'sharpeRatio', direction: 'minimize' as const }];
        const { metrics } = aggregateSlices(perSlice, { aggregation: 'worst', objectives: minimised });
        expect(metrics['sharpeRatio']).toBe(Math.max(...Object.values(perSlice).map((m) => m.sharpeRatio)));
      }),
    );
  });
  it('mean is the arithmetic mean; weighted with equal weights is the mean; weighted is sum(w x)/sum(w)', () => {
    fc.assert(
      fc.property(
        slicesArb,
        fc.array(fc.double({ min: 0.01, max: 10, noNaN: true }), { minLength: 6, maxLength: 6 }),
        (perSlice, raw) => {
          const keys = Object.keys(perSlice);
          const values = keys.map((k) => perSlice[k]!.sharpeRatio);
          const mean = aggregateSlices(perSlice, { aggregation: 'mean', objectives }).metrics['sharpeRatio']!;
          expect(mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
          const equal = Object.fromEntries(keys.map((k) => [k, 3]));
          const same = aggregateSlices(perSlice, { aggregation: 'weighted', objectives, weights: equal });
          expect(same.metrics['sharpeRatio']).toBeCloseTo(mean, 9);
          const weights = Object.fromEntries(keys.map((k, i) => [k, raw[i]!]));
          const weighted = aggregateSlices(perSlice, { aggregation: 'weighted', objectives, weights });
          const expected =
            values.reduce((s, v, i) => s + raw[i]! * v, 0) / keys.reduce((s, _, i) => s + raw[i]!, 0);
          expect(weighted.metrics['sharpeRatio']).toBeCloseTo(expected, 9);
          // A weighted mean lies between the extremes.
          expect(weighted.metrics['sharpeRatio']!).toBeGreaterThanOrEqual(Math.min(...values) - 1e-9);
          expect(weighted.metrics['sharpeRatio']!).toBeLessThanOrEqual(Math.max(...values) + 1e-9);
        },
      ),
    );
  });
});

describe('slices of symbols x timeframes', () => {
  const grid = ['GOOG', 'ORCL'].flatMap((symbol) => ['1d', '1h'].map((timeframe) => ({ symbol, timeframe })));
  it('labels a slice by what varies: the timeframe, the symbol, or both', () => {
    expect(sliceLabel({ symbol: 'GOOG', timeframe: '5m' }, 1, 3)).toBe('5m');
    expect(sliceLabel({ symbol: 'GOOG', timeframe: '1d' }, 3, 1)).toBe('GOOG');
    expect(grid.map((s) => sliceLabel(s, 2, 2))).toEqual(['GOOG:1d', 'GOOG:1h', 'ORCL:1d', 'ORCL:1h']);
  });
  it("weighs a slice by its symbol's weight times its timeframe's, 1 for a dimension of one", () => {
    expect(sliceWeights(grid, { GOOG: 0.75, ORCL: 0.25 }, { '1d': 2, '1h': 1 })).toEqual([
      1.5, 0.75, 0.5, 0.25,
    ]);
    expect(sliceWeights(grid, { GOOG: 0.75, ORCL: 0.25 }, undefined)).toEqual([0.75, 0.75, 0.25, 0.25]);
    const oneSymbol = [
      { symbol: 'GOOG', timeframe: '1d' },
      { symbol: 'GOOG', timeframe: '1h' },
    ];
    expect(sliceWeights(oneSymbol, { GOOG: 5 }, { '1d': 2, '1h': 1 })).toEqual([2, 1]);
    expect(() => sliceWeights(grid, { GOOG: 1 }, undefined)).toThrow(/no weight for symbol "ORCL"/);
  });
  it('reads per-slice metrics back from a flattened record', () => {
    const flat = flattenSliceMetrics(
      aggregateSlices(
        { GOOG: { totalReturn: 0.1, numTrades: 3 }, ORCL: { totalReturn: -0.2, numTrades: 4 } },
        { aggregation: 'mean', objectives: [naturalObjective('totalReturn')] },
      ),
    );
    expect(perSliceMetrics(flat, ['GOOG', 'ORCL'])).toEqual({
      GOOG: { totalReturn: 0.1, numTrades: 3 },
      ORCL: { totalReturn: -0.2, numTrades: 4 },
    });
  });
});

describe('sliceCombination', () => {
  it('names how aggregateSlices combines each metric: the worst for objectives and the trade count, else the mean', () => {
    const objectives = [{ metric: 'sharpeRatio', direction: 'maximize' as const }];
    const perSlice = {
      A: { sharpeRatio: 1, numTrades: 10, maxDrawdown: -0.3 },
      B: { sharpeRatio: 0.5, numTrades: 4, maxDrawdown: -0.1 },
    };
    const { metrics } = aggregateSlices(perSlice, { aggregation: 'worst', objectives });
    expect(
      ['sharpeRatio', 'numTrades', 'maxDrawdown'].map((k) =>
        sliceCombination(k, { aggregation: 'worst', objectives }),
      ),
    ).toEqual(['worst', 'worst', 'mean']);
    expect(metrics).toEqual({ sharpeRatio: 0.5, numTrades: 4, maxDrawdown: -0.2 });
    expect(sliceCombination('sharpeRatio', { aggregation: 'mean', objectives })).toBe('mean');
    expect(sliceCombination('sharpeRatio', { aggregation: 'weighted', objectives })).toBe('weighted mean');
  });
});
