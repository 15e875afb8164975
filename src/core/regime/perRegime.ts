/**
 * Regime-aware optimisation (issue 11 item 8): every trial is scored per regime, on the trial's own run
 * restricted to the bars where that regime was in force, and each regime gets the best set with enough
 * evidence there; a regime without one falls back to the global winner.
 *
 * Attribution follows the switched strategy (switched.ts): the return of bar i and a trade entered at bar
 * i belong to schedule[i - 1], the regime whose set made the decision at bar i - 1's close.
 */
import type { Bars } from '../data/bars.ts';
import { BacktestWorkspace, prepareDataset, runPrepared, type BacktestRun } from '../engine/backtest.ts';
import type { BacktestOptions } from '../engine/options.ts';
import { sampleStd } from '../math/statistics.ts';
import { annualizationOf, computeMetrics, type ClosedTrades, type Metrics } from '../metrics/metrics.ts';
import { resolvePeriodicity } from '../metrics/periods.ts';
import {
  objectiveValues,
  weightedScore,
  type Objective,
  type ObjectiveMode,
} from '../optimize/objectives.ts';
import type { MetricSet } from '../optimize/index.ts';
import type { SamplerConfig } from '../optimize/sampler.ts';
import type { Params, SearchSpace } from '../optimize/space.ts';
import { sampleSpace } from '../optimize/warmup.ts';
import type { StrategyDefinition, StrategyParams } from '../strategy-api/types.ts';
import { LABEL_COUNT, NO_LABEL } from './labels.ts';

/** What a trial scored while one regime was in force. */
export interface RegimeScore {
  /** Bars whose return is attributed to the regime. */
  readonly bars: number;
  /**
   * (mean - risk-free rate per bar) / std (ddof 1) of those bars' returns x sqrt(periods a year); NaN with
   * fewer than 2 or no spread.
   */
  readonly sharpeRatio: number;
  /** Compounded return over those bars alone. */
  readonly totalReturn: number;
  /** Closed trades entered while the regime was in force. */
  readonly trades: number;
  /** Share of those trades with a positive profit; NaN without trades. */
  readonly winRate: number;
}

/** A regime's score read back from a metric record holding its fields (combined, or off the wire). */
export function regimeScoreOf(m: Readonly<Record<string, number>>): RegimeScore {
  return {
    bars: m['bars']!,
    sharpeRatio: m['sharpeRatio']!,
    totalReturn: m['totalReturn']!,
    trades: m['trades']!,
    winRate: m['winRate']!,
  };
}

export const REGIME_SCORE_METRICS = ['sharpeRatio', 'totalReturn'] as const;
export type RegimeScoreMetric = (typeof REGIME_SCORE_METRICS)[number];

/** Bar returns of a run (return of bar i at index i; 0 at bar 0 and through the warm-up, where it holds cash). */
export function barReturns(
  equity: Float64Array,
  out: Float64Array = new Float64Array(equity.length),
): Float64Array {
  out[0] = 0;
  for (let i = 1; i < equity.length; i++) out[i] = equity[i] / equity[i - 1] - 1;
  return out;
}

/** What the per-regime scores measure excess returns over, as a backtest's Sharpe ratio does. */
export interface RegimeScoring {
  /** Bar periods a year (per-bar Sharpe ratios are annualised with it). */
  readonly periodsPerYear: number;
  /** Annual risk-free rate (0.04 for 4 %): each bar's return less (1 + rate)^(1 / periodsPerYear) - 1. 0 by default. */
  readonly riskFreeRate?: number;
}

function sharpeOf(sum: number, squares: number, count: number, scoring: RegimeScoring): number {
  if (count < 2) return NaN;
  const m = sum / count;
  const variance = (squares - count * m * m) / (count - 1);
  const riskFree = Math.pow(1 + (scoring.riskFreeRate ?? 0), 1 / scoring.periodsPerYear) - 1;
  return variance > 0 ? ((m - riskFree) / Math.sqrt(variance)) * Math.sqrt(scoring.periodsPerYear) : NaN;
}

/**
 * Scores a run per regime (index = label code) and over all its bars (`all`), counting bars from
 * `from` (the first bar whose return a policy is judged on; the strategy's warm-up earns nothing).
 */
