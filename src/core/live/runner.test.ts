import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sliceBars, type Bars } from '../data/bars.ts';
import { runBacktest } from '../engine/backtest.ts';
import { defaultParams } from '../strategy-api/params.ts';
import { randomWalkBars } from '../engine/random-walk.ts';
import type { StrategyDefinition, StrategyParams } from '../strategy-api/types.ts';
import { IndicatorCache } from '../indicators/cache.ts';
import { CONFLUENCE_ATR_PERIOD, CONFLUENCE_MFI_PERIOD } from '../strategy/confluence.ts';
import { STRATEGIES } from '../strategy/registry.ts';
import {
  PARAMETER_SET_SCHEMA_VERSION,
  sealParameterSet,
  type ParameterSet,
  type PreTradeLimits,
} from './parameterSet.ts';
import type { RampPlan } from './ramp.ts';
import {
  LiveRunner,
  type LiveBotSnapshot,
  type LiveBotState,
  type LiveFill,
  type LivePush,
  type PositionPolicy,
} from './runner.ts';
import { SWITCH_CASES } from '../engine/switchCases.test-util.ts';
import { liveBarAt } from './liveBar.test-util.ts';

const LIMITS = { maxPositionFraction: 1, maxDailyLoss: 0.5, maxOrdersPerDay: 1_000_000 };

function parameterSet(
  strategy: keyof typeof STRATEGIES,
  parameters: StrategyParams,
  limits: PreTradeLimits = LIMITS,
): ParameterSet {
  return sealParameterSet({
    schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
    strategy: { name: strategy, version: STRATEGIES[strategy].version },
    parameters,
    limits,
    provenance: { kind: 'manual', note: 'test', engineVersion: 'test' },
  });
}

function push(
  version: number,
  parameters: StrategyParams,
  options: {
    policy?: PositionPolicy;
    ramp?: RampPlan;
    strategy?: keyof typeof STRATEGIES;
    limits?: PreTradeLimits;
  } = {},
): LivePush {
  const set = parameterSet(options.strategy ?? 'sma-cross', parameters, options.limits);
  return {
    changeId: `change-${version}`,
    version,
    hash: set.hash,
    set,
    policy: options.policy ?? 'adopt',
    ramp: options.ramp,
  };
}

/**
 * sma-cross as a trader's own file of source `sourceHash`: its init asks for its averages, then throws
 * when fast is 7 (as a trader's file may); its reparameterize throws for fast 9.
 */
function fragileStrategy(sourceHash = SOURCE_A): StrategyDefinition {
  const smaCross = STRATEGIES['sma-cross'];
  return {
    ...smaCross,
    name: 'fragile',
    sourceHash,
    create: (params) => {
      const inner = smaCross.create(params);
      return {
        init: (context) => {
          const start = inner.init(context);
          if (params.fast === 7) throw new Error('fragile: no model for fast 7');
          return start;
        },
        onBar: (i) => inner.onBar(i),
        reparameterize: (next) => {
          if (next.fast === 9) throw new Error('fragile: no parameters for fast 9');
          inner.reparameterize(next);
        },
      };
    },
  };
}

const SOURCE_A = 'a'.repeat(64);

function fragilePush(version: number, fast: number, slow: number, sourceHash = SOURCE_A): LivePush {
  const set = sealParameterSet({
    ...parameterSet('sma-cross', { fast, slow }),
    strategy: { name: 'fragile', version: STRATEGIES['sma-cross'].version, sourceHash },
  });
  return { changeId: `change-${version}`, version, hash: set.hash, set, policy: 'adopt' };
}

function feed(runner: LiveRunner, bars: Bars, from: number, to: number): void {
  for (let i = from; i < to; i++) runner.onBar(liveBarAt(bars, i));
}

const newRunner = (state?: LiveBotState, capacity = 3000): LiveRunner =>
  new LiveRunner({ catalogue: STRATEGIES, capacity, state });

