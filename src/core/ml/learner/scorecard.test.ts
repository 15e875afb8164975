import { describe, expect, it } from 'vitest';
import { sliceBars, type Bars } from '../../data/bars.ts';
import { randomWalkBars } from '../../engine/random-walk.ts';
import { createSpace, intParam } from '../../optimize/space.ts';
import { compareRegimeAware } from '../../regime/compare.ts';
import { createDetector } from '../../regime/index.ts';
import { sampleCandidates } from '../../regime/perRegime.ts';
import { STRATEGIES } from '../../strategy/registry.ts';
import { plantedPanel } from './planted.test-util.ts';
import { ranksBetterThanChance } from './prequential.ts';
import {
  computeScorecard,
  goalChecks,
  learnerDecisions,
  pathStability,
  SCORECARD_PARTS,
  type PolicyName,
  type Scorecard,
  type ScorecardOptions,
  type ScorecardPart,
  type ScorecardPolicy,
} from './scorecard.ts';

const space = createSpace(
  [intParam('fast', 5, 15, { step: 5 }), intParam('slow', 20, 60, { step: 20 })],
  ['fast<slow'],
);
const options: ScorecardOptions = {
  strategy: 'sma-cross',
  space,
  trials: 8,
  seed: 3,
  timeframe: '1d',
  createDetector: () => createDetector('rules', '1d'),
  axis: 'volatility',
  backtest: { commission: { kind: 'percent', rate: 0.0005 } },
  windowBars: 21,
  threshold: 0,
  minTrades: 5,
};

function perturbFrom(bars: Bars, from: number): Bars {
  const scale = (column: Float64Array): Float64Array =>
    column.map((x, i) => (i < from ? x : x * (1 + 0.05 * Math.sin(i))));
  return { ...bars, o: scale(bars.o), h: scale(bars.h), l: scale(bars.l), c: scale(bars.c) };
}

