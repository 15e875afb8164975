/**
 * Walk-forward analysis with the engine: core/optimize's runWalkForward cuts the windows and stitches
 * the out-of-sample equity; here each train window is optimised by a study on the pool (seeded per
 * window, so the whole analysis is reproducible) and each winner is backtested on its test window.
 *
 * The test backtest starts at the train window's first bar and only its test part is kept: indicators
 * are warmed up and a position the new parameters would hold when the test window opens is held, as it
 * would be live when parameters are switched; no bar after the test window is read.
 */
import { randomUUID } from 'node:crypto';
import { sliceBars, type Bars } from '../../../core/data/bars.ts';
import type { BacktestOptions } from '../../../core/engine/index.ts';
import { deriveSeed } from '../../../core/math/random.ts';
import { marketRegime, windowLedgerEntries } from '../../../core/ml/learner/ledger.ts';
import {
  runWalkForward,
  selectWinner,
  stitchEquity,
  Study,
  walkForwardWindows,
  type BarRange,
  type EquitySegment,
  type MetricSet,
  type Objective,
  type ObjectiveMode,
  type Params,
  type SamplerConfig,
  type SearchSpace,
  type WalkForwardOptions,
  type WalkForwardWindow,
  type WalkForwardWindowResult,
} from '../../../core/optimize/index.ts';
import type { StrategyRef } from '../../../core/strategy/index.ts';
import { InputError } from '../../../shared/errors.ts';
import type {
  WalkForwardRequest,
  WalkForwardResult,
  WalkForwardWindowRow,
} from '../../../shared/optimizeContract.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { LedgerRecorder } from '../../ml/ledgerLearner.ts';
import type { DatasetRef } from '../../compute/tasks.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import type { StoredWalkForwardWindow, WalkForwardRepository } from '../../store/walkForwardRepository.ts';
import { resolveCosts, type CostRequest } from '../costs.ts';
import { thinEquityCurve } from '../equityCurve.ts';
import { closesAt, tearSheetPayload } from '../tearSheet.ts';
import { computeEquityMetrics } from '../../../core/metrics/metrics.ts';
import { tearSheet } from '../../../core/metrics/tearSheet.ts';
import { runJob, type Job, type JobContext } from '../jobs.ts';
import { finiteOrNull } from '../payloads.ts';
import { poolEvaluators, type EvaluatorSettings, type EvaluatorSource } from './evaluator.ts';
import { runStudyOnPool } from './studyExecution.ts';
import type { StudySource } from './studyRecords.ts';
import {
  checkMode,
  getStrategyOrThrow,
  randomSeed,
  studyStrategyRef,
  searchCostsOf,
  searchOptionsOf,
  loadStudyDatasets,
  oneSliceData,
  resolveObjectives,
  resolveSampler,
  resolveSpace,
  StudyInputError,
} from './studySetup.ts';

export interface WalkForwardJob {
  readonly jobId?: string;
  readonly strategy: StrategyRef;
  readonly source: StudySource;
  readonly timeframe: string;
  readonly start: number | null;
  readonly end: number | null;
  /** The session the cache's bars keep to; absent: read as the cache reads by default. */
  readonly session?: 'regular' | 'extended';
  readonly space: SearchSpace;
  readonly sampler: SamplerConfig;
  readonly objectives: readonly Objective[];
  readonly mode?: ObjectiveMode;
  /** Trials per train window. */
  readonly trials: number;
  readonly seed: number;
  readonly minTrades: number;
  /** Everything but the costs, which `costs` resolves once the data's asset class is known. */
  readonly options: Omit<BacktestOptions, 'commission' | 'slippage'>;
  readonly costs: CostRequest;
  readonly preferPlateau: boolean;
  readonly windows: WalkForwardOptions;
  /** Annual risk-free rate in percent of every window's Sharpe and Sortino (absent: 0). */
  readonly riskFreePercent?: number;
}

/**
 * The pool, the bar cache, where finished windows are kept (null: nowhere), and the job context (`jobs`
 * makes the run reachable by `job:cancel`).
 */
export interface WalkForwardDeps extends JobContext {
  readonly pool: ComputePool;
  readonly bars: BarsRepository | null;
  readonly windows: WalkForwardRepository | null;
  /** Where finished windows are recorded for the learner (in the background); absent: nowhere. */
  readonly ledger?: LedgerRecorder;
  /** Where train windows' trials are evaluated: the pool unless given (e.g. remote workers). */
  readonly compute?: EvaluatorSource;
}

const metricsOut = (m: MetricSet): Record<string, number | null> =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, finiteOrNull(v)]));

