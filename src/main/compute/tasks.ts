/**
 * What the compute pool runs. Pure functions over core: the worker thread calls them, and so can a
 * test or the CLI when a pool would cost more than the work. Bars arrive as SharedArrayBuffer columns
 * with a dataset id; a worker keeps prepared datasets (indicator caches) by id across tasks.
 */
import type { MessagePort, Transferable } from 'node:worker_threads';
import type { Bars, Timeframe } from '../../core/data/bars.ts';
import {
  BacktestWorkspace,
  ExitReason,
  NOT_WIPED_OUT,
  prepareDataset,
  runPrepared,
  strategyPlots,
  tradeRecords,
  type BacktestOptions,
  type BacktestRun,
  type PreparedDataset,
  type StrategyPlots,
  type TradeRecord,
} from '../../core/engine/index.ts';
import { assessQuality, type QualityOptions, type QualityReport } from '../../core/data/quality.ts';
import { computeMetrics, periodEndIndices, periodSeries, type Metrics } from '../../core/metrics/index.ts';
import {
  allocateRegimeOutput,
  createDetector,
  REGIME_AXES,
  type DetectorName,
  type DetectorSettings,
  type RegimeAxis,
} from '../../core/regime/index.ts';
import {
  barsPerYear,
  compareRegimeAware,
  studyByRegime,
  type RegimeComparison,
  type RegimeStudyOptions,
} from '../../core/regime/compare.ts';
import {
  scoreRunByRegime,
  type RegimeObjective,
  type RegimeRunScores,
  type RegimeSelection,
} from '../../core/regime/perRegime.ts';
import {
  liveExpectation,
  type ExpectationOptions,
  type LiveEvidence,
  type LiveExpectation,
} from '../../core/live/expectation.ts';
import {
  getStrategy,
  resolveStrategy,
  strategyCatalogue,
  resolveStrategyDefinition,
  type StrategyRef,
} from '../../core/strategy/index.ts';
import type { StrategyDefinition, StrategyParams } from '../../core/strategy-api/types.ts';
import { entrySignalNames } from '../../core/strategy-api/params.ts';
import { longestWarmup, warmupProbes, type Params, type SearchSpace } from '../../core/optimize/index.ts';
import { OPEN_TRADE_REASON } from '../../shared/tradeRows.ts';
import { runLearnerTask, type LearnerTask, type LearnerTaskResult } from './learnerTasks.ts';
import { parseCsvFilePart, type CsvFilePart, type CsvFilePartOutput } from './csvPart.ts';

export interface DatasetRef {
  /** Identifies the bars (source, symbol, timeframe, range); equal ids must mean equal bars. */
  readonly id: string;
  readonly bars: Bars;
}

export interface BacktestTask {
  readonly kind: 'backtest';
  readonly dataset: DatasetRef;
  /** What to run, resolved by the worker: an unknown name or another version than this build's fails. */
  readonly strategy: StrategyRef;
  readonly options: BacktestOptions;
  /** Annual risk-free rate the run's Sharpe and Sortino are measured against (Settings; 0 by default). */
  readonly riskFreeRate?: number;
  /** Also the strategy's indicator plots (a report's chart): only a worker runs a user's strategy. */
  readonly plots?: boolean;
}

/**
 * The first bar a strategy would trade on a dataset, its indicators' warm-up before it (StrategyPlots'
 * startIndex): how many bars before a run's start it needs to trade from that start. A worker answers,
 * since only a worker runs a user's strategy.
 */
export interface StrategyStartTask {
  readonly kind: 'strategy-start';
  readonly dataset: DatasetRef;
  readonly strategy: StrategyRef;
  readonly options: BacktestOptions;
}
export interface StrategyStart {
  readonly startIndex: number;
}

/**
 * The longest warm-up of a search space on a dataset (core's longestWarmup of warmupProbes): the first
 * bar every set of the space could trade from, as a StrategyStart. What a study reads before its range
 * and a walk-forward's 'warm-up' purge are measured as; a worker answers (a user's strategy).
 */
export interface SpaceWarmupTask {
  readonly kind: 'space-warmup';
  readonly dataset: DatasetRef;
  /** The strategy with the parameters every set shares; each set's own values override them. */
  readonly strategy: StrategyRef;
  readonly space: SearchSpace;
  /** The seed of the space's sampled sets (warmupProbes). */
  readonly seed: number;
  readonly options: BacktestOptions;
}

