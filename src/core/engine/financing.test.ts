import { describe, expect, it } from 'vitest';
import type { Bars } from '../data/bars.ts';
import { OrderType, Sizing, type OrderPort } from '../strategy-api/order-port.ts';
import type { StrategyDefinition } from '../strategy-api/types.ts';
import { BacktestWorkspace, prepareDataset, runPrepared, type BacktestRun } from './backtest.ts';
import { Broker } from './broker.ts';
import { resolveOptions, type BacktestOptions } from './options.ts';
import { barsFrom, scripted } from './test-helpers.test-util.ts';

type Row = readonly [number, number, number, number, number];

// o, h, l, c, v
const ROWS: Row[] = [
  [100, 101, 99, 100, 1000],
  [100, 103, 99, 100, 1000],
  [104, 106, 103, 105, 1000],
  [106, 107, 105, 106, 1000],
  [107, 108, 106, 107, 1000],
];

/** The rows at these times (ms, UTC). */
function barsAt(times: readonly number[], rows: readonly Row[] = ROWS): Bars {
  const bars = barsFrom(rows.slice(0, times.length));
  bars.t.set(times);
  return bars;
}

// Thursday 4 January 2024 to Wednesday 10 January: a weekend between bars 1 and 2.
const THU_TO_WED = [4, 5, 8, 9, 10].map((day) => Date.UTC(2024, 0, day, 21));

function run(bars: Bars, script: StrategyDefinition, options: BacktestOptions): BacktestRun {
  return runPrepared(prepareDataset(bars), script, {}, options, new BacktestWorkspace());
}

const order =
  (direction: 1 | -1, units: number) =>
  (orders: OrderPort): void => {
    orders.submit(direction, OrderType.Market, Sizing.Units, units);
  };

// 0.36 a year over 360 days: 0.1 % a day, so the hand-checked charges are round.
const RATE = 0.36;

describe('financing: stock borrow fees and margin interest', () => {
  it('a short pays its borrow fee for every night it is held, three over a weekend', () => {
    // Short 10 at Friday's open (100); covered at Tuesday's open (106).
    const script = scripted({ 0: order(-1, 10), 2: order(1, 10) });
    const result = run(barsAt(THU_TO_WED), script, { financing: { borrowRate: RATE } });
    // Friday night to Monday: 10 x 100 (Friday's close) x 0.001 x 3 days = 3; Monday night: 10 x 105 x
    // 0.001 = 1.05. The cover fills at Tuesday's open, after Monday night's charge.
    expect(result.financingPaid).toBeCloseTo(4.05, 12);
    expect(result.trades.count).toBe(1);
    expect(result.trades.pnl[0]).toBeCloseTo(10 * (100 - 106) - 4.05, 10);
    expect(result.trades.commission[0]).toBe(0);
    expect(result.finalCash).toBeCloseTo(10_000 + 10 * (100 - 106) - 4.05, 10);
  });

  it('a position opened and closed within one day pays nothing; one held past midnight pays a day', () => {
    const hours = [14, 15, 16, 17, 18].map((h) => Date.UTC(2024, 0, 4, h));
    const intraday = run(barsAt(hours), scripted({ 0: order(-1, 10), 2: order(1, 10) }), {
      financing: { borrowRate: RATE, marginRate: RATE },
    });
    expect(intraday.financingPaid).toBe(0);
    expect(intraday.trades.count).toBe(1);

    // The same bars across midnight between bars 2 and 3: one night, on bar 2's close (105).
    const overnight = [20, 22, 23, 24, 25].map((h) => Date.UTC(2024, 0, 4, h));
    const held = run(barsAt(overnight), scripted({ 0: order(-1, 10), 3: order(1, 10) }), {
      financing: { borrowRate: RATE },
    });
    expect(held.financingPaid).toBeCloseTo(10 * 105 * 0.001, 12);
  });

  it('a long bought with borrowed cash pays margin interest on the debit, a long bought with its own none', () => {
    // 150 units at Friday's open (100) with 10,000: cash -5,000 over the weekend (3 days: 15.00), then
    // -5,015 on Monday night (5.015): interest owed is owed with the rest.
    const leveraged = run(barsAt(THU_TO_WED), scripted({ 0: order(1, 150), 2: order(-1, 150) }), {
      maxLeverage: 2,
      financing: { marginRate: RATE, borrowRate: RATE },
    });
    expect(leveraged.financingPaid).toBeCloseTo(20.015, 10);
    expect(leveraged.trades.pnl[0]).toBeCloseTo(150 * (106 - 100) - 20.015, 10);

    const cashLong = run(barsAt(THU_TO_WED), scripted({ 0: order(1, 50), 2: order(-1, 50) }), {
      financing: { marginRate: RATE, borrowRate: RATE },
    });
    expect(cashLong.financingPaid).toBe(0);
  });

  it('a partial cover takes its share of the financing paid so far; the open rest shows the remainder', () => {
    // Short 10 on Friday; cover 4 at Monday's open after the weekend's 3.00; the 6 left pay 6 x 105 x
    // 0.001 on Monday night and are still open at the end.
    const script = scripted({ 0: order(-1, 10), 1: order(1, 4) });
    const result = run(barsAt(THU_TO_WED.slice(0, 4)), script, { financing: { borrowRate: RATE } });
    expect(result.trades.count).toBe(1);
    expect(result.trades.pnl[0]).toBeCloseTo(4 * (100 - 104) - 3 * 0.4, 10);
    const open = result.openTrade!;
    expect(open.size).toBe(-6);
    expect(open.pnl).toBeCloseTo(-6 * (106 - 100) - 3 * 0.6 - 6 * 105 * 0.001, 10);
    expect(result.financingPaid).toBeCloseTo(3 + 6 * 105 * 0.001, 10);
  });

  it('rates of 0 run exactly as a run without financing', () => {
    const script = scripted({ 0: order(-1, 10), 2: order(1, 10) });
    const plain = run(barsAt(THU_TO_WED), script, {});
    const zero = run(barsAt(THU_TO_WED), script, { financing: { marginRate: 0, borrowRate: 0 } });
    expect(Array.from(zero.equity)).toEqual(Array.from(plain.equity));
    expect(zero.financingPaid).toBe(0);
  });

  it('a saved account keeps the financing its position has paid', () => {
    const bars = barsAt(THU_TO_WED);
    const options = resolveOptions({ financing: { borrowRate: RATE } }, 'regimen');
    const broker = new Broker();
    broker.reset(bars, options);
    broker.submit(-1, OrderType.Market, Sizing.Units, 10);
    broker.processOpen(1);
    broker.accrueFinancing(2);
    const saved = broker.account(2);
    expect(saved.entryFinancing).toBeCloseTo(3, 12);
    const restored = new Broker();
    restored.reset(bars, options);
    restored.restoreAccount(saved, 2);
    expect(restored.openTrade(2)!.pnl).toBeCloseTo(broker.openTrade(2)!.pnl, 12);
  });

  it('refuses a rate that is not an annual fraction in [0, 10], naming it', () => {
    expect(() => resolveOptions({ financing: { borrowRate: -0.01 } }, 'regimen')).toThrow(
      'option financing.borrowRate must be an annual rate in [0, 10] (a fraction), got -0.01',
    );
    expect(() => resolveOptions({ financing: { marginRate: Number.NaN } }, 'regimen')).toThrow(
      /financing\.marginRate/,
    );
  });
});
