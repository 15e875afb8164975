import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Bars } from '../data/bars.ts';
import { STRATEGIES, defaultParams, getStrategy, type StrategyParams } from '../strategy/index.ts';
import { BacktestWorkspace, prepareDataset, runBacktest, runPrepared, type BacktestRun } from './backtest.ts';
import type { BacktestOptions, FinancingSpec } from './options.ts';
import { randomWalkBars } from './random-walk.ts';
import type { TradeLog } from './types.ts';

function copyPrefix(bars: Bars, keep: number): Bars {
  return {
    t: bars.t.slice(0, keep),
    o: bars.o.slice(0, keep),
    h: bars.h.slice(0, keep),
    l: bars.l.slice(0, keep),
    c: bars.c.slice(0, keep),
    v: bars.v.slice(0, keep),
  };
}

const TRADE_FIELDS = [
  'entryIndex',
  'exitIndex',
  'entryTime',
  'exitTime',
  'entryPrice',
  'exitPrice',
  'size',
  'pnl',
  'returnPct',
  'commission',
  'exitReason',
] as const satisfies readonly (keyof TradeLog)[];

function tradesBefore(log: TradeLog, end: number): Record<string, number>[] {
  const rows: Record<string, number>[] = [];
  for (let k = 0; k < log.count; k++) {
    if (log.exitIndex[k] >= end) continue;
    const row: Record<string, number> = {};
    for (const field of TRADE_FIELDS) row[field] = log[field][k];
    rows.push(row);
  }
  return rows;
}

/** A strategy with parameters drawn from its own param space (constraints respected). */
const strategyCase = fc.oneof(
  fc
    .tuple(fc.integer({ min: 2, max: 15 }), fc.integer({ min: 1, max: 30 }))
    .map(([fast, extra]) => ({ name: 'sma-cross', params: { fast, slow: fast + extra } as StrategyParams })),
  fc
    .record({
      fast_ma_period: fc.integer({ min: 5, max: 14 }),
      slow_ma_period: fc.integer({ min: 15, max: 50 }),
      risk_per_trade: fc.double({ min: 0.005, max: 0.05, noNaN: true }),
      confidence_threshold: fc.double({ min: 0.4, max: 0.8, noNaN: true }),
      volume_threshold: fc.double({ min: 1, max: 3, noNaN: true }),
      mfi_oversold: fc.integer({ min: 10, max: 30 }),
      mfi_overbought: fc.integer({ min: 70, max: 90 }),
      macd_fast: fc.integer({ min: 8, max: 16 }),
      macd_slow: fc.integer({ min: 20, max: 35 }),
      macd_signal: fc.integer({ min: 5, max: 15 }),
      bb_period: fc.integer({ min: 15, max: 25 }),
      bb_std: fc.double({ min: 1.5, max: 2.5, noNaN: true }),
    })
    .map((params) => ({ name: 'confluence', params: params as StrategyParams })),
  fc.constant({ name: 'buy-and-hold', params: {} as StrategyParams }),
);

const optionsCase: fc.Arbitrary<BacktestOptions> = fc.record({
  commission: fc.constantFrom<BacktestOptions['commission']>(
    { kind: 'none' },
    { kind: 'percent', rate: 0.002 },
    { kind: 'per-share', perShare: 0.01, minimum: 1, maximum: 20 },
  ),
  slippage: fc.constantFrom<BacktestOptions['slippage']>(
    { kind: 'none' },
    { kind: 'fixed-bps', bps: 2 },
    { kind: 'sqrt-impact', coefficient: 0.05 },
  ),
  fillAt: fc.constantFrom<'next-open' | 'close'>('next-open', 'close'),
  fractional: fc.boolean(),
  longOnly: fc.boolean(),
  convention: fc.constantFrom<'regimen' | 'backtesting.py'>('regimen', 'backtesting.py'),
  financing: fc.constantFrom<FinancingSpec>({}, { borrowRate: 0.05, marginRate: 0.08 }),
});

const world = fc.record({
  seed: fc.integer(),
  n: fc.integer({ min: 60, max: 700 }),
  strategy: strategyCase,
  options: optionsCase,
});

