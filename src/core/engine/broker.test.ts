import { describe, expect, it } from 'vitest';
import { OrderType, Sizing, type OrderPort } from '../strategy-api/order-port.ts';
import type { StrategyDefinition } from '../strategy-api/types.ts';
import { BacktestWorkspace, prepareDataset, runPrepared, type BacktestRun } from './backtest.ts';
import type { BacktestOptions } from './options.ts';
import { barsFrom, scripted } from './test-helpers.test-util.ts';
import { ExitReason } from './types.ts';

type Row = readonly [number, number, number, number, number];

// o, h, l, c, v
const BASE: Row[] = [
  [100, 101, 99, 100, 1000],
  [102, 103, 101, 102, 1000],
  [104, 106, 103.5, 105, 1000],
  [105, 105, 103, 104, 1000],
];

function run(rows: readonly Row[], script: StrategyDefinition, options: BacktestOptions = {}): BacktestRun {
  return runPrepared(
    prepareDataset(barsFrom(rows)),
    script,
    {},
    { recordPositions: true, ...options },
    new BacktestWorkspace(),
  );
}

const buyUnits =
  (units: number) =>
  (orders: OrderPort): void => {
    orders.submit(1, OrderType.Market, Sizing.Units, units);
  };

function withRow(index: number, row: Row): Row[] {
  return BASE.map((r, i) => (i === index ? row : r));
}

describe('market orders', () => {
  it('a signal on bar i fills at bar i+1 open by default', () => {
    const result = run(BASE, scripted({ 0: buyUnits(10) }));
    expect(result.positions?.[0]).toBe(0);
    expect(result.positions?.[1]).toBe(10);
    expect(result.cash?.[1]).toBe(10_000 - 10 * 102);
    expect(result.equity[2]).toBe(10_000 - 1020 + 10 * 105);
  });

  it('fills at the same bar close with fillAt: close', () => {
    const result = run(BASE, scripted({ 0: buyUnits(10) }), { fillAt: 'close' });
    expect(result.positions?.[0]).toBe(10);
    expect(result.cash?.[0]).toBe(10_000 - 1000);
  });

  it('orders fill in submission order: close first, then the new order sized from the cash after it', () => {
    const result = run(
      BASE,
      scripted({
        0: buyUnits(10),
        1: (b) => {
          b.close();
          b.submit(-1, OrderType.Market, Sizing.EquityFraction, 1);
        },
      }),
    );
    // Close 10 at 104 (+20); equity 10,020 -> short floor(10020 / 104) = 96.
    expect(result.trades.count).toBe(1);
    expect(result.trades.pnl[0]).toBe(20);
    expect(result.trades.exitReason[0]).toBe(ExitReason.Signal);
    expect(result.positions?.[2]).toBe(-96);
  });

  it('one order larger than the position reverses it, logging a Reversal trade', () => {
    const result = run(
      BASE,
      scripted({ 0: buyUnits(10), 1: (b) => b.submit(-1, OrderType.Market, Sizing.Units, 25) }),
    );
    expect(result.trades.exitReason[0]).toBe(ExitReason.Reversal);
    expect(result.trades.size[0]).toBe(10);
    expect(result.positions?.[2]).toBe(-15);
  });

  it('a short gains when the price falls and loses when it rises', () => {
    const result = run(
      BASE,
      scripted({ 0: (b) => b.submit(-1, OrderType.Market, Sizing.Units, 10), 1: (b) => b.close() }),
    );
    expect(result.trades.size[0]).toBe(-10);
    expect(result.trades.pnl[0]).toBe(-20); // sold 102, bought back 104
    expect(result.finalEquity).toBe(10_000 - 20);
  });

  it('long-only trims sells to the long position', () => {
    const result = run(
      BASE,
      scripted({ 0: buyUnits(10), 1: (b) => b.submit(-1, OrderType.Market, Sizing.Units, 25) }),
      {
        longOnly: true,
      },
    );
    expect(result.positions?.[2]).toBe(0);
    expect(result.trades.count).toBe(1);
  });
});