/**
 * A trade as the UI and the CLI's JSON show it: the exit reason by name. The position still open at the
 * end comes last, with exitReason 'Open' and its "exit" the mark at the last close.
 */
export type TradeOut = Omit<
  TradeRecord,
  | 'entryIndex'
  | 'exitIndex'
  | 'commission'
  | 'exitReason'
  | 'stopLoss'
  | 'takeProfit'
  | 'entrySignals'
  | 'entryConfidence'
> & {
  exitReason: string;
  /** The protective levels in force at entry (null: none). */
  stopLoss: number | null;
  takeProfit: number | null;
  /** What confirmed the entry, by the strategy's names, and its confidence score (null: not scored). */
  signals: string[];
  confidence: number | null;
};

/** A trade's entry facts as TradeOut carries them (names for the signal bits, null for NaN). */
function entryOut(
  definition: StrategyDefinition,
  facts: { stopLoss: number; takeProfit: number; entrySignals: number; entryConfidence: number },
): Pick<TradeOut, 'stopLoss' | 'takeProfit' | 'signals' | 'confidence'> {
  const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    stopLoss: orNull(facts.stopLoss),
    takeProfit: orNull(facts.takeProfit),
    signals: entrySignalNames(definition, facts.entrySignals),
    confidence: orNull(facts.entryConfidence),
  };
}

/**
 * A run with options.tradeFrom > 0 reports the bars from tradeFrom on only (the ones before it warmed the
 * strategy's indicators): equity, metrics, plots and their startIndex are over those bars, as if the
 * dataset began there.
 */
export interface BacktestOutput {
  readonly equity: Float64Array;
  readonly trades: TradeOut[];
  readonly metrics: Metrics;
  /**
   * The time of the bar whose close found the account's equity at or below 0, where the run closed
   * every position and stopped (equity 0 from it on); null when it never fell that far.
   */
  readonly wipedOutAt: number | null;
  /** Margin interest and stock borrow fees charged over the run (see FinancingSpec). */
  readonly financingPaid: number;
  readonly elapsedMs: number;
  /** When the task asked for them. */
  readonly plots?: StrategyPlots;
}

/** Many parameter sets on one dataset: the optimizer's unit of work (one message per batch). */
export interface TrialsTask {
  readonly kind: 'trials';
  readonly dataset: DatasetRef;
  /** The strategy with the parameters every set shares; each set's own values override them. */
  readonly strategy: StrategyRef;
  readonly paramSets: readonly Record<string, number>[];
  readonly options: BacktestOptions;
  /** As a backtest's (BacktestTask). */
  readonly riskFreeRate?: number;
  /** Trials in the whole study so far, for the deflated Sharpe ratio of each. */
  readonly trialCount?: number; /**
   * Also return each trial's per-period (daily for intraday bars) returns: the columns of the T x N
   * matrix of the PBO statistic. Off by default: 8 bytes per period and trial.
   */
  readonly periodReturns?: boolean;
}

export type TrialOutcome =
  | { readonly ok: true; readonly metrics: Metrics; readonly returns?: Float64Array }
  | { readonly ok: false; readonly error: string };

export interface TrialsOutput {
  readonly outcomes: TrialOutcome[];
  readonly elapsedMs: number;
}

/** A data-quality assessment: minutes of bars over years is seconds of scanning, kept off the main thread. */
export interface QualityTask {
  readonly kind: 'quality';
  readonly bars: Bars;
  readonly options: QualityOptions;
}

/** A part of a CSV file being imported: parsing a large file holds a thread for seconds. */
export interface CsvPartTask {
  readonly kind: 'csv-part';
  readonly input: CsvFilePart;
}

/**
 * The worker thread's own memory: its isolate's heap is not in the main thread's process.memoryUsage(),
 * and the import bench reports it per phase (a CSV part is parsed there).
 */
export interface MemoryTask {
  readonly kind: 'memory';
}

export interface WorkerMemory {
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly arrayBuffers: number;
}

/** A detector over every bar of a series: minutes of bars over years take seconds (the HMM refits). */
export interface RegimeLabelsTask {
  readonly kind: 'regime-labels';
  readonly bars: Bars;
  readonly timeframe: Timeframe;
  readonly detector: DetectorName;
  readonly settings: DetectorSettings;
  /** The axes wanted (all by default); the others come back unlabelled, their fits saved. */
  readonly axes?: readonly RegimeAxis[];
}

