import { describe, expect, it } from 'vitest';
import type { Bars } from '../data/bars.ts';
import { randomWalkBars } from '../engine/random-walk.ts';
import { defaultParams } from '../strategy-api/params.ts';
import { STRATEGIES } from '../strategy/registry.ts';
import { liveExpectation, type LiveEvidence } from './expectation.ts';
import { PARAMETER_SET_SCHEMA_VERSION, sealParameterSet, type ParameterSet } from './parameterSet.ts';
import type { PositionPolicy } from './modes.ts';
import type { RampPlan } from './ramp.ts';
import { LiveRunner, type LiveFill } from './runner.ts';
import { liveBarAt } from './liveBar.test-util.ts';
import { smaCrossSet } from './manualSet.test-util.ts';
import { buildReports, type ReportBar } from './kit/reports.ts';

const LOOSE = { maxPositionFraction: 1, maxDailyLoss: 0.5, maxOrdersPerDay: 1_000_000 };

const smaSet = (fast: number, slow: number, limits: ParameterSet['limits'] = LOOSE): ParameterSet =>
  smaCrossSet(fast, slow, limits);

interface Scenario {
  readonly evidence: LiveEvidence;
  readonly sets: Map<number, ParameterSet>;
  readonly policies: Map<number, PositionPolicy>;
}

/** A reference-bot run: set v1 from bar 80, v2 from bar 700 (optionally ramped), on simulated fills. */
function run(
  bars: Bars,
  ramp?: RampPlan,
  policy: PositionPolicy = 'adopt',
  switchAt = 700,
  limits: ParameterSet['limits'] = LOOSE,
): Scenario {
  const runner = new LiveRunner({ catalogue: STRATEGIES, capacity: bars.t.length });
  const sets = new Map([
    [1, smaSet(10, 30, limits)],
    [2, smaSet(5, 20, limits)],
  ]);
  const feed = (from: number, to: number) => {
    for (let i = from; i < to; i++) runner.onBar(liveBarAt(bars, i));
  };
  feed(0, 80);
  runner.apply({ changeId: 'c1', version: 1, hash: sets.get(1)!.hash, set: sets.get(1)!, policy: 'adopt' });
  feed(80, switchAt);
  const second = sets.get(2)!;
  runner.apply({ changeId: 'c2', version: 2, hash: second.hash, set: second, policy, ramp });
  feed(switchAt, bars.t.length);
  return {
    evidence: {
      bars,
      versions: runner.versions,
      budgets: runner.budgets,
      equity: runner.equity,
      fills: runner.fills,
    },
    sets,
    policies: new Map([
      [1, 'adopt'],
      [2, policy],
    ]),
  };
}

// Hourly bars: 1,200 of them are 50 days, enough daily returns for a band.
const bars = randomWalkBars(1200, 23, { volatility: 0.006, stepMs: 3_600_000 });