describe('LiveRunner: the backtested strategy, bar by bar', () => {
  it.each(SWITCH_CASES)(
    '%s: a change pushed mid-run gives the engine reparameterize run on the same bars',
    (name, before, after) => {
      const bars = randomWalkBars(1500, 17, { volatility: 0.006 });
      for (const k of [300, 1100]) {
        const engine = runBacktest(bars, STRATEGIES[name], before, {}, [{ fromBar: k, params: after }]);
        const runner = newRunner(undefined, 1500);
        expect(runner.apply(push(1, before, { strategy: name }))).toEqual({ kind: 'accepted', version: 1 });
        feed(runner, bars, 0, k);
        // Pushed between bars k - 1 and k: it takes over at bar k's boundary, with no restart.
        expect(runner.apply(push(2, after, { strategy: name }))).toEqual({ kind: 'accepted', version: 2 });
        feed(runner, bars, k, 1500);
        expect(Array.from(runner.equity)).toEqual(Array.from(engine.equity));
        expect(runner.exits.map((e) => [e.entryTime, e.exitTime, e.exitPrice, e.size])).toEqual(
          Array.from({ length: engine.trades.count }, (_, j) => [
            engine.trades.entryTime[j],
            engine.trades.exitTime[j],
            engine.trades.exitPrice[j],
            engine.trades.size[j],
          ]),
        );
        expect(runner.exits.length).toBeGreaterThan(5);
        expect(runner.fills.filter((f) => f.kind === 'exit')).toHaveLength(engine.trades.count);
        expect(runner.fills.filter((f) => f.kind === 'entry').length).toBeGreaterThanOrEqual(
          engine.trades.count,
        );
        expect(runner.state.active?.version).toBe(2);
      }
    },
  );

  it('without the push the run differs (the equality above is the switch, not a coincidence)', () => {
    const bars = randomWalkBars(1500, 17, { volatility: 0.006 });
    const runner = newRunner(undefined, 1500);
    runner.apply(push(1, { fast: 10, slow: 30 }));
    feed(runner, bars, 0, 1500);
    const switched = runBacktest(bars, STRATEGIES['sma-cross'], { fast: 10, slow: 30 }, {}, [
      { fromBar: 300, params: { fast: 4, slow: 12 } },
    ]);
    expect(runner.equity[1499]).not.toBe(switched.equity[1499]);
  });
});

