import type { Bars } from '../../data/bars.ts';
import { runBacktest, type BacktestOptions } from '../../engine/index.ts';
import { Study } from '../../optimize/study.ts';
import type { Params, SearchSpace } from '../../optimize/space.ts';
import { getStrategy } from '../../strategy/index.ts';
import type { StrategyParams } from '../../strategy-api/types.ts';
import type { Interval } from '../conformal.ts';
import type { Features } from '../base.ts';
import { marketContextFeatures, pastPerformanceFeatures } from '../features.ts';
import { learnerSpace, marketRegime, regimeName, spaceFeatures } from './ledger.ts';
import { barRiskFree, panelStanding, windowMetrics, type PanelWindow } from './panel.ts';
import { standingFeatures, type ReferenceSet } from './standing.ts';
import type { ParameterLearner } from './parameterLearner.ts';
import { ranksBetterThanChance, SKILL_MIN_T, type RankFigure } from './prequential.ts';

export interface RecommendOptions {
  readonly strategy: string;
  readonly space: SearchSpace;
  /** The bars' timeframe for the regime detector ('native': guessed from the spacing). */
  readonly timeframe: string;
  /** Bars of the coming window; each candidate's past performance is read over the last this many. */
  readonly windowBars: number;
  /** Candidates the sampler proposes. */
  readonly trials: number;
  readonly seed: number;
  /** Below this confidence the answer is "keep the current set". */
  readonly threshold: number;
  /**
   * The learner's measured skill: its out-of-sample rank correlation across the windows of the
   * prequential pass that trained it (trainOnBars' report.rank). Short of ranksBetterThanChance the answer
   * is "keep the current set", however confident the prediction: confidence is an interval's width and a
   * market's novelty, and says nothing of whether the learner ranks sets at all. Null: not measured (the
   * ledger's learner learns its results one by one and keeps no such figure); it switches on confidence
   * alone, and whoever shows the answer says its skill is not measured.
   */
  readonly skill: RankFigure | null;
  /** Cash and costs of each candidate's run, as the learner's windows were run (see PanelOptions). */
  readonly backtest?: BacktestOptions;
  /** Annual risk-free rate the candidates' past Sharpe ratios are measured over, as the windows'; 0 by default. */
  readonly riskFreeRate?: number;
  /**
   * The scored sets the candidates' standing is read against (standing.ts), newest first; the ledger's
   * for its learner, so candidates carry the features its rows were learned with. None: no standing.
   */
  readonly population?: readonly ReferenceSet[];
  /**
   * The panel over these same bars that the learner was trained on, when no ledger is at hand: the
   * candidates' standing is then computed as the panel computed its sets' (in place of `population`),
   * so they do not carry a standing of 0 the learner never saw on a set with a history.
   */
  readonly panel?: readonly PanelWindow[];
  /** The learner as a keep-reason names it ("the ledger's learner"); "the learner" by default. */
  readonly learnerName?: string;
}

export interface Recommendation {
  readonly action: 'switch' | 'keep';
  /** Why the current set is kept (a learner ranking at chance, or below the confidence threshold). */
  readonly reason: string | null;
  /** The best set found, whatever the action. */
  readonly params: Params;
  readonly score: number;
  readonly interval80: Interval;
  readonly interval90: Interval;
  readonly confidence: number;
  readonly novelty: number;
  /** The regime the market is in now: the recommendation is for it. */
  readonly regime: string | null;
  /** The features that moved the prediction most (linear model: weight x standardised value). */
  readonly drivers: readonly { readonly feature: string; readonly contribution: number }[];
  readonly candidates: number;
}

/** The learner as its answers name it. */
export const learnerName = (options: Pick<RecommendOptions, 'learnerName'>): string =>
  options.learnerName ?? 'the learner';

/** Why a learner whose measured ranking is no better than chance keeps the current set, in words. */
export function chanceReason(who: string, skill: RankFigure): string {
  const t = Number.isFinite(skill.t) ? skill.t.toFixed(1) : 'not defined';
  // A ranking reliably reversed (t at or below -SKILL_MIN_T) is worse than chance, not indistinguishable from it.
  const verdict = skill.t <= -SKILL_MIN_T ? 'worse than chance' : 'no better than chance';
  return (
    `${who} ranks sets ${verdict} out of sample (rank correlation ${skill.mean.toFixed(3)}, t ${t}; ` +
    `a switch needs a positive one with t >= ${SKILL_MIN_T})`
  );
}

/**
 * The features of a candidate for the window after the last bar, as a ledger row of that window has
 * them: θ, the market at the window's start, the set's own performance over the last window, and its
 * standing among the population's sets whose window had ended by the last bar (or the panel's sets).
 */
