/**
 * Evaluating parameter sets on the compute pool: one `trials` task per chunk and slice (a symbol at a
 * timeframe), the bars shared once per worker (datasets are prepared by id), per-slice metrics combined
 * for studies of several symbols or timeframes with the per-slice values kept as `metric@slice`.
 */
import type { BacktestOptions } from '../../../core/engine/index.ts';
import {
  aggregateSlices,
  flattenSliceMetrics,
  sliceWeights,
  type MetricSet,
  type SliceScore,
  type Objective,
  type Params,
  type TellResult,
  type SliceAggregation,
  type TrialRequest,
} from '../../../core/optimize/index.ts';
import type { RegimeRunScores } from '../../../core/regime/perRegime.ts';
import type { RedisConnectionNotice } from '../../../shared/computeContract.ts';
import { withRefParams, type StrategyRef } from '../../../core/strategy/index.ts';
import { InProcessExecutor } from '../../compute/inProcess.ts';
import { runsUserCode } from '../../compute/userStrategies.ts';
import type { TaskExecutor } from '../../compute/pool.ts';
import type { TrialOutcome } from '../../compute/tasks.ts';
import type { StudyDocument } from './studyRecords.ts';
import { strategyParams, type StudyDatasets } from './studySetup.ts';

export interface EvaluatorSettings {
  /** The study's strategy: its workers resolve it, refusing an unknown name or another version. */
  readonly strategy: StrategyRef;
  readonly options: BacktestOptions;
  readonly objectives: readonly Objective[];
  readonly aggregation: SliceAggregation;
  /** Per-timeframe weights for 'weighted'. */
  readonly weights?: Readonly<Record<string, number>>;
  /** Per-symbol weights for 'weighted'. */
  readonly symbolWeights?: Readonly<Record<string, number>>;
  /** Annual risk-free rate (0.04 for 4 %) of the trials' Sharpe and Sortino; absent: 0. */
  readonly riskFreeRate?: number;
}

/** How a stored study's trials were evaluated: what a re-run of one of them must use again. */
export function studyEvaluatorSettings(
  definition: StudyDocument['definition'],
  objectives: readonly Objective[],
): EvaluatorSettings {
  return {
    strategy: definition.strategy,
    options: definition.options,
    objectives,
    aggregation: definition.aggregation,
    ...(definition.weights === undefined ? {} : { weights: definition.weights }),
    ...(definition.symbolWeights === undefined ? {} : { symbolWeights: definition.symbolWeights }),
    ...(definition.riskFreePercent === undefined ? {} : { riskFreeRate: definition.riskFreePercent / 100 }),
  };
}

/**
 * The options a study's trials run with on one of its slices: from the slice's first bar of the range on
 * (a study warming up before its range, see StudySlice's `from`), as a backtest from that start trades.
 */
export function sliceOptions(
  options: BacktestOptions,
  slice: StudyDatasets['datasets'][number],
): BacktestOptions {
  return slice.from === undefined ? options : { ...options, tradeFrom: slice.from };
}

/** One trial's outcome on one dataset, as a worker thread or a remote worker reports it. */
export type DatasetOutcome =
  { readonly ok: true; readonly metrics: MetricSet } | { readonly ok: false; readonly error: string };

/**
 * Where a study's trials are evaluated: the local pool (PoolEvaluator) or workers over Redis
 * (compute/remote). The runner sizes its batches for `threads` parallel slots; the trials and their
 * results are the same whichever evaluates them.
 */
