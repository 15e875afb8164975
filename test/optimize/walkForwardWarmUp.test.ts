/**
 * A walk-forward's train windows are scored as a backtest over the window is: warmed up on the bars
 * before it (the space's longest warm-up of them, those before the run's start too), trading and scored
 * from the window's first bar; before, each train window warmed up on its own first bars.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { firstIndexAtOrAfter, sliceBars } from '../../src/core/data/bars.ts';
import { runBacktest } from '../../src/core/engine/index.ts';
import { computeEquityMetrics } from '../../src/core/metrics/metrics.ts';
import { getStrategy } from '../../src/core/strategy/index.ts';
import { resolveCosts } from '../../src/main/services/costs.ts';
import { searchCostsOf } from '../../src/main/services/optimize/studySetup.ts';
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

describe('walk-forward train windows', () => {
  it('warm up on the bars before the window, the run’s first one on the cached bars before its start', async () => {
    h = await optimizeHarness(1);
    const series = await writeDemoSymbol(h.bars, 1);
    const start = Date.UTC(2023, 1, 1);
    const req = requestSchemas['walkforward:run'].input.parse({
      strategy: 'sma-cross',
      data: { symbol: series.symbol, timeframe: '1h', start, end: Date.UTC(2023, 4, 1) },
      space: ['fast=5:10:5', 'slow=20:30:10'],
      sampler: 'grid',
      objectives: [{ metric: 'sharpeRatio' }],
      trials: 4,
      seed: 5,
      windows: { unit: 'bars', train: 120, test: 60, step: 60 },
    });
    const result = await runWalkForward(h, req);
    // Every bar from the demo's first, so the run's own range starts at `first`.
    const all = await h.bars.read(series.symbol, '1h', { end: req.data.end, session: 'regular' });
    const first = firstIndexAtOrAfter(all.t, start);
    expect(first).toBeGreaterThan(30);
    const {
      models: { commission, slippage },
    } = await resolveCosts(searchCostsOf(req), { kind: 'cache', symbol: series.symbol }, h.bars, all.t);
    // The space's longest warm-up: its upper corner's slow period.
    const longest = 30;
    expect(result.windows.length).toBeGreaterThanOrEqual(3);
    for (const w of result.windows) {
      const from = first + w.train.start;
      const to = first + w.train.end;
      const warmed = runBacktest(
        sliceBars(all, from - longest, to),
        getStrategy('sma-cross'),
        w.params as Record<string, number>,
        { cash: 10_000, commission, slippage, tradeFrom: longest },
      );
      const m = computeEquityMetrics(all.t.slice(from, to), warmed.equity.slice(longest));
      expect(w.inSample['totalReturn'], `window ${w.index}`).toBeCloseTo(m.totalReturn, 12);
      expect(w.inSample['sharpeRatio'], `window ${w.index}`).toBeCloseTo(m.sharpeRatio, 9);
    }
  }, 120_000);
});
