/**
 * The scorecard (issue 12 item 10): does any of it pay? Four policies are walked forward over the same
 * test windows, out of sample and after the same costs:
 *   - the strategy's default parameters (what a trader gets without Regimen),
 *   - one set optimised on each train window (the global policy of regime/compare.ts),
 *   - one set per regime from the same trials (the regime-aware policy of regime/compare.ts),
 *   - the learner's recommendation at each test window's start, from a learner that has learned only
 *     the windows closed before it (delayed prequential, as `regimen learner evaluate` measures it),
 *     keeping the set in force as the product's recommendation does: when its confidence is below the
 *     threshold or its ranking over the windows closed so far is no better than chance.
 * Every trial of every policy counts in each deflated Sharpe ratio, and the product's goals sit beside
 * the measured differences from the default parameters.
 */
import type { Bars } from '../../data/bars.ts';
import { BacktestWorkspace, prepareDataset, runPrepared, type BacktestOptions } from '../../engine/index.ts';
import { walkForwardWindows } from '../../optimize/walkForward.ts';
import { longestWarmup, warmupProbes } from '../../optimize/warmup.ts';
import type { SearchSpace } from '../../optimize/space.ts';
import {
  addOutcome,
  compareRegimeAware,
  emptyTally,
  perBarRiskFree,
  policyReport,
  stitchedDeflatedSharpe,
  testOutcome,
  testWindowRun,
  type PolicyReport,
  type PolicyTally,
} from '../../regime/compare.ts';
import type { RegimeDetector } from '../../regime/detector.ts';
import type { RegimeAxis } from '../../regime/labels.ts';
import { sampleCandidates } from '../../regime/perRegime.ts';
import { getStrategy } from '../../strategy/index.ts';
import { defaultParams } from '../../strategy-api/params.ts';
import type { StrategyParams } from '../../strategy-api/types.ts';
import { windowPanel, type PanelWindow } from './panel.ts';
import type { LearnerPrediction } from './parameterLearner.ts';
import { chanceReason, learnerName } from './recommend.ts';
import {
  evaluatePrequential,
  rankFigure,
  ranksBetterThanChance,
  type PrequentialReport,
  type RankFigure,
  type WindowInterval,
} from './prequential.ts';

export interface ScorecardOptions {
  readonly strategy: string;
  /** The space the trials are drawn from (random sampler): the optimised, regime-aware and learner's. */
  readonly space: SearchSpace;
  readonly trials: number;
  readonly seed: number;
  /** The bars' timeframe for the learner's market context ('native': guessed from the spacing). */
  readonly timeframe: string;
  /** A fresh regime detector (the regime-aware policy labels each window with one of its own). */
  readonly createDetector: () => RegimeDetector;
  readonly axis: RegimeAxis;
  /** Costs and sizing of every backtest (the same for every policy). */
  readonly backtest: BacktestOptions;
  /**
   * Annual risk-free rate (0.04 for 4 %) every Sharpe ratio here is measured over, as a backtest's: each
   * policy's out-of-sample and deflated Sharpe and the trials' scores the policies choose by. 0 by default.
   */
  readonly riskFreeRate?: number;
  /** Bars of a learner window: what it predicts the score over and learns from, one at a time. */
  readonly windowBars: number;
  /** Below this confidence the learner keeps the set in force. */
  readonly threshold: number;
  readonly model?: 'linear' | 'forest';
  /** A regime's set needs this many trades in training (regime-aware policy); 30 by default. */
  readonly minTrades?: number;
  /**
   * How far it has got: each part as it starts (done 0), then its windows done of its total (0 of 0: a
   * part without windows), for the caller's progress events.
   */
  readonly onProgress?: (part: ScorecardPart, done: number, total: number) => void;
}

/**
 * The scorecard's parts in the order they run: the full-sample study of the trials, the optimised and
 * regime-aware policies walked forward (a study per train window), their probability of backtest
 * overfitting, the learner's panel (every trial on every learner window), the learner learning it window
 * by window (predicting each as it opens), and the default and learner policies' test windows.
 */
