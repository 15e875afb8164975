import { hacMean, hacRatio, interval95 } from '../../math/hac.ts';
import { mean } from '../../math/statistics.ts';
import type { PanelWindow } from './panel.ts';
import {
  INTERVAL_LEVELS,
  ParameterLearner,
  type LearnerPrediction,
  type ParameterLearnerOptions,
} from './parameterLearner.ts';
import { RegimeForecaster } from './regimeForecaster.ts';

/**
 * Delayed prequential evaluation (Dawid's prequential principle, with the delay a market imposes): the
 * windows are visited in time order, every set of a window is predicted when the window opens, and its
 * results are learned only once the window has closed, after every prediction for it was made. Each
 * figure is shown beside the persistence baseline ("a set scores next window what it scored in the
 * last"), which any learner has to beat to be worth its confidence.
 */
export interface PrequentialOptions extends Omit<ParameterLearnerOptions, 'seed'> {
  readonly seed?: number;
  /** Windows learned before predictions are scored. */
  readonly warmupWindows?: number;
  /** Predictions the rolling figures average. */
  readonly rolling?: number;
  /**
   * Told each window's predictions when it opens, before its results are learned: what a policy acting
   * on the learner would have seen then (the scorecard's learner policy picks its sets here).
   */
  readonly onPredict?: (window: PanelWindow, predictions: readonly LearnerPrediction[]) => void;
}

/** The figures over the last `rolling` predictions, after one scored window (the charts over time). */
export interface RollingPoint {
  readonly window: number;
  readonly startTime: number;
  readonly mae: number;
  /** Mean rank correlation and top-quintile precision of the windows those predictions came from. */
  readonly rank: number;
  readonly topQuintile: number;
  readonly coverage80: number;
  readonly coverage90: number;
  readonly pairwise: number;
}

/**
 * The uncertainty of every figure here is counted in windows, not predictions: a window's sets share its
 * market's move and hit or miss together, and regimes carry over from one window to the next. So each
 * interval and t is a Newey-West HAC one over the per-window figures in time order (Bartlett kernel, lag
 * floor(4 (windows/100)^(2/9)): 3 for 58 windows, 5 for 489; src/core/math/hac.ts).
 */
export interface RankFigure {
  /** Mean over windows of the Spearman rank correlation between predicted and realised scores. */
  readonly mean: number;
  /**
   * Its t: mean / HAC standard error across windows (at lag 0, mean / (sd / √windows)); NaN below two
   * windows or with no spread.
   */
  readonly t: number;
}

/** A 95 % interval over windows (mean ± 1.96 HAC standard errors, within 0 and 1 for a share). */
export interface WindowInterval {
  readonly lower: number;
  readonly upper: number;
}

/**
 * The t a learner's out-of-sample rank correlation needs (with a positive mean) before its word moves a
 * set: issue 12's bar for the rank figure. Below it the ranking is indistinguishable from chance, and a
 * confident prediction of a learner that cannot rank is no reason to switch.
 */
export const SKILL_MIN_T = 2;

/** Whether a rank figure shows a learner ranking sets better than chance (mean > 0, t >= SKILL_MIN_T). */
export function ranksBetterThanChance(rank: RankFigure): boolean {
  return rank.mean > 0 && rank.t >= SKILL_MIN_T;
}

/** One scored window's rank correlation, and the bar its window closed at (its `end`, exclusive). */
export interface WindowRank {
  readonly index: number;
  readonly end: number;
  readonly rank: number;
}

export interface PrecisionFigure {
  /** Share of the sets predicted in a window's top fifth that landed there. */
  readonly precision: number;
  /**
   * 95 % interval over windows: the pooled share as a ratio of per-window hits to per-window top-fifth
   * sizes, its HAC standard error by linearisation (a window weighs by its size, as in the share).
   */
  readonly lower: number;
  readonly upper: number;
  readonly predictions: number;
}

