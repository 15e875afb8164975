import { describe, expect, it } from 'vitest';
import type { RegimesResult } from '../../../shared/contract.ts';
import { labelsAtBars, labelSpans, translucent } from './regimeBands.ts';

function regimes(t: number[], volatility: (number | null)[]): RegimesResult {
  const axis = {
    names: ['low', 'normal', 'high'],
    labels: volatility,
    summary: [],
    transitions: [],
    orderNote: null,
  };
  return {
    symbol: 'X',
    timeframe: '1m',
    detector: 'rules',
    settings: {},
    datasetId: 'd',
    warmup: 1,
    recomputed: false,
    t,
    axes: { trend: axis, volatility: axis, volume: axis },
  };
}

describe('regime bands', () => {
  it('matches chart bars to labels by time, leaving bars the labels lack unlabelled', () => {
    const result = regimes([10, 20, 30, 40], [null, 0, 2, 2]);
    expect(labelsAtBars([5, 20, 25, 30, 40], result, 'volatility')).toEqual([null, 0, null, 2, 2]);
  });

  it('groups equal consecutive labels into spans; an unlabelled bar breaks a span', () => {
    expect(labelSpans([null, 0, 0, 2, 2, null, 2, 1])).toEqual([
      { from: 1, to: 2, code: 0 },
      { from: 3, to: 4, code: 2 },
      { from: 6, to: 6, code: 2 },
      { from: 7, to: 7, code: 1 },
    ]);
    expect(labelSpans([])).toEqual([]);
  });

  it('makes a colour translucent', () => {
    expect(translucent('#f0b90b', 0.2)).toBe('rgba(240, 185, 11, 0.2)');
  });
});