export interface RegimeLabelsOutput {
  readonly warmup: number;
  readonly labels: Record<RegimeAxis, Int8Array>;
}

export function labelRegimes(task: Omit<RegimeLabelsTask, 'kind'>): RegimeLabelsOutput {
  const detector = createDetector(task.detector, task.timeframe, task.settings, task.axes);
  const out = allocateRegimeOutput(detector.inputs, task.bars.t.length);
  detector.label(task.bars, out);
  return {
    warmup: detector.warmup,
    labels: Object.fromEntries(REGIME_AXES.map((axis) => [axis, out[axis].label])) as Record<
      RegimeAxis,
      Int8Array
    >,
  };
}

/** What a per-regime study or comparison runs with: the strategy by name, its trials, the detector. */
export interface RegimeStudySpec {
  readonly bars: Bars;
  readonly timeframe: Timeframe;
  readonly detector: DetectorName;
  readonly settings: DetectorSettings;
  readonly axis: RegimeAxis;
  readonly strategy: string;
  readonly candidates: readonly StrategyParams[];
  readonly backtest: BacktestOptions;
  readonly minTrades: number;
  readonly minDwell: number;
  /** Annual risk-free rate of every Sharpe ratio (the settings'); absent: 0. */
  readonly riskFreeRate?: number;
}

/** Every trial scored per regime on all bars: one winner per regime (issue 11 item 8). */
export interface RegimeStudyTask extends RegimeStudySpec {
  readonly kind: 'regime-study';
  /** An optimizer study's objective and winner (index into candidates): regimes are judged by them. */
  readonly objective?: RegimeObjective;
  readonly global?: number;
}

/**
 * Sets run on one dataset and scored per regime of a schedule labelled elsewhere (a study's per-regime
 * mode, where its trials ran): per-regime scores and metrics come back, never the run's bars.
 */
export interface RegimeScoresTask {
  readonly kind: 'regime-scores';
  readonly dataset: DatasetRef;
  /** The strategy with the parameters every set shares; each set's own values override them. */
  readonly strategy: StrategyRef;
  readonly paramSets: readonly Record<string, number>[];
  readonly options: BacktestOptions;
  /** The regime in force after each bar's close (regimeSchedule), as long as the bars. */
  readonly schedule: Int8Array;
  /** The study's annual risk-free rate, which its per-regime Sharpe ratios measure excess returns over. */
  readonly riskFreeRate?: number;
}

/** Each set's scores, or why it could not run. */
export interface RegimeScoresOutput {
  readonly runs: (RegimeRunScores | string)[];
}

/** The walk-forward comparison against one global set (issue 11 item 9): minutes of backtests. */
export interface RegimeCompareTask extends RegimeStudySpec {
  readonly kind: 'regime-compare';
  /** The sets whose longest warm-up is the strategy's lookback (RegimeComparisonOptions' warmupSets). */
  readonly warmupSets?: readonly Params[];
  readonly train?: number;
  readonly test?: number;
  /** Where the worker posts each CompareProgress (moved to the worker with the task). */
  readonly progress?: MessagePort;
}

/**
 * What a comparison's progress port carries: windows tested of all (done 0 once they are laid out),
 * then the start of its overfitting statistics.
 */
export type CompareProgress =
  | { readonly part: 'windows'; readonly done: number; readonly total: number }
  | { readonly part: 'overfitting' };

/** The comparison without its stitched curves, which nothing that asks for it draws. */
export type RegimeCompareOutput = Omit<RegimeComparison, 'curves'>;

function studyOptions(spec: RegimeStudySpec): RegimeStudyOptions {
  return {
    definition: getStrategy(spec.strategy),
    candidates: spec.candidates,
    // Only the axis switched on is read: the model detectors fit that one alone (labels unchanged).
    createDetector: () => createDetector(spec.detector, spec.timeframe, spec.settings, [spec.axis]),
    axis: spec.axis,
    backtest: spec.backtest,
    minTrades: spec.minTrades,
    minDwell: spec.minDwell,
    ...(spec.riskFreeRate === undefined ? {} : { riskFreeRate: spec.riskFreeRate }),
  };
}

