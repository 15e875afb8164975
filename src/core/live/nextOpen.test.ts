import { describe, expect, it } from 'vitest';
import { allocateBars, type Bars } from '../data/bars.ts';
import type { BacktestOptions } from '../engine/options.ts';
import { OrderType, Sizing, type OrderPort } from '../strategy-api/order-port.ts';
import type { StrategyDefinition } from '../strategy-api/types.ts';
import { liveBarAt } from './liveBar.test-util.ts';
import { PARAMETER_SET_SCHEMA_VERSION, sealParameterSet } from './parameterSet.ts';
import { LiveRunner, type EntryExits } from './runner.ts';

/**
 * LiveRunner.nextOpen() against the engine's own broker: at each close it says where the book's market
 * orders take the position at the next open (sized at that close) and which exit distances a position
 * they open gets; feeding the next bar then fills them in the book. The bars open at the previous close,
 * so the engine sizes and fills each order at the very price nextOpen projects it at: any difference is
 * nextOpen's.
 */

const T0 = Date.UTC(2024, 3, 2, 13, 30);
const MINUTE = 60_000;
const BARS = 60;

/** A gentle rise, each bar opening at the last close: far from every stop and target placed below. */
function risingBars(): Bars {
  const bars = allocateBars(BARS);
  for (let i = 0; i < BARS; i++) {
    const close = 100 + 0.05 * i;
    const open = i === 0 ? 100 : 100 + 0.05 * (i - 1);
    bars.t[i] = T0 + i * MINUTE;
    bars.o[i] = open;
    bars.h[i] = close;
    bars.l[i] = open;
    bars.c[i] = close;
    bars.v[i] = 10_000;
  }
  return bars;
}

/** What the scripted strategy does at the close of bar k (by bar number). */
type Script = ReadonlyMap<number, (orders: OrderPort) => void>;

/** A strategy that only follows its script: each case below is one order the test chose. */
function scripted(script: Script): StrategyDefinition {
  return {
    name: 'scripted',
    version: '1',
    description: 'test orders at given bars',
    params: [],
    constraints: [],
    convention: 'regimen',
    create: () => {
      let orders: OrderPort;
      let bars: Bars;
      return {
        init: (context) => {
          orders = context.orders;
          bars = context.bars;
          return 0;
        },
        onBar: (i) => script.get(Math.round((bars.t[i]! - T0) / MINUTE))?.(orders),
        reparameterize: () => undefined,
      };
    },
  };
}

function runnerOn(script: Script, backtest: BacktestOptions = {}): LiveRunner {
  const definition = scripted(script);
  const runner = new LiveRunner({ catalogue: { scripted: definition }, capacity: BARS, backtest });
  const set = sealParameterSet({
    schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
    strategy: { name: 'scripted', version: '1' },
    parameters: {},
    limits: { maxPositionFraction: 1, maxDailyLoss: 0.5, maxOrdersPerDay: 1_000 },
    provenance: { kind: 'manual', note: 'test', engineVersion: 'test' },
  });
  expect(runner.apply({ changeId: 'c1', version: 1, hash: set.hash, set, policy: 'adopt' }).kind).toBe(
    'accepted',
  );
  return runner;
}

const PROTECTIVE = new Set(['StopLoss', 'TakeProfit', 'TrailingStop']);

interface Projection {
  readonly bar: number;
  readonly projected: number;
  readonly exits: EntryExits | null;
  /** The book's position after the next bar's open: before it, plus its market fills there. */
  readonly atOpen: number;
  /** The book's fill price at that open (NaN: none). */
  readonly price: number;
  /** The book's protective levels after that bar. */
  readonly levels: { readonly stop: number; readonly target: number };
}

/** Feeds every bar; at each close, nextOpen's projection beside what the book did at the next open. */
function walk(runner: LiveRunner): Projection[] {
  const bars = risingBars();
  const out: Projection[] = [];
  runner.onBar(liveBarAt(bars, 0));
  for (let k = 0; k + 1 < BARS; k++) {
    const { position: projected, exits } = runner.nextOpen();
    const before = runner.position;
    const known = runner.fillRecord.total;
    runner.onBar(liveBarAt(bars, k + 1));
    const market = runner.fillRecord.since(known).filter((fill) => !PROTECTIVE.has(fill.reason));
    const atOpen = market.reduce((units, f) => units + (f.side === 'buy' ? f.units : -f.units), before);
    out.push({
      bar: k,
      projected,
      exits,
      atOpen,
      price: market.at(-1)?.price ?? NaN,
      levels: runner.exitLevels,
    });
  }
  return out;
}

