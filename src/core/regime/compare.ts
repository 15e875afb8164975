/**
 * The honest comparison (issue 11 item 9): walk-forward of the regime-switched policy against one global
 * set, both chosen from the same trials in each train window. Labels are recomputed inside each train
 * window from its own bars; a purge gap at least as long as the longest lookback (the strategy's warm-up
 * over its space, longestWarmup, and the detector's) separates train from test, and warms both up for the test, which is
 * labelled point in time from the gap on. Costs are whatever the backtest options carry.
 *
 * Regime-awareness is called better only where its out-of-sample Sharpe beats the global set's, its
 * deflated Sharpe ratio (trials counted over every regime's selection) is at least 0.95 and its
 * probability of backtest overfitting is below 0.2.
 */
import { sliceBars, type Bars } from '../data/bars.ts';
import {
  BacktestWorkspace,
  prepareDataset,
  runPrepared,
  type BacktestRun,
  type PreparedDataset,
} from '../engine/backtest.ts';
import type { BacktestOptions } from '../engine/options.ts';
import { skewnessAndKurtosis } from '../math/statistics.ts';
import { computeEquityMetrics } from '../metrics/metrics.ts';
import { formatProbability } from '../metrics/definitions.ts';
import { deflatedSharpeRatio, probabilityOfBacktestOverfitting } from '../metrics/overfitting.ts';
import type { Params } from '../optimize/space.ts';
import { stitchEquity, walkForwardWindows, type EquitySegment } from '../optimize/walkForward.ts';
import { longestWarmup } from '../optimize/warmup.ts';
import type { StrategyDefinition, StrategyParams } from '../strategy-api/types.ts';
import type { RegimeDetector } from './detector.ts';
import { allocateRegimeOutput, LABEL_COUNT, type RegimeAxis } from './labels.ts';
import {
  evaluateCandidates,
  selectRegimeSets,
  sharpeVariance,
  type RegimeScoreMetric,
  type RegimeSelection,
  type SelectOptions,
} from './perRegime.ts';
import { regimeSchedule, runRegimeSwitched } from './switched.ts';

const YEAR_MS = 365.25 * 24 * 3600 * 1000;
export const BETTER_DEFLATED_SHARPE = 0.95;
export const BETTER_PBO = 0.2;

export interface RegimeComparisonOptions {
  readonly definition: StrategyDefinition;
  /** The trials both policies choose from (the same budget for both). */
  readonly candidates: readonly StrategyParams[];
  /**
   * The sets whose longest warm-up (longestWarmup) is the strategy's lookback: warmupProbes of the space
   * the candidates were drawn from, as a walk-forward's 'warm-up' purge measures it; absent (a caller
   * without a space), the candidates.
   */
  readonly warmupSets?: readonly Params[];
  /** A fresh detector (each window labels with one of its own). */
  readonly createDetector: () => RegimeDetector;
  readonly axis: RegimeAxis;
  /** Costs and sizing of every backtest. */
  readonly backtest?: BacktestOptions;
  /**
   * Annual risk-free rate (0.04 for 4 %) every Sharpe ratio here measures excess returns over: the trials'
   * per-regime scores, each window's and each policy's out-of-sample Sharpe and its deflated Sharpe. 0 by default.
   */
  readonly riskFreeRate?: number;
  /** Bars per train window (the purge gap is taken from its end); three purge gaps by default. */
  readonly train?: number;
  /** Bars per test window; by default a fifth of what the first train window leaves (five windows). */
  readonly test?: number;
  /** Bars between windows; `test` by default, so test windows tile. */
  readonly step?: number;
  /** A longer purge gap than the longest lookback (never shorter). */
  readonly purge?: number;
  /** Bars a regime's set stays in force at least (the switched policy's minimum dwell); 5 by default. */
  readonly minDwell?: number;
  /** A regime's set needs this many trades in it in training, else it falls back; 30 by default. */
  readonly minTrades?: number;
  readonly metric?: RegimeScoreMetric;
  /** CSCV partitions for PBO (even); 16 by default. */
  readonly partitions?: number;
  /**
   * Told the window count once the windows are laid out (done 0), then after each window is tested: the
   * windows are the comparison's long part, a train study and two test runs each.
   */
  readonly onWindow?: (done: number, total: number) => void;
  /**
   * Told once the windows are tested, as the probability of backtest overfitting starts: CSCV over every
   * half of the partitions, for all bars and for each regime, is seconds of a run's time (about half of
   * a scorecard on GOOG's day bars), during which no window moves.
   */
  readonly onOverfitting?: () => void;
}