export interface PrequentialReport {
  readonly windows: number;
  readonly predictions: number;
  readonly mae: number;
  readonly baselineMae: number;
  /** The figures over the last `rolling` predictions after each scored window (the charts over time). */
  readonly rolling: readonly RollingPoint[];
  readonly rank: RankFigure;
  /**
   * The rank correlation of each scored window, in time order: `rank` over those closed by a bar is the
   * skill a policy acting at that bar could have known (the scorecard's learner reads it so).
   */
  readonly windowRanks: readonly WindowRank[];
  readonly baselineRank: RankFigure;
  readonly topQuintile: PrecisionFigure;
  readonly baselineTopQuintile: PrecisionFigure;
  readonly coverage80: number;
  readonly coverage90: number;
  /** 95 % intervals over windows of the two coverages (a window's sets miss together). */
  readonly coverage80Interval: WindowInterval;
  readonly coverage90Interval: WindowInterval;
  /** Share of the 80 % and 90 % intervals issued unbounded (the adaptive α_t at or below the quantile's
   *  reach: they cover every outcome, so they flatter the coverage). */
  readonly unbounded80: number;
  readonly unbounded90: number;
  /** Each interval level (INTERVAL_LEVELS) against the share of results that landed inside it. */
  readonly calibration: readonly { readonly nominal: number; readonly realised: number }[];
  /** Share of pairs (A, B) of one window whose realised order the predictions got right. */
  readonly pairwise: number;
  /** Its 95 % interval over windows (a window's pairs weigh by their number). */
  readonly pairwiseInterval: WindowInterval;
  readonly baselinePairwise: number;
  /** Share of sets whose quintile the classifier named (chance: 0.2). */
  readonly quintileAccuracy: number;
  /** Mean absolute error of the most and the least confident tenth of the predictions. */
  readonly confidenceDeciles: { readonly top: number; readonly bottom: number };
  /** Next window's regime: the classifier against "the regime stays". */
  readonly regime: { readonly windows: number; readonly model: number; readonly stays: number };
  readonly resets: number;
  /** The learner as it ended, for a recommendation on the same data. */
  readonly learner: ParameterLearner;
}

interface Scored {
  prediction: number;
  baseline: number | null;
  actual: number;
  in80: boolean;
  in90: boolean;
  unbounded80: boolean;
  unbounded90: boolean;
  /** Inside the interval of each level of INTERVAL_LEVELS. */
  inside: boolean[];
  confidence: number;
}

