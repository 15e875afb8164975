import { describe, expect, it } from 'vitest';
import { allocateBars, firstIndexAtOrAfter, sliceBarsByTime } from './bars.ts';

function rampBars(n: number) {
  const bars = allocateBars(n);
  for (let i = 0; i < n; i++) {
    bars.t[i] = 1_700_000_000_000 + i * 60_000;
    bars.o[i] = bars.h[i] = bars.l[i] = bars.c[i] = 100 + i;
    bars.v[i] = 10;
  }
  return bars;
}

describe('bars helpers', () => {
  it('slices by time with [start, end) bounds as views of the source', () => {
    const bars = rampBars(10);
    expect(firstIndexAtOrAfter(bars.t, bars.t[3]! - 1)).toBe(3);
    expect(firstIndexAtOrAfter(bars.t, bars.t[9]! + 1)).toBe(10);
    const slice = sliceBarsByTime(bars, bars.t[2]!, bars.t[5]!);
    expect(Array.from(slice.c)).toEqual([102, 103, 104]);
    expect(slice.c.buffer).toBe(bars.c.buffer);
    expect(sliceBarsByTime(bars, null, null).t.length).toBe(10);
  });
});