const at = (walked: Projection[], bar: number): Projection => walked.find((p) => p.bar === bar)!;

/** Half the equity long at the market, with a stop 3 and a target 6 from the fill. */
const halfLong = (orders: OrderPort): void => {
  const id = orders.submit(1, OrderType.Market, Sizing.EquityFraction, 0.5);
  orders.attachExits(id, 3, 6, NaN);
};

describe('LiveRunner.nextOpen: where the book’s orders take it at the next open', () => {
  const script: Script = new Map([
    [10, halfLong],
    [20, (orders) => void orders.close()],
    [
      30,
      (orders) => {
        const id = orders.submit(-1, OrderType.Market, Sizing.Units, 7);
        orders.attachExits(id, NaN, NaN, 4);
      },
    ],
    [
      40,
      (orders) => {
        const id = orders.submit(1, OrderType.Market, Sizing.EquityFraction, 0.5);
        orders.attachExits(id, 2, NaN, NaN);
      },
    ],
    [45, (orders) => void orders.submit(1, OrderType.Market, Sizing.Units, 1)],
  ]);

  it('at every close the projected position is the book’s after the next open', () => {
    const walked = walk(runnerOn(script));
    expect(walked.filter((p) => p.projected !== p.atOpen)).toEqual([]);
    // Not trivially equal: the book moved at each scripted bar.
    expect([10, 20, 30, 40, 45].map((bar) => at(walked, bar).atOpen)).toEqual([
      at(walked, 10).atOpen,
      0,
      -7,
      at(walked, 40).atOpen,
      at(walked, 40).atOpen + 1,
    ]);
    expect(at(walked, 10).atOpen).toBeGreaterThan(0);
    expect(at(walked, 40).atOpen).toBeGreaterThan(0);
  });

  it('no order pending: the current position, no exits', () => {
    const walked = walk(runnerOn(script));
    for (const bar of [5, 11, 25, 35])
      expect(at(walked, bar)).toMatchObject({ projected: at(walked, bar - 1).atOpen, exits: null });
    expect(at(walked, 5).projected).toBe(0);
    expect(at(walked, 11).projected).toBeGreaterThan(0);
  });

  it('a market entry carries its stop and target distances; the book sets them at its fill price', () => {
    const entry = at(walk(runnerOn(script)), 10);
    expect(entry.exits).toEqual({ stopDistance: 3, targetDistance: 6, trailDistance: NaN });
    expect(entry.levels).toEqual({ stop: entry.price - 3, target: entry.price + 6 });
  });

  it('an exit projects flat with no exits', () => {
    expect(at(walk(runnerOn(script)), 20)).toMatchObject({ projected: 0, atOpen: 0, exits: null });
  });

  it('a short entry carries its trailing distance; the book trails from its fill price', () => {
    const short = at(walk(runnerOn(script)), 30);
    expect(short.exits).toEqual({ stopDistance: NaN, targetDistance: NaN, trailDistance: 4 });
    // The bar rises from its open, so the short's best price is still its fill.
    expect(short.levels).toEqual({ stop: short.price + 4, target: NaN });
  });

  it('a reversal (short to long in one order) carries the new side’s exits; an addition carries none', () => {
    const walked = walk(runnerOn(script));
    const reversal = at(walked, 40);
    expect(reversal.exits).toEqual({ stopDistance: 2, targetDistance: NaN, trailDistance: NaN });
    expect(reversal.levels).toEqual({ stop: reversal.price - 2, target: NaN });
    expect(at(walked, 45)).toMatchObject({ exits: null });
  });

  it('long-only: the engine refuses the short side of a reversal, and nextOpen projects flat, not short', () => {
    const reverse: Script = new Map([
      [10, halfLong],
      [
        20,
        (orders) => {
          const id = orders.submit(-1, OrderType.Market, Sizing.EquityFraction, 1);
          orders.attachExits(id, 3, 6, NaN);
        },
      ],
    ]);
    const longOnly = at(walk(runnerOn(reverse, { longOnly: true })), 20);
    expect(longOnly).toMatchObject({ projected: 0, atOpen: 0, exits: null });
    // Without the rule the same order reverses: the short side is the engine's to refuse, not nextOpen's.
    const both = at(walk(runnerOn(reverse)), 20);
    expect(both.atOpen).toBeLessThan(0);
    expect(both).toMatchObject({ projected: both.atOpen, exits: { stopDistance: 3, targetDistance: 6 } });
  });
});
