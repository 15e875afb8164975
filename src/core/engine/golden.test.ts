import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseBarsCsv } from '../data/csv/read.ts';
import { STRATEGIES } from '../strategy/index.ts';
import { runBacktest } from './backtest.ts';
import { ExitReason } from './types.ts';

const GOOG = fileURLToPath(new URL('../../../../shared/data/GOOG.csv', import.meta.url));

describe.skipIf(!existsSync(GOOG))(
  `golden: backtesting.py SmaCross on GOOG (skipped: ${GOOG} absent)`,
  () => {
    const bars = (): ReturnType<typeof parseBarsCsv>['bars'] =>
      parseBarsCsv(readFileSync(GOOG, 'utf8'), { source: 'GOOG.csv' }).bars;

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
  },
);
