import { deriveSeed } from '../../math/random.ts';
import { checkState, type ClassLabel, type Features, type ModelState, type Regressor } from '../base.ts';
import { ConformalIntervals, type Interval } from '../conformal.ts';
import { Adwin } from '../drift/adwin.ts';
import { AdaptiveRandomForestRegressor } from '../ensemble/adaptiveRandomForest.ts';
import { BayesianLinearRegression } from '../linear/bayesianLinearRegression.ts';
import { LinearRegression } from '../linear/linearRegression.ts';
import { GaussianNB } from '../naiveBayes/gaussianNB.ts';
import { StandardScaler } from '../preprocessing/standardScaler.ts';
import { RunningCorrelation } from '../runningCorrelation.ts';
import { SortedWindow } from '../sortedWindow.ts';
import { MarketErrorModel } from './marketError.ts';
import { NeighbourMemory } from './neighbours.ts';

/**
 * The parameter learner: from (features of a parameter set and the market at a window's start, the set's
 * score in that window) pairs, learned one at a time, it predicts a set's score in the coming window with
 * 80 % and 90 % conformal intervals, the quintile the set will fall in among the sets tried, and a
 * confidence in [0, 1].
 *
 * A prediction is two parts. The window's level, what every set of a window shares (the market), comes
 * from River's `StandardScaler | model` on the window's mean features, the model SGD linear regression or
 * the adaptive random forest. A set's standing within its window comes from Bayesian linear regression
 * on the ranks of its features among the window's sets, trained on its z-score there, the way a
 * cross-sectional factor model ranks assets: ranks are immune to the heavy tails of drawdowns and profit
 * factors, the z-score to how much a window's scores spread, and the exact posterior has no learning
 * rate to wander with (SGD on the raw differences ranked GOOG's sets at 0.02-0.08, this at 0.17). The
 * predicted score is level + the typical within-window spread x the predicted z-score. The quintile
 * classifier is Gaussian naive Bayes on standardised features.
 *
 * Intervals are normalised conformal (Papadopoulos et al. 2008; Lei et al. 2018): each residual is
 * divided by a local scale, the mean residual the learner made on the k nearest inputs it has seen, so
 * the interval is wide where the learner has erred and narrow where it has not, while the conformal
 * quantile keeps coverage nominal (adaptive α and per-regime quantiles, see conformal.ts).
 *
 * Confidence ranks predictions by the error to expect of them (the difficulty estimate of normalised
 * conformal prediction, used for ranking rather than width). Three estimates, each a percentile against
 * the learner's recent history: the interval's local scale (the errors made on the nearest inputs), how
 * far the prediction lies from the median of recent outcomes, and the error a model learned online on
 * the market's state expects (marketError.ts). On the markets the last two are what tell: a window's
 * score is mostly its market's move, unrelated to where an input sits among the learned ones (the local
 * scale ranked GOOG's, SPY's and the demo's errors at Spearman 0.09, 0.00 and -0.01), while a
 * prediction of a big move is the unreliable one (0.11 to 0.26), and some markets' moves are larger
 * than others' (the error model took GOOG's top / bottom decile ratio from 0.63 to 0.52). Each estimate is
 * weighted by how well it has tracked the realised errors lately (its running rank correlation with
 * them, nothing if negative), so the learner keeps whichever tells on the stream it learns. An
 * applicability domain then caps it: an input farther from its neighbours than any recently learned
 * input was from theirs keeps only that farthest distance / its distance of the confidence. A softer
 * domain (the most novel 5 % losing confidence) cost GOOG its figure (top/bottom decile 0.70 -> 0.95):
 * within what was seen, a market state's novelty did not relate to its error (Spearman 0.02).
 *
 * Drift: an ADWIN over the absolute residuals; when it flags a rise in error, the scaler, level
 * regressor and classifier restart on what comes next (the memory and calibration age out on their own).
 * The standing model is kept: a rise in error is the market's level moving, while which kinds of set do
 * better than the others changes slowly, and restarting it threw away what ranked them (GOOG's rank
 * correlation fell from 0.17 to 0.02 with it restarted at each of 13 resets).
 */