export function candidateDescriber(
  bars: Bars,
  options: Pick<
    RecommendOptions,
    'strategy' | 'timeframe' | 'windowBars' | 'backtest' | 'riskFreeRate' | 'population' | 'panel'
  >,
): { describe: (params: Params) => Features; regime: string | null } {
  const n = bars.t.length;
  const definition = getStrategy(options.strategy);
  const market = marketRegime(bars, options.timeframe);
  const context = marketContextFeatures(bars, market.regime, market.regimeInputs, n, market.intraday);
  const thetaSpace = learnerSpace(options.strategy);
  const L = options.windowBars;
  const opensAt = bars.t[n - 1]! + 1;
  const riskFreePerBar = barRiskFree(bars.t, options.riskFreeRate ?? 0);
  // Only the panel's windows that had closed by the last bar: an earlier regime's answer (bars cut at
  // its last bar) reads the standing of its own time, as the ledger's population is read by `opensAt`.
  const fromPanel =
    options.panel === undefined
      ? undefined
      : panelStanding(
          options.panel.filter((w) => w.end <= n),
          options.strategy,
        );
  const describe = (params: Params): Features => {
    const run = runBacktest(bars, definition, params as StrategyParams, options.backtest ?? {});
    const past =
      n - L > run.startIndex
        ? windowMetrics(bars.t, run.equity, run.trades, n - L, n, riskFreePerBar)
        : undefined;
    return {
      ...spaceFeatures(params, thetaSpace),
      ...context,
      ...pastPerformanceFeatures(past, L),
      ...(fromPanel === undefined
        ? standingFeatures(options.strategy, params, options.population ?? [], opensAt)
        : fromPanel(params, run.equity)),
    };
  };
  return { describe, regime: regimeName(market.regime, n - 1) };
}

/**
 * The best set for the coming window as the learner sees it: the TPE sampler proposes sets (ask/tell,
 * as a study on backtests would, with the learner's predicted score as the objective), each described
 * by θ, the market at the last bar and its own performance over the last window; at the end every
 * candidate is predicted together (the cross-sectional model ranks them against each other) and the
 * highest predicted score wins. "Keep the current set" when the learner's measured ranking is no better
 * than chance or the winner's confidence is below the threshold. Both short: the skill is the reason
 * given, being the more basic (a learner that cannot rank sets has no confident answer to improve on).
 */
export function recommend(learner: ParameterLearner, bars: Bars, options: RecommendOptions): Recommendation {
  const { describe, regime } = candidateDescriber(bars, options);
  const study = new Study({
    space: options.space,
    sampler: { kind: 'tpe' },
    objectives: [{ metric: 'predictedScore', direction: 'maximize' }],
    seed: options.seed,
    maxTrials: options.trials,
  });
  const candidates: { params: Params; features: Features }[] = [];
  const stratum = regime ?? undefined;
  while (candidates.length < options.trials) {
    const batch = study.ask(Math.min(8, options.trials - candidates.length));
    if (batch.length === 0) break;
    const described = batch.map((trial) => ({ params: trial.params, features: describe(trial.params) }));
    const predictions = learner.predictWindow(
      described.map((d) => d.features),
      stratum,
    );
    batch.forEach((trial, i) =>
      study.tell(trial.number, { status: 'complete', values: [predictions[i]!.score] }),
    );
    candidates.push(...described);
  }
  if (candidates.length === 0)
    throw new Error(`recommend: the space of ${options.strategy} has no feasible set`);
  const final = learner.predictWindow(
    candidates.map((c) => c.features),
    stratum,
  );
  let best = 0;
  final.forEach((p, i) => {
    if (p.score > final[best]!.score) best = i;
  });
  const chosen = final[best]!;
  const { skill } = options;
  const atChance = skill !== null && !ranksBetterThanChance(skill);
  const keep = atChance || chosen.confidence < options.threshold;
  const who = learnerName(options);
  // Its intervals' quantiles and the confidence's percentiles are read over this many results: short of
  // them, the difficulty percentile below is a rank among a handful and says nothing a trader can use.
  const calibrated = learner.options.calibrationWindow;
  const reason = atChance
    ? chanceReason(who, skill)
    : keep
      ? `confidence ${chosen.confidence.toFixed(2)} is below the threshold ${options.threshold}` +
        (learner.count === 0
          ? `: ${who} has learned nothing yet`
          : learner.count < calibrated
            ? `: ${who} has learned ${learner.count.toLocaleString('en-US')} result${learner.count === 1 ? '' : 's'}; its intervals and ` +
              `confidence are not calibrated before ~${calibrated.toLocaleString('en-US')}`
            : chosen.novelty >= 0.9
              ? ` (the market and set are unlike ${Math.round(chosen.novelty * 100)} % of what it has learned)`
              : ` (it expects a larger error of it than of ${Math.round(chosen.difficulty * 100)} % of its recent predictions)`)
      : null;
  return {
    action: keep ? 'keep' : 'switch',
    reason,
    params: candidates[best]!.params,
    score: chosen.score,
    interval80: chosen.interval80,
    interval90: chosen.interval90,
    confidence: chosen.confidence,
    novelty: chosen.novelty,
    regime,
    drivers: learner.contributions(candidates[best]!.features).slice(0, 5),
    candidates: candidates.length,
  };
}
