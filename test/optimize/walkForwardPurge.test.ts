/**
 * The walk-forward's purge gap, as main runs it: each train window's study scores only the bars before
 * the gap, each test run trades from the gap's first bar (no position from a bar the parameters were
 * chosen on), a run stores the gap it had so its replay cuts the same windows, and 'warm-up' measures the
 * strategy's longest warm-up on the run's bars.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { firstIndexAtOrAfter, sliceBars } from '../../src/core/data/bars.ts';
import { tradingDays } from '../../src/core/data/assetCalendar.ts';
import { runBacktest } from '../../src/core/engine/index.ts';
import { computeEquityMetrics } from '../../src/core/metrics/metrics.ts';
import { getStrategy } from '../../src/core/strategy/index.ts';
import { resolveCosts } from '../../src/main/services/costs.ts';
import { searchCostsOf } from '../../src/main/services/optimize/studySetup.ts';
import { WalkForwardRepository } from '../../src/main/store/walkForwardRepository.ts';
import { requestSchemas } from '../../src/shared/contract.ts';
import {
  optimizeHarness,
  runWalkForward,
  writeDemoSymbol,
  type OptimizeHarness,
} from '../support/studies.ts';

let h: OptimizeHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function request(symbol: string, windows: Record<string, unknown>) {
  return requestSchemas['walkforward:run'].input.parse({
    strategy: 'sma-cross',
    data: { symbol, timeframe: '1h', start: Date.UTC(2023, 0, 1), end: Date.UTC(2023, 3, 1) },
    space: ['fast=5:10:5', 'slow=20:30:10'],
    sampler: 'grid',
    objectives: [{ metric: 'sharpeRatio' }],
    trials: 4,
    seed: 5,
    windows,
  });
}

describe('walk-forward purge', () => {
  it('ends each train window the purge before its test window, and trades each test run from the gap', async () => {
    h = await optimizeHarness(1);
    const series = await writeDemoSymbol(h.bars, 1);
    const req = request(series.symbol, { train: 20, test: 10, step: 10, purge: 3 });
    const result = await runWalkForward(h, req);
    expect(result.purge).toEqual({ length: 3, unit: 'days', warmupBars: null });
    expect(result.windows.length).toBeGreaterThanOrEqual(3);
    const bars = await h.bars.read(series.symbol, '1h', {
      start: req.data.start,
      end: req.data.end,
      session: 'regular',
    });
    const { t } = bars;
    const { days } = tradingDays(t);
    const {
      models: { commission, slippage },
    } = await resolveCosts(searchCostsOf(req), { kind: 'cache', symbol: series.symbol }, h.bars, t);
    for (const w of result.windows) {
      // The train window's last scored bar is more than 3 days before the test window's first (the gap is
      // counted back from the test window's nominal first day, which may be a weekend's).
      expect(w.train.end).toBeLessThan(w.test.start);
      expect(days[w.test.start]! - days[w.train.end - 1]!).toBeGreaterThan(3);
      expect(w.train.endTime).toBe(t[w.train.end]);
      // The test run: warmed up from the train window's first bar, trading from the gap's first.
      const equity = runBacktest(
        sliceBars(bars, w.train.start, w.test.end),
        getStrategy('sma-cross'),
        w.params as Record<string, number>,
        { cash: 10_000, commission, slippage, tradeFrom: w.train.end - w.train.start },
      ).equity.slice(w.test.start - w.train.start);
      const m = computeEquityMetrics(t.slice(w.test.start, w.test.end), equity);
      expect(w.outOfSample['totalReturn']).toBe(m.totalReturn);
    }
    // The run is stored with the gap it had, in units: its replay cuts the same windows.
    const stored = await new WalkForwardRepository(h.db).windowsOfRun(result.runId);
    expect(stored[0]!.request?.windows.purge).toBe(3);
  }, 60_000);

  it("measures 'warm-up' as the strategy's longest warm-up over the space, in bars", async () => {
    h = await optimizeHarness(1);
    const series = await writeDemoSymbol(h.bars, 1);
    const req = request(series.symbol, { unit: 'bars', train: 120, test: 60, step: 60, purge: 'warm-up' });
    const result = await runWalkForward(h, req);
    const bars = await h.bars.read(series.symbol, '1h', {
      start: req.data.start,
      end: req.data.end,
      session: 'regular',
    });
    // Every set of the 2 x 2 grid, run on the bars: the longest first bar it can trade on.
    const longest = Math.max(
      ...[5, 10].flatMap((fast) =>
        [20, 30].map((slow) => runBacktest(bars, getStrategy('sma-cross'), { fast, slow }).startIndex),
      ),
    );
    expect(result.purge).toEqual({ length: longest, unit: 'bars', warmupBars: longest });
    for (const w of result.windows) expect(w.test.start - w.train.end).toBe(longest);
    expect(firstIndexAtOrAfter(bars.t, result.windows[0]!.test.startTime)).toBe(120);
  }, 60_000);
});
