import { describe, expect, it } from 'vitest';
import { runBacktest } from '../engine/backtest.ts';
import { barsFrom } from '../engine/test-helpers.test-util.ts';
import { createSpace, intParam } from '../optimize/space.ts';
import { STRATEGIES } from '../strategy/registry.ts';
import { NO_LABEL } from './labels.ts';
import {
  sampleCandidates,
  scoreByRegime,
  selectRegimeSets,
  type CandidateScores,
  type RegimeScore,
} from './perRegime.ts';

const _ = NO_LABEL;

describe('per-regime scores of a trial', () => {
  it('a bar return belongs to the regime in force at the bar before; warm-up bars to no regime', () => {
    // Buy-and-hold enters at bar 1's open (100) and holds: equity follows the closes from bar 1 on.
    const closes = [100, 110, 99, 99, 108.9, 98.01];
    const bars = barsFrom(closes.map((c, i) => [i === 0 ? 100 : closes[i - 1]!, 200, 1, c, 1000] as const));
    const run = runBacktest(
      bars,
      STRATEGIES['buy-and-hold'],
      {},
      { cash: 1e6, commission: { kind: 'none' } },
    );
    const schedule = Int8Array.from([_, 0, 2, 2, 0, 0]);
    const { regimes, all } = scoreByRegime(run, schedule, 252);
    const r = Array.from(run.equity, (e, i) => (i === 0 ? 0 : e / run.equity[i - 1]! - 1));
    // Bar i's return goes to schedule[i - 1]: bar 1 to none, bars 2 and 5 to 0, bars 3 and 4 to 2.
    expect(regimes[0]!.bars).toBe(2);
    expect(regimes[0]!.totalReturn).toBeCloseTo((1 + r[2]!) * (1 + r[5]!) - 1, 12);
    expect(regimes[2]!.bars).toBe(2);
    expect(regimes[2]!.totalReturn).toBeCloseTo((1 + r[3]!) * (1 + r[4]!) - 1, 12);
    expect(regimes[1]!.bars).toBe(0);
    expect(regimes[1]!.sharpeRatio).toBeNaN();
    expect(all.bars).toBe(5);
    expect(all.totalReturn).toBeCloseTo(run.equity[5]! / run.equity[0]! - 1, 12);
  });
});

function scores(
  params: number,
  regimes: readonly (readonly [sharpe: number, trades: number])[],
  all: number,
) {
  const score = (sharpeRatio: number, trades: number): RegimeScore => ({
    bars: 100,
    sharpeRatio,
    // Opposite to the Sharpe ratio, so the two rankings disagree.
    totalReturn: -sharpeRatio / 10,
    trades,
    winRate: 0.5,
  });
  return {
    params: { fast: params, slow: params * 3 },
    startIndex: params * 3,
    all: score(all, 90),
    regimes: regimes.map(([s, t]) => score(s, t)),
  } satisfies CandidateScores;
}

describe('selecting one set per regime', () => {
  const trials = [
    scores(
      5,
      [
        [1.5, 40],
        [0.2, 10],
        [-1, 40],
      ],
      0.9,
    ),
    scores(
      10,
      [
        [0.5, 40],
        [0.9, 12],
        [0.8, 35],
      ],
      1.1,
    ),
    scores(
      20,
      [
        [0.1, 40],
        [2.0, 5],
        [0.3, 31],
      ],
      0.4,
    ),
  ];

  it('each regime takes its best trial among those with enough trades; too little evidence falls back to the global winner', () => {
    const selection = selectRegimeSets(trials);
    expect(selection.global.params).toEqual({ fast: 10, slow: 30 });
    expect(selection.regimes.map((r) => [r.params.fast, r.fellBack])).toEqual([
      [5, false],
      [10, true],
      [10, false],
    ]);
    expect(selection.regimes[1]!.reason).toBe('at most 12 trades in the regime in training (fewer than 30)');
    // Three regimes and the global fallback each chose among the three trials.
    expect(selection.trialCount).toBe(12);
  });

  it('the evidence threshold is configurable', () => {
    const selection = selectRegimeSets(trials, { minTrades: 5 });
    expect(selection.regimes.map((r) => [r.params.fast, r.fellBack])).toEqual([
      [5, false],
      [20, false],
      [10, false],
    ]);
    expect(() => selectRegimeSets(trials, { minTrades: -1 })).toThrow(/minTrades must be an integer >= 0/);
  });

  it('ranks by total return when asked', () => {
    const selection = selectRegimeSets(trials, { metric: 'totalReturn', minTrades: 0 });
    expect(selection.regimes.map((r) => r.params.fast)).toEqual([20, 5, 5]);
  });
});

describe('candidates', () => {
  it('a grid study proposes every feasible point once, as numbers', () => {
    const space = createSpace(
      [intParam('fast', 2, 6, { step: 2 }), intParam('slow', 4, 8, { step: 2 })],
      ['fast<slow'],
    );
    const candidates = sampleCandidates(space, { kind: 'grid' }, 100, 1);
    expect(candidates.map((p) => `${p.fast}/${p.slow}`).sort()).toEqual(
      ['2/4', '2/6', '2/8', '4/6', '4/8', '6/8'].sort(),
    );
    expect(sampleCandidates(space, { kind: 'random' }, 4, 7)).toHaveLength(4);
  });
});
