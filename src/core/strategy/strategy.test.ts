import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Bars } from '../data/bars.ts';
import { runBacktest } from '../engine/backtest.ts';
import { BACKTESTING_PY_ALL_IN } from '../engine/options.ts';
import { randomWalkBars } from '../engine/random-walk.ts';
import { sma } from '../indicators/moving-average.ts';
import { IndicatorCache } from '../indicators/cache.ts';
import { OrderType, Sizing, type OrderPort } from '../strategy-api/order-port.ts';
import { defaultParams, validateParams, withDefaults } from '../strategy-api/params.ts';
import { strategyRef } from '../strategy-api/ref.ts';
import { STRATEGIES, STRATEGY_NAMES, getStrategy, resolveStrategy } from './registry.ts';

/**
 * An independent, deliberately naive transcription of backtesting.py's SmaCross loop (orders queued at
 * the close, filled at the next open in order; sizes from cash; commission on both sides), used as the
 * reference the engine's event loop must match.
 */
function referenceSmaCross(
  bars: Bars,
  fast: number,
  slow: number,
  cash0: number,
  rate: number,
  longOnly: boolean,
  closeAtEnd: boolean,
): { equity: number[]; trades: number } {
  const n = bars.c.length;
  const a = sma(bars.c, fast, new Float64Array(n));
  const b = sma(bars.c, slow, new Float64Array(n));
  let cash = cash0;
  let size = 0;
  let trades = 0;
  let pending: ('close' | 'buy' | 'sell')[] = [];
  const equity: number[] = [];
  const closeAt = (price: number): void => {
    if (size === 0) return;
    cash += size * price - rate * Math.abs(size) * price;
    size = 0;
    trades++;
  };
  for (let i = 0; i < n; i++) {
    for (const order of pending) {
      if (order === 'close') {
        closeAt(bars.o[i]);
      } else {
        const units = Math.floor((cash * BACKTESTING_PY_ALL_IN) / (bars.o[i] * (1 + rate)));
        if (units > 0) {
          size = order === 'buy' ? units : -units;
          cash -= size * bars.o[i] + rate * units * bars.o[i];
        }
      }
    }
    pending = [];
    if (i >= slow) {
      if (a[i - 1] < b[i - 1] && a[i] > b[i]) pending = ['close', 'buy'];
      else if (a[i - 1] > b[i - 1] && a[i] < b[i]) pending = longOnly ? ['close'] : ['close', 'sell'];
    }
    equity.push(cash + size * bars.c[i]);
  }
  if (closeAtEnd && n > 0 && size !== 0) {
    closeAt(bars.o[n - 1]);
    equity[n - 1] = cash;
  }
  return { equity, trades };
}