describe('limit, stop and stop-limit orders', () => {
  it('a buy limit fills at the limit when the bar reaches it', () => {
    const result = run(BASE, scripted({ 0: (b) => b.submit(1, OrderType.Limit, Sizing.Units, 10, 101.5) }));
    expect(result.cash?.[1]).toBe(10_000 - 1015);
  });

  it('a buy limit rests until reached and a gap below it fills at the better open', () => {
    const rows = withRow(2, [98.5, 99, 98, 98.8, 1000]);
    const result = run(rows, scripted({ 0: (b) => b.submit(1, OrderType.Limit, Sizing.Units, 10, 99) }));
    expect(result.positions?.[1]).toBe(0);
    expect(result.cash?.[2]).toBe(10_000 - 985);
  });

  it('a sell limit fills at the limit when the high reaches it', () => {
    const result = run(
      BASE,
      scripted({ 0: buyUnits(10), 1: (b) => b.submit(-1, OrderType.Limit, Sizing.Units, 10, 105.5) }),
    );
    expect(result.trades.exitPrice[0]).toBe(105.5);
    expect(result.trades.exitIndex[0]).toBe(2);
  });

  it('a buy stop fills at the stop inside the bar, or at the open when the bar gaps through it', () => {
    const inside = run(
      BASE,
      scripted({ 0: (b) => b.submit(1, OrderType.Stop, Sizing.Units, 10, NaN, 102.5) }),
    );
    expect(inside.cash?.[1]).toBe(10_000 - 1025);
    const gap = run(BASE, scripted({ 0: (b) => b.submit(1, OrderType.Stop, Sizing.Units, 10, NaN, 101) }));
    expect(gap.cash?.[1]).toBe(10_000 - 1020);
  });

  it('a sell stop exits at the stop when the low reaches it', () => {
    const result = run(
      BASE,
      scripted({ 0: buyUnits(10), 2: (b) => b.submit(-1, OrderType.Stop, Sizing.Units, 10, NaN, 103.5) }),
    );
    expect(result.trades.exitPrice[0]).toBe(103.5);
    expect(result.trades.exitIndex[0]).toBe(3);
  });

  it('a stop-limit fills at the trigger when it satisfies the limit', () => {
    const result = run(
      BASE,
      scripted({ 0: (b) => b.submit(1, OrderType.StopLimit, Sizing.Units, 10, 103, 102.5) }),
    );
    expect(result.cash?.[1]).toBe(10_000 - 1025);
  });

  it('a stop-limit triggered above its limit rests as a limit from the next bar', () => {
    // Bar 1 opens at 102 through the 101 stop, above the 101.5 limit: no fill in bar 1 although its low
    // (101) is below the limit, since the path after the trigger is unknown. Bar 2 reaches 101.5.
    const rows = withRow(2, [102, 103, 101, 102, 1000]);
    const result = run(
      rows,
      scripted({ 0: (b) => b.submit(1, OrderType.StopLimit, Sizing.Units, 10, 101.5, 101) }),
    );
    expect(result.positions?.[1]).toBe(0);
    expect(result.cash?.[2]).toBe(10_000 - 1015);
  });

  it('resting orders can be cancelled', () => {
    const result = run(
      BASE,
      scripted({
        0: (b) => {
          const id = b.submit(1, OrderType.Limit, Sizing.Units, 10, 90);
          expect(b.cancel(id)).toBe(true);
        },
      }),
    );
    expect(result.positions?.[3]).toBe(0);
  });
});