const withoutCurves = ({ curves: _curves, ...result }: RegimeComparison): RegimeCompareOutput => result;

function compareTask(task: RegimeCompareTask): RegimeCompareOutput {
  return withoutCurves(
    compareRegimeAware(task.bars, {
      ...studyOptions(task),
      ...(task.warmupSets !== undefined ? { warmupSets: task.warmupSets } : {}),
      ...(task.train !== undefined ? { train: task.train } : {}),
      ...(task.test !== undefined ? { test: task.test } : {}),
      ...(task.progress !== undefined
        ? {
            onWindow: (done: number, total: number) =>
              task.progress!.postMessage({ part: 'windows', done, total } satisfies CompareProgress),
            onOverfitting: () =>
              task.progress!.postMessage({ part: 'overfitting' } satisfies CompareProgress),
          }
        : {}),
    }),
  );
}

/**
 * The live watcher's shadow backtest of a bot that ran the trader's own strategy: main never runs a
 * user's code, so the shadow runs here (the pool sends the source `strategy` names with the task).
 */
export interface LiveExpectationTask {
  readonly kind: 'live-expectation';
  readonly strategy: { readonly name: string; readonly version: string };
  readonly evidence: LiveEvidence;
  readonly options: Omit<ExpectationOptions, 'catalogue'>;
}

export type WorkerTask =
  | LiveExpectationTask
  | BacktestTask
  | StrategyStartTask
  | SpaceWarmupTask
  | TrialsTask
  | QualityTask
  | CsvPartTask
  | MemoryTask
  | RegimeLabelsTask
  | RegimeStudyTask
  | RegimeScoresTask
  | RegimeCompareTask
  | LearnerTask;
export type WorkerResult<T extends WorkerTask> = T extends BacktestTask
  ? BacktestOutput
  : T extends TrialsTask
    ? TrialsOutput
    : T extends QualityTask
      ? QualityReport
      : T extends RegimeLabelsTask
        ? RegimeLabelsOutput
        : T extends LearnerTask
          ? LearnerTaskResult<T>
          : T extends RegimeStudyTask
            ? RegimeSelection
            : T extends RegimeScoresTask
              ? RegimeScoresOutput
              : T extends RegimeCompareTask
                ? RegimeCompareOutput
                : T extends MemoryTask
                  ? WorkerMemory
                  : T extends LiveExpectationTask
                    ? LiveExpectation
                    : T extends StrategyStartTask | SpaceWarmupTask
                      ? StrategyStart
                      : CsvFilePartOutput;

/** What a task's message moves to the worker instead of copying: a comparison's or a scorecard's progress port (a port cannot be copied, only moved). */
export function taskTransfers(task: WorkerTask): Transferable[] {
  return (task.kind === 'regime-compare' || task.kind === 'scorecard') && task.progress !== undefined
    ? [task.progress]
    : [];
}

/**
 * The buffers a result's message moves back rather than copies: trials' period returns (8 bytes a period
 * and trial), the times of a CSV part's look for the zone (used once).
 */
export function resultTransfers(result: ReturnType<TaskRunner['run']>): ArrayBuffer[] {
  if ('outcomes' in result)
    return result.outcomes.flatMap((o) =>
      o.ok && o.returns !== undefined ? [o.returns.buffer as ArrayBuffer] : [],
    );
  const times = 'part' in result ? result.part?.times : undefined;
  return times ? [times.buffer as ArrayBuffer] : [];
}

const EXIT_REASON_NAMES = Object.fromEntries(Object.entries(ExitReason).map(([name, code]) => [code, name]));

/** The run's metrics over its bars from `from` on (see BacktestOutput). */
function metricsOf(
  prepared: PreparedDataset,
  periodEnds: Int32Array,
  run: BacktestRun,
  riskFreeRate: number | undefined,
  from: number,
): Metrics {
  const openFrom = run.openTrade?.entryIndex;
  if (from === 0)
    return computeMetrics({
      riskFreeRate,
      t: prepared.bars.t,
      equity: run.equity,
      initialCash: run.options.cash,
      returnsFrom: run.options.returnsFrom,
      trades: run.trades,
      openFrom,
      periodEnds,
    });
  const t = prepared.bars.t.subarray(from);
  // No trade enters before `from` (the strategy's first bar), so shifted indices stay >= 0.
  const shift = (index: Int32Array): Int32Array => index.map((i) => i - from);
  return computeMetrics({
    riskFreeRate,
    t,
    equity: run.equity.subarray(from),
    initialCash: run.options.cash,
    returnsFrom: run.options.returnsFrom,
    trades: {
      ...run.trades,
      entryIndex: shift(run.trades.entryIndex.subarray(0, run.trades.count)),
      exitIndex: shift(run.trades.exitIndex.subarray(0, run.trades.count)),
    },
    openFrom: openFrom === undefined ? undefined : openFrom - from,
    periodEnds: periodEndIndices(t),
  });
}