export interface PolicyReport {
  readonly sharpeRatio: number;
  readonly maxDrawdown: number;
  readonly totalReturn: number;
  /** Share of out-of-sample trades (entered in a test window) with a profit. */
  readonly winRate: number;
  readonly trades: number;
  /** Value traded over equity, per year of out-of-sample bars (2 = the equity bought and sold once a year). */
  readonly turnover: number;
  /** Deflated Sharpe ratio of the out-of-sample bar returns, with `trialCount` trials. */
  readonly deflatedSharpe: number;
  readonly trialCount: number;
  /** Probability of backtest overfitting of the selection (CSCV over the trials' bar returns). */
  readonly pbo: number;
}

export interface ComparisonWindow {
  readonly index: number;
  readonly trainStartTime: number;
  /** Exclusive: the first purged bar. */
  readonly trainEndTime: number;
  readonly testStartTime: number;
  readonly testEndTime: number;
  readonly global: StrategyParams;
  readonly regimes: readonly {
    readonly params: StrategyParams;
    readonly fellBack: boolean;
    readonly reason: string | null;
  }[];
  readonly globalSharpe: number;
  readonly regimeAwareSharpe: number;
}

export interface RegimeComparison {
  readonly axis: RegimeAxis;
  readonly purge: number;
  readonly train: number;
  readonly test: number;
  readonly lookback: { readonly strategy: number; readonly detector: number };
  readonly trialsPerStudy: number;
  /** Variance of the trials' per-bar Sharpe ratios over all bars (what the global set is deflated by). */
  readonly trialSharpeVariance: number;
  readonly windows: readonly ComparisonWindow[];
  readonly global: PolicyReport;
  readonly regimeAware: PolicyReport & {
    /** PBO of each regime's selection (NaN where the regime had too few bars); `pbo` is the worst. */
    readonly pboByRegime: readonly number[];
  };
  /** The per-regime study on all bars: each regime's winner and whether it fell back. */
  readonly fullSample: RegimeSelection;
  /** The stitched out-of-sample equity of each policy. */
  readonly curves: { readonly global: EquitySegment; readonly regimeAware: EquitySegment };
  readonly better: boolean;
  readonly verdict: string;
}

function labelSchedule(
  createDetector: () => RegimeDetector,
  bars: Bars,
  axis: RegimeAxis,
  minDwell: number,
): Int8Array {
  const detector = createDetector();
  const out = allocateRegimeOutput(detector.inputs, bars.t.length);
  detector.label(bars, out);
  return regimeSchedule(out[axis].label, minDwell);
}

/** What the per-regime study takes of the comparison's options (it has no windows of its own). */
export type RegimeStudyOptions = Pick<
  RegimeComparisonOptions,
  | 'definition'
  | 'candidates'
  | 'createDetector'
  | 'axis'
  | 'backtest'
  | 'riskFreeRate'
  | 'minDwell'
  | 'minTrades'
  | 'metric'
> &
  Pick<SelectOptions, 'objective' | 'global'>;

/**
 * The per-regime study on all of `bars` (issue 11 item 8): each candidate scored per regime of the
 * switched schedule, one winner per regime or the global set where a regime has too little evidence or
 * its best does not beat the global set there. An optimizer study passes its objective and its winner.
 */
