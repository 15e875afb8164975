import { describe, expect, it } from 'vitest';
import { allocateBars } from '../data/bars.ts';
import { randomWalkBars } from '../engine/random-walk.ts';
import { IndicatorCache } from './cache.ts';

describe('IndicatorCache growing (live bars filled one at a time)', () => {
  it('after each refresh, every array handed out equals the batch over the bars so far', () => {
    const source = randomWalkBars(300, 9);
    const buffer = allocateBars(300);
    const live = new IndicatorCache(buffer, undefined, { growing: true });
    const arrays = {
      sma: live.sma(10),
      signal: live.macdSignal(12, 26, 9),
      mfi: live.mfi(14),
      adx: live.adx(14),
      obv: live.obv(),
    };
    for (let n = 1; n <= 300; n++) {
      for (const column of ['t', 'o', 'h', 'l', 'c', 'v'] as const)
        buffer[column][n - 1] = source[column][n - 1];
      live.refresh(n);
      if (n % 50 !== 0) continue;
      const batch = new IndicatorCache({
        t: source.t.subarray(0, n),
        o: source.o.subarray(0, n),
        h: source.h.subarray(0, n),
        l: source.l.subarray(0, n),
        c: source.c.subarray(0, n),
        v: source.v.subarray(0, n),
      });
      expect(Array.from(arrays.sma.subarray(0, n))).toEqual(Array.from(batch.sma(10)));
      expect(Array.from(arrays.signal.subarray(0, n))).toEqual(Array.from(batch.macdSignal(12, 26, 9)));
      expect(Array.from(arrays.mfi.subarray(0, n))).toEqual(Array.from(batch.mfi(14)));
      expect(Array.from(arrays.adx.subarray(0, n))).toEqual(Array.from(batch.adx(14)));
      expect(Array.from(arrays.obv.subarray(0, n))).toEqual(Array.from(batch.obv()));
    }
  });

  it('a fixed cache refuses to refresh', () => {
    expect(() => new IndicatorCache(randomWalkBars(10, 1)).refresh(5)).toThrow('growing: true');
  });
});