/** A run's plots over its bars from `from` on, copied (a view would send the whole series to main). */
function plotsFrom(plots: StrategyPlots, from: number): StrategyPlots {
  if (from === 0) return plots;
  return {
    plots: plots.plots.map((plot) => ({ ...plot, values: plot.values.slice(from) })),
    startIndex: plots.startIndex - from,
  };
}

/**
 * Bars in memory of this thread's own. The pool hands bars over as SharedArrayBuffer columns (nothing
 * copied per task), but a trial reading shared memory was measured up to 17 % slower than on a private
 * copy, and a study reads the same bars thousands of times: each thread copies them once per dataset,
 * and the copy lives and goes with the dataset's prepared entry (at most `maxDatasets` of them).
 */
function ownBars(bars: Bars): Bars {
  if (!(bars.t.buffer instanceof SharedArrayBuffer)) return bars;
  return {
    t: bars.t.slice(),
    o: bars.o.slice(),
    h: bars.h.slice(),
    l: bars.l.slice(),
    c: bars.c.slice(),
    v: bars.v.slice(),
  };
}

interface PreparedEntry {
  prepared: PreparedDataset;
  periodEnds: Int32Array;
}

/** Per-thread state: prepared datasets (most recent first) and one reusable workspace. */
export class TaskRunner {
  private readonly datasets = new Map<string, PreparedEntry>();
  private readonly workspace = new BacktestWorkspace();

  constructor(private readonly maxDatasets = 4) {}

  run(task: WorkerTask): WorkerResult<WorkerTask> {
    switch (task.kind) {
      case 'backtest':
        return this.backtest(task);
      case 'strategy-start': {
        const { definition, params } = resolveStrategy(task.strategy);
        const { startIndex } = strategyPlots(
          this.prepared(task.dataset).prepared,
          definition,
          params,
          task.options,
        );
        return { startIndex };
      }
      case 'space-warmup': {
        const definition = resolveStrategyDefinition(task.strategy);
        const sets = warmupProbes(task.space, task.seed);
        const prepared = this.prepared(task.dataset).prepared;
        return {
          startIndex: longestWarmup(prepared, definition, sets, task.options, task.strategy.params),
        };
      }
      case 'trials':
        return this.trials(task);
      case 'quality':
        return assessQuality(task.bars, task.options);
      case 'csv-part':
        return parseCsvFilePart(task.input);
      case 'memory': {
        const { heapUsed, heapTotal, arrayBuffers } = process.memoryUsage();
        return { heapUsed, heapTotal, arrayBuffers };
      }
      case 'regime-labels':
        return labelRegimes(task);
      case 'learner-evaluate':
      case 'learner-recommend':
      case 'scorecard':
        return runLearnerTask(task);
      case 'regime-study':
        return studyByRegime(task.bars, {
          ...studyOptions(task),
          ...(task.objective !== undefined ? { objective: task.objective } : {}),
          ...(task.global !== undefined ? { global: task.global } : {}),
        });
      case 'regime-scores':
        return this.regimeScores(task);
      case 'regime-compare':
        return compareTask(task);
      case 'live-expectation':
        return liveExpectation(task.evidence, { ...task.options, catalogue: strategyCatalogue() });
    }
  }

  private prepared(dataset: DatasetRef): PreparedEntry {
    let entry = this.datasets.get(dataset.id);
    if (entry) {
      this.datasets.delete(dataset.id);
    } else {
      const bars = ownBars(dataset.bars);
      entry = { prepared: prepareDataset(bars), periodEnds: periodEndIndices(bars.t) };
      if (this.datasets.size >= this.maxDatasets) this.datasets.delete(this.datasets.keys().next().value!);
    }
    this.datasets.set(dataset.id, entry);
    return entry;
  }