describe('LiveRunner: delivery', () => {
  it('1,000 pushes with duplicates and reordering leave the last version, each applied at most once', () => {
    const bars = randomWalkBars(400, 3, { volatility: 0.006 });
    const sets = Array.from({ length: 40 }, (_, k) => push(k + 1, { fast: 2 + (k % 9), slow: 20 + k }));
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: sets.length - 1 }), { minLength: 1000, maxLength: 1000 }),
        fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 20, maxLength: 20 }),
        (order, barPoints) => {
          const runner = newRunner(undefined, 400);
          const bar = new Set(barPoints);
          let fed = 0;
          order.forEach((k, step) => {
            runner.apply(sets[k]);
            if (bar.has(step) && fed < 400) feed(runner, bars, fed, ++fed);
          });
          feed(runner, bars, fed, fed + 1);
          const last = Math.max(...order) + 1;
          expect(runner.state.active?.version).toBe(last);
          expect(runner.state.ledger.version).toBe(last);
          for (const count of runner.applyCounts.values()) expect(count).toBe(1);
          // Everything delivered again: a repeat is a no-op, an older set is refused, nothing moves.
          expect(runner.apply(sets[last - 1])).toEqual({ kind: 'duplicate', version: last });
          for (const again of sets) expect(runner.apply(again).kind).not.toBe('accepted');
          expect(runner.state.pending).toBeNull();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses a set whose hash does not match, an unknown strategy version and a bad ramp, naming why', () => {
    const runner = newRunner();
    const good = push(1, { fast: 10, slow: 30 });
    expect(runner.apply({ ...good, set: { ...good.set, parameters: { fast: 11, slow: 30 } } })).toMatchObject(
      {
        kind: 'refused',
        reason: 'invalid-set',
        message: expect.stringContaining('hash does not match'),
      },
    );
    const tampered = sealParameterSet({ ...good.set, strategy: { name: 'sma-cross', version: '99' } });
    expect(runner.apply({ ...good, set: tampered, hash: tampered.hash })).toMatchObject({
      message: expect.stringContaining('version "99" requested'),
    });
    const ramp: RampPlan = { steps: [0.5, 0.25], barsPerStep: 0, guardrails: GUARDS };
    expect(runner.apply({ ...good, ramp })).toMatchObject({
      message: expect.stringContaining('steps[1] (0.25) must exceed steps[0] (0.5)'),
    });
    expect(runner.state.ledger.version).toBe(0);
  });

  it('a set refused at apply (its init throws) leaves the indicators as they were; so does any accepted one', () => {
    const bars = randomWalkBars(300, 9, { volatility: 0.006 });
    const fragile = fragileStrategy();
    const runners = [0, 1].map(() => new LiveRunner({ catalogue: { fragile }, capacity: 300 }));
    for (const runner of runners) {
      expect(runner.apply(fragilePush(1, 5, 20))).toEqual({ kind: 'accepted', version: 1 });
      feed(runner, bars, 0, 100);
    }
    const [tried, untouched] = runners as [LiveRunner, LiveRunner];
    const before = tried.indicators.stats();
    // Refused for its init's throw, for a bad parameter, and for an old version: none leaves a trace.
    expect(tried.apply(fragilePush(2, 7, 40))).toMatchObject({
      kind: 'refused',
      reason: 'invalid-set',
      message: 'strategy fragile: fragile: no model for fast 7',
    });
    expect(tried.apply(fragilePush(2, -3, 45))).toMatchObject({ kind: 'refused', reason: 'invalid-set' });
    expect(tried.indicators.stats()).toEqual(before);
    // An accepted set registers nothing at apply either: its instance asks at the boundary.
    expect(tried.apply(fragilePush(2, 8, 50))).toEqual({ kind: 'accepted', version: 2 });
    expect(tried.indicators.stats()).toEqual(before);
    expect(untouched.apply(fragilePush(2, 8, 50))).toEqual({ kind: 'accepted', version: 2 });
    // Both runners then step the same indicators bar by bar (sma 7, 40 and 45 were never registered).
    feed(tried, bars, 100, 300);
    feed(untouched, bars, 100, 300);
    expect(tried.indicators.stats()).toEqual(untouched.indicators.stats());
    expect(Array.from(tried.equity)).toEqual(Array.from(untouched.equity));
  });

  it('after a restart, sets whose strategy the bot no longer has as approved are not traded: halted at once, naming each', () => {
    const bars = randomWalkBars(300, 9, { volatility: 0.006 });
    const before = new LiveRunner({ catalogue: { fragile: fragileStrategy() }, capacity: 300 });
    before.apply(fragilePush(1, 5, 20));
    feed(before, bars, 0, 100);
    expect(before.fills.length).toBeGreaterThan(0);
    before.apply(fragilePush(2, 6, 25));
    const saved = before.snapshot();
    // The file was edited before the restart: same name and version, another source.
    const SOURCE_B = 'b'.repeat(64);
    const restarted = new LiveRunner({
      catalogue: { fragile: fragileStrategy(SOURCE_B) },
      capacity: 300,
      state: saved,
      leftOut: ['strategies/other.ts:3: does not compile: Expected ";"'],
    });
    const { halt, pending, active, changes } = restarted.state;
    expect(halt?.mode).toBe('no-new-entries');
    const approvedOn = `the set was approved on source ${SOURCE_A}, the bot runs source ${SOURCE_B}`;
    const leftOut = 'strategy files left out: strategies/other.ts:3: does not compile: Expected ";"';
    expect(halt?.reason).toBe(
      `v1 (fragile) is not traded: after the restart: strategy fragile: ${approvedOn}; ${leftOut}; ` +
        `v2 (fragile) is not traded: after the restart, pending: strategy fragile: ${approvedOn}; ${leftOut}`,
    );
    expect(active?.version).toBe(1);
    expect(pending).toBeNull();
    expect(changes?.slice(-2).map((c) => [c.kind, c.version])).toEqual([
      ['halt', 1],
      ['halt', 2],
    ]);
    // It feeds on and trades nothing: no set's code runs.
    const fills = restarted.fillRecord.total;
    feed(restarted, bars, 100, 300);
    expect(restarted.barsSeen).toBe(300);
    expect(restarted.fillRecord.since(fills).filter((f) => f.kind === 'entry')).toEqual([]);
    expect(restarted.indicators.stats().entries).toBe(0);
  });

  it('a strategy that throws in reparameterize at the boundary halts new entries naming it; the bars go on', () => {
    const bars = randomWalkBars(600, 9, { volatility: 0.006 });
    const runner = new LiveRunner({ catalogue: { fragile: fragileStrategy() }, capacity: 600 });
    runner.apply(fragilePush(1, 5, 20));
    feed(runner, bars, 0, 100);
    // Built afresh at apply (create and init) it is fine: the running instance takes it in place and throws.
    expect(runner.apply(fragilePush(2, 9, 30))).toEqual({ kind: 'accepted', version: 2 });
    feed(runner, bars, 100, 101);
    expect(runner.state.active?.version).toBe(2);
    expect(runner.state.halt).toMatchObject({
      mode: 'no-new-entries',
      reason: `strategy fragile: fragile: no parameters for fast 9 (bar of ${new Date(bars.t[100]).toISOString()})`,
    });
    expect(runner.state.changes?.at(-1)).toMatchObject({ kind: 'halt', version: 2 });
    const fills = runner.fillRecord.total;
    feed(runner, bars, 101, 300);
    expect(runner.fillRecord.since(fills).filter((f) => f.kind === 'entry')).toEqual([]);
    // The next set gets a fresh instance and, resumed, trades.
    expect(runner.apply(fragilePush(3, 6, 25))).toEqual({ kind: 'accepted', version: 3 });
    feed(runner, bars, 300, 301);
    runner.resume();
    feed(runner, bars, 301, 600);
    expect(runner.fillRecord.since(fills).some((f) => f.kind === 'entry' && f.version === 3)).toBe(true);
  });

  it('a restart mid-ramp resumes the ramp at its step and applies nothing twice', () => {
    const bars = randomWalkBars(600, 5, { volatility: 0.006 });
    const ramp: RampPlan = { steps: [0.1, 0.25, 0.5, 1], barsPerStep: 50, guardrails: LOOSE };
    const first = newRunner(undefined, 600);
    const v1 = push(1, { fast: 10, slow: 30 });
    const v2 = push(2, { fast: 5, slow: 15 }, { ramp });
    first.apply(v1);
    feed(first, bars, 0, 200);
    first.apply(v2);
    feed(first, bars, 200, 320);
    expect(first.state.ramp).toMatchObject({ phase: 'ramping', step: 2 });
    const saved = JSON.parse(JSON.stringify(first.state)) as LiveBotState;

    const second = newRunner(saved, 600);
    expect(second.apply(v1)).toEqual({ kind: 'duplicate', version: 1 });
    expect(second.apply(v2)).toEqual({ kind: 'duplicate', version: 2 });
    feed(second, bars, 320, 400);
    expect(second.applyCounts.size).toBe(0);
    expect(second.state.active?.hash).toBe(v2.hash);
    expect(second.state.ramp).toMatchObject({ phase: 'complete', step: 3 });
  });
});

