import { describe, expect, it } from 'vitest';
import { studyDetail } from '../../../test/support/fakeRegimenClient.ts';
import { sliceFigures } from './studySlices.ts';

describe('per-slice figures of a study', () => {
  it('are none for one slice', () => {
    expect(sliceFigures(studyDetail('a'))).toEqual([]);
  });

  it('are each objective then the trade count on every slice, keyed as the trials keep them', () => {
    const detail = studyDetail('b');
    detail.config.slices = [
      { key: 'GOOG', symbol: 'GOOG', timeframe: '1d' },
      { key: 'ORCL', symbol: 'ORCL', timeframe: '1d' },
    ];
    detail.summary.objectives = [
      { metric: 'sharpeRatio', direction: 'maximize' },
      { metric: 'maxDrawdown', direction: 'minimize' },
    ];
    expect(sliceFigures(detail).map((f) => f.key)).toEqual([
      'sharpeRatio@GOOG',
      'maxDrawdown@GOOG',
      'numTrades@GOOG',
      'sharpeRatio@ORCL',
      'maxDrawdown@ORCL',
      'numTrades@ORCL',
    ]);
  });
});