describe('liveExpectation: the bot against a shadow backtest of the bars it saw', () => {
  it.each([
    ['entry', 'buy'],
    ['exit', 'sell'],
  ] as const)(
    'a flatten switch at the bar a v1 %s order waits for cancels it in the bot and in the shadow alike',
    (kind, side) => {
      const steady = run(bars, undefined, 'adopt', bars.t.length);
      const waiting = steady.evidence.fills.find(
        (f) => f.kind === kind && f.side === side && f.time > bars.t[100],
      )!;
      const at = bars.t.indexOf(waiting.time);
      const { evidence, sets, policies } = run(bars, undefined, 'flatten', at);
      // The order v1 sent at the close before the switch never fills: flatten starts v2 from nothing.
      expect(evidence.fills.some((f) => f.time === waiting.time && f.version === 1 && f.kind === kind)).toBe(
        false,
      );
      const { reconciliation } = liveExpectation(evidence, {
        sets,
        policies,
        catalogue: STRATEGIES,
        matchBars: 0,
      });
      expect({ missed: reconciliation.missed, extra: reconciliation.extra }).toEqual({
        missed: [],
        extra: [],
      });
      for (const fill of reconciliation.matched) expect(fill.livePrice).toBe(fill.shadowPrice);
    },
  );

  it('after a guardrail rollback mid-ramp the shadow returns to v1 under the policy the bot used (the rolled-back push’s)', () => {
    const strict: RampPlan = {
      steps: [0.25, 0.5, 1],
      barsPerStep: 200,
      guardrails: { maxDrawdown: 0.0005, maxLoss: 0.9, maxSlippageBps: 10_000 },
    };
    const { evidence, sets, policies } = run(bars, strict, 'keep');
    const back = Array.from(evidence.versions).findIndex((v, i) => i > 700 && v === 1);
    expect(back).toBeGreaterThan(700);
    const { reconciliation } = liveExpectation(evidence, {
      sets,
      policies,
      catalogue: STRATEGIES,
      matchBars: 0,
    });
    expect({ missed: reconciliation.missed, extra: reconciliation.extra }).toEqual({ missed: [], extra: [] });
  });

  it('on simulated fills every live fill matches the shadow, at the same price, and equity follows it', () => {
    const { evidence, sets } = run(bars);
    const result = liveExpectation(evidence, { sets, catalogue: STRATEGIES });
    expect(result.from).toBe(80);
    expect(result.bars).toBe(bars.t.length - 80);
    expect(evidence.fills.length).toBeGreaterThan(10);
    expect(result.reconciliation.matched).toHaveLength(
      evidence.fills.filter((f) => f.time >= bars.t[80]).length,
    );
    expect(result.reconciliation.missed).toEqual([]);
    expect(result.reconciliation.extra).toEqual([]);
    expect(result.reconciliation.meanSlippageBps).toBeCloseTo(0, 9);
    for (const point of result.equity) expect(point.live).toBeCloseTo(point.expected, 6);
    expect(result.bands.dailyReturn.inside).toBe(true);
    expect(result.bands.dailyReturn.high).toBeGreaterThan(result.bands.dailyReturn.low);
    expect(result.bands.tradeRate.inside).toBe(true);
    expect(result.bands.winRate.inside).toBe(true);
  });

  it("keeps the bot's daily order cap: a capped day's refused entries are not expected of the bot", () => {
    const capped = { ...LOOSE, maxOrdersPerDay: 1 };
    const { evidence, sets } = run(bars, undefined, 'adopt', 700, capped);
    const free = run(bars).evidence.fills.filter((f) => f.time >= bars.t[80]);
    const fills = evidence.fills.filter((f) => f.time >= bars.t[80]);
    // The cap bites: the bot traded less than it does uncapped.
    expect(fills.length).toBeLessThan(free.length);
    const { reconciliation } = liveExpectation(evidence, { sets, catalogue: STRATEGIES, matchBars: 0 });
    expect({ missed: reconciliation.missed, extra: reconciliation.extra }).toEqual({ missed: [], extra: [] });
    expect(reconciliation.matched).toHaveLength(fills.length);
  });

  it('names a missed fill, an extra fill and the slippage of a worse live price', () => {
    const { evidence, sets } = run(bars);
    const fills = evidence.fills.filter((f) => f.time >= bars.t[80]);
    const worse: LiveFill = {
      ...fills[2],
      price: fills[2].price * (fills[2].side === 'buy' ? 1.001 : 0.999),
    };
    const invented: LiveFill = { ...fills[0], time: bars.t[1100], kind: 'entry', side: 'sell' };
    const altered = [...fills.slice(0, 2), worse, ...fills.slice(4), invented];
    const result = liveExpectation({ ...evidence, fills: altered }, { sets, catalogue: STRATEGIES });
    expect(result.reconciliation.missed).toHaveLength(1);
    expect(result.reconciliation.missed[0].time).toBe(fills[3].time);
    expect(result.reconciliation.extra).toEqual([invented]);
    const slipped = result.reconciliation.matched.find(
      (m) => m.liveTime === worse.time && m.kind === worse.kind,
    );
    expect(slipped?.slippageBps).toBeCloseTo(10, 6);
  });

  it('a ramped version: the shadow trades the budget the bot reported, so equity and bands scale with it', () => {
    // Stuck at a tenth of the budget from bar 700 on: the bot makes a tenth of the moves.
    const ramp: RampPlan = {
      steps: [0.1, 1],
      barsPerStep: 100_000,
      guardrails: { maxDrawdown: 0.9, maxLoss: 0.9, maxSlippageBps: 10_000 },
    };
    const { evidence, sets } = run(bars, ramp);
    const result = liveExpectation(evidence, { sets, catalogue: STRATEGIES });
    expect(result.reconciliation.missed).toEqual([]);
    expect(result.reconciliation.extra).toEqual([]);
    for (const point of result.equity) expect(point.live).toBeCloseTo(point.expected, 6);
    const { dailyReturn, tradeRate, winRate } = result.bands;
    expect(dailyReturn.expected).toBeCloseTo(dailyReturn.live!, 12);
    expect(dailyReturn.inside && tradeRate.inside && winRate.inside).toBe(true);
    expect(tradeRate.live).toBe(tradeRate.expected);

    // A bot that does not report its budget is compared with a full-budget shadow: equity parts ways.
    const unscaled = liveExpectation({ ...evidence, budgets: undefined }, { sets, catalogue: STRATEGIES });
    const ramped = unscaled.equity.filter((p) => p.time > bars.t[700]);
    expect(ramped.some((p) => Math.abs(p.live - p.expected) > 1e-3 * p.expected)).toBe(true);
    expect(Math.abs(unscaled.bands.dailyReturn.expected - dailyReturn.expected)).toBeGreaterThan(1e-5);
  });

  it('keep: the old set still decides the exit of its position in the shadow too, so nothing is missed or extra', () => {
    const { evidence, sets, policies } = run(bars, undefined, 'keep');
    const kept = evidence.fills.filter((f) => f.kind === 'exit' && f.time > bars.t[700] && f.version === 1);
    expect(kept.length).toBeGreaterThan(0);
    const result = liveExpectation(evidence, { sets, policies, catalogue: STRATEGIES });
    expect(result.reconciliation.missed).toEqual([]);
    expect(result.reconciliation.extra).toEqual([]);
    expect(result.reconciliation.matched).toHaveLength(
      evidence.fills.filter((f) => f.time >= bars.t[80]).length,
    );
    for (const point of result.equity) expect(point.live).toBeCloseTo(point.expected, 6);
    // Read as adopt (the new parameters deciding that exit), the same run shows a mismatch.
    const adopted = liveExpectation(evidence, { sets, catalogue: STRATEGIES });
    const { missed, extra } = adopted.reconciliation;
    expect(missed.length + extra.length).toBeGreaterThan(0);
  });

  it('stops the shadow at a version it has no set for, and compares nothing before the first set', () => {
    const { evidence, sets } = run(bars);
    const result = liveExpectation(evidence, { sets: new Map([[1, sets.get(1)!]]), catalogue: STRATEGIES });
    expect(result.bars).toBe(700 - 80);
    const none = liveExpectation(
      { ...evidence, versions: new Int32Array(bars.t.length) },
      { sets, catalogue: STRATEGIES },
    );
    expect(none.from).toBeNull();
    expect(none.reconciliation.matched).toEqual([]);
  });

  it('gives no daily-return verdict on less than two days of bars', () => {
    const minutes = randomWalkBars(1200, 23, { volatility: 0.006 });
    const { evidence, sets } = run(minutes);
    expect(liveExpectation(evidence, { sets, catalogue: STRATEGIES }).bands.dailyReturn.inside).toBeNull();
  });

  it('ADWIN flags live returns that change regime, and not the same bars without the change', () => {
    const { evidence, sets } = run(bars);
    const steady = liveExpectation(evidence, { sets, catalogue: STRATEGIES });
    const equity = Float64Array.from(evidence.equity);
    // From bar 900 the bot loses 1 % a bar: a drift no backtest band would have to wait days for.
    for (let i = 900; i < equity.length; i++) equity[i] = equity[i - 1] * 0.99;
    const drifting = liveExpectation({ ...evidence, equity }, { sets, catalogue: STRATEGIES });
    expect(steady.drift.detectedAt).toBeNull();
    expect(drifting.drift.detectedAt).not.toBeNull();
    expect(drifting.drift.detectedAt!).toBeGreaterThan(bars.t[900]);
    expect(drifting.bands.dailyReturn.inside).toBe(false);
  });
});

