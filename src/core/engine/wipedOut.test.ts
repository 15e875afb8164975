import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gapUpBars } from '../../../test/support/gapUp.ts';
import { sharedDataFile } from '../../../test/support/sharedData.ts';
import type { Bars } from '../data/bars.ts';
import { parseBarsCsv } from '../data/csv/read.ts';
import { computeMetrics } from '../metrics/metrics.ts';
import { STRATEGIES } from '../strategy/index.ts';
import { NOT_WIPED_OUT, runBacktest, type BacktestRun } from './backtest.ts';
import { ExitReason } from './types.ts';

function metricsOf(bars: Bars, run: BacktestRun): ReturnType<typeof computeMetrics> {
  return computeMetrics({
    t: bars.t,
    equity: run.equity,
    initialCash: run.options.cash,
    returnsFrom: run.options.returnsFrom,
    trades: run.trades,
  });
}

describe('an account wiped out (equity at or below 0 at a close)', () => {
  it("golden: stops as backtesting.py's broker does (_OutOfMoneyError), closing at that bar's close", () => {
    // backtesting.py, Backtest(cash=10_000, commission=0), SmaCross(5, 20) on these bars: the cross down
    // at bar 38's close shorts floor(10,000 / 103.6) = 96 units at bar 39's open 103.6 (cash 10,000 +
    // 96 x 103.6 = 19,945.6). Bar 99 closes at 54.8: equity 19,945.6 - 96 x 54.8 = 14,684.8. Bar 100
    // gaps to 300: equity 19,945.6 - 96 x 300 = -8,854.4 <= 0, so _Broker.next closes the trade at that
    // close (pnl -96 x (300 - 103.6) = -18,854.4), sets the cash to 0 and the equity to 0 from bar 100 on.
    const bars = gapUpBars();
    const run = runBacktest(
      bars,
      STRATEGIES['sma-cross'],
      { fast: 5, slow: 20 },
      { cash: 10_000, commission: { kind: 'percent', rate: 0 } },
    );
    expect(run.options.convention).toBe('backtesting.py');
    expect(run.wipedOutIndex).toBe(100);
    expect(run.equity[99]).toBeCloseTo(14_684.8, 6);
    expect(Array.from(run.equity.subarray(100))).toEqual(new Array(40).fill(0));
    expect([run.finalEquity, run.finalCash, run.finalPosition]).toEqual([0, 0, 0]);
    expect(run.openTrade).toBeNull();
    expect(run.trades.count).toBe(1);
    expect(run.trades.size[0]).toBe(-96);
    expect(run.trades.entryPrice[0]).toBeCloseTo(103.6, 9);
    expect(run.trades.exitIndex[0]).toBe(100);
    expect(run.trades.exitPrice[0]).toBe(300);
    expect(run.trades.pnl[0]).toBeCloseTo(-18_854.4, 6);
    expect(run.trades.exitReason[0]).toBe(ExitReason.WipedOut);

    const metrics = metricsOf(bars, run);
    expect(metrics.totalReturn).toBe(-1);
    expect(metrics.maxDrawdown).toBe(-1);
    // The returns end with bar 100's -100 %: the 39 after it (0 over 0) are not returns at all.
    expect(metrics.numPeriods).toBe(100);
    expect(metrics.sharpeRatio).toBeLessThan(-0.5);
    expect(metrics.sortinoRatio).toBeLessThan(-0.5);
  });

  it('records positions and cash of 0 from that bar on too', () => {
    const run = runBacktest(
      gapUpBars(),
      STRATEGIES['sma-cross'],
      { fast: 5, slow: 20 },
      { cash: 10_000, commission: { kind: 'percent', rate: 0 }, recordPositions: true },
    );
    expect(run.positions?.[99]).toBe(-96);
    expect(Array.from(run.positions!.subarray(100)).every((u) => u === 0)).toBe(true);
    expect(Array.from(run.cash!.subarray(100)).every((c) => c === 0)).toBe(true);
  });

  it('a run that stays above 0 is not wiped out', () => {
    const run = runBacktest(
      gapUpBars(),
      STRATEGIES['sma-cross'],
      { fast: 5, slow: 20 },
      { cash: 10_000, commission: { kind: 'percent', rate: 0 }, longOnly: true },
    );
    expect(run.wipedOutIndex).toBe(NOT_WIPED_OUT);
    expect(run.finalEquity).toBeGreaterThan(0);
  });
});

const nvda = sharedDataFile('NVDA.csv');

describe.skipIf(!nvda.present)(
  `NVDA sma-cross 112/221, wiped out shorting into 2001${nvda.skipReason}`,
  () => {
    it('ends at 0 with a -100 % return, not -124 % with a Sharpe of +0.36 over a negative base', () => {
      const bars = parseBarsCsv(readFileSync(nvda.path, 'utf8'), { source: 'NVDA.csv' }).bars;
      const run = runBacktest(bars, STRATEGIES['sma-cross'], { fast: 112, slow: 221 });
      expect(run.wipedOutIndex).toBeGreaterThan(0);
      expect(new Date(bars.t[run.wipedOutIndex]!).getUTCFullYear()).toBe(2001);
      expect(Math.min(...run.equity)).toBe(0);
      expect(run.finalEquity).toBe(0);
      const last = run.trades.count - 1;
      expect(run.trades.exitReason[last]).toBe(ExitReason.WipedOut);
      expect(run.trades.exitIndex[last]).toBe(run.wipedOutIndex);
      expect(run.trades.exitPrice[last]).toBe(bars.c[run.wipedOutIndex]);
      const metrics = metricsOf(bars, run);
      expect(metrics.totalReturn).toBe(-1);
      expect(metrics.maxDrawdown).toBe(-1);
      // Over the returns up to the -100 % day only. They stay above 0 (measured +0.06): the long years of
      // 1999-2000 gained more on average than that one day lost, a flaw of any mean-of-returns ratio, so
      // the optimizer ranks a wiped-out trial by its wipe-out and not by this ratio (objectives.ts).
      expect(metrics.sharpeRatio).toBeLessThan(0.36);
    });
  },
);