export function evaluatePrequential(
  windows: readonly PanelWindow[],
  options: PrequentialOptions = {},
): PrequentialReport {
  const { warmupWindows = 5, rolling = 500, onPredict, ...learnerOptions } = options;
  const learner = new ParameterLearner({ seed: 1, ...learnerOptions });
  const regimes = new RegimeForecaster();
  const scored: Scored[] = [];
  const perWindow: WindowFigures[] = [];
  const windowRanks: WindowRank[] = [];
  const baselineRank: number[] = [];
  const baselineTops: Count[] = [];
  const baselinePairs = { right: 0, total: 0 };
  let quintileHits = 0;
  const rollingPoints: RollingPoint[] = [];

  for (const window of windows) {
    const stratum = window.regime ?? undefined;
    const predictions = learner.predictWindow(
      window.rows.map((row) => row.features),
      stratum,
    );
    onPredict?.(window, predictions);
    if (window.index >= warmupWindows) {
      const actual = window.rows.map((r) => r.score);
      const predicted = predictions.map((p) => p.score);
      const baseline = window.rows.map((r) => r.previousScore);
      window.rows.forEach((row, j) => {
        const p = predictions[j]!;
        scored.push({
          prediction: p.score,
          baseline: row.previousScore,
          actual: row.score,
          in80: row.score >= p.interval80.lower && row.score <= p.interval80.upper,
          in90: row.score >= p.interval90.lower && row.score <= p.interval90.upper,
          unbounded80: !Number.isFinite(p.interval80.halfWidth),
          unbounded90: !Number.isFinite(p.interval90.halfWidth),
          inside: p.intervals.map((i) => row.score >= i.lower && row.score <= i.upper),
          confidence: p.confidence,
        });
        if (p.quintile === row.quintile) quintileHits++;
      });
      const inWindow = scored.slice(-actual.length);
      const figures: WindowFigures = {
        predictions: actual.length,
        rank: spearman(predicted, actual),
        top: { hits: 0, total: 0 },
        pairs: { right: 0, total: 0 },
        covered80: inWindow.filter((s) => s.in80).length,
        covered90: inWindow.filter((s) => s.in90).length,
      };
      countTop(predicted, actual, figures.top);
      countPairs(predicted, actual, figures.pairs);
      perWindow.push(figures);
      windowRanks.push({ index: window.index, end: window.end, rank: figures.rank });
      if (baseline.every((b) => b !== null)) {
        const b = baseline as number[];
        baselineRank.push(spearman(b, actual));
        const top = { hits: 0, total: 0 };
        countTop(b, actual, top);
        baselineTops.push(top);
        countPairs(b, actual, baselinePairs);
      }
      rollingPoints.push(rollingPoint(window, scored.slice(-rolling), recentWindows(perWindow, rolling)));
    }
    // The window has closed: its results are learned now, after every prediction for it.
    learner.learnWindow(
      window.rows.map((row) => ({
        features: row.features,
        target: { score: row.score, quintile: row.quintile, ...(stratum === undefined ? {} : { stratum }) },
      })),
    );
    if (window.regime !== null && window.nextRegime !== null)
      regimes.learn(window.context, window.regime, window.nextRegime);
  }

  const withBaseline = scored.filter((s) => s.baseline !== null);
  const byConfidence = [...scored].sort((a, b) => b.confidence - a.confidence);
  const decile = Math.max(1, Math.floor(scored.length / 10));
  const absErrors = (list: readonly Scored[]): number[] => list.map((s) => Math.abs(s.actual - s.prediction));
  return {
    windows: perWindow.length,
    predictions: scored.length,
    mae: mean(absErrors(scored)),
    baselineMae: mean(withBaseline.map((s) => Math.abs(s.actual - s.baseline!))),
    rolling: rollingPoints,
    rank: rankFigure(perWindow.map((w) => w.rank)),
    windowRanks,
    baselineRank: rankFigure(baselineRank),
    topQuintile: precision(perWindow.map((w) => w.top)),
    baselineTopQuintile: precision(baselineTops),
    coverage80: scored.filter((s) => s.in80).length / scored.length,
    coverage90: scored.filter((s) => s.in90).length / scored.length,
    coverage80Interval: shareInterval(
      perWindow.map((w) => w.covered80),
      perWindow.map((w) => w.predictions),
    ),
    coverage90Interval: shareInterval(
      perWindow.map((w) => w.covered90),
      perWindow.map((w) => w.predictions),
    ),
    unbounded80: scored.filter((s) => s.unbounded80).length / scored.length,
    unbounded90: scored.filter((s) => s.unbounded90).length / scored.length,
    calibration: INTERVAL_LEVELS.map((nominal, k) => ({
      nominal,
      realised: scored.filter((s) => s.inside[k]).length / scored.length,
    })),
    pairwise: sumPairs(perWindow).right / sumPairs(perWindow).total,
    pairwiseInterval: shareInterval(
      perWindow.map((w) => w.pairs.right),
      perWindow.map((w) => w.pairs.total),
    ),
    baselinePairwise: baselinePairs.right / baselinePairs.total,
    quintileAccuracy: quintileHits / scored.length,
    confidenceDeciles: {
      top: mean(absErrors(byConfidence.slice(0, decile))),
      bottom: mean(absErrors(byConfidence.slice(-decile))),
    },
    regime: regimes.accuracy(),
    resets: learner.resets,
    learner,
  };
}