export function scoreByRegime(
  run: BacktestRun,
  schedule: Int8Array,
  scoring: RegimeScoring,
  from = run.startIndex,
): { readonly regimes: RegimeScore[]; readonly all: RegimeScore } {
  const n = run.equity.length;
  // Slot LABEL_COUNT is every bar (warm-up of the labels included): the trial's global score.
  const all = LABEL_COUNT;
  const count = new Float64Array(LABEL_COUNT + 1);
  const sum = new Float64Array(LABEL_COUNT + 1);
  const squares = new Float64Array(LABEL_COUNT + 1);
  const logGrowth = new Float64Array(LABEL_COUNT + 1);
  const trades = new Float64Array(LABEL_COUNT + 1);
  const wins = new Float64Array(LABEL_COUNT + 1);
  const addReturn = (k: number, r: number): void => {
    count[k]++;
    sum[k] += r;
    squares[k] += r * r;
    logGrowth[k] += Math.log1p(r);
  };
  const equity = run.equity;
  for (let i = Math.max(1, from + 1); i < n; i++) {
    const r = equity[i] / equity[i - 1] - 1;
    addReturn(all, r);
    if (schedule[i - 1] !== NO_LABEL) addReturn(schedule[i - 1], r);
  }
  const log = run.trades;
  for (let j = 0; j < log.count; j++) {
    const entry = log.entryIndex[j];
    if (entry <= from) continue;
    const win = log.pnl[j] > 0 ? 1 : 0;
    trades[all]++;
    wins[all] += win;
    const regime = schedule[entry - 1];
    if (regime === NO_LABEL) continue;
    trades[regime]++;
    wins[regime] += win;
  }
  const scoreOf = (k: number): RegimeScore => ({
    bars: count[k],
    sharpeRatio: sharpeOf(sum[k], squares[k], count[k], scoring),
    totalReturn: Math.expm1(logGrowth[k]),
    trades: trades[k],
    winRate: trades[k] === 0 ? NaN : wins[k] / trades[k],
  });
  return { regimes: Array.from({ length: LABEL_COUNT }, (_, k) => scoreOf(k)), all: scoreOf(all) };
}

/**
 * A study's objective, which a study's per-regime mode judges every regime by (the metric ranking above
 * is what regimes:winners and the comparison use, which have no study).
 */
export interface RegimeObjective {
  readonly objectives: readonly Objective[];
  readonly mode: ObjectiveMode;
}

/**
 * The one number a study ranks trials by, in the objective's own units: the first objective's value
 * (its magnitude for a drawdown), or the weighted score in 'weighted' mode. A 'pareto' study's winner is
 * the front member best on its first objective (Study.best), so the first objective judges there too.
 */
export function objectiveValue(
  objective: RegimeObjective,
  metrics: Readonly<Record<string, number>>,
): number {
  const values = objectiveValues(objective.objectives, metrics);
  return objective.mode === 'weighted' ? weightedScore(objective.objectives, values) : values[0]!;
}

function higherIsBetter(objective: RegimeObjective): boolean {
  return objective.mode === 'weighted' || objective.objectives[0]!.direction === 'maximize';
}

function pickTrades(log: ClosedTrades, rows: readonly number[]): ClosedTrades {
  const column = (values: ArrayLike<number>): Float64Array => Float64Array.from(rows, (j) => values[j]!);
  return {
    count: rows.length,
    entryIndex: column(log.entryIndex),
    exitIndex: column(log.exitIndex),
    entryTime: column(log.entryTime),
    exitTime: column(log.exitTime),
    pnl: column(log.pnl),
    returnPct: column(log.returnPct),
  };
}

/**
 * A run's metrics restricted to each regime's bars (index = label code; index LABEL_COUNT: all bars from
 * `from`): the equity a unit of wealth reaches compounding only those bars' returns, at those bars' times,
 * with the trades entered there, annualised as the whole series is (a regime present a third of the time
 * is not a series of a third as many periods a year), Sharpe and Sortino over `riskFreeRate` (annual, 0 by
 * default). Attribution as in scoreByRegime.
 */
