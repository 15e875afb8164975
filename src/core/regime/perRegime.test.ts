import { describe, expect, it } from 'vitest';
import { runBacktest } from '../engine/backtest.ts';
import { barsFrom } from '../engine/test-helpers.test-util.ts';
import { annualizationOf, computeMetrics } from '../metrics/metrics.ts';
import { resolvePeriodicity } from '../metrics/periods.ts';
import { createSpace, intParam } from '../optimize/space.ts';
import { STRATEGIES } from '../strategy/registry.ts';
import { NO_LABEL } from './labels.ts';
import {
  metricsByRegime,
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
    const { regimes, all } = scoreByRegime(run, schedule, { periodsPerYear: 252 });
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

    // A study's metrics on the same bars: regime 2 compounds bars 3 and 4 alone, from a unit of wealth.
    const metrics = metricsByRegime(run, bars.t, schedule);
    expect(metrics[2]!.totalReturn).toBeCloseTo(regimes[2]!.totalReturn, 12);
    expect(metrics[2]!.maxDrawdown).toBeCloseTo(Math.min(0, r[3]!, (1 + r[3]!) * (1 + r[4]!) - 1), 12);
    expect(metrics[0]!.totalReturn).toBeCloseTo(regimes[0]!.totalReturn, 12);
    expect(metrics[3]!.totalReturn).toBeCloseTo(all.totalReturn, 12);
    expect(metrics[1]!.numTrades).toBe(0);
  });

  it("measures a regime's Sharpe ratio over the risk-free rate, as a backtest's is", () => {
    const closes = [100, 101, 100.5, 102, 103.5, 103, 105, 104.2, 106];
    const bars = barsFrom(closes.map((c, i) => [i === 0 ? 100 : closes[i - 1]!, 200, 1, c, 1000] as const));
    const run = runBacktest(
      bars,
      STRATEGIES['buy-and-hold'],
      {},
      { cash: 1e6, commission: { kind: 'none' } },
    );
    const schedule = Int8Array.from([_, 0, 0, 0, 0, 0, 0, 0, 0]);
    const returns = Array.from(run.equity, (e, i) => (i === 0 ? 0 : e / run.equity[i - 1]! - 1)).slice(2);
    const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
    const sd = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1));
    const perBar = Math.pow(1.04, 1 / 252) - 1;
    const atRate = scoreByRegime(run, schedule, { periodsPerYear: 252, riskFreeRate: 0.04 });
    expect(atRate.regimes[0]!.sharpeRatio).toBeCloseTo(((mean - perBar) / sd) * Math.sqrt(252), 12);
    expect(atRate.regimes[0]!.sharpeRatio).toBeLessThan(
      scoreByRegime(run, schedule, { periodsPerYear: 252 }).regimes[0]!.sharpeRatio,
    );
    // The regime's own metrics: its bars compounded from a unit of wealth, annualised as the whole series.
    const metrics = metricsByRegime(run, bars.t, schedule, run.startIndex, 0.04);
    let wealth = 1;
    const whole = computeMetrics({
      t: bars.t.slice(2),
      equity: Float64Array.from(returns, (r) => (wealth *= 1 + r)),
      initialCash: 1,
      trades: run.trades,
      periodicity: resolvePeriodicity(bars.t),
      periodsPerYear: annualizationOf(bars.t).periodsPerYear,
      riskFreeRate: 0.04,
    });
    expect(metrics[0]!.sharpeRatio).toBeCloseTo(whole.sharpeRatio, 12);
    expect(metrics[0]!.sortinoRatio).toBeCloseTo(whole.sortinoRatio, 12);
    expect(metrics[0]!.sharpeRatio).not.toBeCloseTo(
      metricsByRegime(run, bars.t, schedule)[0]!.sharpeRatio,
      6,
    );
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

  it('a regime whose own best does not beat the global set on its bars trades the global set', () => {
    // Regime 2: trial 20 is the best with 30 trades (0.6), but the global set did better there (0.8, 12 trades).
    const planted = [
      scores(
        10,
        [
          [0.5, 40],
          [0.9, 40],
          [0.8, 12],
        ],
        1.1,
      ),
      scores(
        20,
        [
          [0.7, 40],
          [0.1, 40],
          [0.6, 31],
        ],
        0.4,
      ),
    ];
    const selection = selectRegimeSets(planted);
    expect(selection.regimes.map((r) => [r.params.fast, r.fellBack, r.reason])).toEqual([
      [20, false, null],
      [10, false, null],
      [10, true, 'own set not better than global (0.6 vs 0.8)'],
    ]);
    expect(selection.regimes[2]!.score.sharpeRatio).toBe(0.8);
  });

  it("judges by a study's objective in its direction, with the study's winner as the global set", () => {
    // A drawdown-minimising study: the objective's values (|max drawdown|) disagree with the Sharpe ratios.
    const drawdowns = [
      [0.3, [0.1, 0.2, 0.5]],
      [0.2, [0.3, 0.35, 0.4]],
      [0.25, [0.05, 0.3, 0.1]],
    ] as const;
    const judged = trials.map((trial, k) => ({
      ...trial,
      objective: { all: drawdowns[k]![0], regimes: drawdowns[k]![1] },
    }));
    const objective = {
      objectives: [{ metric: 'maxDrawdown', direction: 'minimize', absolute: true }],
      mode: 'single',
    } as const;
    const bySharpe = selectRegimeSets(judged, { minTrades: 0 });
    const byDrawdown = selectRegimeSets(judged, { minTrades: 0, objective });
    expect(bySharpe.global.params.fast).toBe(10);
    // The shallowest drawdown over all bars is trial 10's too; per regime the shallowest there.
    expect(byDrawdown.global.params.fast).toBe(10);
    expect(bySharpe.regimes.map((r) => r.params.fast)).toEqual([5, 20, 10]);
    expect(byDrawdown.regimes.map((r) => [r.params.fast, r.reason])).toEqual([
      [20, null],
      [5, null],
      [20, null],
    ]);
    // A study's winner is the global set whatever the scores over all bars (trial 20 here, as a plateau
    // centre could be). With 11 trades needed, regime 1's only candidate (trial 10, 0.35) is no shallower.
    const given = selectRegimeSets(judged, { minTrades: 11, objective, global: 2 });
    expect(given.global.params.fast).toBe(20);
    expect(given.regimes.map((r) => [r.params.fast, r.fellBack, r.reason])).toEqual([
      [20, false, null],
      [20, true, 'own set not better than global (0.35 vs 0.3)'],
      [20, false, null],
    ]);
    expect(() => selectRegimeSets(trials, { objective })).toThrow(/not scored by the study objective/);
    expect(() => selectRegimeSets(judged, { objective, global: 3 })).toThrow(/global set #3 is not among 3/);
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