export function studyByRegime(bars: Bars, options: RegimeStudyOptions): RegimeSelection {
  if (options.candidates.length === 0) throw new RangeError('per-regime study: no trials');
  const schedule = labelSchedule(options.createDetector, bars, options.axis, options.minDwell ?? 5);
  const scores = evaluateCandidates(bars, options.definition, options.candidates, schedule, {
    backtest: options.backtest ?? {},
    periodsPerYear: barsPerYear(bars.t),
    riskFreeRate: options.riskFreeRate ?? 0,
    ...(options.objective !== undefined ? { objective: options.objective } : {}),
  });
  return selectRegimeSets(scores, {
    ...(options.minTrades !== undefined ? { minTrades: options.minTrades } : {}),
    ...(options.metric !== undefined ? { metric: options.metric } : {}),
    ...(options.objective !== undefined ? { objective: options.objective } : {}),
    ...(options.global !== undefined ? { global: options.global } : {}),
  });
}

/** Bars per year of a series, from its span: what per-bar Sharpe ratios are annualised with. */
export function barsPerYear(t: Float64Array): number {
  const years = (t[t.length - 1]! - t[0]!) / YEAR_MS;
  return years > 0 ? (t.length - 1) / years : NaN;
}

export interface TestOutcome {
  readonly segment: EquitySegment;
  readonly trades: number;
  readonly wins: number;
  /** Sum over test bars of |units traded| x close / equity before the bar. */
  readonly turnover: number;
}

/**
 * A test window's bars with the purge gap before them, and the options its runs take: the gap only warms
 * the strategy (and the detector labelling these bars) up, and trading starts at the window's first bar
 * (options.tradeFrom, as a walk-forward's test runs), so no window opens holding a position entered in the
 * gap. The dataset is those bars prepared for runPrepared; testOutcome(bars, run, purge) reads a run of them.
 */
export function testWindowRun(
  bars: Bars,
  test: { readonly start: number; readonly end: number },
  purge: number,
  backtest: BacktestOptions,
): { bars: Bars; dataset: PreparedDataset; options: BacktestOptions } {
  const windowBars = sliceBars(bars, test.start - purge, test.end);
  return {
    bars: windowBars,
    dataset: prepareDataset(windowBars),
    options: { ...backtest, tradeFrom: purge },
  };
}

/**
 * The test part (from bar `from`, where trading started) of a run over gap + test bars, copied out of its
 * workspace. A position still open at the test's last bar is one of its trades, marked to that close: its
 * gain is in the segment's equity and the next window starts flat, so it ends there. Counting closed trades
 * only left a held winner out of the win rate (GOOG's optimised sets read a win rate of 0 % beside their
 * returns).
 */
export function testOutcome(bars: Bars, run: BacktestRun, from: number): TestOutcome {
  const positions = run.positions!;
  let turnover = 0;
  for (let i = from + 1; i < bars.t.length; i++)
    turnover += (Math.abs(positions[i]! - positions[i - 1]!) * bars.c[i]!) / run.equity[i - 1]!;
  let wins = 0;
  for (let j = 0; j < run.trades.count; j++) if (run.trades.pnl[j]! > 0) wins++;
  const open = run.openTrade;
  if (open !== null && open.pnl > 0) wins++;
  return {
    segment: { t: bars.t.slice(from), equity: run.equity.slice(from) },
    trades: run.trades.count + (open === null ? 0 : 1),
    wins,
    turnover,
  };
}

/** A policy's test windows as they are walked, stitched and summed into its report. */
export interface PolicyTally {
  readonly parts: { segment: EquitySegment; from: number; to: number }[];
  trades: number;
  wins: number;
  turnover: number;
}

export function emptyTally(): PolicyTally {
  return { parts: [], trades: 0, wins: 0, turnover: 0 };
}

/** Adds one window's test outcome, stitched over `stitch` (the window's own part of the curve). */
export function addOutcome(
  tally: PolicyTally,
  outcome: TestOutcome,
  stitch: { readonly startTime: number; readonly endTime: number },
): void {
  tally.parts.push({ segment: outcome.segment, from: stitch.startTime, to: stitch.endTime });
  tally.trades += outcome.trades;
  tally.wins += outcome.wins;
  tally.turnover += outcome.turnover;
}