export const SCORECARD_PARTS = ['study', 'optimised', 'overfitting', 'panel', 'learner', 'test'] as const;
export type ScorecardPart = (typeof SCORECARD_PARTS)[number];

export const POLICIES = ['default', 'optimised', 'regimeAware', 'learner'] as const;
export type PolicyName = (typeof POLICIES)[number];

export interface ScorecardPolicy extends PolicyReport {
  /**
   * 1 - the mean move of the parameters between consecutive test windows, each parameter's move as a
   * share of its range in the space (1: never moves; picking at random every window gives about 0.67).
   */
  readonly stability: number;
}

/** The product's stated goals (issue 12), each against the default parameters where it is a delta. */
export const GOALS = {
  sharpeDelta: 0.5,
  /** The max drawdown a fifth smaller than the default parameters'. */
  drawdownReduction: 0.2,
  winRatePoints: 0.1,
  predictionAccuracy: 0.7,
  stability: 0.8,
} as const;

export interface GoalCheck {
  readonly goal: 'sharpe' | 'drawdown' | 'winRate' | 'predictionAccuracy' | 'stability';
  /** The goal in words. */
  readonly target: string;
  /** Per policy (default left out where the goal is a delta from it): the measured value, NaN where it has none. */
  readonly measured: Readonly<Partial<Record<PolicyName, number>>>;
  readonly met: Readonly<Partial<Record<PolicyName, boolean>>>;
}

/** A learner's ranking skill as a policy could know it at a bar: over the windows closed by then. */
export interface SkillFigure extends RankFigure {
  /** Scored windows it is read over (the prequential pass's, after its warm-up). */
  readonly windows: number;
}

export interface LearnerDecision {
  readonly testStartTime: number;
  readonly params: StrategyParams;
  /** 'switch' only where the parameters change: a choice equal to the set in force keeps it. */
  readonly action: 'switch' | 'keep';
  /** Why the set in force is kept, in words (null on a switch), as the product's recommendation says it. */
  readonly reason: string | null;
  /** The prediction for the best set (null: the window is too short for a learner window). */
  readonly predicted: LearnerPrediction | null;
  /** The learner's rank correlation over the windows closed before this test window opened. */
  readonly skill: SkillFigure;
}

export interface Scorecard {
  readonly bars: number;
  readonly purge: number;
  readonly train: number;
  readonly test: number;
  readonly windowBars: number;
  readonly windows: number;
  /** Trials counted in every deflated Sharpe ratio: the default set, the optimised, regime-aware and learner's. */
  readonly trialCount: number;
  readonly policies: Readonly<Record<PolicyName, ScorecardPolicy>>;
  /**
   * The learner's figures over every window it predicted before learning it, each with its HAC t or
   * 95 % interval over those windows (a window's sets hit or miss together).
   */
  readonly prediction: {
    readonly predictions: number;
    /** Share of pairs of sets of one window whose order the learner got right. */
    readonly pairwise: number;
    readonly pairwiseInterval: WindowInterval;
    readonly rank: number;
    readonly rankT: number;
    readonly topQuintile: number;
    readonly topQuintileInterval: WindowInterval;
    readonly coverage80: number;
    readonly coverage80Interval: WindowInterval;
  };
  readonly decisions: readonly LearnerDecision[];
  readonly goals: readonly GoalCheck[];
}

/** 1 - mean normalised move between consecutive sets of a path (numeric parameters of the space). */
export function pathStability(path: readonly StrategyParams[], space: SearchSpace): number {
  if (path.length < 2) return 1;
  let moved = 0;
  let count = 0;
  for (let k = 1; k < path.length; k++) {
    for (const spec of space.params) {
      if (spec.kind === 'categorical' || !(spec.high > spec.low)) continue;
      moved += Math.abs(path[k]![spec.name]! - path[k - 1]![spec.name]!) / (spec.high - spec.low);
      count++;
    }
  }
  return count === 0 ? 1 : 1 - moved / count;
}