/** Spearman's rank correlation (average ranks for ties); 0 when either side is constant. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const ma = mean(ra);
  const mb = mean(rb);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < ra.length; i++) {
    sab += (ra[i]! - ma) * (rb[i]! - mb);
    saa += (ra[i]! - ma) ** 2;
    sbb += (rb[i]! - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = (i + j) / 2;
    i = j + 1;
  }
  return ranks;
}

/** The top fifth by predicted score against the top fifth by realised score (ties by position). */
function countTop(predicted: readonly number[], actual: readonly number[], into: Count): void {
  const size = Math.max(1, Math.round(predicted.length / 5));
  const topOf = (values: readonly number[]): Set<number> =>
    new Set(
      values
        .map((v, i) => [v, i] as const)
        .sort((x, y) => y[0] - x[0] || x[1] - y[1])
        .slice(0, size)
        .map(([, i]) => i),
    );
  const realised = topOf(actual);
  for (const i of topOf(predicted)) if (realised.has(i)) into.hits++;
  into.total += size;
}

function countPairs(
  predicted: readonly number[],
  actual: readonly number[],
  into: { right: number; total: number },
): void {
  for (let i = 0; i < actual.length; i++) {
    for (let j = i + 1; j < actual.length; j++) {
      const realised = Math.sign(actual[i]! - actual[j]!);
      if (realised === 0) continue;
      into.total++;
      if (Math.sign(predicted[i]! - predicted[j]!) === realised) into.right++;
    }
  }
}

interface Count {
  hits: number;
  total: number;
}

/** What one scored window contributed to the window-level figures. */
interface WindowFigures {
  readonly predictions: number;
  readonly rank: number;
  readonly top: Count;
  readonly pairs: { right: number; total: number };
  /** Its sets whose result landed inside their 80 % and 90 % intervals. */
  readonly covered80: number;
  readonly covered90: number;
}

const sumTop = (list: readonly WindowFigures[]): Count => ({
  hits: list.reduce((a, w) => a + w.top.hits, 0),
  total: list.reduce((a, w) => a + w.top.total, 0),
});

const sumPairs = (list: readonly WindowFigures[]): { right: number; total: number } => ({
  right: list.reduce((a, w) => a + w.pairs.right, 0),
  total: list.reduce((a, w) => a + w.pairs.total, 0),
});

/** The latest windows whose predictions make up the last `rolling` (at least the latest window). */
function recentWindows(list: readonly WindowFigures[], rolling: number): WindowFigures[] {
  let count = 0;
  let from = list.length;
  while (from > 0 && (count < rolling || from === list.length)) count += list[--from]!.predictions;
  return list.slice(from);
}

function rollingPoint(
  window: PanelWindow,
  recent: readonly Scored[],
  windows: readonly WindowFigures[],
): RollingPoint {
  const top = sumTop(windows);
  const pairs = sumPairs(windows);
  return {
    window: window.index,
    startTime: window.startTime,
    mae: mean(recent.map((s) => Math.abs(s.actual - s.prediction))),
    rank: mean(windows.map((w) => w.rank)),
    topQuintile: top.hits / top.total,
    coverage80: recent.filter((s) => s.in80).length / recent.length,
    coverage90: recent.filter((s) => s.in90).length / recent.length,
    pairwise: pairs.right / pairs.total,
  };
}

/** The mean of per-window rank correlations (in time order) and its HAC t across them. */
export function rankFigure(perWindow: readonly number[]): RankFigure {
  const { estimate, standardError } = hacMean(perWindow);
  return { mean: estimate, t: standardError > 0 ? estimate / standardError : Number.NaN };
}

/** A pooled share of per-window counts (in time order) and its 95 % interval over the windows. */
function shareInterval(hits: readonly number[], totals: readonly number[]): WindowInterval {
  return interval95(hacRatio(hits, totals), 0, 1);
}

function precision(perWindow: readonly Count[]): PrecisionFigure {
  const hits = perWindow.map((w) => w.hits);
  const totals = perWindow.map((w) => w.total);
  const total = totals.reduce((a, b) => a + b, 0);
  return {
    precision: hits.reduce((a, b) => a + b, 0) / total,
    ...shareInterval(hits, totals),
    predictions: total,
  };
}