export interface ParameterLearnerOptions {
  readonly seed: number;
  readonly model?: 'linear' | 'forest';
  /** Inputs remembered for the neighbour questions. */
  readonly memory?: number;
  readonly neighbours?: number;
  /** Residuals kept per conformal pool and distances kept for calibration. */
  readonly calibrationWindow?: number;
  /**
   * Results a regime needs before its own conformal quantile is used: by default as many as the pooled
   * quantile keeps (calibrationWindow), not 50 as before. The residuals of one window share its market's
   * move and miss together, so 50 of them are one draw, and a regime's quantile over a few windows
   * under-covered its next ones. Coverage at 80 / 90 % on the bench's panels (GOOG / SPY 1m / demo) and
   * `learner evaluate --csv GOOG.csv`: 50 gave 80.3 / 89.5, 77.2 / 87.2, 79.9 / 89.8, 77.1 / 86.4; 200
   * gave 80.3 / 89.8, 77.5 / 88.7, 79.9 / 89.8, 78.8 / 87.9; 1,000 gives 78.9 / 90.1, 78.5 / 89.2,
   * 79.9 / 89.9, 81.1 / 89.5, all within 2 points.
   */
  readonly minStratum?: number;
  /** Restart the models when ADWIN sees the error rise (default true). */
  readonly driftReset?: boolean;
  /** ADWIN's delta on the residuals (River's default 0.002). */
  readonly driftDelta?: number;
  /** SGD step of the linear model (see DEFAULT_LEARNING_RATE). */
  readonly learningRate?: number;
  /** Step γ of the conformal intervals' adaptive α (see DEFAULT_ADAPTATION). */
  readonly adaptation?: number;
}

/**
 * River's 0.01 suits a handful of standardised features; SGD on squared loss is stable while
 * 2 · rate · |x|² < 2, and the learner's 40-odd features put |x|² near 40 on average and far beyond on
 * outlying windows, where 0.01 diverged on GOOG daily windows. A tenth of it keeps the step stable.
 */
const DEFAULT_LEARNING_RATE = 0.001;
/**
 * γ of the conformal intervals' adaptive α, one step per learned window (see conformal.ts). Measured on
 * the bench's panels (GOOG / SPY 1m / demo, coverage at 80 / 90 %, while a regime's own quantile was used
 * from 50 residuals): 0.005 gave 79.9 / 89.0, 77.0 / 86.5, 79.5 / 89.2; 0.02 80.3 / 89.5, 77.2 / 87.2, 79.9 / 89.8; 0.05 81.1 / 89.9, 77.7 / 88.2, 80.1 / 90.0 but
 * 2.5 % of the demo's 90 % intervals infinite (0.1: 3.4 / 5.2 / 8.2 %). 0.02 is the largest step that
 * issued no infinite interval there: a window missed whole moves α_t by 0.9 γ = 0.018, so it takes six
 * in a row to take the 90 % level's α_t to 0.
 */
const DEFAULT_ADAPTATION = 0.02;

/** Nominal coverages of the conformal intervals every prediction carries (the calibration plot's points). */
export const INTERVAL_LEVELS: readonly number[] = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

export interface LevelInterval extends Interval {
  /** Its nominal coverage. */
  readonly level: number;
}

export interface LearnerPrediction {
  readonly score: number;
  /** One interval per level of INTERVAL_LEVELS, in that order. */
  readonly intervals: readonly LevelInterval[];
  readonly interval80: Interval;
  readonly interval90: Interval;
  /** In [0, 1]; 0 before anything was learned. */
  readonly confidence: number;
  /** Share of recently learned inputs that were closer to their neighbours than this one is (0 to 1). */
  readonly novelty: number;
  /** Share of recently learned inputs whose local error scale was at most this one's (0 to 1). */
  readonly widthRank: number;
  /** The error to expect of it, as a share of recent predictions expected to err less (0 to 1). */
  readonly difficulty: number;
  readonly quintile: number | undefined;
}

export interface LearnTarget {
  readonly score: number;
  /** The regime the window started in: residuals are pooled per regime. */
  readonly stratum?: string;
  /** The set's quintile (1 worst to 5 best) among the sets tried in the same window, when known. */
  readonly quintile?: number;
}

/** Windows the typical within-window spread averages over (a running mean until then). */
const SPREAD_MEMORY = 50;

