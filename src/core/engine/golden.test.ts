import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedDataFile } from '../../../test/support/sharedData.ts';
import { parseBarsCsv } from '../data/csv/read.ts';
import { computeMetrics } from '../metrics/metrics.ts';
import { STRATEGIES } from '../strategy/index.ts';
import { runBacktest } from './backtest.ts';
import { ExitReason } from './types.ts';

const goog = sharedDataFile('GOOG.csv');

describe.skipIf(!goog.present)(`golden: backtesting.py SmaCross on GOOG${goog.skipReason}`, () => {
  const bars = (): ReturnType<typeof parseBarsCsv>['bars'] =>
    parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: 'GOOG.csv' }).bars;

  it('SMA 10/30, cash 10,000, commission 0, close at end: final equity 51,422.99 and 66 trades', () => {
    const run = runBacktest(
      bars(),
      STRATEGIES['sma-cross'],
      { fast: 10, slow: 30 },
      { cash: 10_000, commission: { kind: 'percent', rate: 0 }, closeAtEnd: true },
    );
    expect(run.options.convention).toBe('backtesting.py');
    expect(Math.abs(run.finalEquity - 51_422.99) / 51_422.99).toBeLessThan(1e-9);
    expect(run.trades.count).toBe(66);
    expect(run.finalPosition).toBe(0);
    expect(run.trades.exitReason[65]).toBe(ExitReason.EndOfData);
    // Every trade is whole shares and the log agrees with the cash: 10,000 + sum of pnl = final equity.
    let total = 10_000;
    for (let k = 0; k < run.trades.count; k++) {
      expect(Number.isInteger(run.trades.size[k])).toBe(true);
      total += run.trades.pnl[k];
    }
    expect(total).toBeCloseTo(run.finalEquity, 6);
  });

  it('SMA 10/20, commission 0.002: Return (Ann.) 22.4775 %, its return series starting at the first bar', () => {
    // backtesting.py's stats for Backtest(GOOG, SmaCross(10, 20), cash=10_000, commission=.002): its
    // returns run from the equity at the first bar, so n bars give n - 1 returns (22.466 % from the cash).
    const data = bars();
    const run = runBacktest(
      data,
      STRATEGIES['sma-cross'],
      { fast: 10, slow: 20 },
      { cash: 10_000, commission: { kind: 'percent', rate: 0.002 } },
    );
    expect(run.options.returnsFrom).toBe('first-bar');
    const metrics = computeMetrics({
      t: data.t,
      equity: run.equity,
      initialCash: run.options.cash,
      returnsFrom: run.options.returnsFrom,
      trades: run.trades,
    });
    expect(metrics.numPeriods).toBe(data.t.length - 1);
    expect(metrics.annualizedReturn * 100).toBeCloseTo(22.4775, 4);
  });
});