describe('liveExpectation: a ramp that moves interpolable parameters', () => {
  it('the shadow steps them as the bot did: every fill matched', () => {
    const base = defaultParams(STRATEGIES.confluence);
    const set = (overrides: Record<string, number>) =>
      sealParameterSet({
        schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
        strategy: { name: 'confluence', version: STRATEGIES.confluence.version },
        parameters: { ...base, ...overrides },
        limits: { maxPositionFraction: 1, maxDailyLoss: 0.5, maxOrdersPerDay: 1_000_000 },
        provenance: { kind: 'manual', note: 'test', engineVersion: 'test' },
      });
    const sets = new Map([
      [1, set({ confidence_threshold: 0.8, bb_std: 1.5 })],
      [2, set({ confidence_threshold: 0.4, bb_std: 2.5 })],
    ]);
    const ramp: RampPlan = {
      steps: [0.25, 0.5, 0.75, 1],
      barsPerStep: 100,
      guardrails: { maxDrawdown: 0.9, maxLoss: 0.9, maxSlippageBps: 10_000 },
    };
    const runner = new LiveRunner({ catalogue: STRATEGIES, capacity: bars.t.length });
    const feed = (from: number, to: number) => {
      for (let i = from; i < to; i++) runner.onBar(liveBarAt(bars, i));
    };
    runner.apply({ changeId: 'c1', version: 1, hash: sets.get(1)!.hash, set: sets.get(1)!, policy: 'adopt' });
    feed(0, 300);
    const second = sets.get(2)!;
    runner.apply({ changeId: 'c2', version: 2, hash: second.hash, set: second, policy: 'adopt', ramp });
    feed(300, bars.t.length);
    const evidence: LiveEvidence = {
      bars,
      versions: runner.versions,
      budgets: runner.budgets,
      equity: runner.equity,
      fills: runner.fills,
    };
    const inRamp = runner.fills.filter((f) => f.time > bars.t[300] && f.time < bars.t[700]);
    expect(inRamp.length).toBeGreaterThan(3);
    const result = liveExpectation(evidence, { sets, catalogue: STRATEGIES });
    expect(result.reconciliation.missed).toEqual([]);
    expect(result.reconciliation.extra).toEqual([]);
    for (const point of result.equity) expect(point.live).toBeCloseTo(point.expected, 6);
  });
});

