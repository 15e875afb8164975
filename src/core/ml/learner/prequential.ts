import { mean, sampleStd } from '../../math/statistics.ts';
import type { PanelWindow } from './panel.ts';
import { ParameterLearner, type ParameterLearnerOptions } from './parameterLearner.ts';
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
  /** Predictions the rolling MAE averages. */
  readonly rolling?: number;
}

export interface RankFigure {
  /** Mean over windows of the Spearman rank correlation between predicted and realised scores. */
  readonly mean: number;
  /** Its t statistic across windows (mean / (sd / √windows)). */
  readonly t: number;
}

export interface PrecisionFigure {
  /** Share of the sets predicted in a window's top fifth that landed there. */
  readonly precision: number;
  /** Wilson 95 % interval. */
  readonly lower: number;
  readonly upper: number;
  readonly predictions: number;
}

export interface PrequentialReport {
  readonly windows: number;
  readonly predictions: number;
  readonly mae: number;
  readonly baselineMae: number;
  /** MAE of the last `rolling` predictions after each scored window (the accuracy chart). */
  readonly rollingMae: readonly { readonly window: number; readonly mae: number }[];
  readonly rank: RankFigure;
  readonly baselineRank: RankFigure;
  readonly topQuintile: PrecisionFigure;
  readonly baselineTopQuintile: PrecisionFigure;
  readonly coverage80: number;
  readonly coverage90: number;
  /** Share of pairs (A, B) of one window whose realised order the predictions got right. */
  readonly pairwise: number;
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
  confidence: number;
}

export function evaluatePrequential(
  windows: readonly PanelWindow[],
  options: PrequentialOptions = {},
): PrequentialReport {
  const { warmupWindows = 5, rolling = 500, ...learnerOptions } = options;
  const learner = new ParameterLearner({ seed: 1, ...learnerOptions });
  const regimes = new RegimeForecaster();
  const scored: Scored[] = [];
  const rank: number[] = [];
  const baselineRank: number[] = [];
  const top = { hits: 0, total: 0 };
  const baselineTop = { hits: 0, total: 0 };
  const pairs = { right: 0, total: 0, baselineRight: 0, baselineTotal: 0 };
  let quintileHits = 0;
  const rollingMae: { window: number; mae: number }[] = [];

  for (const window of windows) {
    const stratum = window.regime ?? undefined;
    const predictions = learner.predictWindow(
      window.rows.map((row) => row.features),
      stratum,
    );
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
          confidence: p.confidence,
        });
        if (p.quintile === row.quintile) quintileHits++;
      });
      rank.push(spearman(predicted, actual));
      countTop(predicted, actual, top);
      countPairs(predicted, actual, pairs, 'right', 'total');
      if (baseline.every((b) => b !== null)) {
        const b = baseline as number[];
        baselineRank.push(spearman(b, actual));
        countTop(b, actual, baselineTop);
        countPairs(b, actual, pairs, 'baselineRight', 'baselineTotal');
      }
      const recent = scored.slice(-rolling);
      rollingMae.push({
        window: window.index,
        mae: mean(recent.map((s) => Math.abs(s.actual - s.prediction))),
      });
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
    windows: rank.length,
    predictions: scored.length,
    mae: mean(absErrors(scored)),
    baselineMae: mean(withBaseline.map((s) => Math.abs(s.actual - s.baseline!))),
    rollingMae,
    rank: rankFigure(rank),
    baselineRank: rankFigure(baselineRank),
    topQuintile: precision(top),
    baselineTopQuintile: precision(baselineTop),
    coverage80: scored.filter((s) => s.in80).length / scored.length,
    coverage90: scored.filter((s) => s.in90).length / scored.length,
    pairwise: pairs.right / pairs.total,
    baselinePairwise: pairs.baselineRight / pairs.baselineTotal,
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

/** Wilson score interval of a proportion at 95 %. */
export function wilson(hits: number, total: number): { lower: number; upper: number } {
  if (total === 0) return { lower: Number.NaN, upper: Number.NaN };
  const z = 1.959963984540054;
  const p = hits / total;
  const denominator = 1 + (z * z) / total;
  const centre = (p + (z * z) / (2 * total)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / total + (z * z) / (4 * total * total))) / denominator;
  return { lower: centre - half, upper: centre + half };
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
function countTop(
  predicted: readonly number[],
  actual: readonly number[],
  into: { hits: number; total: number },
): void {
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

function countPairs<R extends string, T extends string>(
  predicted: readonly number[],
  actual: readonly number[],
  into: Record<R | T, number>,
  right: R,
  total: T,
): void {
  for (let i = 0; i < actual.length; i++) {
    for (let j = i + 1; j < actual.length; j++) {
      const realised = Math.sign(actual[i]! - actual[j]!);
      if (realised === 0) continue;
      into[total]++;
      if (Math.sign(predicted[i]! - predicted[j]!) === realised) into[right]++;
    }
  }
}

function rankFigure(perWindow: readonly number[]): RankFigure {
  const m = mean(perWindow);
  const sd = sampleStd(perWindow);
  return { mean: m, t: sd > 0 ? m / (sd / Math.sqrt(perWindow.length)) : Number.NaN };
}

function precision(count: { hits: number; total: number }): PrecisionFigure {
  return {
    precision: count.hits / count.total,
    ...wilson(count.hits, count.total),
    predictions: count.total,
  };
}