/**
 * The deflated Sharpe ratio of a stitched curve's bar returns, as if the best of `trialCount` trials
 * whose per-bar Sharpe ratios vary by `trialSharpeVariancePerBar`; NaN with under three returns.
 */
export function stitchedDeflatedSharpe(
  stitched: EquitySegment,
  trialCount: number,
  trialSharpeVariancePerBar: number,
  riskFreePerBar = 0,
): number {
  const returns = new Float64Array(Math.max(0, stitched.equity.length - 1));
  for (let i = 1; i < stitched.equity.length; i++)
    returns[i - 1] = stitched.equity[i]! / stitched.equity[i - 1]! - 1;
  let sum = 0;
  let squares = 0;
  for (const r of returns) {
    sum += r;
    squares += r * r;
  }
  const n = returns.length;
  const meanReturn = sum / n;
  const sd = Math.sqrt((squares - n * meanReturn * meanReturn) / (n - 1));
  const { skewness, kurtosis } = skewnessAndKurtosis(returns);
  return n > 2 && sd > 0
    ? deflatedSharpeRatio({
        sharpe: (meanReturn - riskFreePerBar) / sd,
        trials: trialCount,
        sharpeVariance: trialSharpeVariancePerBar,
        n,
        skew: skewness,
        kurtosis,
      })
    : NaN;
}

/** The annual risk-free rate as the per-bar rate of a stitched curve's bars (what its deflated Sharpe takes). */
export function perBarRiskFree(riskFreeRate: number, stitched: EquitySegment): number {
  return Math.pow(1 + riskFreeRate, 1 / barsPerYear(stitched.t)) - 1;
}

/**
 * A policy's out-of-sample figures from its tally (its curve stitched over the test windows), its Sharpe
 * ratios over `riskFreeRate` (annual).
 */
export function policyReport(
  tally: PolicyTally,
  trialCount: number,
  trialSharpeVariancePerBar: number,
  pbo: number,
  riskFreeRate = 0,
): { figures: PolicyReport; stitched: EquitySegment } {
  const stitched = stitchEquity(tally.parts);
  const metrics = computeEquityMetrics(stitched.t, stitched.equity, { riskFreeRate });
  const riskFreePerBar = perBarRiskFree(riskFreeRate, stitched);
  const years = (stitched.t[stitched.t.length - 1]! - stitched.t[0]!) / YEAR_MS;
  const figures: PolicyReport = {
    sharpeRatio: metrics.sharpeRatio,
    maxDrawdown: metrics.maxDrawdown,
    totalReturn: metrics.totalReturn,
    winRate: tally.trades === 0 ? NaN : tally.wins / tally.trades,
    trades: tally.trades,
    turnover: years > 0 ? tally.turnover / years : NaN,
    deflatedSharpe: stitchedDeflatedSharpe(stitched, trialCount, trialSharpeVariancePerBar, riskFreePerBar),
    trialCount,
    pbo,
  };
  return { figures, stitched };
}

/** PBO over the rows of a bars x trials return matrix that `keep` selects (NaN when too few rows). */
function pboOfRows(
  returns: Float64Array,
  columns: number,
  rows: readonly number[],
  partitions: number,
): number {
  if (columns < 2 || rows.length < partitions * 4) return NaN;
  const matrix = new Float64Array(rows.length * columns);
  rows.forEach((row, k) => matrix.set(returns.subarray(row * columns, (row + 1) * columns), k * columns));
  return probabilityOfBacktestOverfitting(matrix, rows.length, columns, partitions).pbo;
}