const rangeOut = (r: BarRange): WalkForwardWindowRow['train'] => ({
  start: r.start,
  end: r.end,
  startTime: r.startTime,
  endTime: r.endTime,
});

const windowOut = (w: WalkForwardWindowResult): WalkForwardWindowRow => ({
  index: w.window.index,
  train: rangeOut(w.window.train),
  test: rangeOut(w.window.test),
  params: { ...w.params },
  inSample: metricsOut(w.inSample),
  outOfSample: metricsOut(w.outOfSample),
});

/** A job from a validated contract request (bars from the cache). */
export function walkForwardJobFrom(request: WalkForwardRequest): WalkForwardJob {
  const strategy = getStrategyOrThrow(request.strategy);
  const objectives = resolveObjectives(request.objectives);
  checkMode(request.mode, objectives);
  const job: WalkForwardJob = {
    ...(request.jobId === undefined ? {} : { jobId: request.jobId }),
    strategy: studyStrategyRef(request.strategy),
    source: { kind: 'cache', symbol: request.data.symbol },
    timeframe: request.data.timeframe,
    start: request.data.start ?? null,
    end: request.data.end ?? null,
    session: request.data.session,
    space: resolveSpace(strategy, request.space, request.constraints),
    sampler: resolveSampler(request.sampler),
    objectives,
    ...(request.mode === undefined ? {} : { mode: request.mode }),
    trials: request.trials,
    seed: request.seed ?? randomSeed(),
    minTrades: request.minTrades,
    options: searchOptionsOf(request),
    costs: searchCostsOf(request),
    preferPlateau: request.preferPlateau,
    windows: request.windows,
    ...(request.riskFreePercent === undefined ? {} : { riskFreePercent: request.riskFreePercent }),
  };
  // Sampler options and the mode are checked against the objectives now, not in the first window.
  try {
    new Study({
      space: job.space,
      sampler: job.sampler,
      objectives: job.objectives,
      ...(job.mode === undefined ? {} : { mode: job.mode }),
      seed: job.seed,
      minTrades: job.minTrades,
      maxTrials: job.trials,
    });
  } catch (error) {
    throw new StudyInputError(error instanceof Error ? error.message : String(error));
  }
  return job;
}

/**
 * Runs a walk-forward analysis as a job. A cancel stops the run at the next window step (a study stops
 * asking for trials, the batches in flight finish); the windows already done are dropped with the rest.
 */
export function runWalkForwardJob(job: WalkForwardJob, deps: WalkForwardDeps): Promise<WalkForwardResult> {
  return runJob(deps, { jobId: job.jobId, stage: 'walk-forward', cancellable: true }, (run) =>
    walkForward(job, deps, run),
  );
}

/** What a run and a replay of it share: its bars, its evaluator settings, the windows cut on them. */
interface WalkForwardSetup {
  readonly label: string;
  readonly bars: Bars;
  /** Content fingerprint of the bars (equal ids, equal bars). */
  readonly datasetId: string;
  readonly settings: EvaluatorSettings;
  readonly windows: readonly WalkForwardWindow[];
  readonly evaluators: EvaluatorSource;
  /** The bars of [from, to) as a dataset of their own. */
  slice(from: number, to: number): DatasetRef;
  /**
   * Fixed parameters backtested over a range. A test range is run from its train window's first bar and
   * only its test part kept (see the module's comment); `key` names the run's dataset on the evaluator.
   */
  evaluate(
    range: BarRange,
    params: Params,
    window: WalkForwardWindow,
    key: string,
    signal?: AbortSignal,
  ): Promise<EquitySegment>;
}