export function computeScorecard(bars: Bars, options: ScorecardOptions): Scorecard {
  const definition = getStrategy(options.strategy);
  const n = bars.t.length;
  const L = options.windowBars;
  const candidates = sampleCandidates(options.space, { kind: 'random' }, options.trials, options.seed);
  const defaults = defaultParams(definition);
  // The space's longest warm-up as a walk-forward's 'warm-up' purge and `regimes compare` measure it
  // (warmupProbes), and the default set's, which is tested too; the comparison takes the detector's too.
  const warmupSets = [...warmupProbes(options.space, options.seed), defaults];
  const purge = Math.max(
    longestWarmup(prepareDataset(bars), definition, warmupSets),
    options.createDetector().warmup,
  );
  const train = 3 * purge;
  // A smaller learner window cannot help bars that the train window alone outnumbers ("leave -894").
  if (n < train) {
    throw new RangeError(
      `scorecard: ${n} bars are fewer than its train window alone, ${train} bars (three purge gaps of ` +
        `${purge}, the longest warm-up of the space and the detector): give more bars (a shorter timeframe)`,
    );
  }
  // Five test windows as the regime comparison takes by default, each a whole number of learner windows,
  // so every test window opens when a learner window does.
  const test = Math.floor(Math.floor((n - train) / 5) / L) * L;
  if (test < L) {
    throw new RangeError(
      `scorecard: ${n} bars leave ${n - train} after a train window of ${train} (three purge gaps of ${purge}), ` +
        `fewer than five learner windows of ${L} bars: give more bars or a smaller window`,
    );
  }
  const backtest: BacktestOptions = { ...options.backtest, recordPositions: true };
  const riskFreeRate = options.riskFreeRate ?? 0;
  const onProgress = options.onProgress;
  onProgress?.('study', 0, 0);
  const comparison = compareRegimeAware(bars, {
    definition,
    candidates,
    createDetector: options.createDetector,
    axis: options.axis,
    backtest,
    riskFreeRate,
    warmupSets,
    train,
    test,
    step: test,
    purge,
    ...(options.minTrades === undefined ? {} : { minTrades: options.minTrades }),
    ...(onProgress === undefined
      ? {}
      : {
          onWindow: (done, total) => onProgress('optimised', done, total),
          onOverfitting: () => onProgress('overfitting', 0, 0),
        }),
  });
  const windows = walkForwardWindows(bars.t, { unit: 'bars', train, test, step: test });

  onProgress?.('panel', 0, 0);
  // The learner: the panel's windows line up with the test windows; it predicts each window when it
  // opens and learns it when it closes, so at a test window's start it has learned only what came before.
  const panel = windowPanel(bars, {
    strategy: options.strategy,
    space: options.space,
    sets: candidates.length,
    seed: options.seed,
    windowBars: L,
    timeframe: options.timeframe,
    backtest: options.backtest,
    riskFreeRate,
    candidates,
    anchor: windows[0]!.test.start,
  });
  const { prequential, decisions } = learnerDecisions(
    panel,
    windows.map((w) => ({ start: w.test.start, startTime: w.test.startTime })),
    {
      threshold: options.threshold,
      seed: options.seed,
      initial: defaults,
      ...(options.model === undefined ? {} : { model: options.model }),
      ...(onProgress === undefined ? {} : { onWindow: (done, total) => onProgress('learner', done, total) }),
    },
  );

  const tallies: Record<'default' | 'learner', PolicyTally> = {
    default: emptyTally(),
    learner: emptyTally(),
  };
  const workspace = new BacktestWorkspace();
  onProgress?.('test', 0, windows.length);
  windows.forEach((w, k) => {
    const test = testWindowRun(bars, w.test, purge, backtest);
    for (const [name, params] of [
      ['default', defaults],
      ['learner', decisions[k]!.params],
    ] as const) {
      addOutcome(
        tallies[name],
        testOutcome(test.bars, runPrepared(test.dataset, definition, params, test.options, workspace), purge),
        w.stitch,
      );
    }
    onProgress?.('test', k + 1, windows.length);
  });

  // Every set any policy could have picked is a trial: the default, the optimised and learner's
  // candidates, and the regime-aware selections (which already count the global ones).
  const trialCount = 1 + candidates.length + comparison.regimeAware.trialCount;
  const variance = comparison.trialSharpeVariance;
  const deflate = (
    report: PolicyReport,
    curve: Parameters<typeof stitchedDeflatedSharpe>[0],
  ): PolicyReport => ({
    ...report,
    deflatedSharpe: stitchedDeflatedSharpe(curve, trialCount, variance, perBarRiskFree(riskFreeRate, curve)),
    trialCount,
  });
  const own = (name: 'default' | 'learner', pbo: number): PolicyReport =>
    policyReport(tallies[name], trialCount, variance, pbo, riskFreeRate).figures;
  const regimePath = (k: number): StrategyParams[] => comparison.windows.map((cw) => cw.regimes[k]!.params);
  const regimeStability =
    comparison.windows[0]!.regimes.reduce(
      (sum, _, k) => sum + pathStability(regimePath(k), options.space),
      0,
    ) / comparison.windows[0]!.regimes.length;
  const policies: Record<PolicyName, ScorecardPolicy> = {
    // No selection, no overfitting to measure: its PBO is not defined.
    default: { ...own('default', NaN), stability: 1 },
    optimised: {
      ...deflate(comparison.global, comparison.curves.global),
      stability: pathStability(
        comparison.windows.map((cw) => cw.global),
        options.space,
      ),
    },
    regimeAware: {
      ...deflate(comparison.regimeAware, comparison.curves.regimeAware),
      stability: regimeStability,
    },
    // The learner ranks by prediction, not by in-sample score: CSCV's PBO does not describe its choice.
    learner: {
      ...own('learner', NaN),
      stability: pathStability(
        decisions.map((d) => d.params),
        options.space,
      ),
    },
  };
  return {
    bars: n,
    purge,
    train,
    test,
    windowBars: L,
    windows: windows.length,
    trialCount,
    policies,
    prediction: {
      predictions: prequential.predictions,
      pairwise: prequential.pairwise,
      pairwiseInterval: prequential.pairwiseInterval,
      rank: prequential.rank.mean,
      rankT: prequential.rank.t,
      topQuintile: prequential.topQuintile.precision,
      topQuintileInterval: { lower: prequential.topQuintile.lower, upper: prequential.topQuintile.upper },
      coverage80: prequential.coverage80,
      coverage80Interval: prequential.coverage80Interval,
    },
    decisions,
    goals: goalChecks(policies, prequential.pairwise),
  };
}