describe('protective exits', () => {
  const bracket =
    (stop: number, target: number, trail = NaN) =>
    (b: OrderPort): void => {
      const id = b.submit(1, OrderType.Market, Sizing.Units, 10);
      b.attachExits(id, stop, target, trail);
    };

  it('a stop-loss fills at the stop when the low reaches it', () => {
    const rows = withRow(2, [104, 106, 98.5, 100, 1000]);
    const result = run(rows, scripted({ 0: bracket(3, NaN) }));
    expect(result.trades.exitPrice[0]).toBe(99);
    expect(result.trades.exitReason[0]).toBe(ExitReason.StopLoss);
    expect(result.trades.pnl[0]).toBe(-30);
  });

  it('a gap through the stop fills at the open', () => {
    const rows = withRow(2, [97, 98, 96, 97, 1000]);
    const result = run(rows, scripted({ 0: bracket(3, NaN) }));
    expect(result.trades.exitPrice[0]).toBe(97);
  });

  it('a take-profit fills at the target, or at a gapped open beyond it', () => {
    const inside = run(BASE, scripted({ 0: bracket(NaN, 3.5) }));
    expect(inside.trades.exitPrice[0]).toBe(105.5);
    expect(inside.trades.exitReason[0]).toBe(ExitReason.TakeProfit);
    const gap = run(withRow(2, [108, 109, 107, 108, 1000]), scripted({ 0: bracket(NaN, 3.5) }));
    expect(gap.trades.exitPrice[0]).toBe(108);
  });

  it('stop before target when both are inside one bar', () => {
    const rows = withRow(2, [103, 107, 98, 104, 1000]);
    const result = run(rows, scripted({ 0: bracket(3, 4) }));
    expect(result.trades.exitPrice[0]).toBe(99);
    expect(result.trades.exitReason[0]).toBe(ExitReason.StopLoss);
  });

  it('a trailing stop follows the highs of completed bars', () => {
    // Entry 102 (bar 1); trail 2: 100, then 103 - 2 = 101 after bar 1, 106 - 2 = 104 after bar 2;
    // bar 3's low 103 breaks 104.
    const result = run(BASE, scripted({ 0: bracket(NaN, NaN, 2) }));
    expect(result.trades.exitIndex[0]).toBe(3);
    expect(result.trades.exitPrice[0]).toBe(104);
    expect(result.trades.exitReason[0]).toBe(ExitReason.TrailingStop);
  });

  it('a short position is stopped above its entry', () => {
    const result = run(
      BASE,
      scripted({
        0: (b) => {
          const id = b.submit(-1, OrderType.Market, Sizing.Units, 10);
          b.attachExits(id, 3, NaN, NaN);
        },
      }),
    );
    // Short at 102, stop 105: bar 2's high 106 reaches it.
    expect(result.trades.exitPrice[0]).toBe(105);
    expect(result.trades.pnl[0]).toBe(-30);
  });

  it('an entry filled inside a bar is not checked against that bar open or its target', () => {
    // Buy stop at 102.5 fills inside bar 1; target 0.4 above (102.9) is below bar 1's high but not taken.
    const result = run(
      BASE,
      scripted({
        0: (b) => {
          const id = b.submit(1, OrderType.Stop, Sizing.Units, 10, NaN, 102.5);
          b.attachExits(id, NaN, 0.4, NaN);
        },
      }),
    );
    expect(result.trades.exitIndex[0]).toBe(2);
    expect(result.trades.exitPrice[0]).toBe(104); // bar 2 gaps above 102.9: filled at its open
  });
});

describe('sizing and caps', () => {
  const allIn = (b: OrderPort): void => {
    b.submit(1, OrderType.Market, Sizing.EquityFraction, 1);
  };

  it('whole shares by default, fractional on request', () => {
    expect(run(BASE, scripted({ 0: allIn })).positions?.[1]).toBe(98);
    expect(run(BASE, scripted({ 0: allIn }), { fractional: true }).positions?.[1]).toBeCloseTo(
      10_000 / 102,
      12,
    );
  });

  it('leverage, position value and volume share cap entries', () => {
    expect(run(BASE, scripted({ 0: allIn }), { maxLeverage: 2 }).positions?.[1]).toBe(196);
    expect(run(BASE, scripted({ 0: allIn }), { maxPositionValue: 5000 }).positions?.[1]).toBe(49);
    expect(
      run(BASE, scripted({ 0: buyUnits(500) }), { maxVolumeShare: 0.1, maxLeverage: 10 }).positions?.[1],
    ).toBe(100);
    expect(run(BASE, scripted({ 0: buyUnits(500) })).positions?.[1]).toBe(98); // leverage 1
  });

  it('orders that size to nothing are rejected and counted', () => {
    const result = run(BASE, scripted({ 0: buyUnits(0.5) }));
    expect(result.positions?.[1]).toBe(0);
    expect(result.rejectedOrders).toBe(1);
  });
});

