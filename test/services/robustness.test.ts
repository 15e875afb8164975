/**
 * Issue 15 item 8: `backtest:robustness` runs core/robustness on a backtest result's returns. Its figures
 * are the core's for the same seed (no second implementation), and a bad input is refused naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockBootstrap, shuffleTrades } from '../../src/core/robustness/index.ts';
import { dispatch } from '../../src/main/services/dispatch.ts';
import type { BacktestResult, RobustnessPayload } from '../../src/shared/contract.ts';
import { periodReturnsOf, tradeEquityReturns } from '../../src/shared/robustnessReturns.ts';
import { HOST_BACKTEST, startServiceHost, type ServiceHost } from '../support/serviceHost.ts';

let host: ServiceHost;
let result: BacktestResult;
beforeAll(async () => {
  host = await startServiceHost();
  result = (await dispatch(host.services.handlers, 'backtest:run', HOST_BACKTEST)) as BacktestResult;
});
afterAll(async () => {
  await host?.close();
});

const robustness = async (input: object): Promise<RobustnessPayload> =>
  (await dispatch(host.services.handlers, 'backtest:robustness', input)) as RobustnessPayload;

describe('backtest:robustness', () => {
  it('a block bootstrap of the result gives the core figures for the same seed', async () => {
    const returns = periodReturnsOf(result);
    expect(returns.length).toBeGreaterThan(20);
    const options = { resamples: 200, seed: 7, drawdownDepth: 0.05, ruinFloor: 0.9 };
    const answer = await robustness({ method: 'block-bootstrap', returns, blockLength: 5, ...options });
    const core = blockBootstrap(returns, { ...options, blockLength: 5 });
    expect(answer.equityBands).toEqual(core.equityBands.map((band) => Array.from(band)));
    expect(answer.drawdownBands).toEqual(core.drawdownBands.map((band) => Array.from(band)));
    expect(answer.maxDrawdownBands).toEqual(core.maxDrawdownBands);
    expect(answer.probDrawdownBeyond).toBe(core.probDrawdownBeyond);
    expect(answer.probRuin).toBe(core.probRuin);
    expect(answer.blockLength).toBe(5);
    // Another seed draws other paths.
    const other = await robustness({
      method: 'block-bootstrap',
      returns,
      blockLength: 5,
      ...options,
      seed: 8,
    });
    expect(other.maxDrawdownBands).not.toEqual(answer.maxDrawdownBands);
  });

  it('a shuffle of the closed trades gives the core figures and ends at the closed-trade equity', async () => {
    const returns = tradeEquityReturns(result);
    expect(returns.length).toBeGreaterThan(2);
    const answer = await robustness({ method: 'trade-shuffle', returns, resamples: 100, seed: 3 });
    const core = shuffleTrades(returns, { resamples: 100, seed: 3 });
    expect(answer.equityBands).toEqual(core.equityBands.map((band) => Array.from(band)));
    expect(answer.probDrawdownBeyond).toBe(core.probDrawdownBeyond);
    expect(answer.probRuin).toBe(core.probRuin);
    // Returns on the equity before each trade compound to the start plus every closed trade's P&L.
    const cash = result.equity.value[0]!;
    const closedPnl = result.trades.filter((t) => t.exitReason !== 'Open').reduce((s, t) => s + t.pnl, 0);
    expect(answer.equityBands[2]!.at(-1)).toBeCloseTo((cash + closedPnl) / cash, 9);
  });

  it('refuses a bad input naming the field', async () => {
    const returns = [0.01, -0.02, 0.03];
    await expect(robustness({ method: 'block-bootstrap', returns, ruinFloor: 1.5 })).rejects.toThrow(
      /ruinFloor/,
    );
    await expect(robustness({ method: 'block-bootstrap', returns, resamples: 0 })).rejects.toThrow(
      /resamples/,
    );
    await expect(robustness({ method: 'block-bootstrap', returns, blockLength: 4 })).rejects.toThrow(
      /blockLength.*at most the number of returns \(3\)/,
    );
    await expect(robustness({ method: 'trade-shuffle', returns, blockLength: 2 })).rejects.toThrow(
      /blockLength.*block-bootstrap only/,
    );
    await expect(robustness({ method: 'trade-shuffle', returns: [0.1, -1.5] })).rejects.toThrow(/returns\.1/);
    await expect(robustness({ method: 'trade-shuffle', returns, seed: 'x' })).rejects.toThrow(/seed/);
  });
});
