/**
 * The learner's heavy work as compute-pool tasks (each is seconds to minutes of backtests): the
 * prequential evaluation on a symbol's bars, the recommendation per regime from a saved learner state or
 * from a learner trained on the bars' own panel, and the scorecard. Pure functions over core, like
 * tasks.ts: the worker thread calls them, and so can the CLI or a test.
 */
import type { MessagePort } from 'node:worker_threads';
import { sliceBars, type Bars, type Timeframe } from '../../core/data/bars.ts';
import type { BacktestOptions } from '../../core/engine/index.ts';
import type { ModelState } from '../../core/ml/base.ts';
import { marketRegime, regimeName } from '../../core/ml/learner/ledger.ts';
import { windowPanel, type PanelWindow } from '../../core/ml/learner/panel.ts';
import { ParameterLearner } from '../../core/ml/learner/parameterLearner.ts';
import {
  evaluatePrequential,
  type PrequentialReport,
  type WindowInterval,
} from '../../core/ml/learner/prequential.ts';
import { recommend, type Recommendation, type RecommendOptions } from '../../core/ml/learner/recommend.ts';
import { computeScorecard, type Scorecard, type ScorecardPart } from '../../core/ml/learner/scorecard.ts';
import type { ReferenceSet } from '../../core/ml/learner/standing.ts';
import type { SearchSpace } from '../../core/optimize/space.ts';
import { createDetector, type DetectorName, type RegimeAxis } from '../../core/regime/index.ts';

/** What every learner task is about: a strategy over one symbol's bars, its windows and sets. */
export interface LearnerSettings {
  readonly strategy: string;
  readonly space: SearchSpace;
  /** The bars' timeframe ('native': guessed from their spacing). */
  readonly timeframe: Timeframe | 'native';
  readonly windowBars: number;
  /** Intraday equities: the session each window opens at and keeps to (see PanelOptions.session). */
  readonly session: 'regular' | 'extended';
  readonly seed: number;
  readonly model: 'linear' | 'forest';
  /** Cash and costs of every backtest: what a backtest of the bars at the trader's settings runs with. */
  readonly backtest: BacktestOptions;
  /** Annual, as a fraction: what every Sharpe ratio (the windows' scores, the policies') is measured over. */
  readonly riskFreeRate: number;
}

export interface LearnerEvaluateTask {
  readonly kind: 'learner-evaluate';
  readonly bars: Bars;
  readonly settings: LearnerSettings;
  /** Parameter sets tested in every window. */
  readonly sets: number;
}

/** The evaluation's figures, and the trained learner's feature weights (its state stays in the worker). */
export interface LearnerEvaluation extends Omit<PrequentialReport, 'learner'> {
  readonly importance: readonly { readonly feature: string; readonly weight: number }[];
}

export interface LearnerRecommendTask {
  readonly kind: 'learner-recommend';
  readonly bars: Bars;
  readonly settings: LearnerSettings;
  /**
   * Which learner answers. The ledger's: its saved state (null: none yet, every answer keeps the current
   * set), its candidates' standing read among the ledger's scored sets of the symbol, timeframe and
   * strategy (newest first). The bars': one trained here on the panel of `sets` sets that the evaluation
   * of these bars builds (trainOnBars), its candidates' standing read among the panel's sets.
   */
  readonly learner:
    | {
        readonly from: 'ledger';
        readonly state: ModelState | null;
        readonly population: readonly ReferenceSet[];
      }
    | { readonly from: 'bars'; readonly sets: number };
  readonly trials: number;
  readonly threshold: number;
  /** Regimes recommended for, the current one first, then the most recently seen others. */
  readonly regimes: number;
}

/** What a learner trained on the bars' panel learned, and how well it ranked out of sample there. */
export interface BarsLearnerFigures {
  readonly learned: number;
  readonly windows: number;
  readonly sets: number;
  readonly rank: number;
  /** The rank correlation's t across windows: with `rank`, the skill its answers are gated on. */
  readonly rankT: number;
  readonly pairwise: number;
  readonly pairwiseInterval: WindowInterval;
}

export interface LearnerRecommendOutput {
  readonly recommendations: RegimeRecommendation[];
  /** The learner trained on the bars (null when the ledger's answered). */
  readonly trained: BarsLearnerFigures | null;
}

export interface RegimeRecommendation extends Recommendation {
  /** The bar time the market was read at: the last bar, or the last bar of that regime. */
  readonly asOf: number;
  /** True for the regime the market is in now. */
  readonly current: boolean;
}

export interface ScorecardTask {
  readonly kind: 'scorecard';
  readonly bars: Bars;
  readonly settings: LearnerSettings;
  readonly trials: number;
  readonly threshold: number;
  readonly detector: DetectorName;
  readonly axis: RegimeAxis;
  readonly detectorTimeframe: Timeframe;
  /** Where the worker posts each ScorecardProgress (moved to the worker with the task). */
  readonly progress?: MessagePort;
}

/** What a scorecard's progress port carries: a part as it starts (done 0), then its windows done. */
export interface ScorecardProgress {
  readonly part: ScorecardPart;
  readonly done: number;
  readonly total: number;
}

export type LearnerTask = LearnerEvaluateTask | LearnerRecommendTask | ScorecardTask;
export type LearnerTaskResult<T extends LearnerTask> = T extends LearnerEvaluateTask
  ? LearnerEvaluation
  : T extends LearnerRecommendTask
    ? LearnerRecommendOutput
    : Scorecard;