async function walkForwardSetup(
  job: WalkForwardJob,
  deps: Pick<WalkForwardDeps, 'pool' | 'bars' | 'compute'>,
): Promise<WalkForwardSetup> {
  const data = await loadStudyDatasets(
    {
      source: job.source,
      timeframes: [job.timeframe],
      start: job.start,
      end: job.end,
      ...(job.session === undefined ? {} : { session: job.session }),
    },
    deps.bars,
  );
  const base = data.datasets[0]!.ref;
  const bars = base.bars;
  const { commission, slippage } = await resolveCosts(job.costs, job.source, deps.bars, bars.t);
  const options: BacktestOptions = { ...job.options, commission, slippage };
  let windows: readonly WalkForwardWindow[];
  try {
    windows = walkForwardWindows(bars.t, job.windows);
  } catch (error) {
    // Window settings that do not fit the data are the caller's to change.
    throw new InputError(error instanceof Error ? error.message : String(error), 'windows');
  }
  const slice = (from: number, to: number): DatasetRef => ({
    id: `${base.id}:wf:${from}:${to}`,
    bars: sliceBars(bars, from, to),
  });
  const evaluators = deps.compute ?? poolEvaluators(deps.pool);
  const settings: EvaluatorSettings = {
    strategy: job.strategy,
    options,
    objectives: job.objectives,
    aggregation: 'mean',
    riskFreeRate: (job.riskFreePercent ?? 0) / 100,
  };
  return {
    label: data.label,
    bars,
    datasetId: base.id,
    settings,
    windows,
    evaluators,
    slice,
    evaluate: async (range, params, window, key, signal) => {
      const from = range.start >= window.train.end ? window.train.start : range.start;
      const evaluator = await evaluators(
        oneSliceData(data.label, job.timeframe, slice(from, range.end)),
        settings,
        `${key}-${from}-${range.end}`,
        1,
      );
      let equity: Float64Array;
      try {
        equity = await evaluator.equity(params, signal);
        await evaluator.finished?.();
      } finally {
        evaluator.release?.();
      }
      return {
        t: bars.t.slice(range.start, range.end),
        equity: equity.slice(range.start - from, range.end - from),
      };
    },
  };
}

/** A stored run's out-of-sample side derived again: its curve, stitched as the run stitched it, and metrics. */
export interface WalkForwardReplay {
  readonly symbol: string;
  readonly stitched: EquitySegment;
  readonly outOfSample: MetricSet;
  /** Windows replayed, and how many the settings cut (fewer stored: the run stopped early). */
  readonly windows: number;
  readonly windowsCut: number;
}

/**
 * Replays a stored run's out-of-sample side: each stored window's parameters backtested again on its
 * test range, stitched as the run stitched them. The bars must be the ones the run read (same content
 * and windows): otherwise the figures would describe a run that never happened, and it is refused.
 */
export async function replayWalkForward(
  job: WalkForwardJob,
  stored: readonly StoredWalkForwardWindow[],
  deps: Pick<WalkForwardDeps, 'pool' | 'bars' | 'compute'>,
): Promise<WalkForwardReplay> {
  const setup = await walkForwardSetup(job, deps);
  const parts: { segment: EquitySegment; from: number; to: number }[] = [];
  const key = `replay-${randomUUID()}`;
  for (const row of stored) {
    const window = setup.windows[row.window.index];
    if (
      row.datasetId !== setup.datasetId ||
      window?.test.startTime !== row.window.test.startTime ||
      window.test.endTime !== row.window.test.endTime
    )
      throw new Error(
        `the bars of ${setup.label} ${job.timeframe} changed since walk-forward run ${row.runId}: its windows cannot be replayed`,
      );
    const segment = await setup.evaluate(window.test, row.window.params, window, `${key}-w${window.index}`);
    parts.push({ segment, from: window.stitch.startTime, to: window.stitch.endTime });
  }
  const stitched = stitchEquity(parts);
  return {
    symbol: setup.label,
    stitched,
    outOfSample: {
      ...computeEquityMetrics(stitched.t, stitched.equity, { riskFreeRate: setup.settings.riskFreeRate }),
    },
    windows: stored.length,
    windowsCut: setup.windows.length,
  };
}

