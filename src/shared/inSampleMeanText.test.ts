import { describe, expect, it } from 'vitest';
import { inSampleMeanWindows } from './inSampleMeanText.ts';

describe('inSampleMeanWindows', () => {
  it('counts the windows where the figure is defined, and is null when all are', () => {
    const windows = [
      { inSample: { calmarRatio: 2.5, sharpeRatio: 1 } },
      { inSample: { calmarRatio: null, sharpeRatio: 0.5 } },
      { inSample: { calmarRatio: Number.NaN, sharpeRatio: 0.2 } },
      { inSample: { sharpeRatio: 0.1 } },
    ];
    expect(inSampleMeanWindows(windows, 'calmarRatio')).toBe('1 of 4 windows');
    expect(inSampleMeanWindows(windows, 'sharpeRatio')).toBeNull();
  });
});