describe('the scorecard (issue 12 item 10)', () => {
  const bars = randomWalkBars(1500, 5, { volatility: 0.012, stepMs: 86_400_000 });
  let computed: Scorecard | undefined;
  const steps: [ScorecardPart, number, number][] = [];
  const base = (): Scorecard =>
    (computed ??= computeScorecard(bars, {
      ...options,
      onProgress: (part, done, total) => steps.push([part, done, total]),
    }));
  /** regimes compare's two policies on the scorecard's trials and windows. */
  const sameComparison = (card: Scorecard, riskFreeRate = 0) =>
    compareRegimeAware(bars, {
      definition: STRATEGIES['sma-cross'],
      candidates: sampleCandidates(space, { kind: 'random' }, 8, 3),
      createDetector: options.createDetector,
      axis: 'volatility',
      backtest: options.backtest,
      riskFreeRate,
      train: card.train,
      test: card.test,
      step: card.test,
      purge: card.purge,
      minTrades: 5,
    });

  it('walks the four policies over the same windows, the optimised and regime-aware ones as regimes compare does', () => {
    const card = base();
    expect(card.windows).toBe(card.decisions.length);
    expect(card.test % card.windowBars).toBe(0);
    expect(card.train).toBe(3 * card.purge);
    const comparison = sameComparison(card);
    expect(card.policies.optimised.sharpeRatio).toBe(comparison.global.sharpeRatio);
    expect(card.policies.regimeAware.maxDrawdown).toBe(comparison.regimeAware.maxDrawdown);
    // Every trial of every policy is counted: the default set, 8 candidates and the regime-aware selections.
    expect(card.trialCount).toBe(1 + 8 + comparison.regimeAware.trialCount);
    for (const name of ['default', 'optimised', 'regimeAware', 'learner'] as const) {
      expect(card.policies[name].trialCount).toBe(card.trialCount);
      expect(Number.isFinite(card.policies[name].sharpeRatio)).toBe(true);
    }
    // The optimised policy's deflated Sharpe counts more trials here than in the comparison alone.
    expect(card.policies.optimised.deflatedSharpe).toBeLessThanOrEqual(comparison.global.deflatedSharpe);
    expect(card.policies.default.stability).toBe(1);
    // With a threshold of 0 the learner follows its best prediction wherever a learner window opens and
    // its ranking so far beats chance: on a random walk it never does, so it keeps the default set.
    const opened = card.decisions.filter((d) => d.predicted !== null);
    expect(opened.length).toBeGreaterThan(0);
    for (const d of opened) expect(d.action).toBe(ranksBetterThanChance(d.skill) ? 'switch' : 'keep');
    expect(card.decisions.every((d) => d.action === 'keep')).toBe(true);
    expect(card.policies.learner.sharpeRatio).toBe(card.policies.default.sharpeRatio);
    expect(card.prediction.predictions).toBeGreaterThan(0);
    expect(card.goals.map((g) => g.goal)).toEqual([
      'sharpe',
      'drawdown',
      'winRate',
      'predictionAccuracy',
      'stability',
    ]);
  });

  it('says how far it has got: each part as it starts, in order, then its windows one by one', () => {
    const card = base();
    const windows = (part: ScorecardPart): [ScorecardPart, number, number][] =>
      Array.from({ length: card.windows + 1 }, (_, k) => [part, k, card.windows]);
    expect(card.windows).toBeGreaterThanOrEqual(2);
    // The learner's part counts the panel's windows, each as its predictions are made (after warm-up).
    const learner = steps.filter(([part]) => part === 'learner');
    const panelWindows = learner[0]![2];
    expect(panelWindows).toBeGreaterThan(card.windows);
    expect(learner[0]).toEqual(['learner', 0, panelWindows]);
    expect(learner.at(-1)).toEqual(['learner', panelWindows, panelWindows]);
    const counts = learner.map(([, done]) => done);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(steps.filter(([part]) => part !== 'learner')).toEqual([
      ['study', 0, 0],
      ...windows('optimised'),
      ['overfitting', 0, 0],
      ['panel', 0, 0],
      ...windows('test'),
    ]);
    expect(steps.findIndex(([part]) => part === 'learner')).toBe(
      steps.findIndex(([part]) => part === 'panel') + 1,
    );
    expect([...new Set(steps.map(([part]) => part))]).toEqual([...SCORECARD_PARTS]);
  });

  it("learns causally: a test window's recommendation is the same whatever the bars after it opens", () => {
    const card = base();
    const second = card.decisions[1]!;
    const from = bars.t.indexOf(second.testStartTime);
    const changed = computeScorecard(perturbFrom(bars, from), options);
    expect(changed.decisions[1]!.params).toEqual(second.params);
    expect(changed.decisions[1]!.predicted).toEqual(second.predicted);
    expect(changed.decisions[1]!.skill).toEqual(second.skill);
    // The perturbation does reach the later windows' outcomes, so the comparison above could fail.
    expect(changed.policies.learner.sharpeRatio).not.toBe(card.policies.learner.sharpeRatio);
  });

  it('measures every Sharpe ratio over the risk-free rate given, as regimes compare and a backtest do', () => {
    const card = base();
    const riskFreeRate = 0.04;
    const atFour = computeScorecard(bars, { ...options, riskFreeRate });
    const comparison = sameComparison(card, riskFreeRate);
    expect(atFour.policies.optimised.sharpeRatio).toBe(comparison.global.sharpeRatio);
    expect(atFour.policies.regimeAware.sharpeRatio).toBe(comparison.regimeAware.sharpeRatio);
    for (const name of ['default', 'optimised', 'regimeAware'] as const) {
      expect(atFour.policies[name].sharpeRatio).toBeLessThan(card.policies[name].sharpeRatio);
      expect(atFour.policies[name].deflatedSharpe).toBeLessThan(card.policies[name].deflatedSharpe);
    }
    // The learner's own target, each window's score, is over the rate too: it predicts other scores
    // (and may pick other sets, so its policy's Sharpe is not simply lower).
    const predicted = (c: typeof card) => c.decisions.map((d) => d.predicted?.score ?? null);
    expect(predicted(atFour)).not.toEqual(predicted(card));
  });

  it('keeps the set in force below the confidence threshold (the default parameters at first)', () => {
    const card = computeScorecard(bars, { ...options, threshold: 1.01 });
    expect(card.decisions.every((d) => d.action === 'keep')).toBe(true);
    expect(card.policies.learner.sharpeRatio).toBe(card.policies.default.sharpeRatio);
    expect(card.policies.learner.stability).toBe(1);
  });

  it('refuses too few bars saying what they fall short of: the train window, or five learner windows after it', () => {
    const { train, purge } = base();
    expect(() => computeScorecard(sliceBars(bars, 0, train - 1), options)).toThrow(
      `scorecard: ${train - 1} bars are fewer than its train window alone, ${train} bars (three purge gaps of ${purge}`,
    );
    expect(() => computeScorecard(sliceBars(bars, 0, train + 5 * 21 - 1), options)).toThrow(
      `scorecard: ${train + 104} bars leave 104 after a train window of ${train} (three purge gaps of ${purge}), ` +
        'fewer than five learner windows of 21 bars: give more bars or a smaller window',
    );
  });
});