describe('LiveRunner warm-up after a restart', () => {
  const confluence = defaultParams(STRATEGIES.confluence);
  it.each([
    ['sma-cross', { fast: 10, slow: 30 }, (c: IndicatorCache) => [c.sma(10), c.sma(30)]],
    [
      'confluence',
      confluence,
      (c: IndicatorCache) => {
        const p = confluence as Record<string, number>;
        return [
          c.mfi(CONFLUENCE_MFI_PERIOD),
          c.atr(CONFLUENCE_ATR_PERIOD),
          c.sma(p.fast_ma_period),
          c.sma(p.slow_ma_period),
          c.macdLine(p.macd_fast, p.macd_slow),
          c.macdSignal(p.macd_fast, p.macd_slow, p.macd_signal),
          c.volumeRatio(p.slow_ma_period),
          c.sma(p.bb_period),
          c.std(p.bb_period),
        ];
      },
    ],
  ] as const)(
    '%s resumes with the indicator state it had, as if it never stopped',
    (name, parameters, held) => {
      const bars = randomWalkBars(400, 23, { volatility: 0.006 });
      const v1 = push(1, parameters, { strategy: name });
      const steady = newRunner(undefined, 400);
      steady.apply(v1);
      feed(steady, bars, 0, 250);
      const saved = JSON.parse(JSON.stringify(steady.state)) as LiveBotState;
      feed(steady, bars, 250, 400);
      const built = steady.indicators.stats().entries;

      const restarted = newRunner(saved, 400);
      restarted.warmUp(bars, 250);
      feed(restarted, bars, 250, 400);
      expect(restarted.barsSeen).toBe(400);
      expect(restarted.applyCounts.size).toBe(0);
      // The strategy asked for the same indicators again at its resume, warmed over the cached bars ...
      expect(restarted.indicators.stats().entries).toBe(built);
      const expected = held(steady.indicators);
      // ... (the lookups below were hits: no indicator beyond the strategy's own) ...
      expect(steady.indicators.stats().entries).toBe(built);
      // ... and they hold the same values over the whole history, cached bars included.
      held(restarted.indicators).forEach((array, k) =>
        expect(Array.from(array)).toEqual(Array.from(expected[k])),
      );
    },
  );

  it('refuses a warm-up after live bars or past the cached bars; beyond the buffer it keeps the newest', () => {
    const bars = randomWalkBars(20, 1);
    const runner = newRunner(undefined, 10);
    expect(() => runner.warmUp(bars, 21)).toThrow('seen must be an integer in [0, 20], got 21');
    runner.warmUp(bars);
    expect(runner.barsSeen).toBe(20);
    expect(runner.bufferStart).toBe(10);
    expect(Array.from(runner.bars.c)).toEqual(Array.from(bars.c.subarray(10)));
    expect(() => runner.warmUp(bars, 5)).toThrow('already holds 10 live bars');
  });

  it('warms a live feed on history before its first bar: seen on a fresh bot, renumbered after a restart', () => {
    const bars = randomWalkBars(200, 5);
    const fresh = newRunner(undefined, 150);
    fresh.warmUpLive(sliceBars(bars, 0, 120));
    expect([fresh.barsSeen, fresh.bufferStart]).toEqual([120, 0]);
    expect(fresh.lastBarTime).toBe(bars.t[119]);

    // Restarted after 60 bars: at most 60 of the history, numbered so the next bar is still bar 60.
    const steady = newRunner(undefined, 150);
    feed(steady, bars, 0, 60);
    const restarted = newRunner(JSON.parse(JSON.stringify(steady.snapshot())) as LiveBotSnapshot, 150);
    restarted.warmUpLive(sliceBars(bars, 0, 100));
    expect([restarted.barsSeen, restarted.bufferStart]).toEqual([60, 0]);
    expect(Array.from(restarted.bars.c.subarray(0, 60))).toEqual(Array.from(bars.c.subarray(40, 100)));
    expect(() => restarted.warmUpLive(bars)).toThrow('already holds 60 live bars');
  });

  // Killed after any bar (a position open, orders resting, a keep policy winding down, a ramp under way)
  // and restarted from its snapshot and the bar cache, the bot decides exactly as if it never stopped.
  it.each([
    ['sma-cross', { fast: 10, slow: 30 }, { fast: 4, slow: 12 }, 'keep', 3000],
    ['sma-cross', { fast: 10, slow: 30 }, { fast: 4, slow: 12 }, 'adopt', 300],
    ['confluence', confluence, { ...confluence, fast_ma_period: 8 }, 'no-new-entries-until-flat', 3000],
  ] as const)(
    '%s (%s then %s, %s, buffer %i): kill and restart give the uninterrupted decisions',
    (name, before, after, policy, capacity) => {
      const bars = randomWalkBars(1500, 31, { volatility: 0.006 });
      const ramp: RampPlan = { steps: [0.25, 0.5, 1], barsPerStep: 40, guardrails: LOOSE };
      const v1 = push(1, before, { strategy: name, policy });
      const v2 = push(2, after, { strategy: name, policy, ramp });
      const run = (kills: readonly number[]): { runner: LiveRunner; fills: LiveFill[] } => {
        let runner = newRunner(undefined, capacity);
        runner.apply(v1);
        const fills: LiveFill[] = [];
        let fed = 0;
        for (const stop of [...kills, 1500]) {
          if (fed <= 400 && stop > 400) {
            feed(runner, bars, fed, 400);
            runner.apply(v2);
            fed = 400;
          }
          feed(runner, bars, fed, stop);
          fed = stop;
          if (stop === 1500) break;
          fills.push(...runner.fills);
          const saved = JSON.parse(JSON.stringify(runner.snapshot())) as LiveBotSnapshot;
          runner = newRunner(saved, capacity);
          runner.warmUp(bars, stop);
        }
        fills.push(...runner.fills);
        return { runner, fills };
      };
      const { runner: steady, fills: steadyFills } = run([]);
      const kills = [57, 401, 433, 700, 701, 1111];
      const { runner: restarted, fills } = run(kills);
      expect(restarted.barsSeen).toBe(1500);
      expect(fills).toEqual(steadyFills);
      expect(fills.filter((f) => f.version === 2).length).toBeGreaterThan(3);
      expect(restarted.state).toEqual(steady.state);
      expect(restarted.lastEquity).toBe(steady.lastEquity);
      expect(restarted.position).toBe(steady.position);
      // At least one kill fell while a position was open (its account had to survive the restart).
      const held = kills.filter((k) => {
        const r = newRunner(undefined, capacity);
        r.apply(v1);
        feed(r, bars, 0, Math.min(k, 400));
        if (k > 400) {
          r.apply(v2);
          feed(r, bars, 400, k);
        }
        return r.position !== 0;
      });
      expect(held.length).toBeGreaterThan(0);
    },
  );
});

