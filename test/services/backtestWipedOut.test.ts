/**
 * The app's backtest says when the account was wiped out (the Backtest view's Performance panel shows
 * it): the run stopped at that bar's close with every position closed, equity 0 from there on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/services/dispatch.ts';
import type { BacktestResult } from '../../src/shared/contract.ts';
import { gapUpBars } from '../support/gapUp.ts';
import { startServiceHost, type ServiceHost } from '../support/serviceHost.ts';

let host: ServiceHost;
beforeAll(async () => {
  host = await startServiceHost();
  await host.services.bars.write('GAPX', '1d', gapUpBars(), 'test');
});
afterAll(async () => {
  await host?.close();
});

const backtest = async (slow: number): Promise<BacktestResult> =>
  (await dispatch(host.services.handlers, 'backtest:run', {
    symbol: 'GAPX',
    timeframe: '1d',
    strategy: 'sma-cross',
    params: { fast: 5, slow },
    costs: { fees: 'none', spreadBps: 0, impact: 0 },
  })) as BacktestResult;

describe('backtest:run of a short through a gap', () => {
  it('reports the wipe-out bar, equity and return at 0, the trade closed there', async () => {
    const result = await backtest(20);
    const t = gapUpBars().t;
    expect(result.wipedOutAt).toBe(t[100]);
    expect(result.metrics).toMatchObject({ finalEquity: 0, totalReturn: -1, maxDrawdown: -1 });
    expect(result.equity.value.at(-1)).toBe(0);
    expect(result.trades.at(-1)).toMatchObject({ exitReason: 'WipedOut', exitTime: t[100], exitPrice: 300 });
    for (const row of result.costStress) expect(row.finalEquity).toBe(0);
  });

  it('reports none for a run that never falls to 0 (slow 110 warms up past the gap)', async () => {
    const result = await backtest(110);
    expect(result.wipedOutAt).toBeNull();
    expect(result.metrics['finalEquity']).toBe(10_000);
  });
});