/**
 * The learner policy over a panel whose windows open at the test windows' starts: the delayed
 * prequential pass predicts every window when it opens and learns it when it closes; at each test
 * window's start the policy takes the best predicted set when the product would (recommend.ts): its
 * confidence at or above the threshold AND the learner's rank correlation over the windows closed by
 * then ranking better than chance. Otherwise, or where no learner window opens there, the set in force
 * (`initial` at first) stays. A chosen set equal to the one in force is a keep, not a switch: a trader
 * reads a switch as a change of parameters and the turnover it brings.
 */
export function learnerDecisions(
  panel: readonly PanelWindow[],
  tests: readonly { readonly start: number; readonly startTime: number }[],
  options: {
    readonly threshold: number;
    readonly seed: number;
    readonly model?: 'linear' | 'forest';
    readonly initial: StrategyParams;
    /** Told the panel's window count (done 0), then each window's predictions (most of the time here). */
    readonly onWindow?: (done: number, total: number) => void;
  },
): { prequential: PrequentialReport; decisions: LearnerDecision[] } {
  const opened = new Map<number, { window: PanelWindow; predictions: readonly LearnerPrediction[] }>();
  const starts = new Set(tests.map((t) => t.start));
  options.onWindow?.(0, panel.length);
  const prequential = evaluatePrequential(panel, {
    seed: options.seed,
    ...(options.model === undefined ? {} : { model: options.model }),
    onPredict: (window, predictions) => {
      if (starts.has(window.start)) opened.set(window.start, { window, predictions });
      options.onWindow?.(window.index + 1, panel.length);
    },
  });
  const decisions: LearnerDecision[] = [];
  let inForce = options.initial;
  for (const test of tests) {
    // Point in time: only the windows whose last bar is before the test window's first.
    const closed = prequential.windowRanks.filter((w) => w.end <= test.start).map((w) => w.rank);
    const skill: SkillFigure = { ...rankFigure(closed), windows: closed.length };
    const open = opened.get(test.start);
    let predicted: LearnerPrediction | null = null;
    let action: 'switch' | 'keep' = 'keep';
    let reason: string | null = 'no learner window opens at this test window';
    if (open !== undefined) {
      let best = 0;
      open.predictions.forEach((p, j) => {
        if (p.score > open.predictions[best]!.score) best = j;
      });
      predicted = open.predictions[best]!;
      const chosen = open.window.rows[best]!.params as StrategyParams;
      if (!ranksBetterThanChance(skill)) reason = chanceReason(learnerName({}), skill);
      else if (predicted.confidence < options.threshold)
        reason = `confidence ${predicted.confidence.toFixed(2)} is below the threshold ${options.threshold}`;
      else if (sameParams(chosen, inForce)) reason = "the learner's choice is the set in force";
      else {
        action = 'switch';
        reason = null;
        inForce = chosen;
      }
    }
    decisions.push({ testStartTime: test.startTime, params: inForce, action, reason, predicted, skill });
  }
  return { prequential, decisions };
}