export function metricsByRegime(
  run: BacktestRun,
  t: Float64Array,
  schedule: Int8Array,
  from = run.startIndex,
  riskFreeRate = 0,
): Metrics[] {
  const periodicity = resolvePeriodicity(t);
  const { periodsPerYear } = annualizationOf(t, { periodicity });
  const slots = Array.from({ length: LABEL_COUNT + 1 }, () => ({
    t: [] as number[],
    equity: [] as number[],
    wealth: 1,
    trades: [] as number[],
  }));
  const add = (k: number, i: number, r: number): void => {
    const slot = slots[k]!;
    slot.wealth *= 1 + r;
    slot.t.push(t[i]!);
    slot.equity.push(slot.wealth);
  };
  const equity = run.equity;
  for (let i = Math.max(1, from + 1); i < equity.length; i++) {
    const r = equity[i]! / equity[i - 1]! - 1;
    add(LABEL_COUNT, i, r);
    if (schedule[i - 1] !== NO_LABEL) add(schedule[i - 1]!, i, r);
  }
  const log = run.trades;
  for (let j = 0; j < log.count; j++) {
    const entry = log.entryIndex[j]!;
    if (entry <= from) continue;
    slots[LABEL_COUNT]!.trades.push(j);
    if (schedule[entry - 1] !== NO_LABEL) slots[schedule[entry - 1]!]!.trades.push(j);
  }
  return slots.map((slot) =>
    computeMetrics({
      t: Float64Array.from(slot.t),
      equity: Float64Array.from(slot.equity),
      initialCash: 1,
      trades: pickTrades(log, slot.trades),
      periodicity,
      periodsPerYear,
      riskFreeRate,
    }),
  );
}

/** Strategy parameters are numbers; a space with a categorical choice cannot feed them. */
function numericParams(params: Params): StrategyParams {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== 'number')
      throw new RangeError(
        `per-regime study: parameter "${name}" must be numeric, got ${JSON.stringify(value)}`,
      );
    out[name] = value;
  }
  return out;
}

/** The parameter sets of a study whose proposals do not depend on results (grid or random), in trial order. */
export function sampleCandidates(
  space: SearchSpace,
  sampler: Extract<SamplerConfig, { kind: 'grid' | 'random' }>,
  trials: number,
  seed: number,
): StrategyParams[] {
  if (!Number.isInteger(trials) || trials < 1)
    throw new RangeError(`per-regime study: trials must be an integer >= 1, got ${trials}`);
  return sampleSpace(space, sampler, trials, seed).map(numericParams);
}

export interface CandidateScores {
  readonly params: StrategyParams;
  /** First bar the strategy traded (its lookback; on the first dataset when scored on several). */
  readonly startIndex: number;
  readonly all: RegimeScore;
  readonly regimes: readonly RegimeScore[];
  /** The study objective's value over all bars and on each regime's bars, when scored against one. */
  readonly objective?: { readonly all: number; readonly regimes: readonly number[] };
}

/**
 * One candidate's run on one dataset scored per regime: all the selection needs of it, so a worker that
 * ran it returns this and never the run's bars (slots: one per label code, then LABEL_COUNT for all bars).
 */
export interface RegimeRunScores {
  readonly startIndex: number;
  readonly scores: readonly RegimeScore[];
  /** The run's metrics restricted to each slot's bars (metricsByRegime), when judged by an objective. */
  readonly metrics?: readonly MetricSet[];
}

/** Scores a run per regime of `schedule`, and with `withMetrics` restricts its metrics to each regime too. */
export function scoreRunByRegime(
  run: BacktestRun,
  t: Float64Array,
  schedule: Int8Array,
  scoring: RegimeScoring,
  withMetrics: boolean,
): RegimeRunScores {
  const { regimes, all } = scoreByRegime(run, schedule, scoring);
  const metrics = (): MetricSet[] =>
    metricsByRegime(run, t, schedule, run.startIndex, scoring.riskFreeRate).map((m) => ({ ...m }));
  return {
    startIndex: run.startIndex,
    scores: [...regimes, all],
    ...(withMetrics ? { metrics: metrics() } : {}),
  };
}

/**
 * How a study scored on several datasets (timeframes) combines one set's metrics on each into one set
 * (its aggregation, slices.ts); `tradeCount` names the trade-count metric among them.
 */