/**
 * Outcomes, deviations and each difficulty estimate's fit are kept over this many calibration windows:
 * confidence is read across a long run, and a median or a percentile over the last 1,000 results (20
 * windows of 50 sets) follows the market so closely that a calm spell's biggest deviations rank as high
 * as a wild one's (the demo's top / bottom decile error ratio 0.87 with 1,000, 0.75 with 10,000). The
 * fit needs the long run most: half the variance of the errors or more is the window's own market move,
 * which every set of the window shares, so 1,000 results are some 20 independent draws, and a
 * correlation over 20 draws let the local scale (rank correlation with the errors near 0 on the
 * markets) take a third of the weight by chance. Over 10,000 the decile ratios went from 0.69, 0.54 and
 * 0.75 to 0.63, 0.54 and 0.63 (GOOG, SPY, demo); with the deviation alone they were 0.60, 0.53, 0.62,
 * but it is blind to errors that depend on where an input sits, which the local scale sees.
 */
const DIFFICULTY_HISTORY = 10;

/** Right after a drift restart a result weighs WARM_BOOST in the level model, falling to 1 over WARM_RESULTS. */
const WARM_BOOST = 2;
const WARM_RESULTS = 200;

const KIND = 'parameter-learner';
const CLIP = 5;
/** 6: a regime's own conformal quantile waits for a calibration window of residuals; a saved learner of 5
 *  keeps the 50 its options resolved to, so it restarts and relearns from the ledger (as one of 4 did,
 *  whose α_t was stepped per result, not per window). */
const VERSION = 6;

interface Resolved {
  seed: number;
  model: 'linear' | 'forest';
  memory: number;
  neighbours: number;
  calibrationWindow: number;
  minStratum: number;
  driftReset: boolean;
  driftDelta: number;
  learningRate: number;
  adaptation: number;
}

export class ParameterLearner {
  /** The version of the state `toState` writes (older ones are refused by `fromState`). */
  static readonly stateVersion = VERSION;
  readonly options: Readonly<Resolved>;
  private scaler = new StandardScaler();
  /** The window's level: what every set of a window shares (the market), learned on window means. */
  private regressor: Regressor;
  /** A set's standing within its window (z-score) from its features' ranks there: what ranks the sets. */
  private relative = new BayesianLinearRegression();
  private quintiles = new GaussianNB();
  private memory: NeighbourMemory;
  /** One per level of INTERVAL_LEVELS. */
  private conformal: ConformalIntervals[];
  private distances: SortedWindow;
  private scales: SortedWindow;
  /** Recent scores learned, for their median: how far a prediction lies from what usually happens. */
  private outcomes: SortedWindow;
  /** Recent predictions' distances from that median. */
  private deviations: SortedWindow;
  /** What makes a window's errors large, learned from the market at its start (marketError.ts). */
  private marketError = new MarketErrorModel();
  /** Recent predictions' errors as that model expected them. */
  private marketErrors: SortedWindow;
  /** Recent absolute errors, so each estimate is judged by rank (errors are heavy-tailed). */
  private recentErrors: SortedWindow;
  /** How each difficulty estimate's percentile has tracked the realised errors' (local scale, deviation, market). */
  private difficultyFit: RunningCorrelation[];
  private drift: Adwin;
  private learned = 0;
  private resetCount = 0;
  private sinceReset = 0;
  private meanAbsResidual = 0;
  /** The typical spread (standard deviation) of the scores within a window, and the windows it saw. */
  private spread = 0;
  private spreadWindows = 0;
  /** Forests created so far: each gets its own seed. */
  private seedCounter = 0;

  constructor(options: ParameterLearnerOptions) {
    this.options = {
      seed: options.seed,
      model: options.model ?? 'linear',
      memory: options.memory ?? 1000,
      neighbours: options.neighbours ?? 10,
      calibrationWindow: options.calibrationWindow ?? 1000,
      minStratum: options.minStratum ?? options.calibrationWindow ?? 1000,
      driftReset: options.driftReset ?? true,
      driftDelta: options.driftDelta ?? 0.002,
      learningRate: options.learningRate ?? DEFAULT_LEARNING_RATE,
      adaptation: options.adaptation ?? DEFAULT_ADAPTATION,
    };
    const o = this.options;
    this.regressor = this.newRegressor();
    this.memory = new NeighbourMemory(o.memory, o.neighbours);
    this.conformal = INTERVAL_LEVELS.map(
      (level) =>
        new ConformalIntervals({
          alpha: 1 - level,
          window: o.calibrationWindow,
          minStratum: o.minStratum,
          gamma: o.adaptation,
        }),
    );
    this.distances = new SortedWindow(o.calibrationWindow);
    this.scales = new SortedWindow(o.calibrationWindow);
    this.outcomes = new SortedWindow(DIFFICULTY_HISTORY * o.calibrationWindow);
    this.deviations = new SortedWindow(DIFFICULTY_HISTORY * o.calibrationWindow);
    this.marketErrors = new SortedWindow(DIFFICULTY_HISTORY * o.calibrationWindow);
    this.recentErrors = new SortedWindow(o.calibrationWindow);
    this.difficultyFit = [0, 1, 2].map(
      () => new RunningCorrelation(DIFFICULTY_HISTORY * o.calibrationWindow),
    );
    this.drift = new Adwin({ delta: o.driftDelta });
  }