export function runLearnerTask(task: LearnerTask): LearnerEvaluation | LearnerRecommendOutput | Scorecard {
  switch (task.kind) {
    case 'learner-evaluate':
      return evaluateOnBars(task);
    case 'learner-recommend':
      return recommendPerRegime(task);
    case 'scorecard':
      return computeScorecard(task.bars, {
        strategy: task.settings.strategy,
        space: task.settings.space,
        trials: task.trials,
        seed: task.settings.seed,
        timeframe: task.settings.timeframe,
        createDetector: () => createDetector(task.detector, task.detectorTimeframe),
        axis: task.axis,
        backtest: task.settings.backtest,
        windowBars: task.settings.windowBars,
        threshold: task.threshold,
        model: task.settings.model,
        riskFreeRate: task.settings.riskFreeRate,
        ...(task.progress === undefined
          ? {}
          : {
              onProgress: (part: ScorecardPart, done: number, total: number) =>
                task.progress!.postMessage({ part, done, total } satisfies ScorecardProgress),
            }),
      });
  }
}

/** Windows the evaluation needs at least: its warm-up and enough scored ones to mean something. */
export const MIN_EVALUATION_WINDOWS = 10;

/** The bars leave too few windows for the learner to be evaluated (or trained) on. */
export class TooFewWindows extends RangeError {
  constructor(windows: number, windowBars: number) {
    super(
      `only ${windows} windows of ${windowBars} bars fit these bars after warm-up ` +
        `(${MIN_EVALUATION_WINDOWS} needed): give more bars or a smaller window`,
    );
  }
}

/**
 * The panel of windows x `sets` random sets on the bars and the learner's delayed prequential pass over
 * it: what "Evaluate on these bars" reports and what a recommendation from the bars is answered by (the
 * learner as the pass ended), so both speak of the same learner.
 */
export function trainOnBars(
  bars: Bars,
  settings: LearnerSettings,
  sets: number,
): { panel: PanelWindow[]; report: PrequentialReport } {
  const panel = windowPanel(bars, { ...settings, sets });
  if (panel.length < MIN_EVALUATION_WINDOWS) throw new TooFewWindows(panel.length, settings.windowBars);
  return { panel, report: evaluatePrequential(panel, { model: settings.model, seed: settings.seed }) };
}

function evaluateOnBars(task: LearnerEvaluateTask): LearnerEvaluation {
  const { learner, ...figures } = trainOnBars(task.bars, task.settings, task.sets).report;
  return { ...figures, importance: learner.importance().slice(0, 12) };
}

/** How a recommendation reads its candidates' standing, names its learner and gates on its skill. */
export type LearnerStanding = Pick<RecommendOptions, 'population' | 'panel' | 'learnerName' | 'skill'>;

/**
 * The ledger's saved learner: candidates stand among the ledger's scored sets. It learns its results one
 * by one, with no prequential pass, so its skill is not measured (it switches on confidence alone).
 */
export const ledgerStanding = (population: readonly ReferenceSet[]): LearnerStanding => ({
  population,
  learnerName: "the ledger's learner",
  skill: null,
});

/** A learner trained on the bars' panel: candidates stand among the panel's sets, gated on its ranking there. */
export const barsStanding = (panel: readonly PanelWindow[], report: PrequentialReport): LearnerStanding => ({
  panel,
  learnerName: 'the learner trained on these bars',
  skill: report.rank,
});

/**
 * The learner's recommendation for the market now, and for each other regime it was in lately: the
 * market read at the last bar of that regime (point in time: the bars up to it), so each regime's answer
 * is what the learner would have said in it.
 */
function recommendPerRegime(task: LearnerRecommendTask): LearnerRecommendOutput {
  const { bars, settings } = task;
  let learner: ParameterLearner;
  let standing: LearnerStanding;
  let trained: BarsLearnerFigures | null = null;
  if (task.learner.from === 'ledger') {
    const { state, population } = task.learner;
    learner = state === null ? new ParameterLearner({ seed: 1 }) : ParameterLearner.fromState(state);
    standing = ledgerStanding(population);
  } else {
    const { panel, report } = trainOnBars(bars, settings, task.learner.sets);
    learner = report.learner;
    standing = barsStanding(panel, report);
    trained = {
      learned: learner.count,
      windows: panel.length,
      sets: task.learner.sets,
      rank: report.rank.mean,
      rankT: report.rank.t,
      pairwise: report.pairwise,
      pairwiseInterval: report.pairwiseInterval,
    };
  }
  const n = bars.t.length;
  const { regime } = marketRegime(bars, settings.timeframe);
  const lastBar = new Map<string, number>();
  for (let i = n - 1; i >= 0 && lastBar.size < task.regimes; i--) {
    const name = regimeName(regime, i);
    if (name !== null && !lastBar.has(name)) lastBar.set(name, i);
  }
  const options = { ...settings, trials: task.trials, threshold: task.threshold, ...standing };
  const now: RegimeRecommendation = {
    ...recommend(learner, bars, options),
    asOf: bars.t[n - 1]!,
    current: true,
  };
  const others = [...lastBar]
    .filter(([name]) => name !== now.regime)
    .slice(0, task.regimes - 1)
    .map(([, at]) => ({
      ...recommend(learner, sliceBars(bars, 0, at + 1), options),
      asOf: bars.t[at]!,
      current: false,
    }));
  return { recommendations: [now, ...others], trained };
}