describe('liveExpectation after bars the bot never sent', () => {
  it('resumes from the bot’s position at the gap: a replay that dropped bars mid-position reconciles fill for fill', () => {
    // The buffer keeps 300 bars: read after all 1,200, the bot's reports start at bar 900, mid-position.
    const runner = new LiveRunner({ catalogue: STRATEGIES, capacity: 300 });
    const set = smaSet(10, 30);
    runner.apply({ changeId: 'c1', version: 1, hash: set.hash, set, policy: 'adopt' });
    for (let i = 0; i < bars.t.length; i++) runner.onBar(liveBarAt(bars, i));
    expect(runner.bufferStart).toBeGreaterThan(0);
    expectResumed(runner, set, 0);
  });

  it('resumes a bot restarted mid-position, whose reports give the bars it warmed up on as version 0', () => {
    const set = smaSet(10, 30);
    const before = new LiveRunner({ catalogue: STRATEGIES, capacity: bars.t.length });
    before.apply({ changeId: 'c1', version: 1, hash: set.hash, set, policy: 'adopt' });
    for (let i = 0; i < 600; i++) before.onBar(liveBarAt(bars, i));
    const runner = new LiveRunner({
      catalogue: STRATEGIES,
      capacity: bars.t.length,
      state: before.snapshot(),
    });
    runner.warmUp(bars, 600);
    for (let i = 600; i < bars.t.length; i++) runner.onBar(liveBarAt(bars, i));
    expect(runner.positions[599]).not.toBe(0);
    expectResumed(runner, set, 600);
  });
});

/**
 * The bot's reports from 0, as a watcher seeing it for the first time reads them: the shadow takes the
 * bot's position at the first bar it compares (`from`) and matches every later fill, and equity follows;
 * started flat beside a bot that was not, it reports trades the bot never missed.
 */
function expectResumed(runner: LiveRunner, set: ParameterSet, from: number): void {
  const page = buildReports(runner, runner.fillRecord, 0, 0);
  const column = (pick: (bar: ReportBar) => number) => Float64Array.from(page.bars, pick);
  const evidence: LiveEvidence = {
    bars: {
      t: column((b) => b.time),
      o: column((b) => b.o),
      h: column((b) => b.h),
      l: column((b) => b.l),
      c: column((b) => b.c),
      v: column((b) => b.v),
    },
    versions: column((b) => b.version),
    budgets: column((b) => b.budget),
    equity: page.equity.map((p) => p.equity),
    fills: page.fills,
    positions: column((b) => b.position!),
    afterGap: page.firstBar > 0,
  };
  const options = { sets: new Map([[1, set]]), catalogue: STRATEGIES, matchBars: 0 };
  const resumed = liveExpectation(evidence, options);
  expect(resumed.from).toBeGreaterThanOrEqual(from);
  expect(evidence.positions![resumed.from!]).not.toBe(0);
  const { missed, extra, matched } = resumed.reconciliation;
  expect({ missed, extra }).toEqual({ missed: [], extra: [] });
  expect(matched.length).toBeGreaterThan(10);
  for (const point of resumed.equity) expect(point.expected).toBeCloseTo(point.live, 6);

  const flat = liveExpectation({ ...evidence, positions: undefined, afterGap: false }, options);
  expect(flat.reconciliation.missed.length + flat.reconciliation.extra.length).toBeGreaterThan(0);
}