  /** Results learned in all. */
  get count(): number {
    return this.learned;
  }

  /** Times drift restarted the models. */
  get resets(): number {
    return this.resetCount;
  }

  /** Results learned since the last restart. */
  get learnedSinceReset(): number {
    return this.sinceReset;
  }

  predict(x: Features, stratum?: string): LearnerPrediction {
    return this.predictWindow([x], stratum)[0]!;
  }

  /**
   * Predictions for the sets of one window, made together: the cross-sectional model sees each set
   * against the others (its features less their mean over the window), which is what ranks them.
   */
  predictWindow(xs: readonly Features[], stratum?: string): LearnerPrediction[] {
    return this.rawWindow(xs, false).map((raw) => this.describe(raw, stratum));
  }

  private describe(
    { score, scale, distance, deviation, market, scaled }: ReturnType<ParameterLearner['rawWindow']>[number],
    stratum: string | undefined,
  ): LearnerPrediction {
    const intervals = this.conformal.map((conformal, k): LevelInterval => {
      const unit = conformal.interval(0, stratum);
      const halfWidth = unit.halfWidth * scale;
      return {
        level: INTERVAL_LEVELS[k]!,
        lower: score - halfWidth,
        upper: score + halfWidth,
        halfWidth,
        basis: unit.basis,
      };
    });
    const at = (level: number): Interval => {
      const { lower, upper, halfWidth, basis } = intervals[INTERVAL_LEVELS.indexOf(level)]!;
      return { lower, upper, halfWidth, basis };
    };
    const known = this.memory.size > 0 && this.distances.size > 0;
    const novelty = known ? this.distances.rank(distance) : 1;
    const ranks = known ? this.difficultyRanks(scale, deviation, market) : [1, 1, 1];
    const weights = this.difficultyFit.map((fit) => Math.max(0, fit.correlation));
    const total = weights.reduce((sum, w) => sum + w, 0);
    // Before any estimate has tracked the errors, all count alike.
    const difficulty =
      total > 0
        ? ranks.reduce((sum, rank, k) => sum + weights[k]! * rank, 0) / total
        : ranks.reduce((sum, rank) => sum + rank, 0) / ranks.length;
    const widthRank = ranks[0]!;
    const farthest = known ? this.distances.kth(this.distances.size) : 0;
    const domain = known && distance > farthest ? farthest / distance : known ? 1 : 0;
    const quintile = this.quintiles.predictOne(scaled);
    return {
      score,
      intervals,
      interval80: at(0.8),
      interval90: at(0.9),
      confidence: (1 - difficulty) * domain,
      novelty,
      widthRank,
      difficulty,
      quintile: typeof quintile === 'number' ? quintile : undefined,
    };
  }

  /**
   * Learns one result whose window has closed. The prediction it would have made is scored first
   * (prequential), so conformal residuals, calibration and drift see errors on unseen data only.
   */
  learn(x: Features, target: LearnTarget): void {
    this.learnWindow([{ features: x, target }]);
  }