export interface Evaluator {
  readonly threads: number;
  /** Trials per batch, when the evaluator is told one (otherwise sized from `threads`). */
  readonly chunkSize?: number;
  /** One result per trial, in order; a trial that fails on any timeframe fails with its message. */
  evaluateTrials(trials: readonly TrialRequest[], signal?: AbortSignal): Promise<TellResult[]>;
  /** Parameter sets outside the study (the analysis's neighbours), spread over the slots. */
  evaluateMany(paramSets: readonly Params[], signal?: AbortSignal): Promise<TellResult[]>;
  /**
   * Per-period returns of each trial on the first timeframe, for PBO; null for a trial that fails. An
   * evaluator may keep them from the trial's own run; others it runs again.
   */
  periodReturns(trials: readonly StudyTrial[], signal?: AbortSignal): Promise<(Float64Array | null)[]>;
  /**
   * One set's equity curve on the first dataset (a walk-forward window's backtest), bar for bar; a set
   * that cannot run is an error.
   */
  equity(params: Params, signal?: AbortSignal): Promise<Float64Array>;
  /**
   * Each set run on every dataset and scored per regime of that dataset's schedule (the study's
   * per-regime mode), where the trials ran: one result per dataset, in order, or why the set failed.
   */
  regimeScores(
    paramSets: readonly Params[],
    schedules: readonly Int8Array[],
    signal?: AbortSignal,
  ): Promise<(RegimeRunScores[] | string)[]>;
  /** The study is finished: whatever was kept so that it could resume may go. */
  finished?(): Promise<void>;
  /**
   * The study (or window) no longer uses this evaluator, however it ended: what the evaluator holds open
   * for it may close (a connection to a Redis the user has since moved away from).
   */
  release?(): void;
  /**
   * Listens to the losses and returns of the connection the trials wait on (Redis), an outage under way
   * told at once; returns the unsubscribe. Absent where nothing can be lost (this machine's pool).
   */
  onConnection?(listener: (notice: RedisConnectionNotice) => void): () => void;
}

/** A trial of the study, by number and parameters. */
export type StudyTrial = Pick<TrialRequest, 'number' | 'params'>;

/**
 * Makes the evaluator of one study (or walk-forward window); `studyKey` names it where results are kept,
 * `plannedTrials` (when known) is how many trials it is to run.
 */
export type EvaluatorSource = (
  data: StudyDatasets,
  settings: EvaluatorSettings,
  studyKey: string,
  plannedTrials?: number,
) => Promise<Evaluator>;

/**
 * Studies of fewer bar-trials than this (trials x bars, summed over the study's datasets) run on the
 * calling thread. The engine takes ~15-35 ns per bar and trial, so this is at most ~35 ms of work (plus
 * the statistics' few reruns), held in batches that each yield to the event loop; a pool thread costs
 * ~0.1 s of CPU to start (a Node environment and the engine) and a study starts one per core, which
 * made the README's 50-combination grid (107,000 bar-trials, ~3 ms of work) take seconds.
 */
export const IN_PROCESS_BAR_TRIALS = 1_000_000;

export interface PoolEvaluatorOptions {
  /** false: the top trials run again for the study's statistics (the bench's baseline). */
  readonly keepReturns?: boolean;
  /** Bar-trials below which a study runs in-process (IN_PROCESS_BAR_TRIALS; 0 always uses the pool). */
  readonly inProcessBelow?: number;
}

/**
 * The local pool as an evaluator source: what a study uses unless told to compute elsewhere. A study of
 * known size below `inProcessBelow` bar-trials runs on this thread instead, with the same results.
 */
export function poolEvaluators(pool: TaskExecutor, options: PoolEvaluatorOptions = {}): EvaluatorSource {
  const below = options.inProcessBelow ?? IN_PROCESS_BAR_TRIALS;
  return (data, settings, _studyKey, plannedTrials) => {
    const bars = data.datasets.reduce((sum, { ref }) => sum + ref.bars.t.length, 0);
    const small =
      !runsUserCode(settings.strategy) && plannedTrials !== undefined && plannedTrials * bars < below;
    return Promise.resolve(
      new PoolEvaluator(small ? new InProcessExecutor() : pool, data, settings, options),
    );
  };
}

/**
 * Period returns kept from trials' own runs, at most this many bytes (about 6,000 trials of ten years of
 * daily returns); the statistics run the top trials beyond it again.
 */
const KEPT_RETURNS_BYTES = 128 * 2 ** 20;