describe('costs in fills', () => {
  it('commission models: per share with minimum and maximum, percent, fixed', () => {
    const perShare = { kind: 'per-share', perShare: 0.01, minimum: 1, maximum: 5 } as const;
    expect(run(BASE, scripted({ 0: buyUnits(10) }), { commission: perShare }).cash?.[1]).toBe(
      10_000 - 1020 - 1,
    );
    expect(
      run(BASE, scripted({ 0: buyUnits(300) }), { commission: perShare, maxLeverage: 4 }).cash?.[1],
    ).toBe(10_000 - 300 * 102 - 3);
    const big = run(BASE, scripted({ 0: buyUnits(600) }), { commission: perShare, maxLeverage: 10 });
    expect(big.cash?.[1]).toBe(10_000 - 600 * 102 - 5);
    const percent = run(BASE, scripted({ 0: buyUnits(10) }), {
      commission: { kind: 'percent', rate: 0.001 },
    });
    expect(percent.cash?.[1]).toBeCloseTo(10_000 - 1020 - 1.02, 10);
    const fixed = run(BASE, scripted({ 0: buyUnits(10) }), { commission: { kind: 'fixed', amount: 2.5 } });
    expect(fixed.cash?.[1]).toBe(10_000 - 1020 - 2.5);
  });

  it('a trade pnl is net of both commissions', () => {
    const result = run(BASE, scripted({ 0: buyUnits(10), 1: (b) => b.close() }), {
      commission: { kind: 'percent', rate: 0.001 },
    });
    expect(result.trades.commission[0]).toBeCloseTo(1.02 + 1.04, 10);
    expect(result.trades.pnl[0]).toBeCloseTo(20 - 2.06, 10);
    expect(result.trades.returnPct[0]).toBeCloseTo((20 - 2.06) / 1020, 12);
  });

  it('slippage models move buys up and sells down', () => {
    const trip = scripted({ 0: buyUnits(25), 1: (b) => b.close() });
    const bps = run(BASE, trip, { slippage: { kind: 'fixed-bps', bps: 10 } });
    expect(bps.trades.entryPrice[0]).toBeCloseTo(102 * 1.001, 10);
    expect(bps.trades.exitPrice[0]).toBeCloseTo(104 * 0.999, 10);
    const spread = run(BASE, trip, { slippage: { kind: 'half-spread', spread: 0.2 } });
    expect(spread.trades.entryPrice[0]).toBeCloseTo(102.1, 10);
    expect(spread.trades.exitPrice[0]).toBeCloseTo(103.9, 10);
    // 25 units of a 100-unit bar: 102 x 0.01 x sqrt(0.25) = 0.51
    const rows = withRow(1, [102, 103, 101, 102, 100]);
    const impact = run(rows, trip, { slippage: { kind: 'sqrt-impact', coefficient: 0.01 } });
    expect(impact.trades.entryPrice[0]).toBeCloseTo(102.51, 10);
  });

  it('limit and take-profit fills pay no slippage; stop fills do', () => {
    const options: BacktestOptions = { slippage: { kind: 'fixed-bps', bps: 100 } };
    const limit = run(
      BASE,
      scripted({ 0: (b) => b.submit(1, OrderType.Limit, Sizing.Units, 10, 101.5) }),
      options,
    );
    expect(limit.cash?.[1]).toBe(10_000 - 1015);
    const rows = withRow(2, [104, 106, 98.5, 100, 1000]);
    const stopped = run(
      rows,
      scripted({
        0: (b) => b.attachExits(b.submit(1, OrderType.Market, Sizing.Units, 10), 3, NaN, NaN),
      }),
      options,
    );
    const entry = 102 * 1.01;
    expect(stopped.trades.exitPrice[0]).toBeCloseTo((entry - 3) * 0.99, 10);
  });

  it("resting orders pay a maker's fee, orders that take liquidity a taker's (Alpaca crypto)", () => {
    // First tier: 0.25 % taking liquidity, 0.15 % adding it.
    const crypto: BacktestOptions = { commission: { kind: 'alpaca-crypto' } };
    const bracket = (stop: number, target: number) => (b: OrderPort) =>
      b.attachExits(b.submit(1, OrderType.Market, Sizing.Units, 10), stop, target, NaN);
    // A market entry takes (10 x 102), the take-profit at 105.5 rests until bar 2 reaches it and makes;
    // one bar 2 opens through (at 108) takes, as a limit sent into the market does.
    const target = run(BASE, scripted({ 0: bracket(NaN, 3.5) }), crypto);
    expect(target.trades.exitReason[0]).toBe(ExitReason.TakeProfit);
    expect(target.trades.commission[0]).toBeCloseTo(0.0025 * 1020 + 0.0015 * 1055, 10);
    const gapped = run(withRow(2, [108, 109, 107, 108, 1000]), scripted({ 0: bracket(NaN, 3.5) }), crypto);
    expect(gapped.trades.exitPrice[0]).toBe(108);
    expect(gapped.trades.commission[0]).toBeCloseTo(0.0025 * (1020 + 1080), 10);
    // A stop-loss is a triggered stop: it takes.
    const stopped = run(withRow(2, [104, 106, 98.5, 100, 1000]), scripted({ 0: bracket(3, NaN) }), crypto);
    expect(stopped.trades.exitReason[0]).toBe(ExitReason.StopLoss);
    expect(stopped.trades.commission[0]).toBeCloseTo(0.0025 * (1020 + 990), 10);
    // A limit buy the bar comes down to makes; one below the open is marketable and takes.
    const limit = scripted({ 0: (b) => b.submit(1, OrderType.Limit, Sizing.Units, 10, 101.5) });
    expect(run(BASE, limit, crypto).cash?.[1]).toBeCloseTo(10_000 - 1015 * 1.0015, 10);
    const marketable = scripted({ 0: (b) => b.submit(1, OrderType.Limit, Sizing.Units, 10, 103) });
    expect(run(BASE, marketable, crypto).cash?.[1]).toBeCloseTo(10_000 - 1020 * 1.0025, 10);
    // A stop-limit filled as it triggers takes; one resting after its trigger bar makes.
    const atTrigger = scripted({ 0: (b) => b.submit(1, OrderType.StopLimit, Sizing.Units, 10, 103, 102.5) });
    expect(run(BASE, atTrigger, crypto).cash?.[1]).toBeCloseTo(10_000 - 1025 * 1.0025, 10);
    const resting = scripted({ 0: (b) => b.submit(1, OrderType.StopLimit, Sizing.Units, 10, 101.5, 101) });
    const rows = withRow(2, [102, 103, 101, 102, 1000]);
    expect(run(rows, resting, crypto).cash?.[2]).toBeCloseTo(10_000 - 1015 * 1.0015, 10);
    // All-in sizing reserves the fee the fill pays: a maker's for a limit entry, so no cash is left over
    // (at the taker's rate about $10 would be).
    const allIn = scripted({ 0: (b) => b.submit(1, OrderType.Limit, Sizing.EquityFraction, 1, 101.5) });
    const sized = run(BASE, allIn, { ...crypto, fractional: true });
    expect(sized.positions?.[1]).toBeCloseTo(10_000 / (101.5 * 1.0015), 9);
    expect(sized.cash?.[1]).toBeCloseTo(0, 8);
  });
});