  /**
   * Learns the results of one closed window together: every one is scored against the prediction made
   * before any of them was learned, as they were predicted when the window opened. Scoring them one by
   * one instead would let the first results of a window (which share its market) shrink the residuals of
   * the rest, and intervals calibrated on those would be too narrow.
   */
  learnWindow(results: readonly { readonly features: Features; readonly target: LearnTarget }[]): void {
    for (const { target } of results) {
      if (!Number.isFinite(target.score)) throw new RangeError(`parameter learner: score is ${target.score}`);
    }
    const scored = this.rawWindow(
      results.map((r) => r.features),
      true,
    );
    const n = results.length;
    const windowMean = results.reduce((sum, r) => sum + r.target.score, 0) / n;
    const windowSd = Math.sqrt(results.reduce((sum, r) => sum + (r.target.score - windowMean) ** 2, 0) / n);
    if (n >= 2) {
      this.spreadWindows++;
      this.spread += (windowSd - this.spread) / Math.min(this.spreadWindows, SPREAD_MEMORY);
    }
    // With nothing learned the local scales are infinite and there is nothing to calibrate on yet.
    if (this.memory.size > 0) {
      const outcomes = results.map(({ target }, i) => ({
        prediction: 0,
        actual: (target.score - scored[i]!.score) / scored[i]!.scale,
        ...(target.stratum === undefined ? {} : { stratum: target.stratum }),
      }));
      for (const conformal of this.conformal) conformal.observeWindow(outcomes);
      // Ranked as they were issued, before any of this window's own values joins the history.
      const ranks = scored.map(({ scale, deviation, market }) =>
        this.difficultyRanks(scale, deviation, market),
      );
      const errors = results.map(({ target }, i) => Math.abs(target.score - scored[i]!.score));
      const errorRanks = errors.map((e) => this.recentErrors.rank(e));
      ranks.forEach((estimates, i) =>
        estimates.forEach((rank, k) => this.difficultyFit[k]!.push(rank, errorRanks[i]!)),
      );
      for (const e of errors) this.recentErrors.push(e);
      scored.forEach(({ distance, scale, deviation, market }, i) => {
        this.distances.push(distance);
        this.scales.push(scale);
        this.deviations.push(deviation);
        this.marketErrors.push(market);
        this.marketError.learn(results[i]!.features, deviation, errors[i]!);
      });
    }
    for (const { target } of results) this.outcomes.push(target.score);
    results.forEach(({ features: x, target }, i) => {
      const y = target.score;
      const { score, vector, centre, centred } = scored[i]!;
      const absResidual = Math.abs(y - score);
      this.learned++;
      this.sinceReset++;
      this.meanAbsResidual += (absResidual - this.meanAbsResidual) / this.learned;
      const before = this.drift.estimation;
      this.drift.update(absResidual);
      // Only a rise in error is the market moving away; a fall is the learner getting better.
      if (this.options.driftReset && this.drift.driftDetected && this.drift.estimation > before)
        this.restart();
      this.scaler.learnOne(x);
      const scaled = this.standardised(x);
      this.regressor.learnOne(centre, windowMean, this.warmWeight());
      if (n >= 2) this.relative.learnOne(centred, windowSd > 0 ? (y - windowMean) / windowSd : 0);
      if (target.quintile !== undefined) this.quintiles.learnOne(scaled, target.quintile as ClassLabel);
      this.memory.add(vector, absResidual);
    });
  }

  /**
   * The weights of both parts, largest magnitude first: the level model's on standardised features (none
   * for the forest) and the standing model's on within-window ranks, named `rank(feature)`.
   */
  importance(): { feature: string; weight: number }[] {
    const level =
      this.regressor instanceof LinearRegression
        ? Object.entries(this.regressor.coefficients().weights).map(([feature, weight]) => ({
            feature,
            weight,
          }))
        : [];
    const standing = Object.entries(this.relative.weights()).map(([feature, weight]) => ({
      feature: `rank(${feature})`,
      weight,
    }));
    return [...level, ...standing].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  }

  /** Each feature's share of a linear prediction (weight x standardised value), largest first. */
  contributions(x: Features): { feature: string; contribution: number }[] {
    if (!(this.regressor instanceof LinearRegression)) return [];
    const weights = this.regressor.coefficients().weights;
    const scaled = this.standardised(x);
    return Object.entries(scaled)
      .map(([feature, value]) => ({ feature, contribution: (weights[feature] ?? 0) * value }))
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  }