describe("the learner policy acts as the product's recommendation does", () => {
  // Test windows open every tenth panel window (a planted window k spans bars 10k + 1 to 10k + 11).
  const tests = [10, 20, 30, 40, 50].map((k) => ({ start: 10 * k + 1, startTime: k }));
  const policy = { threshold: 0, seed: 1, initial: { a: -1, b: -1 } };

  it('never switches on a learner that ranks at chance, however confident', () => {
    const { decisions, prequential } = learnerDecisions(plantedPanel(0), tests, policy);
    expect(Math.abs(prequential.rank.t)).toBeLessThan(2);
    for (const d of decisions) {
      // At a threshold of 0 the confidence alone would switch at every window.
      expect(d.predicted).not.toBeNull();
      expect(ranksBetterThanChance(d.skill)).toBe(false);
      expect(d.action).toBe('keep');
      expect(d.reason).toMatch(/^the learner ranks sets (no|worse) (better )?than chance out of sample/);
      expect(d.params).toEqual(policy.initial);
    }
  });

  it('switches on a learner that ranks well, once its windows so far show it, and only to another set', () => {
    const { decisions } = learnerDecisions(plantedPanel(1), tests, policy);
    let inForce: Readonly<Record<string, number>> = policy.initial;
    for (const d of decisions) {
      expect(d.skill.mean).toBeGreaterThan(0.5);
      expect(d.skill.t).toBeGreaterThan(2);
      // The planted best set: the highest 2a - b of the panel's sets.
      expect(d.params).not.toEqual(policy.initial);
      // A switch is a change of parameters: the learner's choice equal to the set in force keeps it.
      if (JSON.stringify(d.params) === JSON.stringify(inForce)) {
        expect(d.action).toBe('keep');
        expect(d.reason).toBe("the learner's choice is the set in force");
      } else {
        expect(d.action).toBe('switch');
        expect(d.reason).toBeNull();
      }
      inForce = d.params;
    }
    // The planted best set is the same every window: one switch away from the initial set, then keeps.
    expect(decisions.map((d) => d.action)).toEqual(['switch', 'keep', 'keep', 'keep', 'keep']);
    // The confidence gate still holds: above every confidence, nothing switches.
    const strict = learnerDecisions(plantedPanel(1), tests, { ...policy, threshold: 1.01 });
    expect(strict.decisions.every((d) => d.action === 'keep')).toBe(true);
    for (const d of strict.decisions)
      expect(d.reason).toMatch(/^confidence \d\.\d\d is below the threshold 1\.01$/);
  });

  it("reads a test window's skill only from the windows closed before it opens", () => {
    const panel = plantedPanel(1);
    const { decisions, prequential } = learnerDecisions(panel, tests, policy);
    // Windows 5 to k - 1 are scored (five of warm-up) and closed by window k's start.
    expect(decisions.map((d) => d.skill.windows)).toEqual([5, 15, 25, 35, 45]);
    // Scrambling every result from window 30 on changes no skill (nor decision) before it, and changes
    // the skill after it, so the comparison could fail.
    const scrambled = panel.map((w) =>
      w.index < 30
        ? w
        : { ...w, rows: w.rows.map((r, j) => ({ ...r, score: w.rows[(j * 7) % w.rows.length]!.score })) },
    );
    const after = learnerDecisions(scrambled, tests, policy);
    expect(after.decisions.slice(0, 3)).toEqual(decisions.slice(0, 3));
    expect(after.decisions[3]!.skill.mean).toBeLessThan(decisions[3]!.skill.mean);
    expect(after.prequential.rank.mean).toBeLessThan(prequential.rank.mean);
  });
});

describe('parameter stability and the goals', () => {
  it('measures the mean move between consecutive sets as a share of each range', () => {
    expect(
      pathStability(
        [
          { fast: 5, slow: 20 },
          { fast: 5, slow: 20 },
        ],
        space,
      ),
    ).toBe(1);
    expect(
      pathStability(
        [
          { fast: 5, slow: 20 },
          { fast: 15, slow: 60 },
        ],
        space,
      ),
    ).toBe(0);
    // fast moves half its range, slow none: a quarter on average.
    expect(
      pathStability(
        [
          { fast: 5, slow: 40 },
          { fast: 10, slow: 40 },
        ],
        space,
      ),
    ).toBe(0.75);
  });

  it('marks each goal met or not from the deltas against the default parameters', () => {
    const policy = (over: Partial<ScorecardPolicy>): ScorecardPolicy => ({
      sharpeRatio: 0.2,
      maxDrawdown: -0.3,
      totalReturn: 0,
      winRate: 0.4,
      trades: 10,
      turnover: 1,
      deflatedSharpe: 0.5,
      trialCount: 10,
      pbo: 0.5,
      stability: 1,
      ...over,
    });
    const policies: Record<PolicyName, ScorecardPolicy> = {
      default: policy({}),
      optimised: policy({ sharpeRatio: 0.8, maxDrawdown: -0.2, winRate: 0.55, stability: 0.5 }),
      regimeAware: policy({ sharpeRatio: 0.6, maxDrawdown: -0.27, winRate: 0.45, stability: 0.9 }),
      learner: policy({ winRate: Number.NaN }),
    };
    const goals = Object.fromEntries(goalChecks(policies, 0.71).map((g) => [g.goal, g]));
    expect(goals['sharpe']!.met).toEqual({ optimised: true, regimeAware: false, learner: false });
    expect(goals['sharpe']!.measured.optimised).toBeCloseTo(0.6, 12);
    expect(goals['drawdown']!.met).toEqual({ optimised: true, regimeAware: false, learner: false });
    expect(goals['winRate']!.met).toEqual({ optimised: true, regimeAware: false, learner: false });
    expect(goals['predictionAccuracy']!.met).toEqual({ learner: true });
    expect(goals['stability']!.met).toEqual({ optimised: false, regimeAware: true, learner: true });
    expect(goalChecks(policies, 0.7).find((g) => g.goal === 'predictionAccuracy')!.met).toEqual({
      learner: false,
    });
  });
});