/** Strategy parameters of each set, or the message saying why a set cannot run. */
export function runnableParams(paramSets: readonly Params[]): (Record<string, number> | string)[] {
  return paramSets.map((params) => {
    try {
      return strategyParams(params);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  });
}

/**
 * A trial's result from its outcome on each of the study's slices (or why it could not run): per-slice
 * metrics combined for a study of several symbols or timeframes, the per-slice values kept as
 * `metric@slice`. The pool and remote workers both end here, so they tell the same results.
 */
export function tellResultOf(
  data: StudyDatasets,
  settings: EvaluatorSettings,
  outcomes: readonly DatasetOutcome[] | string,
): TellResult {
  if (typeof outcomes === 'string') return { status: 'failed', error: outcomes };
  const failure = failureOf(
    data,
    outcomes.map((outcome) => (outcome.ok ? null : outcome.error)),
  );
  if (failure !== null) return { status: 'failed', error: failure };
  const metrics = outcomes.map((o) => (o as DatasetOutcome & { ok: true }).metrics);
  if (metrics.length === 1) return { status: 'complete', metrics: metrics[0]! };
  return { status: 'complete', metrics: flattenSliceMetrics(combineDatasets(data, settings, metrics)) };
}

/**
 * One set's metrics on each of the study's datasets combined by the study's aggregation: a trial's
 * result, and a per-regime study's scores of each regime (whose trade count is `tradeCountMetric`).
 */
export function combineDatasets(
  data: StudyDatasets,
  settings: Pick<EvaluatorSettings, 'aggregation' | 'objectives' | 'weights' | 'symbolWeights'>,
  metrics: readonly MetricSet[],
  tradeCountMetric?: string,
): SliceScore {
  const bySlice: Record<string, MetricSet> = {};
  data.datasets.forEach(({ label }, i) => (bySlice[label] = metrics[i]!));
  const weights =
    settings.aggregation === 'weighted'
      ? sliceWeights(data.datasets, settings.symbolWeights, settings.weights)
      : undefined;
  return aggregateSlices(bySlice, {
    aggregation: settings.aggregation,
    objectives: settings.objectives,
    ...(weights === undefined
      ? {}
      : { weights: Object.fromEntries(data.datasets.map(({ label }, i) => [label, weights[i]!])) }),
    ...(tradeCountMetric === undefined ? {} : { tradeCountMetric }),
  });
}

/** A set's per-regime scores on each dataset, or its failures (named by slice when there are several). */
export function regimeRunsOf(
  data: StudyDatasets,
  runs: readonly (RegimeRunScores | string)[],
): RegimeRunScores[] | string {
  const failure = failureOf(
    data,
    runs.map((run) => (typeof run === 'string' ? run : null)),
  );
  return failure ?? (runs as RegimeRunScores[]);
}

/** What failed on which dataset (named by slice when there are several), or null when nothing did. */
function failureOf(data: StudyDatasets, errors: readonly (string | null)[]): string | null {
  const failures = errors.flatMap((error, i) =>
    error === null ? [] : [`${data.datasets.length > 1 ? `${data.datasets[i]!.label}: ` : ''}${error}`],
  );
  return failures.length > 0 ? failures.join('; ') : null;
}

/** Splits `items` into at most `parts` contiguous chunks of near-equal size. */
export function chunks<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = [];
  const size = Math.ceil(items.length / Math.max(1, parts));
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class PoolEvaluator implements Evaluator {
  /** Period returns on the first timeframe by trial number, from the trials' own runs. */
  private readonly kept = new Map<number, Float64Array>();
  private keptBytes = 0;

  constructor(
    private readonly pool: TaskExecutor,
    private readonly data: StudyDatasets,
    private readonly settings: EvaluatorSettings,
    private readonly options: PoolEvaluatorOptions = {},
  ) {}

  get threads(): number {
    return this.pool.threads;
  }

  evaluateTrials(trials: readonly TrialRequest[], signal?: AbortSignal): Promise<TellResult[]> {
    const keep = this.options.keepReturns !== false && this.keptBytes < KEPT_RETURNS_BYTES;
    return this.evaluate(
      trials.map((t) => t.params),
      signal,
      keep ? trials.map((t) => t.number) : undefined,
    );
  }

  /**
   * One result per parameter set, in order; a set that fails on any timeframe fails with its message.
   * With `keepAs` (trial numbers), each set's period returns on the first timeframe are kept for the
   * study's statistics.
   */
  async evaluate(
    paramSets: readonly Params[],
    signal?: AbortSignal,
    keepAs?: readonly number[],
  ): Promise<TellResult[]> {
    const sets = runnableParams(paramSets);
    const runnable = sets.filter((s): s is Record<string, number> => typeof s !== 'string');
    const numbers = keepAs?.filter((_, i) => typeof sets[i] !== 'string');
    const perSlice = await Promise.all(
      this.data.datasets.map(async (slice, d) => {
        const output = await this.pool.run(
          {
            kind: 'trials',
            dataset: slice.ref,
            strategy: this.settings.strategy,
            paramSets: runnable,
            options: sliceOptions(this.settings.options, slice),
            ...this.riskFree(),
            ...(numbers !== undefined && d === 0 ? { periodReturns: true } : {}),
          },
          signal,
        );
        if (numbers !== undefined && d === 0) this.keep(numbers, output.outcomes);
        // Metrics as a plain record (spread, as before): the type has no index signature.
        return output.outcomes.map((o): DatasetOutcome =>
          o.ok ? { ok: true, metrics: { ...o.metrics } } : o,
        );
      }),
    );
    let k = 0;
    return sets.map((set) => {
      if (typeof set === 'string') return tellResultOf(this.data, this.settings, set);
      const index = k++;
      return tellResultOf(
        this.data,
        this.settings,
        perSlice.map((outcomes) => outcomes[index]!),
      );
    });
  }

  /** Evaluates many sets spread over the pool's workers. */
  async evaluateMany(paramSets: readonly Params[], signal?: AbortSignal): Promise<TellResult[]> {
    const parts = await Promise.all(
      chunks(paramSets, this.pool.threads).map((c) => this.evaluate(c, signal)),
    );
    return parts.flat();
  }

  async equity(params: Params, signal?: AbortSignal): Promise<Float64Array> {
    const output = await this.pool.run(
      {
        kind: 'backtest',
        dataset: this.data.datasets[0]!.ref,
        strategy: withRefParams(this.settings.strategy, strategyParams(params)),
        options: sliceOptions(this.settings.options, this.data.datasets[0]!),
      },
      signal,
    );
    return output.equity;
  }

  async regimeScores(
    paramSets: readonly Params[],
    schedules: readonly Int8Array[],
    signal?: AbortSignal,
  ): Promise<(RegimeRunScores[] | string)[]> {
    const sets = runnableParams(paramSets);
    const runnable = sets.filter((s): s is Record<string, number> => typeof s !== 'string');
    const parts = chunks(runnable, this.pool.threads);
    const perDataset = await Promise.all(
      this.data.datasets.map(async (slice, d) => {
        const outputs = await Promise.all(
          parts.map((part) =>
            this.pool.run(
              {
                kind: 'regime-scores',
                dataset: slice.ref,
                strategy: this.settings.strategy,
                paramSets: part,
                options: sliceOptions(this.settings.options, slice),
                schedule: schedules[d]!,
                ...this.riskFree(),
              },
              signal,
            ),
          ),
        );
        return outputs.flatMap((o) => o.runs);
      }),
    );
    let k = 0;
    return sets.map((set) => {
      if (typeof set === 'string') return set;
      const index = k++;
      return regimeRunsOf(
        this.data,
        perDataset.map((runs) => runs[index]!),
      );
    });
  }

  private riskFree(): { riskFreeRate?: number } {
    const rate = this.settings.riskFreeRate;
    return rate === undefined ? {} : { riskFreeRate: rate };
  }

  private keep(numbers: readonly number[], outcomes: readonly TrialOutcome[]): void {
    outcomes.forEach((o, i) => {
      if (!o.ok || o.returns === undefined || this.keptBytes >= KEPT_RETURNS_BYTES) return;
      this.kept.set(numbers[i]!, o.returns);
      this.keptBytes += o.returns.byteLength;
    });
  }

  /**
   * Per-period (daily for intraday bars) returns of each trial on the first timeframe, for PBO; null
   * for a trial that fails. Those kept from the trial's own run are not run again.
   */
  async periodReturns(trials: readonly StudyTrial[], signal?: AbortSignal): Promise<(Float64Array | null)[]> {
    const missing = trials.filter((t) => !this.kept.has(t.number));
    const ran = new Map<number, Float64Array | null>();
    if (missing.length > 0) {
      const series = await this.runReturns(
        missing.map((t) => t.params),
        signal,
      );
      missing.forEach((t, i) => ran.set(t.number, series[i]!));
    }
    return trials.map((t) => this.kept.get(t.number) ?? ran.get(t.number) ?? null);
  }

  private async runReturns(
    paramSets: readonly Params[],
    signal?: AbortSignal,
  ): Promise<(Float64Array | null)[]> {
    const first = this.data.datasets[0]!;
    const parts = await Promise.all(
      chunks(paramSets, this.pool.threads).map(async (part) => {
        const output = await this.pool.run(
          {
            kind: 'trials',
            dataset: first.ref,
            strategy: this.settings.strategy,
            paramSets: part.map((p) => strategyParams(p)),
            options: sliceOptions(this.settings.options, first),
            ...this.riskFree(),
            periodReturns: true,
          },
          signal,
        );
        return output.outcomes.map((o) => (o.ok && o.returns !== undefined ? o.returns : null));
      }),
    );
    return parts.flat();
  }
}