const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/** One sentence: better or not, and the figures that decided it. */
export function comparisonVerdict(
  regimeAware: Pick<PolicyReport, 'sharpeRatio' | 'deflatedSharpe' | 'pbo' | 'trialCount'>,
  global: Pick<PolicyReport, 'sharpeRatio'>,
): { better: boolean; verdict: string } {
  const beats = regimeAware.sharpeRatio > global.sharpeRatio;
  const significant = regimeAware.deflatedSharpe >= BETTER_DEFLATED_SHARPE;
  const robust = regimeAware.pbo < BETTER_PBO;
  const better = beats && significant && robust;
  const figures =
    `out-of-sample Sharpe ${fmt(regimeAware.sharpeRatio)} against ${fmt(global.sharpeRatio)} for one global set, ` +
    `deflated Sharpe ${formatProbability(regimeAware.deflatedSharpe)} over ${regimeAware.trialCount} trials ` +
    `(needs >= ${formatProbability(BETTER_DEFLATED_SHARPE, 0)}), PBO ${formatProbability(regimeAware.pbo)} ` +
    `(needs < ${formatProbability(BETTER_PBO, 0)})`;
  return {
    better,
    verdict: better
      ? `Regime-awareness is better here: ${figures}.`
      : `Regime-awareness is not shown to be better here: ${figures}.`,
  };
}