describe('end of data', () => {
  const hold = scripted({ 0: buyUnits(10) });

  it('an open position counts in equity but not in trades unless closeAtEnd', () => {
    const open = run(BASE, hold);
    expect(open.trades.count).toBe(0);
    expect(open.finalPosition).toBe(10);
    expect(open.finalEquity).toBe(10_000 + 10 * (104 - 102));
  });

  it('an open position is reported as the open trade, marked to the last close', () => {
    const open = run(BASE, hold);
    const last = BASE.length - 1;
    expect(open.openTrade).toMatchObject({
      entryIndex: 1,
      entryPrice: 102,
      size: 10,
      markIndex: last,
      markPrice: 104,
      pnl: 10 * (104 - 102),
    });
    expect(run(BASE, hold, { closeAtEnd: true }).openTrade).toBeNull();
  });

  it('closeAtEnd closes at the last close (regimen) or the last open (backtesting.py)', () => {
    const regimen = run(BASE, hold, { closeAtEnd: true });
    expect(regimen.trades.exitPrice[0]).toBe(104);
    expect(regimen.trades.exitReason[0]).toBe(ExitReason.EndOfData);
    const compat = run(BASE, hold, { closeAtEnd: true, convention: 'backtesting.py' });
    expect(compat.trades.exitPrice[0]).toBe(105);
    expect(compat.finalEquity).toBe(10_000 + 10 * (105 - 102));
  });
});

describe('option and order validation', () => {
  it('rejects bad options with the option name', () => {
    expect(() => run(BASE, scripted({}), { cash: -1 })).toThrow(/option cash must be > 0/);
    expect(() => run(BASE, scripted({}), { maxVolumeShare: 2 })).toThrow(
      /maxVolumeShare must be in \(0, 1\]/,
    );
    expect(() => run(BASE, scripted({}), { slippage: { kind: 'half-spread' } })).toThrow(/half-spread/);
  });

  it('rejects malformed orders when submitted', () => {
    expect(() => run(BASE, scripted({ 0: (b) => b.submit(1, OrderType.Limit, Sizing.Units, 1) }))).toThrow(
      /finite limit price/,
    );
    expect(() => run(BASE, scripted({ 0: (b) => b.submit(1, OrderType.Market, Sizing.Units, -1) }))).toThrow(
      /amount must be a finite number > 0/,
    );
  });
});