  private backtest(task: BacktestTask): BacktestOutput {
    const started = performance.now();
    const { prepared, periodEnds } = this.prepared(task.dataset);
    const { definition, params } = resolveStrategy(task.strategy);
    const run = runPrepared(prepared, definition, params, task.options, this.workspace);
    const from = Math.min(run.options.tradeFrom, prepared.bars.t.length);
    const metrics = metricsOf(prepared, periodEnds, run, task.riskFreeRate, from);
    const trades: TradeOut[] = tradeRecords(run.trades).map((trade) => ({
      entryTime: trade.entryTime,
      exitTime: trade.exitTime,
      entryPrice: trade.entryPrice,
      exitPrice: trade.exitPrice,
      size: trade.size,
      pnl: trade.pnl,
      returnPct: trade.returnPct,
      exitReason: EXIT_REASON_NAMES[trade.exitReason] ?? String(trade.exitReason),
      ...entryOut(definition, trade),
    }));
    const open = run.openTrade;
    if (open !== null) {
      trades.push({
        entryTime: open.entryTime,
        exitTime: open.markTime,
        entryPrice: open.entryPrice,
        exitPrice: open.markPrice,
        size: open.size,
        pnl: open.pnl,
        returnPct: open.returnPct,
        exitReason: OPEN_TRADE_REASON,
        ...entryOut(definition, open),
      });
    }
    // The run aliases the reused workspace: copy the curve out before the next task overwrites it.
    return {
      equity: run.equity.slice(from),
      trades,
      metrics,
      wipedOutAt: run.wipedOutIndex === NOT_WIPED_OUT ? null : prepared.bars.t[run.wipedOutIndex]!,
      financingPaid: run.financingPaid,
      elapsedMs: performance.now() - started,
      ...(task.plots === true
        ? { plots: plotsFrom(strategyPlots(prepared, definition, params, task.options), from) }
        : {}),
    };
  }

  private regimeScores(task: RegimeScoresTask): RegimeScoresOutput {
    const { prepared } = this.prepared(task.dataset);
    const t = prepared.bars.t;
    if (task.schedule.length !== t.length)
      throw new RangeError(`regime scores: a schedule of ${task.schedule.length} bars for ${t.length} bars`);
    const definition = resolveStrategyDefinition(task.strategy);
    const shared = task.strategy.params;
    const scoring = {
      periodsPerYear: barsPerYear(t),
      ...(task.riskFreeRate === undefined ? {} : { riskFreeRate: task.riskFreeRate }),
    };
    const runs = task.paramSets.map((own) => {
      try {
        const run = runPrepared(prepared, definition, { ...shared, ...own }, task.options, this.workspace);
        return scoreRunByRegime(run, t, task.schedule, scoring, true);
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    });
    return { runs };
  }

  private trials(task: TrialsTask): TrialsOutput {
    const started = performance.now();
    const { prepared, periodEnds } = this.prepared(task.dataset);
    const definition = resolveStrategyDefinition(task.strategy);
    const shared = task.strategy.params;
    const merge = Object.keys(shared).length > 0;
    const outcomes: TrialOutcome[] = [];
    for (const own of task.paramSets) {
      try {
        const params = merge ? { ...shared, ...own } : own;
        const run = runPrepared(prepared, definition, params, task.options, this.workspace);
        // Scored from options.tradeFrom on, as a backtest is (a study warming up before its range: the
        // bars before it only warm the indicators); from the first bar without it.
        const from = Math.min(run.options.tradeFrom, prepared.bars.t.length);
        const metrics = metricsOf(prepared, periodEnds, run, task.riskFreeRate, from);
        if (task.periodReturns === true) {
          const start = run.options.returnsFrom === 'first-bar' ? undefined : run.options.cash;
          const t = prepared.bars.t.subarray(from);
          const ends = from === 0 ? periodEnds : periodEndIndices(t);
          const returns = periodSeries(t, run.equity.subarray(from), ends, start).returns;
          outcomes.push({ ok: true, metrics, returns });
        } else outcomes.push({ ok: true, metrics });
      } catch (error) {
        outcomes.push({ ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return { outcomes, elapsedMs: performance.now() - started };
  }
}