/** Runs the comparison on `bars`; throws naming the window sizes when they cannot hold the purge gap. */
export function compareRegimeAware(bars: Bars, options: RegimeComparisonOptions): RegimeComparison {
  const { definition, candidates, axis } = options;
  const minDwell = options.minDwell ?? 5;
  const partitions = options.partitions ?? 16;
  const backtest: BacktestOptions = { ...options.backtest, recordPositions: true };
  const selectOptions = {
    ...(options.minTrades !== undefined ? { minTrades: options.minTrades } : {}),
    ...(options.metric !== undefined ? { metric: options.metric } : {}),
  };
  const perYear = barsPerYear(bars.t);
  const n = bars.t.length;
  const columns = candidates.length;
  if (columns === 0) throw new RangeError('regime comparison: no trials');

  // The study on all bars: the per-regime winners to show, each trial's lookback, and PBO's matrix.
  const schedule = labelSchedule(options.createDetector, bars, axis, minDwell);
  const returns = new Float64Array(n * columns);
  const riskFreeRate = options.riskFreeRate ?? 0;
  const scores = evaluateCandidates(bars, definition, candidates, schedule, {
    backtest,
    periodsPerYear: perYear,
    riskFreeRate,
    returns,
  });
  const fullSample = selectRegimeSets(scores, selectOptions);
  const strategyLookback = longestWarmup(
    prepareDataset(bars),
    definition,
    options.warmupSets ?? candidates,
    backtest,
  );
  const detectorLookback = options.createDetector().warmup;
  const purge = Math.max(options.purge ?? 0, strategyLookback, detectorLookback);

  const train = options.train ?? 3 * purge;
  // Left to walk-forward, too few bars were refused as "train 1464 + test 1 bars", neither of which the
  // caller chose: say where the train window's length comes from and what shortens it.
  if (options.train === undefined && n < train + (options.test ?? 1)) {
    const longest = strategyLookback >= detectorLookback ? "the slowest trial's" : "the detector's warm-up";
    throw new RangeError(
      `regime comparison: ${n} bars are too few for a train and a test window: training takes ${train} ` +
        `bars, three times the longest lookback (${purge} bars, ${longest}); give more bars (a shorter ` +
        'timeframe) or trials with shorter lookbacks',
    );
  }
  const test = options.test ?? Math.max(1, Math.floor((n - train) / 5));
  const windows = walkForwardWindows(bars.t, { unit: 'bars', train, test, step: options.step ?? test });
  const globalTally = emptyTally();
  const switchedTally = emptyTally();
  const globalWorkspace = new BacktestWorkspace();
  const switchedWorkspace = new BacktestWorkspace();
  options.onWindow?.(0, windows.length);
  const results: ComparisonWindow[] = windows.map((w) => {
    const trainEnd = w.test.start - purge;
    if (trainEnd - w.train.start < 2 * purge) {
      throw new RangeError(
        `regime comparison: a train window of ${train} bars less the ${purge}-bar purge gap leaves ` +
          `${trainEnd - w.train.start} bars, fewer than twice the longest lookback (${purge}): ` +
          `give a train window of at least ${3 * purge} bars`,
      );
    }
    const trainBars = sliceBars(bars, w.train.start, trainEnd);
    const trainSchedule = labelSchedule(options.createDetector, trainBars, axis, minDwell);
    const trained = selectRegimeSets(
      evaluateCandidates(trainBars, definition, candidates, trainSchedule, {
        backtest,
        periodsPerYear: perYear,
        riskFreeRate,
      }),
      selectOptions,
    );
    const test = testWindowRun(bars, w.test, purge, backtest);
    const testSchedule = labelSchedule(options.createDetector, test.bars, axis, minDwell);
    const global = trained.global.params;
    const globalOutcome = testOutcome(
      test.bars,
      runPrepared(test.dataset, definition, global, test.options, globalWorkspace),
      purge,
    );
    const sets = trained.regimes.map((r) => (r.fellBack ? null : r.params));
    const switchedOutcome = testOutcome(
      test.bars,
      runRegimeSwitched(
        test.dataset,
        definition,
        sets,
        global,
        testSchedule,
        test.options,
        switchedWorkspace,
      ),
      purge,
    );
    addOutcome(globalTally, globalOutcome, w.stitch);
    addOutcome(switchedTally, switchedOutcome, w.stitch);
    const sharpe = (segment: EquitySegment): number =>
      computeEquityMetrics(segment.t, segment.equity, { riskFreeRate }).sharpeRatio;
    options.onWindow?.(w.index + 1, windows.length);
    return {
      index: w.index,
      trainStartTime: bars.t[w.train.start]!,
      trainEndTime: bars.t[trainEnd]!,
      testStartTime: w.test.startTime,
      testEndTime: w.test.endTime,
      global,
      regimes: trained.regimes.map((r) => ({ params: r.params, fellBack: r.fellBack, reason: r.reason })),
      globalSharpe: sharpe(globalOutcome.segment),
      regimeAwareSharpe: sharpe(switchedOutcome.segment),
    };
  });

  options.onOverfitting?.();
  // PBO rows: bars after every trial's warm-up; per regime, the bars whose return the regime owns.
  const allRows: number[] = [];
  const regimeRows: number[][] = Array.from({ length: LABEL_COUNT }, () => []);
  for (let i = strategyLookback + 1; i < n; i++) {
    allRows.push(i);
    const regime = schedule[i - 1]!;
    if (regime >= 0) regimeRows[regime]!.push(i);
  }
  const pboByRegime = regimeRows.map((rows) => pboOfRows(returns, columns, rows, partitions));
  const evaluated = pboByRegime.filter(Number.isFinite);
  const perBar = (annualised: number[]): number => sharpeVariance(annualised) / perYear;
  const trialSharpeVariance = perBar(scores.map((s) => s.all.sharpeRatio));
  const globalReport = policyReport(
    globalTally,
    columns,
    trialSharpeVariance,
    pboOfRows(returns, columns, allRows, partitions),
    riskFreeRate,
  );
  const switchedReport = policyReport(
    switchedTally,
    fullSample.trialCount,
    perBar(scores.flatMap((s) => s.regimes.map((r) => r.sharpeRatio))),
    evaluated.length === 0 ? NaN : Math.max(...evaluated),
    riskFreeRate,
  );
  const { better, verdict } = comparisonVerdict(switchedReport.figures, globalReport.figures);
  return {
    axis,
    purge,
    train,
    test,
    lookback: { strategy: strategyLookback, detector: detectorLookback },
    trialsPerStudy: columns,
    trialSharpeVariance,
    windows: results,
    global: globalReport.figures,
    regimeAware: { ...switchedReport.figures, pboByRegime },
    curves: { global: globalReport.stitched, regimeAware: switchedReport.stitched },
    fullSample,
    better,
    verdict,
  };
}