describe('sma-cross in backtesting.py mode equals a naive reference loop (differential)', () => {
  it('on random walks, with commission, long-only or not, closing at the end or not', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 50, max: 1500 }),
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(0, 0.001, 0.002),
        fc.boolean(),
        fc.boolean(),
        (seed, n, fast, extra, rate, longOnly, closeAtEnd) => {
          const bars = randomWalkBars(n, seed, { volatility: 0.01, gapProbability: 0.1 });
          const slow = fast + extra;
          const expected = referenceSmaCross(bars, fast, slow, 10_000, rate, longOnly, closeAtEnd);
          const run = runBacktest(
            bars,
            STRATEGIES['sma-cross'],
            { fast, slow },
            { cash: 10_000, commission: { kind: 'percent', rate }, longOnly, closeAtEnd },
          );
          expect(run.trades.count).toBe(expected.trades);
          for (let i = 0; i < n; i++) {
            expect(Math.abs(run.equity[i] - expected.equity[i])).toBeLessThan(
              1e-9 * expected.equity[i] + 1e-9,
            );
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('buy-and-hold', () => {
  it('buys all-in at the second bar open and holds', () => {
    const bars = randomWalkBars(100, 2);
    const run = runBacktest(bars, STRATEGIES['buy-and-hold'], {}, { cash: 10_000, fractional: true });
    expect(run.trades.count).toBe(0);
    expect(run.finalPosition).toBeCloseTo(10_000 / bars.o[1], 9);
    expect(run.finalEquity).toBeCloseTo((10_000 / bars.o[1]) * bars.c[99], 6);
  });
});

describe('a strategy and the port it trades through', () => {
  it('sma-cross runs against any OrderPort (here a recording fake, as the live bot will be one)', () => {
    const bars = randomWalkBars(1500, 9, { volatility: 0.006 });
    const submitted: string[] = [];
    let position = 0;
    const fake: OrderPort = {
      get position() {
        return position;
      },
      averageEntryPrice: 0,
      equityAt: () => 10_000,
      submit: (direction, type, sizing, amount) => {
        submitted.push(`${direction > 0 ? 'buy' : 'sell'} ${type}/${sizing}/${amount}`);
        position = direction;
        return submitted.length;
      },
      close: () => {
        submitted.push('close');
        return submitted.length;
      },
      attachExits: () => undefined,
      recordEntryReason: () => undefined,
      cancel: () => false,
      setStopLoss: () => undefined,
      setTakeProfit: () => undefined,
      setTrailingStop: () => undefined,
    };
    const strategy = STRATEGIES['sma-cross'].create({ fast: 10, slow: 30 });
    const options = { convention: 'regimen', longOnly: false, allInFraction: 1 } as const;
    const start = strategy.init({ bars, indicators: new IndicatorCache(bars), orders: fake, options });
    const signalBars: number[] = [];
    for (let i = start; i < bars.c.length; i++) {
      const before = submitted.length;
      strategy.onBar(i);
      if (submitted.length > before) signalBars.push(i);
    }
    // The engine fills each signal at the next open: its trades start one bar after the fake's signals.
    const run = runBacktest(bars, STRATEGIES['sma-cross'], { fast: 10, slow: 30 }, { convention: 'regimen' });
    expect(Array.from(run.trades.entryIndex.subarray(0, run.trades.count))).toEqual(
      signalBars.slice(0, run.trades.count).map((i) => i + 1),
    );
    const all = `${OrderType.Market}/${Sizing.EquityFraction}/1`;
    expect(new Set(submitted)).toEqual(new Set(['close', `buy ${all}`, `sell ${all}`]));
  });
});

describe('strategy references', () => {
  it('a ref is plain data that resolves to its definition, checked by name, version and parameters', () => {
    const ref = strategyRef(STRATEGIES['sma-cross'], { fast: 5, slow: 25 });
    const sent = JSON.parse(JSON.stringify(ref));
    expect(sent).toEqual({ name: 'sma-cross', version: '1', params: { fast: 5, slow: 25 } });
    const resolved = resolveStrategy(sent);
    expect(resolved.definition).toBe(STRATEGIES['sma-cross']);
    expect(resolved.params).toEqual({ fast: 5, slow: 25 });
    expect(() => resolveStrategy({ ...sent, name: 'rsi-magic' })).toThrow(
      'unknown strategy "rsi-magic"; valid strategies: confluence, sma-cross, buy-and-hold',
    );
    expect(() => resolveStrategy({ ...sent, version: '2' })).toThrow(
      'strategy sma-cross: version "2" requested, this build has version "1"',
    );
    expect(() => resolveStrategy({ ...sent, params: { fast: 5 } })).toThrow(
      'strategy sma-cross: missing parameter slow',
    );
    expect(() => resolveStrategy({ ...sent, params: null as never })).toThrow(
      'strategy sma-cross: params must be an object of numbers',
    );
  });
});

describe('strategy registry', () => {
  it('lists every strategy with a data-only param space whose defaults are valid', () => {
    expect(STRATEGY_NAMES).toEqual(['confluence', 'sma-cross', 'buy-and-hold']);
    for (const name of STRATEGY_NAMES) {
      const definition = getStrategy(name);
      expect(definition.name).toBe(name);
      expect(definition.version).toMatch(/^\S+$/);
      expect(() => validateParams(definition, defaultParams(definition))).not.toThrow();
      for (const spec of definition.params) {
        expect(spec.min).toBeLessThan(spec.max);
        expect(spec.step).toBeGreaterThan(0);
        if (spec.type === 'int') expect(Number.isInteger(spec.default)).toBe(true);
      }
      // Plain data: survives structured cloning and JSON (what the optimizer, IPC and UI use).
      expect(JSON.parse(JSON.stringify(definition.params))).toEqual(definition.params);
    }
  });

  it('confluence has the twelve parameters and ranges of the issue', () => {
    const ranges = Object.fromEntries(STRATEGIES.confluence.params.map((p) => [p.name, [p.min, p.max]]));
    expect(ranges).toEqual({
      fast_ma_period: [5, 20],
      slow_ma_period: [15, 50],
      risk_per_trade: [0.005, 0.05],
      confidence_threshold: [0.4, 0.8],
      volume_threshold: [1.0, 3.0],
      mfi_oversold: [10, 30],
      mfi_overbought: [70, 90],
      macd_fast: [8, 16],
      macd_slow: [20, 35],
      macd_signal: [5, 15],
      bb_period: [15, 25],
      bb_std: [1.5, 2.5],
    });
  });

  it('an unknown strategy names itself and the valid ones', () => {
    expect(() => getStrategy('rsi-magic')).toThrow(
      'unknown strategy "rsi-magic"; valid strategies: confluence, sma-cross, buy-and-hold',
    );
  });

  it('bad parameters fail with the parameter named', () => {
    const sma = STRATEGIES['sma-cross'];
    expect(() => validateParams(sma, { fast: 10, slow: 30, period: 3 })).toThrow(
      'strategy sma-cross: unknown parameter "period" (valid: fast, slow)',
    );
    expect(() => validateParams(sma, { fast: 10 })).toThrow('strategy sma-cross: missing parameter slow');
    expect(() => validateParams(sma, { fast: 10.5, slow: 30 })).toThrow(
      'parameter fast must be an integer, got 10.5',
    );
    expect(() => validateParams(sma, { fast: 0, slow: 30 })).toThrow(
      'parameter fast = 0 is outside [1, 10000]',
    );
    expect(() => validateParams(sma, { fast: NaN, slow: 30 })).toThrow(
      'parameter fast must be a finite number',
    );
    expect(() => validateParams(sma, { fast: 30, slow: 10 })).toThrow(
      'parameter fast (30) must be less than slow (10)',
    );
    const confluence = STRATEGIES.confluence;
    expect(() => validateParams(confluence, { ...defaultParams(confluence), bb_std: 11 })).toThrow(
      'strategy confluence: parameter bb_std = 11 is outside [0.1, 10]',
    );
    expect(withDefaults(sma, { fast: 5 })).toEqual({ fast: 5, slow: 20 });
  });

  it('search ranges bound a search, not a run: values beyond them but within the limits are valid', () => {
    const sma = STRATEGIES['sma-cross'];
    // The default search stops at slow = 500 and bb_std = 2.5; a 50/600 crossover and a 3-sigma band run.
    expect(sma.params.find((p) => p.name === 'slow')!.max).toBeLessThan(600);
    expect(validateParams(sma, { fast: 50, slow: 600 })).toEqual({ fast: 50, slow: 600 });
    const confluence = STRATEGIES.confluence;
    expect(() => validateParams(confluence, { ...defaultParams(confluence), bb_std: 3 })).not.toThrow();
    for (const definition of Object.values(STRATEGIES)) {
      for (const spec of definition.params) {
        expect(spec.limits.min, spec.name).toBeLessThanOrEqual(spec.min);
        expect(spec.limits.max, spec.name).toBeGreaterThanOrEqual(spec.max);
      }
    }
  });
});