describe('LiveRunner: a full buffer slides', () => {
  it('past its capacity the bot trades on exactly as with room for every bar', () => {
    const bars = randomWalkBars(1500, 17, { volatility: 0.006 });
    const runs = [1500, 200].map((capacity) => {
      const runner = newRunner(undefined, capacity);
      runner.apply(push(1, { fast: 10, slow: 30 }));
      feed(runner, bars, 0, 700);
      runner.apply(push(2, { fast: 4, slow: 12 }));
      feed(runner, bars, 700, 1500);
      return runner;
    });
    const [roomy, sliding] = runs;
    expect(sliding.state.halt).toBeNull();
    expect(sliding.barsSeen).toBe(1500);
    expect(sliding.bufferStart).toBeGreaterThan(1200);
    expect(sliding.exits).toEqual(roomy.exits);
    expect(sliding.exits.filter((e) => e.entryTime > bars.t[1300]).length).toBeGreaterThan(3);
    const held = 1500 - sliding.bufferStart;
    expect(Array.from(sliding.equity.subarray(0, held))).toEqual(
      Array.from(roomy.equity.subarray(sliding.bufferStart)),
    );
    // An indicator asked for before the slides is the unbroken history's, to the last bit.
    expect(Array.from(sliding.indicators.sma(30).subarray(0, held))).toEqual(
      Array.from(roomy.indicators.sma(30).subarray(sliding.bufferStart)),
    );
  });
});

