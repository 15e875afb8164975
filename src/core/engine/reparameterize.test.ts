import { describe, expect, it } from 'vitest';
import { OrderType, Sizing, type OrderPort } from '../strategy-api/order-port.ts';
import type { Strategy, StrategyContext, StrategyDefinition, StrategyParams } from '../strategy-api/types.ts';
import { STRATEGIES } from '../strategy/registry.ts';
import { runBacktest, type BacktestRun } from './backtest.ts';
import { randomWalkBars } from './random-walk.ts';
import { barsFrom } from './test-helpers.test-util.ts';
import { ExitReason, type TradeLog } from './types.ts';
import { SWITCH_CASES } from './switchCases.test-util.ts';

type Trade = [entry: number, exit: number, entryPrice: number, exitPrice: number, size: number];

function trades(
  log: TradeLog,
  keep: (entryIndex: number, exitIndex: number) => boolean = () => true,
): Trade[] {
  const out: Trade[] = [];
  for (let k = 0; k < log.count; k++) {
    const row: Trade = [
      log.entryIndex[k],
      log.exitIndex[k],
      log.entryPrice[k],
      log.exitPrice[k],
      log.size[k],
    ];
    if (keep(row[0], row[1])) out.push(row);
  }
  return out;
}

const entryBars = (run: BacktestRun, from: number): number[] =>
  trades(run.trades, (entry) => entry >= from).map(([entry]) => entry);

/**
 * Buys 10 units at the close of each bar in `signals` when flat, with a stop-loss `stop` below the fill:
 * the smallest strategy whose exits depend on a parameter.
 */
function stopEntries(signals: readonly number[]): StrategyDefinition {
  class StopEntries implements Strategy {
    private orders!: OrderPort;
    constructor(private stop: number) {}
    init(context: StrategyContext): number {
      this.orders = context.orders;
      return 0;
    }
    reparameterize(params: StrategyParams): void {
      this.stop = params.stop;
    }
    onBar(i: number): void {
      if (this.orders.position !== 0 || !signals.includes(i)) return;
      const id = this.orders.submit(1, OrderType.Market, Sizing.Units, 10);
      this.orders.attachExits(id, this.stop, NaN, NaN);
    }
  }
  return {
    name: 'stop-entries',
    version: '1',
    description: 'test strategy',
    params: [
      {
        name: 'stop',
        type: 'float',
        min: 0.5,
        max: 10,
        limits: { min: 0.5, max: 10 },
        step: 0.5,
        default: 5,
        description: 'stop',
      },
    ],
    constraints: [],
    convention: 'regimen',
    create: (params) => new StopEntries(params.stop),
  };
}

describe('re-parameterisation at a bar boundary', () => {
  it('an open position keeps the stop it was opened with; the next entry takes the new one', () => {
    // o, h, l, c, v. Signal at 0 fills at bar 1's open (100), stop 100 - 5 = 95. The switch to stop 2 comes
    // at bar 2; bar 3's low 96 would stop a position at 98 but not at 95; bar 4 reaches 95. The signal at 5
    // fills at bar 6 (100) with the new stop 98, which bar 7 (low 97.5) takes out.
    const bars = barsFrom([
      [100, 100, 100, 100, 1000],
      [100, 101, 99.5, 100, 1000],
      [100, 101, 99.5, 100, 1000],
      [100, 100, 96, 97, 1000],
      [97, 97, 94, 96, 1000],
      [100, 100, 100, 100, 1000],
      [100, 101, 99.5, 100, 1000],
      [100, 100, 97.5, 99, 1000],
      [99, 99, 99, 99, 1000],
    ]);
    const definition = stopEntries([0, 5]);
    const switched = runBacktest(bars, definition, { stop: 5 }, {}, [{ fromBar: 2, params: { stop: 2 } }]);
    expect(trades(switched.trades)).toEqual([
      [1, 4, 100, 95, 10],
      [6, 7, 100, 98, 10],
    ]);
    expect(Array.from(switched.trades.exitReason.subarray(0, 2))).toEqual([
      ExitReason.StopLoss,
      ExitReason.StopLoss,
    ]);
    // Without the switch the second position keeps stop 95 and survives bar 7; with stop 2 throughout the
    // first one is stopped at bar 3 instead: the switch is what the two trades above show.
    expect(trades(runBacktest(bars, definition, { stop: 5 }).trades)).toEqual([[1, 4, 100, 95, 10]]);
    expect(trades(runBacktest(bars, definition, { stop: 2 }).trades)[0]).toEqual([1, 3, 100, 98, 10]);
  });

  it.each(SWITCH_CASES)(
    '%s: before the switch bar the run is the old one; after it, entries follow the new set',
    (name, before, after) => {
      const definition = STRATEGIES[name];
      const bars = randomWalkBars(3000, 17, { volatility: 0.006 });
      const options = { closeAtEnd: true, recordPositions: true };
      const old = runBacktest(bars, definition, before, options);
      const fresh = runBacktest(bars, definition, after, options);
      for (const k of [200, 1000, 2500]) {
        const switched = runBacktest(bars, definition, before, options, [{ fromBar: k, params: after }]);
        expect(Array.from(switched.equity.subarray(0, k))).toEqual(Array.from(old.equity.subarray(0, k)));
        const closedBefore = (_entry: number, exit: number): boolean => exit < k;
        expect(trades(switched.trades, closedBefore)).toEqual(trades(old.trades, closedBefore));
        if (name === 'sma-cross') {
          // sma-cross enters on every cross whatever it holds, so from the first fill the new set can cause
          // (bar k + 1) its entry bars are exactly those of a run with the new set from the start.
          expect(entryBars(switched, k + 1)).toEqual(entryBars(fresh, k + 1));
          expect(entryBars(switched, k + 1).length).toBeGreaterThan(3);
        } else {
          // confluence enters only when flat, so compare once both runs are flat from bar k on.
          const flat = firstCommonFlatBar(switched, fresh, k);
          expect(entryBars(switched, flat)).toEqual(entryBars(fresh, flat));
          expect(entryBars(switched, flat).length).toBeGreaterThan(3);
        }
      }
    },
  );

  it('rejects changes out of order or with invalid parameters, naming the change', () => {
    const bars = randomWalkBars(100, 1);
    const sma = STRATEGIES['sma-cross'];
    const params = { fast: 10, slow: 30 };
    expect(() =>
      runBacktest(bars, sma, params, {}, [
        { fromBar: 50, params },
        { fromBar: 50, params },
      ]),
    ).toThrow("parameter change 2: fromBar must be an integer after the previous change's (50), got 50");
    expect(() =>
      runBacktest(bars, sma, params, {}, [{ fromBar: 40, params: { fast: 30, slow: 10 } }]),
    ).toThrow(
      'parameter change 1 (from bar 40): strategy sma-cross: parameter fast (30) must be less than slow (10)',
    );
  });
});

/** First bar >= from where neither run holds a position (both record positions per bar). */
function firstCommonFlatBar(a: BacktestRun, b: BacktestRun, from: number): number {
  for (let i = from; i < a.equity.length; i++) if (a.positions![i] === 0 && b.positions![i] === 0) return i;
  return a.equity.length;
}
