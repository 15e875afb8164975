import { describe, expect, it } from 'vitest';
import { allocateBars } from '../data/bars.ts';
import { runBacktest } from '../engine/index.ts';
import { STRATEGIES } from './registry.ts';

/**
 * SMA 2/4 crossover on fourteen hand-made bars, every figure worked out by hand (backtesting.py
 * conventions: strict cross on both bars, fill at the next open, whole shares sized from the cash
 * available, a bearish cross closes the long and opens a short sized from the cash after the close).
 *
 *   i      0   1   2   3   4   5   6   7   8   9  10  11  12  13
 *   close 10   9   9   8  11  12  13  12  10   9   8   9  10  11      open[i] = close[i-1]
 *   SMA2   -  9.5  9  8.5 9.5 11.5 12.5 12.5 11 9.5 8.5 8.5 9.5 10.5
 *   SMA4   -   -   -   9  9.25 10  11  12  11.75 11 9.75 9   9  9.5
 *
 * Crosses: up at 4 (8.5 < 9, then 9.5 > 9.25), down at 8 (12.5 > 12, then 11 < 11.75), up at 12
 * (8.5 < 9, then 9.5 > 9). Fills at the next opens: buy 91 at 11 (1005 / 11 = 91.4); at 10 sell the 91
 * (pnl -91, cash 914) and short 91 (914 / 10 = 91.4); at 10 cover (pnl 0) and buy 91 again, which is
 * still open at the end: equity = 914 - 910 + 91 x 11 = 1005.
 */
describe('sma-cross on a hand-checked series', () => {
  const closes = [10, 9, 9, 8, 11, 12, 13, 12, 10, 9, 8, 9, 10, 11];
  const bars = allocateBars(closes.length);
  closes.forEach((close, i) => {
    const open = i === 0 ? close : closes[i - 1]!;
    bars.t[i] = Date.UTC(2024, 0, 2 + i);
    bars.o[i] = open;
    bars.c[i] = close;
    bars.h[i] = Math.max(open, close) + 0.5;
    bars.l[i] = Math.min(open, close) - 0.5;
    bars.v[i] = 1000;
  });

  it('enters, reverses and re-enters at the next opens with the sizes worked out by hand', () => {
    const run = runBacktest(bars, STRATEGIES['sma-cross'], { fast: 2, slow: 4 }, { cash: 1005 });
    expect(run.trades.count).toBe(2);
    expect(Array.from(run.trades.entryIndex.subarray(0, 2))).toEqual([5, 9]);
    expect(Array.from(run.trades.exitIndex.subarray(0, 2))).toEqual([9, 13]);
    expect(Array.from(run.trades.size.subarray(0, 2))).toEqual([91, -91]);
    expect(Array.from(run.trades.entryPrice.subarray(0, 2))).toEqual([11, 10]);
    // A short covered at its entry price makes -0 in floating point; 0 and -0 are the same money.
    expect(Array.from(run.trades.pnl.subarray(0, 2), (pnl) => pnl + 0)).toEqual([-91, 0]);
    // Marked at each close: flat until bar 5, long 91 from bar 5, short 91 from bar 9, long again at 13.
    expect(run.equity[4]).toBe(1005);
    expect(run.equity[5]).toBe(1005 - 1001 + 91 * 12);
    expect(run.equity[8]).toBe(1005 - 1001 + 91 * 10);
    expect(run.equity[10]).toBe(914 + 91 * (10 - 8));
    expect(run.finalEquity).toBe(1005);
  });
});