describe('engine properties', () => {
  it('no look-ahead: truncating future bars never changes past fills, trades or equity', () => {
    fc.assert(
      fc.property(
        world,
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ seed, n, strategy, options }, cut) => {
          const bars = randomWalkBars(n, seed, { volatility: 0.004, gapProbability: 0.05 });
          const keep = Math.max(1, Math.floor(n * cut));
          const full = runBacktest(bars, getStrategy(strategy.name), strategy.params, options);
          const truncated = runBacktest(
            copyPrefix(bars, keep),
            getStrategy(strategy.name),
            strategy.params,
            options,
          );
          expect(Array.from(truncated.equity)).toEqual(Array.from(full.equity.subarray(0, keep)));
          expect(tradesBefore(truncated.trades, keep)).toEqual(tradesBefore(full.trades, keep));
          expect(truncated.trades.count).toBe(tradesBefore(full.trades, keep).length);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('equity = cash + position x close at every bar, and closed trades account for every cash flow', () => {
    fc.assert(
      fc.property(world, ({ seed, n, strategy, options }) => {
        // Hourly bars, so a run crosses midnights and pays financing where its options charge it.
        const bars = randomWalkBars(n, seed, { volatility: 0.004, gapProbability: 0.05, stepMs: 3_600_000 });
        const run = runBacktest(bars, getStrategy(strategy.name), strategy.params, {
          ...options,
          cash: 25_000,
          closeAtEnd: true,
          recordPositions: true,
        });
        const { equity, cash, positions } = run as BacktestRun & {
          cash: Float64Array;
          positions: Float64Array;
        };
        for (let i = 0; i < n; i++) expect(equity[i]).toBe(cash[i] + positions[i] * bars.c[i]);
        let total = 25_000;
        for (let k = 0; k < run.trades.count; k++) total += run.trades.pnl[k];
        expect(Math.abs(total - run.finalEquity)).toBeLessThan(1e-6 * Math.max(1, Math.abs(run.finalEquity)));
        if (options.longOnly) for (let i = 0; i < n; i++) expect(positions[i]).toBeGreaterThanOrEqual(0);
        if (!options.fractional)
          for (let i = 0; i < n; i++) expect(Number.isInteger(positions[i])).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it('a shared dataset and reused workspace give the same results as independent runs (differential)', () => {
    const bars = randomWalkBars(3000, 21, { volatility: 0.003 });
    const dataset = prepareDataset(bars);
    const workspace = new BacktestWorkspace();
    fc.assert(
      fc.property(strategyCase, optionsCase, (strategy, options) => {
        const fresh = runBacktest(bars, getStrategy(strategy.name), strategy.params, options);
        const reused = runPrepared(dataset, getStrategy(strategy.name), strategy.params, options, workspace);
        expect(Array.from(reused.equity)).toEqual(Array.from(fresh.equity));
        expect(tradesBefore(reused.trades, Infinity)).toEqual(tradesBefore(fresh.trades, Infinity));
      }),
      { numRuns: 40 },
    );
    expect(dataset.indicators.stats().hits).toBeGreaterThan(0);
  });
});

describe('confluence', () => {
  const bars = randomWalkBars(20_000, 5);
  const definition = STRATEGIES.confluence;
  const base = defaultParams(definition);
  const signature = (params: StrategyParams): string => {
    const run = runBacktest(bars, definition, params);
    return `${run.trades.count}:${run.finalEquity}`;
  };
  const baseline = signature(base);

  it('trades on a random walk with every exit kind', () => {
    const run = runBacktest(bars, definition, base);
    const reasons = new Set(Array.from(run.trades.exitReason.subarray(0, run.trades.count)));
    expect(run.trades.count).toBeGreaterThan(50);
    expect([...reasons].sort()).toEqual([0, 1, 2]); // signal, stop-loss, take-profit
  });

  it.each(definition.params.map((spec) => [spec.name, spec] as const))(
    'parameter %s changes the result',
    (_n, spec) => {
      const candidates = [spec.min, spec.max, (spec.min + spec.max) / 2].map((v) =>
        spec.type === 'int' ? Math.round(v) : v,
      );
      const changed = candidates.some((value) => {
        const params = { ...base, [spec.name]: value };
        if (params.fast_ma_period >= params.slow_ma_period) return false;
        return signature(params) !== baseline;
      });
      expect(changed).toBe(true);
    },
  );

  it('a stop-out loses about risk_per_trade of equity when nothing caps the size', () => {
    const run = runBacktest(
      bars,
      definition,
      { ...base, risk_per_trade: 0.01 },
      { maxLeverage: 100, fractional: true },
    );
    const { trades, equity } = run;
    let checked = 0;
    for (let k = 0; k < trades.count; k++) {
      // Stop-outs inside the bar (not gapped through) lose exactly the planned risk of the signal-bar equity.
      if (trades.exitReason[k] !== 1 || trades.exitPrice[k] === bars.o[trades.exitIndex[k]]) continue;
      const equityAtSignal = equity[trades.entryIndex[k] - 1];
      expect(-trades.pnl[k] / equityAtSignal).toBeCloseTo(0.01, 9);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });
});
