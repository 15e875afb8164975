/**
 * Issue 15 item 2: runs from the app pay the asset class's costs unless told otherwise. A backtest of a
 * cached US equity symbol (the synthetic SYNX, judged equities by its timestamps) without `costs` pays
 * the US equity model and shows a cost stress; all-zero costs give the result of the engine without
 * cost models (the results of runs before costs had defaults); one part given replaces only that part.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest, US_EQUITY_COSTS } from '../../src/core/engine/index.ts';
import { STRATEGIES } from '../../src/core/strategy/index.ts';
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
};
const backtest = async (extra: object): Promise<BacktestResult> =>
  (await dispatch(host.services.handlers, 'backtest:run', { ...request, ...extra })) as BacktestResult;

describe('default costs of a backtest', () => {
  it('an equity symbol pays the US equity model by default, with a 0/10/25 bp stress', async () => {
    const result = await backtest({});
    expect(result.costs).toEqual(US_EQUITY_COSTS);
    expect(result.costStress.map((row) => row.bps)).toEqual([0, 10, 25]);
    expect(result.costStress[0]!.finalEquity).toBe(result.metrics.finalEquity);
    const [base, ten, twentyFive] = result.costStress.map((row) => row.finalEquity!);
    expect(result.trades.length).toBeGreaterThan(2);
    expect(ten).toBeLessThan(base!);
    expect(twentyFive).toBeLessThan(ten!);
  });

  it('zero costs reproduce the engine without cost models; one part replaces only that part', async () => {
    const zero = await backtest({ costs: { fees: 'none', spreadBps: 0, impact: 0 } });
    const bars = await host.services.bars.read(HOST_SYMBOL, '15m');
    const engine = runBacktest(bars, STRATEGIES['sma-cross'], request.params, { cash: 10_000 });
    expect(zero.metrics.finalEquity).toBe(engine.finalEquity);
    const defaulted = await backtest({});
    expect(zero.metrics.finalEquity).toBeGreaterThan(defaulted.metrics.finalEquity!);
    const wider = await backtest({ costs: { spreadBps: 20 } });
    expect(wider.costs).toEqual({ ...US_EQUITY_COSTS, spreadBps: 20 });
    expect(wider.metrics.finalEquity).toBeLessThan(defaulted.metrics.finalEquity!);
  });

  it("no short sales make the run the engine's long-only run (crypto's default); allowed, its shorts", async () => {
    const bars = await host.services.bars.read(HOST_SYMBOL, '15m');
    const free = { fees: 'none', spreadBps: 0, impact: 0 } as const;
    const longOnly = await backtest({ costs: { ...free, shortSales: 'none' } });
    expect(longOnly.costs.shortSales).toBe('none');
    const engine = runBacktest(bars, STRATEGIES['sma-cross'], request.params, {
      cash: 10_000,
      longOnly: true,
    });
    expect(longOnly.metrics.finalEquity).toBe(engine.finalEquity);
    expect(longOnly.trades.length).toBeGreaterThan(2);
    expect(longOnly.trades.every((trade) => trade.size > 0)).toBe(true);
    const shorts = await backtest({ costs: free });
    expect(shorts.costs.shortSales).toBe('allowed');
    expect(shorts.trades.some((trade) => trade.size < 0)).toBe(true);
  });

  it('bad cost settings are refused naming the field', async () => {
    await expect(backtest({ costs: { spreadBps: -1 } })).rejects.toThrow(/costs\.spreadBps/);
    await expect(backtest({ costs: { shortSales: 'never' } })).rejects.toThrow(/costs\.shortSales/);
  });
});