export type CombineDatasets = (perDataset: readonly MetricSet[], tradeCount: string) => MetricSet;

/**
 * A candidate's scores from its run on each dataset (one run: taken as they are; several: each slot's
 * scores and metrics combined across the datasets as the study combines a trial's), and, with an
 * objective, the objective's value on each slot.
 */
export function candidateScores(
  params: StrategyParams,
  runs: readonly RegimeRunScores[],
  objective?: RegimeObjective,
  combine?: CombineDatasets,
): CandidateScores {
  if (runs.length === 0) throw new RangeError('per-regime study: a candidate without runs');
  if (runs.length > 1 && combine === undefined)
    throw new RangeError(`per-regime study: ${runs.length} runs and no way to combine them`);
  const slots = Array.from({ length: LABEL_COUNT + 1 }, (_, k) => k);
  const combined = (perDataset: MetricSet[], tradeCount: string): MetricSet =>
    perDataset.length === 1 ? perDataset[0]! : combine!(perDataset, tradeCount);
  const scores = slots.map((k): RegimeScore => {
    // A regime's trade evidence is combined as the study's trade count is (the fewest, under 'worst').
    const m = combined(
      runs.map((run) => ({ ...run.scores[k]! })),
      'trades',
    );
    return regimeScoreOf(m);
  });
  const base = {
    params,
    startIndex: runs[0]!.startIndex,
    all: scores[LABEL_COUNT]!,
    regimes: scores.slice(0, LABEL_COUNT),
  };
  if (objective === undefined) return base;
  const values = slots.map((k) => {
    const metrics = runs.map((run) => {
      if (run.metrics === undefined)
        throw new RangeError('per-regime study: the runs were not scored by the study objective');
      return run.metrics[k]!;
    });
    return objectiveValue(objective, combined(metrics, 'numTrades'));
  });
  return { ...base, objective: { all: values[LABEL_COUNT]!, regimes: values.slice(0, LABEL_COUNT) } };
}

export interface EvaluateOptions extends RegimeScoring {
  readonly backtest?: BacktestOptions;
  /** Also judge each candidate by a study's objective on each regime's bars (metricsByRegime). */
  readonly objective?: RegimeObjective;
  /** Bar returns of every candidate, row-major (row = bar, column = candidate), for PBO. */
  readonly returns?: Float64Array;
}

/** Runs every candidate over `bars` and scores it per regime of `schedule`. */
export function evaluateCandidates(
  bars: Bars,
  definition: StrategyDefinition,
  candidates: readonly StrategyParams[],
  schedule: Int8Array,
  options: EvaluateOptions,
): CandidateScores[] {
  const dataset = prepareDataset(bars);
  const workspace = new BacktestWorkspace();
  const n = bars.t.length;
  const columns = candidates.length;
  if (options.returns !== undefined && options.returns.length !== n * columns)
    throw new RangeError(`per-regime study: returns buffer must hold ${n} x ${columns} values`);
  return candidates.map((params, column) => {
    const run = runPrepared(dataset, definition, params, options.backtest ?? {}, workspace);
    const returns = options.returns;
    if (returns !== undefined) {
      returns[column] = 0;
      for (let i = 1; i < n; i++) returns[i * columns + column] = run.equity[i] / run.equity[i - 1] - 1;
    }
    const objective = options.objective;
    const scored = scoreRunByRegime(run, bars.t, schedule, options, objective !== undefined);
    return candidateScores(params, [scored], objective);
  });
}

export interface RegimeWinner {
  /** Label code (index into the axis's label names). */
  readonly regime: number;
  /** The regime's own set, or the global set when it fell back. */
  readonly params: StrategyParams;
  readonly score: RegimeScore;
  /**
   * True when it trades the global set for want of its own: no trial had `minTrades` trades in the
   * regime, or the best that had (another set) did not beat the global set on the regime's own bars.
   */
  readonly fellBack: boolean;
  /** Why it fell back (null when it did not). */
  readonly reason: string | null;
}

export interface RegimeSelection {
  readonly global: CandidateScores;
  readonly regimes: readonly RegimeWinner[];
  /** Trials tried per regime plus the global ones: what a deflated Sharpe of the switched policy must count. */
  readonly trialCount: number;
}