async function walkForward(job: WalkForwardJob, deps: WalkForwardDeps, run: Job): Promise<WalkForwardResult> {
  const started = performance.now();
  const stopIfCancelled = (): void => run.throwIfCancelled();
  const setup = await walkForwardSetup(job, deps);
  const { bars, settings, evaluators, slice } = setup;
  const windowCount = setup.windows.length;
  const notes: string[] = [];
  let windowsDone = 0;
  run.progress(0, windowCount);

  const optimize = async (train: BarRange, window: WalkForwardWindow): Promise<{ params: Params }> => {
    stopIfCancelled();
    const study = new Study({
      space: job.space,
      sampler: job.sampler,
      objectives: job.objectives,
      ...(job.mode === undefined ? {} : { mode: job.mode }),
      seed: deriveSeed(job.seed, window.index),
      minTrades: job.minTrades,
      maxTrials: job.trials,
    });
    const evaluator = await evaluators(
      oneSliceData(setup.label, job.timeframe, slice(train.start, train.end)),
      settings,
      `${run.jobId}-w${window.index}`,
      job.trials,
    );
    try {
      await runStudyOnPool(study, { evaluator, isCancelled: () => run.signal.aborted });
      await evaluator.finished?.();
    } finally {
      evaluator.release?.();
    }
    stopIfCancelled();
    const winner = selectWinner(study, { preferPlateau: job.preferPlateau })?.trial;
    if (winner !== undefined) return { params: winner.params };
    // No feasible trial (e.g. none reached the minimum trade count): the best complete one is used.
    const complete = study.trials.filter((t) => t.status === 'complete');
    if (complete.length === 0) throw new Error(`walk-forward window ${window.index}: every trial failed`);
    notes.push(
      `window ${window.index}: no trial reached the minimum trade count; the best complete trial was used`,
    );
    const fallback = complete.reduce((a, b) => (study.score(b) > study.score(a) ? b : a));
    return { params: fallback.params };
  };

  const evaluate = async (
    range: BarRange,
    params: Params,
    window: WalkForwardWindow,
  ): Promise<EquitySegment> => {
    stopIfCancelled();
    // On the evaluator the windows' studies use (remote workers when chosen), under a key of its own.
    const segment = await setup.evaluate(range, params, window, `${run.jobId}-w${window.index}`, run.signal);
    if (range.start >= window.train.end) {
      windowsDone++;
      run.progress(windowsDone, windowCount);
    }
    return segment;
  };

  // Each window is kept as it finishes (the learner's training data), so a run stopped half-way keeps them.
  const store = deps.windows;
  const runInfo = {
    runId: randomUUID(),
    jobId: run.jobId,
    datasetId: setup.datasetId,
    symbol: setup.label,
    timeframe: job.timeframe,
    strategy: job.strategy.name,
    strategyVersion: job.strategy.version,
    seed: job.seed,
  };
  const ledger = deps.ledger;
  let market: ReturnType<typeof marketRegime> | undefined;
  const record = (w: WalkForwardWindowResult): void =>
    ledger?.record(() => {
      // The regime labels are computed once per run, in the background, when the first window is recorded.
      market ??= marketRegime(bars, job.timeframe);
      const context = {
        ...market,
        runId: runInfo.runId,
        symbol: runInfo.symbol,
        timeframe: runInfo.timeframe,
        strategy: runInfo.strategy,
        bars,
      };
      return windowLedgerEntries(context, windowOut(w), Date.now());
    });
  const onWindow =
    store === null && ledger === undefined
      ? undefined
      : async (w: WalkForwardWindowResult): Promise<void> => {
          record(w);
          await store?.saveWindow(runInfo, windowOut(w), Date.now());
        };

  // The ledger waits for the run's windows to end, so its appends and learning never slow the run.
  const release = ledger?.hold();
  const result = await runWalkForward(
    bars.t,
    {
      optimize,
      evaluate,
      metrics: ({ t, equity }) => ({
        ...computeEquityMetrics(t, equity, { riskFreeRate: settings.riskFreeRate }),
      }),
      ...(onWindow === undefined ? {} : { onWindow }),
    },
    { ...job.windows, space: job.space },
  ).finally(release);
  stopIfCancelled();
  const thin = ({ t, equity }: EquitySegment): { t: number[]; value: number[] } => {
    const curve = thinEquityCurve(t, equity, equity[0] ?? 1);
    return { t: curve.t, value: curve.value };
  };
  return {
    jobId: run.jobId,
    runId: runInfo.runId,
    seed: job.seed,
    symbol: setup.label,
    timeframe: job.timeframe,
    ...(job.session === undefined ? {} : { session: job.session }),
    strategy: job.strategy.name,
    windows: result.windows.map(windowOut),
    equity: thin(result.stitched),
    inSampleEquity: thin(result.stitchedInSample),
    outOfSample: metricsOut(result.outOfSample),
    inSampleMean: metricsOut(result.inSampleMean),
    efficiency: finiteOrNull(result.efficiency),
    parameterPath: result.parameterPath.map((p) => ({
      window: p.window,
      testStartTime: p.testStartTime,
      params: { ...p.params },
    })),
    stability: result.stability.map((s) =>
      s.kind === 'numeric'
        ? {
            name: s.name,
            kind: s.kind,
            mean: finiteOrNull(s.mean),
            std: finiteOrNull(s.std),
            coefficientOfVariation: finiteOrNull(s.coefficientOfVariation),
            normalizedStd: s.normalizedStd === null ? null : finiteOrNull(s.normalizedStd),
            changes: s.changes,
          }
        : { name: s.name, kind: s.kind, mode: s.mode, modeShare: s.modeShare, changes: s.changes },
    ),
    notes,
    tearSheet: tearSheetPayload(
      tearSheet(result.stitched.t, result.stitched.equity, {
        benchmark: closesAt(result.stitched.t, bars),
        riskFreeRate: settings.riskFreeRate ?? 0,
      }),
      `${setup.label} buy & hold`,
    ),
    elapsedMs: performance.now() - started,
  };
}