/** The same value for every parameter of either set. */
function sameParams(a: StrategyParams, b: StrategyParams): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) if (a[name] !== b[name]) return false;
  return true;
}

const pct = (x: number): string => `${Math.round(x * 100)} %`;

/** Each goal against each policy that could meet it. */
export function goalChecks(
  policies: Readonly<Record<PolicyName, ScorecardPolicy>>,
  pairwise: number,
): GoalCheck[] {
  const base = policies.default;
  const challengers = POLICIES.filter((p) => p !== 'default');
  const check = (
    goal: GoalCheck['goal'],
    target: string,
    value: (p: ScorecardPolicy, name: PolicyName) => number,
    ok: (x: number) => boolean,
    names: readonly PolicyName[] = challengers,
  ): GoalCheck => {
    const measured: Partial<Record<PolicyName, number>> = {};
    const met: Partial<Record<PolicyName, boolean>> = {};
    for (const name of names) {
      const x = value(policies[name], name);
      measured[name] = x;
      met[name] = Number.isFinite(x) && ok(x);
    }
    return { goal, target, measured, met };
  };
  return [
    check(
      'sharpe',
      `Sharpe +${GOALS.sharpeDelta} over the default parameters`,
      (p) => p.sharpeRatio - base.sharpeRatio,
      (d) => d >= GOALS.sharpeDelta,
    ),
    check(
      'drawdown',
      `max drawdown ${pct(GOALS.drawdownReduction)} smaller than the default parameters'`,
      // Drawdowns are negative: the change of its depth relative to the default's (-0.2: a fifth shallower).
      (p) => (Math.abs(p.maxDrawdown) - Math.abs(base.maxDrawdown)) / Math.abs(base.maxDrawdown),
      (d) => d <= -GOALS.drawdownReduction,
    ),
    check(
      'winRate',
      `win rate +${GOALS.winRatePoints * 100} points over the default parameters`,
      (p) => p.winRate - base.winRate,
      (d) => d >= GOALS.winRatePoints,
    ),
    check(
      'predictionAccuracy',
      `"set A beats set B next window" right more than ${pct(GOALS.predictionAccuracy)} of the time`,
      () => pairwise,
      (x) => x > GOALS.predictionAccuracy,
      ['learner'],
    ),
    check(
      'stability',
      `parameter stability above ${GOALS.stability}`,
      (p) => p.stability,
      (x) => x > GOALS.stability,
    ),
  ];
}