  toState(): ModelState<typeof KIND> {
    return {
      kind: KIND,
      version: VERSION,
      options: { ...this.options },
      learned: this.learned,
      resetCount: this.resetCount,
      sinceReset: this.sinceReset,
      meanAbsResidual: this.meanAbsResidual,
      spread: this.spread,
      spreadWindows: this.spreadWindows,
      seedCounter: this.seedCounter,
      scaler: this.scaler.toState(),
      regressor: this.regressor.toState(),
      relative: this.relative.toState(),
      quintiles: this.quintiles.toState(),
      memory: this.memory.toState(),
      conformal: this.conformal.map((c) => c.toState()),
      distances: this.distances.values(),
      scales: this.scales.values(),
      outcomes: this.outcomes.values(),
      deviations: this.deviations.values(),
      marketError: this.marketError.toState(),
      marketErrors: this.marketErrors.values(),
      recentErrors: this.recentErrors.values(),
      difficultyFit: this.difficultyFit.map((fit) => fit.toState()),
      drift: this.drift.toState(),
    };
  }

  static fromState(state: ModelState): ParameterLearner {
    checkState(state, KIND, VERSION);
    const learner = new ParameterLearner(state.options as Resolved);
    const o = learner.options;
    learner.learned = state.learned as number;
    learner.resetCount = state.resetCount as number;
    learner.sinceReset = state.sinceReset as number;
    learner.meanAbsResidual = state.meanAbsResidual as number;
    learner.spread = state.spread as number;
    learner.spreadWindows = state.spreadWindows as number;
    learner.seedCounter = state.seedCounter as number;
    learner.scaler = StandardScaler.fromState(state.scaler as ModelState);
    const regressor = (model: ModelState): Regressor =>
      o.model === 'forest'
        ? AdaptiveRandomForestRegressor.fromState(model)
        : LinearRegression.fromState(model);
    learner.regressor = regressor(state.regressor as ModelState);
    learner.relative = BayesianLinearRegression.fromState(state.relative as ModelState);
    learner.quintiles = GaussianNB.fromState(state.quintiles as ModelState);
    learner.memory = NeighbourMemory.fromState(
      o.memory,
      o.neighbours,
      state.memory as Parameters<typeof NeighbourMemory.fromState>[2],
    );
    learner.conformal = (state.conformal as ModelState[]).map((c) => ConformalIntervals.fromState(c));
    // A first window's inputs have no neighbours yet (distance and scale Infinity), which JSON, the
    // ledger's storage, writes as null.
    const infinite = (values: readonly (number | null)[]): number[] => values.map((v) => v ?? Infinity);
    learner.distances = SortedWindow.of(o.calibrationWindow, infinite(state.distances as (number | null)[]));
    learner.scales = SortedWindow.of(o.calibrationWindow, infinite(state.scales as (number | null)[]));
    const history = DIFFICULTY_HISTORY * o.calibrationWindow;
    learner.outcomes = SortedWindow.of(history, state.outcomes as number[]);
    learner.deviations = SortedWindow.of(history, state.deviations as number[]);
    learner.marketError = MarketErrorModel.fromState(state.marketError as ModelState);
    learner.marketErrors = SortedWindow.of(history, state.marketErrors as number[]);
    learner.recentErrors = SortedWindow.of(o.calibrationWindow, state.recentErrors as number[]);
    learner.difficultyFit = (state.difficultyFit as number[][]).map((fit) =>
      RunningCorrelation.of(history, fit),
    );
    learner.drift = Adwin.fromState(state.drift as ModelState);
    return learner;
  }

  /**
   * Percentiles of an input's local error scale, of its prediction's deviation and of the error the
   * market error model expects of it, in recent history.
   */
  private difficultyRanks(scale: number, deviation: number, market: number): [number, number, number] {
    return [
      this.scales.rank(scale),
      this.deviations.size > 0 ? this.deviations.rank(deviation) : 0.5,
      this.marketErrors.size > 0 ? this.marketErrors.rank(market) : 0.5,
    ];
  }