export interface SelectOptions {
  /** What regimes are judged by without a study objective: the per-bar Sharpe ratio by default. */
  readonly metric?: RegimeScoreMetric;
  /** A study's objective: judge by the candidates' `objective` values, in its direction, instead. */
  readonly objective?: RegimeObjective;
  /** Index of the global set when the study chose it (its winner); else the best over all bars. */
  readonly global?: number;
  /** A regime's winner needs at least this many trades entered in it; fewer everywhere: fallback. 30 by default. */
  readonly minTrades?: number;
}

const DEFAULT_MIN_TRADES = 30;

const shown = (value: number): string =>
  Number.isFinite(value) ? String(Number(value.toPrecision(3))) : 'n/a';

/**
 * The global winner (given, or the best over all bars; ties to the earlier trial) and, per regime, the
 * best trial with enough trades in it, when it is the global set or beats it on the regime's own bars;
 * else the global set, with the reason.
 */
export function selectRegimeSets(
  scores: readonly CandidateScores[],
  options: SelectOptions = {},
): RegimeSelection {
  const metric = options.metric ?? 'sharpeRatio';
  const objective = options.objective;
  const minTrades = options.minTrades ?? DEFAULT_MIN_TRADES;
  if (!Number.isInteger(minTrades) || minTrades < 0)
    throw new RangeError(`per-regime study: minTrades must be an integer >= 0, got ${minTrades}`);
  if (scores.length === 0) throw new RangeError('per-regime study: no trials to choose from');
  const judged = (s: CandidateScores, regime: number | null): number => {
    if (objective === undefined) return (regime === null ? s.all : s.regimes[regime]!)[metric];
    if (s.objective === undefined)
      throw new RangeError('per-regime study: the trials were not scored by the study objective');
    return regime === null ? s.objective.all : s.objective.regimes[regime]!;
  };
  const sign = objective === undefined || higherIsBetter(objective) ? 1 : -1;
  // Higher is better; NaN (no spread, no bars) never wins.
  const rank = (s: CandidateScores, regime: number | null): number => {
    const value = judged(s, regime);
    return Number.isNaN(value) ? -Infinity : sign * value;
  };
  let global = scores[0]!;
  if (options.global !== undefined) {
    global = scores[options.global]!;
    if (global === undefined)
      throw new RangeError(
        `per-regime study: global set #${options.global} is not among ${scores.length} trials`,
      );
  } else for (const s of scores) if (rank(s, null) > rank(global, null)) global = s;
  const regimes = Array.from({ length: LABEL_COUNT }, (_, regime): RegimeWinner => {
    let best: CandidateScores | null = null;
    let mostTrades = 0;
    for (const s of scores) {
      const score = s.regimes[regime]!;
      mostTrades = Math.max(mostTrades, score.trades);
      if (score.trades < minTrades || rank(s, regime) === -Infinity) continue;
      if (best === null || rank(s, regime) > rank(best, regime)) best = s;
    }
    // The global set as a regime's own best is no fallback: the regime chose it on its own evidence.
    if (best !== null && (best === global || rank(best, regime) > rank(global, regime)))
      return { regime, params: best.params, score: best.regimes[regime]!, fellBack: false, reason: null };
    const bars = global.regimes[regime]!.bars;
    const reason =
      best !== null
        ? `own set not better than global (${shown(judged(best, regime))} vs ${shown(judged(global, regime))})`
        : bars === 0
          ? 'the regime never occurred in training'
          : `at most ${mostTrades} trades in the regime in training (fewer than ${minTrades})`;
    return { regime, params: global.params, score: global.regimes[regime]!, fellBack: true, reason };
  });
  return { global, regimes, trialCount: scores.length * (LABEL_COUNT + 1) };
}

/** Variance of the trials' Sharpe ratios (finite ones), the spread a deflated Sharpe ratio deflates by. */
export function sharpeVariance(sharpes: readonly number[]): number {
  const finite = sharpes.filter(Number.isFinite);
  if (finite.length < 2) return 0;
  return sampleStd(finite) ** 2 || 0;
}
