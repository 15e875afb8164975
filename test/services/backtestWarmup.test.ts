/**
 * A backtest from a date trades from that date, its strategy's indicators warmed on the cached bars
 * before it (as a study's holdout is), with trades, equity and metrics over [start, end] only; with too
 * few earlier bars it warms up inside the range and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/services/dispatch.ts';
import type { BacktestResult } from '../../src/shared/contract.ts';
import { HOST_SYMBOL, startServiceHost, type ServiceHost } from '../support/serviceHost.ts';

let host: ServiceHost;
beforeAll(async () => {
  host = await startServiceHost();
});
afterAll(async () => {
  await host?.close();
});

const request = {
  symbol: HOST_SYMBOL,
  timeframe: '15m',
  strategy: 'sma-cross',
  params: { fast: 5, slow: 20 },
  costs: { fees: 'none', spreadBps: 0, impact: 0 },
};
const backtest = async (range: { start?: number; end?: number }): Promise<BacktestResult> =>
  (await dispatch(host.services.handlers, 'backtest:run', { ...request, ...range })) as BacktestResult;

describe('a backtest from a start date', () => {
  it('trades from the start, warmed on the bars before it: the trades of a run warming up inside', async () => {
    const t = (await host.services.bars.read(HOST_SYMBOL, '15m', { session: 'regular' })).t;
    // From the cache's first bar there is no history: the strategy warms up on the range's first bars.
    const cold = await backtest({ start: t[0] });
    const warmupBars = t.indexOf(cold.range!.tradingFrom);
    expect(warmupBars).toBeGreaterThan(10);
    expect(cold.range!.warmup).toEqual({ bars: warmupBars, traded: true });
    // Asked to start where that run began trading, the run reads those bars before it as warm-up.
    const start = t[warmupBars]!;
    const warmed = await backtest({ start });
    expect(warmed.range).toEqual({ first: start, tradingFrom: start, last: cold.range!.last });
    expect(warmed.bars).toBe(cold.bars - warmupBars);
    expect(warmed.trades.length).toBeGreaterThan(2);
    expect(warmed.trades).toEqual(cold.trades);
    expect(warmed.metrics['finalEquity']).toBe(cold.metrics['finalEquity']);
    // Equity, indicators and benchmark begin at the start, not on the warm-up bars.
    expect(warmed.equity.t[0]).toBe(start);
    expect(warmed.indicators.t[0]).toBe(start);
    expect(warmed.indicators.plots[0]!.values[0]).not.toBeNull();
    // The same time in the market over fewer bars: the warm-up bars no longer count as time out of it.
    expect(warmed.metrics['totalReturn']).toBe(cold.metrics['totalReturn']);
    expect(warmed.metrics['exposure']! * warmed.bars).toBeCloseTo(cold.metrics['exposure']! * cold.bars, 6);
    expect(warmed.metrics['exposure']).toBeGreaterThan(cold.metrics['exposure']!);
  });

  it('warms up inside the range when the cache has too few bars before it, and says so', async () => {
    const t = (await host.services.bars.read(HOST_SYMBOL, '15m', { session: 'regular' })).t;
    const result = await backtest({ start: t[5] });
    expect(result.range!.first).toBe(t[5]);
    expect(result.range!.tradingFrom).toBeGreaterThan(t[5]!);
    expect(result.range!.warmup).toEqual({ bars: t.indexOf(result.range!.tradingFrom) - 5, traded: true });
  });

  it('reads no bar at or after the end', async () => {
    const t = (await host.services.bars.read(HOST_SYMBOL, '15m', { session: 'regular' })).t;
    const end = t[Math.floor(t.length / 2)]!;
    const result = await backtest({ start: t[60], end });
    expect(result.range!.last).toBe(t[Math.floor(t.length / 2) - 1]);
    expect(result.equity.t.at(-1)).toBeLessThan(end);
    for (const trade of result.trades) expect(trade.exitTime).toBeLessThan(end);
  });
});