const GUARDS = { maxDrawdown: 0.2, maxLoss: 0.2, maxSlippageBps: 50 };
const LOOSE = { maxDrawdown: 0.9, maxLoss: 0.9, maxSlippageBps: 1e6 };

describe('LiveRunner: ramps, position policy, halts', () => {
  const bars = randomWalkBars(1500, 17, { volatility: 0.006 });

  it('the new set enters at its ramp budget, and a guardrail breach rolls back within one bar', () => {
    const ramp: RampPlan = { steps: [0.1, 1], barsPerStep: 10_000, guardrails: LOOSE };
    const runner = newRunner(undefined, 1500);
    runner.apply(push(1, { fast: 10, slow: 30 }, { policy: 'flatten' }));
    feed(runner, bars, 0, 300);
    runner.apply(push(2, { fast: 4, slow: 12 }, { policy: 'flatten', ramp }));
    feed(runner, bars, 300, 600);
    const first = runner.exits.find((e) => e.entryVersion === 2)!;
    // All in would be ~10,000 / price units; at 10 % of the budget it is a tenth of that.
    const fullSize = runner.lastEquity / first.entryPrice;
    expect(Math.abs(first.size)).toBeLessThanOrEqual(Math.ceil(fullSize * 0.1));
    expect(Math.abs(first.size)).toBeGreaterThan(0);

    const strict: RampPlan = {
      steps: [0.5, 1],
      barsPerStep: 10_000,
      guardrails: { ...LOOSE, maxDrawdown: 1e-6 },
    };
    runner.apply(push(3, { fast: 6, slow: 20 }, { policy: 'flatten', ramp: strict }));
    let barsUntilBack = 0;
    while (runner.state.active?.version !== 2 && barsUntilBack < 200) {
      feed(runner, bars, 600 + barsUntilBack, 601 + barsUntilBack);
      barsUntilBack++;
      if (runner.state.ramp?.phase === 'rolled-back') {
        expect(runner.state.ramp.reason).toMatch(/drawdown .* exceeds maxDrawdown/);
        feed(runner, bars, 600 + barsUntilBack, 601 + barsUntilBack);
        expect(runner.state.active?.version).toBe(2);
        break;
      }
    }
    expect(runner.state.active?.version).toBe(2);
    expect(runner.state.ledger.version).toBe(3);
  });

  it('keep: the open position exits by its entry version; the switch never flips it', () => {
    const runner = newRunner(undefined, 1500);
    runner.apply(push(1, { fast: 10, slow: 30 }, { policy: 'keep' }));
    let k = 300;
    feed(runner, bars, 0, k);
    while (runner.position === 0) feed(runner, bars, k, ++k);
    const sign = Math.sign(runner.position);
    runner.apply(push(2, { fast: 3, slow: 8 }, { policy: 'keep' }));
    feed(runner, bars, k, k + 1);
    expect(Math.sign(runner.position)).toBe(sign);
    feed(runner, bars, k + 1, 1500);
    const closing = runner.exits.find((e) => e.exitTime >= bars.t[k])!;
    expect(closing.entryVersion).toBe(1);
    expect(closing.exitVersion).toBe(1);
    expect(runner.exits.some((e) => e.entryVersion === 2 && e.exitVersion === 2)).toBe(true);
  });

  it.each([
    ['flatten', true],
    ['reduce-only', false],
    ['no-new-entries', false],
  ] as const)('halt %s: no new entry afterwards (flat at the next open: %s)', (mode, flatNext) => {
    const runner = newRunner(undefined, 1500);
    runner.apply(push(1, { fast: 10, slow: 30 }));
    let k = 300;
    feed(runner, bars, 0, k);
    while (runner.position === 0) feed(runner, bars, k, ++k);
    runner.halt(mode, 'test');
    feed(runner, bars, k, k + 1);
    if (flatNext) expect(runner.position).toBe(0);
    const exitsAtHalt = runner.exits.length;
    feed(runner, bars, k + 1, 1500);
    // At most the position held at the halt closes; nothing opens after it.
    expect(runner.exits.length - exitsAtHalt).toBeLessThanOrEqual(1);
    expect(runner.position).toBe(0);
  });

  it('reports each ramp step, the completion, a guardrail rollback and its own halt once, restarts included', () => {
    let clock = 0;
    const options = {
      catalogue: STRATEGIES,
      capacity: 1500,
      heartbeat: { timeoutMs: 30_000, mode: 'no-new-entries' as const },
      now: () => clock,
    };
    const runner = new LiveRunner(options);
    runner.apply(push(1, { fast: 10, slow: 30 }));
    feed(runner, bars, 0, 100);
    const ramp: RampPlan = { steps: [0.1, 0.5, 1], barsPerStep: 5, guardrails: LOOSE };
    runner.apply(push(2, { fast: 4, slow: 12 }, { ramp }));
    feed(runner, bars, 100, 108);
    // A restart mid-ramp (after step 2 was reported) carries the list on and reports nothing twice.
    const restarted = new LiveRunner({ ...options, state: runner.snapshot() });
    expect(restarted.state.changes).toEqual(runner.state.changes);
    feed(restarted, bars, 108, 130);
    const strict: RampPlan = {
      steps: [0.5, 1],
      barsPerStep: 50,
      guardrails: { ...LOOSE, maxDrawdown: 1e-6 },
    };
    restarted.apply(push(3, { fast: 6, slow: 20 }, { ramp: strict }));
    let k = 130;
    while (restarted.state.ramp?.phase !== 'rolled-back' && k < 400) feed(restarted, bars, k, ++k);
    feed(restarted, bars, k, ++k);
    expect(restarted.state.active?.version).toBe(2);
    clock = 31_000;
    feed(restarted, bars, k, k + 1);
    const changes = restarted.state.changes!;
    expect(changes.map((c) => [c.seq, c.id, c.kind, c.version])).toEqual([
      [1, 'change-2:ramp-step:1', 'ramp-step', 2],
      [2, 'change-2:ramp-complete:2', 'ramp-complete', 2],
      [3, 'change-3:rollback:0', 'rollback', 3],
      [4, `change-2:halt:31000`, 'halt', 2],
    ]);
    expect(changes[0]).toMatchObject({ step: 1, budget: 0.5, at: bars.t[104] });
    expect(changes[2].reason).toMatch(/^ramp rolled back to v2: drawdown .* exceeds maxDrawdown/);
    expect(changes[3].reason).toBe('halted (no-new-entries): no heartbeat from the workstation for 31 s');
  });

  it('halts on its own when the workstation stops sending heartbeats', () => {
    let clock = 0;
    const runner = new LiveRunner({
      catalogue: STRATEGIES,
      capacity: 100,
      heartbeat: { timeoutMs: 30_000, mode: 'reduce-only' },
      now: () => clock,
    });
    runner.apply(push(1, { fast: 3, slow: 8 }));
    feed(runner, bars, 0, 10);
    clock = 29_000;
    runner.heartbeat();
    clock = 58_000;
    feed(runner, bars, 10, 11);
    expect(runner.state.halt).toBeNull();
    clock = 60_000;
    feed(runner, bars, 11, 12);
    expect(runner.state.halt).toMatchObject({
      mode: 'reduce-only',
      reason: 'no heartbeat from the workstation for 31 s',
    });
  });
});

