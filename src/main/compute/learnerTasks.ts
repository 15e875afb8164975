/**
 * The learner's heavy work as compute-pool tasks (each is seconds to minutes of backtests): the
 * prequential evaluation on a symbol's bars, the recommendation per regime from a saved learner state,
 * and the scorecard. Pure functions over core, like tasks.ts: the worker thread calls them, and so can
 * the CLI or a test.
 */
import { sliceBars, type Bars, type Timeframe } from '../../core/data/bars.ts';
import type { BacktestOptions } from '../../core/engine/index.ts';
import type { ModelState } from '../../core/ml/base.ts';
import { marketRegime, regimeName } from '../../core/ml/learner/ledger.ts';
import { windowPanel } from '../../core/ml/learner/panel.ts';
import { ParameterLearner } from '../../core/ml/learner/parameterLearner.ts';
import { evaluatePrequential, type PrequentialReport } from '../../core/ml/learner/prequential.ts';
import { recommend, type Recommendation } from '../../core/ml/learner/recommend.ts';
import { computeScorecard, type Scorecard } from '../../core/ml/learner/scorecard.ts';
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
  /** The saved learner (null: none yet, every answer keeps the current set). */
  readonly state: ModelState | null;
  readonly trials: number;
  readonly threshold: number;
  /** Regimes recommended for, the current one first, then the most recently seen others. */
  readonly regimes: number;
  /** The ledger's scored sets of the symbol, timeframe and strategy, newest first (candidates' standing). */
  readonly population: readonly ReferenceSet[];
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
}

export type LearnerTask = LearnerEvaluateTask | LearnerRecommendTask | ScorecardTask;
export type LearnerTaskResult<T extends LearnerTask> = T extends LearnerEvaluateTask
  ? LearnerEvaluation
  : T extends LearnerRecommendTask
    ? RegimeRecommendation[]
    : Scorecard;

export function runLearnerTask(task: LearnerTask): LearnerEvaluation | RegimeRecommendation[] | Scorecard {
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
      });
  }
}

/** Windows the evaluation needs at least: its warm-up and enough scored ones to mean something. */
export const MIN_EVALUATION_WINDOWS = 10;

function evaluateOnBars(task: LearnerEvaluateTask): LearnerEvaluation {
  const { settings } = task;
  const panel = windowPanel(task.bars, { ...settings, sets: task.sets });
  if (panel.length < MIN_EVALUATION_WINDOWS) {
    throw new RangeError(
      `only ${panel.length} windows of ${settings.windowBars} bars fit these bars after warm-up ` +
        `(${MIN_EVALUATION_WINDOWS} needed): give more bars or a smaller window`,
    );
  }
  const { learner, ...figures } = evaluatePrequential(panel, { model: settings.model, seed: settings.seed });
  return { ...figures, importance: learner.importance().slice(0, 12) };
}

/**
 * The learner's recommendation for the market now, and for each other regime it was in lately: the
 * market read at the last bar of that regime (point in time: the bars up to it), so each regime's answer
 * is what the learner would have said in it.
 */
function recommendPerRegime(task: LearnerRecommendTask): RegimeRecommendation[] {
  const { bars, settings } = task;
  const learner =
    task.state === null ? new ParameterLearner({ seed: 1 }) : ParameterLearner.fromState(task.state);
  const n = bars.t.length;
  const { regime } = marketRegime(bars, settings.timeframe);
  const lastBar = new Map<string, number>();
  for (let i = n - 1; i >= 0 && lastBar.size < task.regimes; i--) {
    const name = regimeName(regime, i);
    if (name !== null && !lastBar.has(name)) lastBar.set(name, i);
  }
  const options = {
    ...settings,
    trials: task.trials,
    threshold: task.threshold,
    population: task.population,
  };
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
  return [now, ...others];
}