  /**
   * For each input of a window: the prediction (level on its standardised features, plus the
   * cross-sectional model on the same less their window mean), its local error scale, neighbour
   * distance and distance from the median recent outcome. `grow` lets the memory add feature names it
   * has not seen (learning does; predicting must not change the state).
   */
  private rawWindow(
    xs: readonly Features[],
    grow: boolean,
  ): {
    score: number;
    scale: number;
    distance: number;
    deviation: number;
    market: number;
    scaled: Features;
    centre: Features;
    centred: Features;
    vector: Float64Array;
  }[] {
    const scaledAll = xs.map((x) => this.standardised(x));
    const centre: Record<string, number> = {};
    for (const scaled of scaledAll)
      for (const key in scaled) centre[key] = (centre[key] ?? 0) + scaled[key]! / xs.length;
    const vectors = xs.map((x) => this.memory.vector(x, grow));
    const names = this.memory.featureNames;
    const inverseScale = new Float64Array(names.length);
    names.forEach((name, i) => {
      const variance = this.scaler.statistics(name)?.variance ?? 0;
      inverseScale[i] = variance > 0 ? 1 / Math.sqrt(variance) : 0;
    });
    const ranked = crossSectionalRanks(xs);
    const typical = this.outcomes.size > 0 ? this.outcomes.kth(Math.ceil(this.outcomes.size / 2)) : 0;
    return xs.map((_, i) => {
      const scaled = scaledAll[i]!;
      const centred = ranked[i]!;
      const spread = this.spread;
      const score = this.regressor.predictOne(centre) + spread * this.relative.predictOne(centred);
      const vector = vectors[i]!;
      const { distance, residual } = this.memory.query(vector, inverseScale);
      // A floor keeps a region of exact past predictions from giving a zero-width interval.
      const scale = residual + 0.01 * this.meanAbsResidual + 1e-12;
      const deviation = Math.abs(score - typical);
      return {
        score,
        scale,
        distance,
        deviation,
        market: this.marketError.estimate(xs[i]!, deviation),
        scaled,
        centre,
        centred,
        vector,
      };
    });
  }

  /**
   * Standardised features, clipped to ±5 standard deviations: early on, or when a feature that was
   * constant moves, the scaler's variance is tiny and a raw z-score in the thousands would throw SGD off
   * (River diverges the same way); five deviations keep every real difference.
   */
  private standardised(x: Features): Record<string, number> {
    const scaled = this.scaler.transformOne(x);
    for (const key in scaled) scaled[key] = Math.max(-CLIP, Math.min(CLIP, scaled[key]!));
    return scaled;
  }

  private newRegressor(): Regressor {
    return this.options.model === 'forest'
      ? new AdaptiveRandomForestRegressor({
          seed: deriveSeed(this.options.seed, this.resetCount, this.seedCounter++),
        })
      : new LinearRegression({ learningRate: this.options.learningRate });
  }

  /**
   * The weight of a result in the level model: raised right after a drift restart and back to 1 over
   * WARM_RESULTS, so a model restarted from nothing catches up with the new market in a few dozen steps
   * instead of the ~150 the plain SGD step took (the planted shift was back within 20 % of its pre-shift
   * error after 180-230 results over 10 seeds, 120-170 with this), while stationary learning is
   * unchanged. A weight rather than a larger step, so the gradient clip still bounds each update; a
   * larger boost (5 over 100 results: 80-150) threw GOOG's 40-feature level model off after its resets
   * (MAE 1.08 -> 1.33), this one costs it 2 % (1.10).
   */
  private warmWeight(): number {
    if (this.resetCount === 0) return 1;
    return 1 + (WARM_BOOST - 1) * Math.max(0, 1 - this.sinceReset / WARM_RESULTS);
  }

  private restart(): void {
    this.resetCount++;
    this.sinceReset = 0;
    this.scaler = new StandardScaler();
    this.regressor = this.newRegressor();
    this.quintiles = new GaussianNB();
  }
}

/**
 * Each input's features as its rank among the window's inputs, centred and scaled to unit variance
 * (uniform ranks: (r / (n - 1) - 0.5) * sqrt(12)); features equal across the window are left out.
 */
function crossSectionalRanks(xs: readonly Features[]): Record<string, number>[] {
  const out = xs.map(() => ({}) as Record<string, number>);
  const n = xs.length;
  if (n < 2) return out;
  const keys = new Set<string>();
  for (const x of xs) for (const key in x) keys.add(key);
  for (const key of keys) {
    const values = xs.map((x) => x[key] ?? 0);
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    if (order[0]![0] === order[n - 1]![0]) continue;
    for (let i = 0; i < n;) {
      let j = i;
      while (j + 1 < n && order[j + 1]![0] === order[i]![0]) j++;
      const rank = (i + j) / 2;
      for (let k = i; k <= j; k++) out[order[k]![1]]![key] = (rank / (n - 1) - 0.5) * Math.sqrt(12);
      i = j + 1;
    }
  }
  return out;
}