describe("LiveRunner: the set's pre-trade limits", () => {
  // Hourly bars: 62 UTC days of them.
  const hourly = randomWalkBars(1500, 41, { volatility: 0.01, stepMs: 3_600_000 });
  const dayOf = (t: number) => Math.floor(t / 86_400_000);
  const limited = (limits: Partial<PreTradeLimits>, policy: PositionPolicy = 'adopt') => {
    const runner = newRunner(undefined, 1500);
    const stops: NonNullable<LiveBotState['dailyLoss']>[] = [];
    const all = { ...LIMITS, ...limits };
    runner.apply(push(1, { fast: 2, slow: 5 }, { limits: all, policy }));
    for (let i = 0; i < 1500; i++) {
      // A keep switch in the middle of a day: both sets' orders count against the one daily cap.
      if (i === 710) runner.apply(push(2, { fast: 3, slow: 7 }, { limits: all, policy }));
      feed(runner, hourly, i, i + 1);
      const stop = runner.state.dailyLoss;
      if (stop != null && stops.at(-1)?.at !== stop.at) stops.push(stop);
    }
    return { runner, stops };
  };

  it('maxDailyLoss: past it (realised + unrealised) no new entries for the rest of the day, then again', () => {
    const { runner, stops } = limited({ maxDailyLoss: 0.01 });
    expect(stops.length).toBeGreaterThan(2);
    expect(stops[0].reason).toMatch(/the day's loss of \d+\.\d\d % .* passed maxDailyLoss 1\.00 % \(v1\)/);
    const entries = runner.fills.filter((f) => f.kind === 'entry');
    for (const stop of stops) {
      expect(entries.filter((f) => f.time > stop.at && dayOf(f.time) === stop.day)).toEqual([]);
      expect(entries.some((f) => dayOf(f.time) > stop.day)).toBe(true);
    }
    // Without the limit the same bars bring entries after those moments.
    const free = limited({ maxDailyLoss: 0.5 }).runner.fills.filter((f) => f.kind === 'entry');
    const after = stops.filter((stop) => free.some((f) => f.time > stop.at && dayOf(f.time) === stop.day));
    expect(after.length).toBeGreaterThan(0);
  });

  it('maxOrdersPerDay counts every order of the day, across a switch of sets', () => {
    // An order fills at the next bar's open: it counts on the day of the bar that sent it. An entry
    // (a reversal's entry half included) may only come from one of the day's first two orders.
    const barOf = new Map(Array.from(hourly.t, (t, i) => [t, i]));
    const ordersBeforeEntries = (fills: readonly { time: number; kind: string }[]) => {
      const sent = new Map<number, Set<number>>();
      const counts: number[] = [];
      for (const f of fills) {
        const day = dayOf(hourly.t[barOf.get(f.time)! - 1]);
        const orders = (sent.get(day) ?? new Set<number>()).add(f.time);
        sent.set(day, orders);
        if (f.kind === 'entry') counts.push(orders.size);
      }
      return counts;
    };
    const capped = limited({ maxOrdersPerDay: 2 }, 'keep').runner;
    expect(Math.max(...ordersBeforeEntries(capped.fills))).toBeLessThanOrEqual(2);
    expect(capped.fills.filter((f) => f.version === 2 && f.kind === 'entry').length).toBeGreaterThan(0);
    expect(Math.max(...ordersBeforeEntries(limited({}, 'keep').runner.fills))).toBeGreaterThan(2);
  });

  it('maxPositionFraction caps an entry sized in units (confluence sizes by risk) at that share of equity', () => {
    const bars = randomWalkBars(1500, 17, { volatility: 0.006 });
    const run = (maxPositionFraction: number) => {
      const runner = newRunner(undefined, 1500);
      const set = { limits: { ...LIMITS, maxPositionFraction }, strategy: 'confluence' as const };
      runner.apply(push(1, defaultParams(STRATEGIES.confluence), set));
      const shares: number[] = [];
      for (let i = 0; i < 1500; i++) {
        const before = runner.position;
        feed(runner, bars, i, i + 1);
        // Sized at the previous close, against the equity marked there.
        if (before === 0 && runner.position !== 0)
          shares.push((Math.abs(runner.position) * bars.c[i - 1]) / runner.equity[i - 1]);
      }
      return shares;
    };
    const capped = run(0.1);
    expect(capped.length).toBeGreaterThan(3);
    for (const share of capped) expect(share).toBeLessThanOrEqual(0.1 + 1e-9);
    expect(Math.max(...run(1))).toBeGreaterThan(0.1);
  });
});

describe('LiveRunner: interpolable parameters during a ramp', () => {
  it('move step by step from the old set to the new one; the others switch at once', () => {
    const seen: StrategyParams[] = [];
    const definition = STRATEGIES.confluence;
    const spy = {
      ...STRATEGIES,
      confluence: {
        ...definition,
        create: (params: StrategyParams) => {
          const strategy = definition.create(params);
          return {
            init: strategy.init.bind(strategy),
            onBar: strategy.onBar.bind(strategy),
            reparameterize: (next: StrategyParams) => {
              seen.push(next);
              strategy.reparameterize(next);
            },
          };
        },
      },
    };
    const confluence = defaultParams(definition);
    const before = { ...confluence, bb_std: 2, confidence_threshold: 0.6, fast_ma_period: 10 };
    const after = { ...confluence, bb_std: 3, confidence_threshold: 0.4, fast_ma_period: 8 };
    const ramp: RampPlan = { steps: [0.25, 0.5, 1], barsPerStep: 50, guardrails: LOOSE };
    const bars = randomWalkBars(600, 7, { volatility: 0.006 });
    const runner = new LiveRunner({ catalogue: spy, capacity: 600 });
    runner.apply(push(1, before, { strategy: 'confluence' }));
    feed(runner, bars, 0, 200);
    runner.apply(push(2, after, { strategy: 'confluence', ramp }));
    feed(runner, bars, 200, 400);
    expect(runner.state.ramp?.phase).toBe('complete');
    const shown = seen.map((p) => [p.bb_std, p.confidence_threshold, p.fast_ma_period]);
    // The switch (reparameterize at full weight, then the first step), 50 bars later the second, then all.
    expect(shown.slice(1)).toEqual([
      [2.25, 0.6 + (0.4 - 0.6) * 0.25, 8],
      [2.5, 0.6 + (0.4 - 0.6) * 0.5, 8],
      [3, 0.4, 8],
    ]);
  });
});
