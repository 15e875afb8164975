/**
 * Walk-forward analysis with the engine: core/optimize's runWalkForward cuts the windows and stitches
 * the out-of-sample equity; here each train window is optimised by a study on the pool (seeded per
 * window, so the whole analysis is reproducible) and each winner is backtested on its test window.
 *
 * The test backtest starts at the train window's first bar and only its test part is kept: indicators
 * are warmed up and a position the new parameters would hold when the test window opens is held, as it
 * would be live when parameters are switched; no bar after the test window is read. It trades only from
 * the first bar after the train window (the purge gap's first, see core's walkForwardWindows, or the test
 * window's own without a gap), so no position the test window opens with was opened on a bar the
 * parameters were chosen on. (Runs stored before runs had a purge traded from the train window's first
 * bar and replay so.)
 *
 * No gap by default: a train window's score is its backtest cut at the train window's end (positions
 * marked at its last close), so no train label reaches into the test window and, in Lopez de Prado's
 * terms, nothing needs purging; an embargo guards train bars after a test window, which walk-forward
 * never has. A gap (`purge`, or 'warm-up': the space's longest warm-up, core's warmupProbes, as the regime
 * comparison takes it) also keeps the test's first signals off the train window's bars, at the cost of
 * train bars.
 *
 * A train window is scored as a backtest over it from its first bar is: its trials warm up on the bars
 * before it (the space's longest warm-up of them; the first window's are the cached bars before the run's
 * start, when there are some) and trade from its first bar.
 */
import { randomUUID } from 'node:crypto';
import { firstIndexAtOrAfter, sliceBars, type Bars } from '../../../core/data/bars.ts';
import { tradingDays } from '../../../core/data/assetCalendar.ts';
import type { BacktestOptions } from '../../../core/engine/index.ts';
import { deriveSeed } from '../../../core/math/random.ts';
import { marketRegime, windowLedgerEntries } from '../../../core/ml/learner/ledger.ts';
import {
  flattenSliceMetrics,
  runWalkForward,
  selectWinner,
  sliceCombination,
  stitchEquity,
  Study,
  walkForwardEfficiency,
  walkForwardWindows,
  type BarRange,
  type EquitySegment,
  type MetricSet,
  type Objective,
  type ObjectiveMode,
  type Params,
  type SamplerConfig,
  type SearchSpace,
  type SliceAggregation,
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
import { InProcessExecutor } from '../../compute/inProcess.ts';
import type { ComputePool } from '../../compute/pool.ts';
import { runsUserCode } from '../../compute/userStrategies.ts';
import type { LedgerRecorder } from '../../ml/ledgerLearner.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import type { StoredWalkForwardWindow, WalkForwardRepository } from '../../store/walkForwardRepository.ts';
import { resolveCosts, type CostRequest } from '../costs.ts';
import { thinEquityCurve } from '../equityCurve.ts';
import { closesAt, tearSheetPayload } from '../tearSheet.ts';
import { computeEquityMetrics } from '../../../core/metrics/metrics.ts';
import { metricDefinition } from '../../../core/metrics/definitions.ts';
import { tearSheet } from '../../../core/metrics/tearSheet.ts';
import { runJob, withoutJobId, type Job, type JobContext } from '../jobs.ts';
import { finiteOrNull } from '../payloads.ts';
import {
  combineDatasets,
  poolEvaluators,
  type EvaluatorSettings,
  type EvaluatorSource,
} from './evaluator.ts';
import { runStudyOnPool } from './studyExecution.ts';
import { runProgress } from '../runProgress.ts';
import { PURGE_REMEDY, purgeLeavesTrainShort } from '../../../shared/walkForwardPurgeText.ts';
import type { StudySource } from './studyRecords.ts';
import {
  cacheSource,
  checkMode,
  checkStudyDefinition,
  getStrategyOrThrow,
  randomSeed,
  rangeRef,
  spaceWarmUp,
  studyStrategyRef,
  searchCostsOf,
  searchOptionsOf,
  loadStudyDatasets,
  resolveObjectives,
  type StudyDatasets,
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
  readonly options: Omit<BacktestOptions, 'commission' | 'slippage' | 'financing'>;
  readonly costs: CostRequest;
  readonly preferPlateau: boolean;
  /** The windows; `purge` absent: no gap (in a replay, a run from before runs had a purge). */
  readonly windows: Omit<WalkForwardOptions, 'purge'> & { readonly purge?: PurgeSetting | undefined };
  /** Annual risk-free rate in percent of every window's Sharpe and Sortino (absent: 0). */
  readonly riskFreePercent?: number;
  /** How several symbols' metrics are combined, as a study of them combines them (absent: 'worst'). */
  readonly aggregation?: SliceAggregation;
  /** Per-symbol weights for 'weighted'. */
  readonly symbolWeights?: Readonly<Record<string, number>>;
  /** The request the job was made from, stored with its windows (a compare pin by run id replays it). */
  readonly request?: WalkForwardRequest;
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
  const seed = request.seed ?? randomSeed();
  const job: WalkForwardJob = {
    ...(request.jobId === undefined ? {} : { jobId: request.jobId }),
    strategy: studyStrategyRef(request.strategy),
    source: cacheSource(request.data),
    timeframe: request.data.timeframe,
    start: request.data.start ?? null,
    end: request.data.end ?? null,
    session: request.data.session,
    space: resolveSpace(strategy, request.space, request.constraints),
    sampler: resolveSampler(request.sampler),
    objectives,
    ...(request.mode === undefined ? {} : { mode: request.mode }),
    trials: request.trials,
    seed,
    minTrades: request.minTrades,
    options: searchOptionsOf(request),
    costs: searchCostsOf(request),
    preferPlateau: request.preferPlateau,
    windows: request.windows,
    ...(request.riskFreePercent === undefined ? {} : { riskFreePercent: request.riskFreePercent }),
    aggregation: request.data.aggregation,
    ...(request.data.symbolWeights === undefined ? {} : { symbolWeights: request.data.symbolWeights }),
    request: { ...withoutJobId(request), seed },
  };
  // The symbols and weights are refused as a study's are (a symbol twice, a weight missing or stray).
  checkStudyDefinition({
    source: job.source,
    timeframes: [job.timeframe],
    aggregation: request.data.aggregation,
    ...(request.data.symbolWeights === undefined ? {} : { symbolWeights: request.data.symbolWeights }),
  });
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
  /** The first symbol's bars (the benchmark of the tear sheet, the learner's market). */
  readonly bars: Bars;
  /** Content fingerprint of every symbol's bars (equal ids, equal bars). */
  readonly datasetId: string;
  /** Every symbol's bars, each a slice labelled as a study of them labels it (its `metric@label`). */
  readonly data: StudyDatasets;
  readonly settings: EvaluatorSettings;
  readonly windows: readonly WalkForwardWindow[];
  readonly purge: WalkForwardPurge;
  /** Said when the purge leaves a train window less than half its bars (see purgeShortfall). */
  readonly purgeWarning?: string;
  readonly evaluators: EvaluatorSource;
  /**
   * Every symbol's bars from time `from` until `to` (exclusive), as a study's datasets; `warm`: with the
   * bars before `from` the space's longest warm-up takes, its trials trading from `from`.
   */
  between(from: number, to: number, warm?: boolean): StudyDatasets;
  /**
   * Fixed parameters backtested over a range on each symbol, by slice label. A test range is run from its
   * train window's first bar and only its test part kept (see the module's comment); `key` names the run's
   * datasets on the evaluator.
   */
  evaluate(
    range: BarRange,
    params: Params,
    window: WalkForwardWindow,
    key: string,
    signal?: AbortSignal,
  ): Promise<ReadonlyMap<string, EquitySegment>>;
  /** One range's curve: the symbol's own, or for several their segments on one calendar (equal capital in each). */
  combine(range: BarRange, parts: ReadonlyMap<string, EquitySegment>): EquitySegment;
  /** A curve's metrics at the run's risk-free rate. */
  equityMetrics(segment: EquitySegment): MetricSet;
  /** The symbols' metrics combined as the window's study combined them, each kept as metric@SYM. */
  combinedMetrics(parts: ReadonlyMap<string, EquitySegment>): MetricSet;
}

/** Each symbol's test segments stitched as core stitches the combined ones (windows in run order). */
function stitchBySymbol(
  labels: readonly string[],
  windows: readonly WalkForwardWindow[],
  testParts: ReadonlyMap<number, ReadonlyMap<string, EquitySegment>>,
): Map<string, EquitySegment> {
  return new Map(
    labels.map((label) => [
      label,
      stitchEquity(
        windows.map((w) => ({
          segment: testParts.get(w.index)!.get(label)!,
          from: w.stitch.startTime,
          to: w.stitch.endTime,
        })),
      ),
    ]),
  );
}

const isoDay = (time: number): string => new Date(time).toISOString().slice(0, 10);

/**
 * The times windows are cut on: one symbol's bars, or for several every bar time within the dates they
 * all cover, so a window is the same dates on each symbol whatever bars each has. Dates that do not
 * overlap are refused naming each symbol's dates.
 */
function sharedCalendar(data: StudyDatasets): Float64Array {
  const all = data.datasets.map((d) => d.ref.bars.t);
  if (all.length === 1) return all[0]!;
  const first = Math.max(...all.map((t) => t[0] ?? Infinity));
  const last = Math.min(...all.map((t) => t[t.length - 1] ?? -Infinity));
  if (!(first <= last))
    throw new InputError(
      `the symbols' dates do not overlap: ${data.datasets
        .map(
          ({ label, ref: { bars } }) =>
            `${label} ${isoDay(bars.t[0]!)} to ${isoDay(bars.t[bars.t.length - 1]!)}`,
        )
        .join(', ')}`,
      'data.symbols',
    );
  const times = new Set<number>();
  for (const t of all)
    for (let i = firstIndexAtOrAfter(t, first); i < t.length && t[i]! <= last; i++) times.add(t[i]!);
  return Float64Array.from([...times].sort((x, y) => x - y));
}

/** The symbols' segments of one range as one curve on the calendar: equal capital in each (their mean). */
function combinedSegment(
  calendar: Float64Array,
  range: BarRange,
  parts: ReadonlyMap<string, EquitySegment>,
): EquitySegment {
  const t = calendar.slice(range.start, range.end);
  const equity = new Float64Array(t.length);
  for (const part of parts.values()) {
    // Each symbol's last value at or before each calendar time (its first before its first bar).
    let j = 0;
    for (let i = 0; i < t.length; i++) {
      while (j + 1 < part.t.length && part.t[j + 1]! <= t[i]!) j++;
      equity[i]! += part.equity[j]! / parts.size;
    }
  }
  return { t, equity };
}

/** The gap between each train window and its test window, and where its length came from. */
export interface WalkForwardPurge {
  readonly length: number;
  readonly unit: 'days' | 'bars';
  /** The longest warm-up in bars, when the purge was asked as 'warm-up'; null when given in units. */
  readonly warmupBars: number | null;
  /** A run stored before runs had a purge: its test runs traded from the train window's first bar. */
  readonly legacy: boolean;
}

/** A run's purge as its request gives it: units, or the strategy's longest warm-up measured on its bars. */
export type PurgeSetting = number | 'warm-up';

/**
 * A 'warm-up' purge: the space's longest warm-up (`warmupBars`, see warmupProbes); in days, the most
 * calendar days that many bars reach back from any window's test start of the windows cut without a gap
 * (`plain`).
 */
function warmupPurge(
  job: WalkForwardJob,
  plain: readonly WalkForwardWindow[],
  calendar: Float64Array,
  warmupBars: number,
): WalkForwardPurge {
  const unit = job.windows.unit ?? 'days';
  if (unit === 'bars') return { length: warmupBars, unit, warmupBars, legacy: false };
  const { days } = tradingDays(calendar);
  let length = 0;
  for (const w of plain) {
    const first = Math.max(0, w.test.start - warmupBars);
    length = Math.max(length, days[w.test.start]! - days[first]!);
  }
  return { length, unit, warmupBars, legacy: false };
}

/**
 * A warning when the purge leaves some train window less than half the bars it has without one: a
 * '--purge warm-up' of a long-warm-up space over a short train window took most of it, silently, and each
 * window's parameters were chosen on a few bars. Names the window left the smallest share. (A purge that
 * leaves a window fewer than 2 bars is refused when the windows are cut.)
 */
export function purgeShortfall(
  purged: readonly WalkForwardWindow[],
  plain: readonly WalkForwardWindow[],
  purge: Pick<WalkForwardPurge, 'length' | 'unit' | 'warmupBars'>,
): string | undefined {
  if (purge.length === 0) return undefined;
  let worst: { index: number; kept: number; full: number } | undefined;
  let short = 0;
  for (const window of purged) {
    const full = plain[window.index];
    if (full === undefined) continue;
    const kept = window.train.end - window.train.start;
    const all = full.train.end - full.train.start;
    if (!purgeLeavesTrainShort(kept, all)) continue;
    short++;
    if (worst === undefined || kept * worst.full < worst.kept * all)
      worst = { index: window.index, kept, full: all };
  }
  if (worst === undefined) return undefined;
  const asked =
    purge.warmupBars === null ? '' : ` (the strategy's longest warm-up, ${purge.warmupBars} bars)`;
  return (
    `the purge of ${purge.length} ${purge.unit}${asked} leaves ${short} of ${purged.length} train windows less than ` +
    `half their bars: window ${worst.index} keeps ${worst.kept} of its ${worst.full} ` +
    `(${Math.round((worst.kept / worst.full) * 100)}%), so its parameters were chosen on few bars; ${PURGE_REMEDY}`
  );
}

/**
 * `absentPurge`: what a job without a purge is: a new run without a gap, or (a replay) a run stored before
 * runs had a purge, which had no gap and traded its test runs from the train window's first bar.
 */
async function walkForwardSetup(
  job: WalkForwardJob,
  deps: Pick<WalkForwardDeps, 'pool' | 'bars' | 'compute'>,
  absentPurge: 'none' | 'legacy',
): Promise<WalkForwardSetup & { readonly calendar: Float64Array }> {
  // The space's longest warm-up (the one definition a study's and the regime comparison's purge use too).
  const probe = spaceWarmUp(
    runsUserCode(job.strategy) ? deps.pool : new InProcessExecutor(),
    job.strategy,
    job.space,
    job.seed,
    job.options,
  );
  // With the bars before the range a train window from its start warms up on (when the source has them).
  const full = await loadStudyDatasets(
    {
      source: job.source,
      timeframes: [job.timeframe],
      start: job.start,
      end: job.end,
      ...(job.session === undefined ? {} : { session: job.session }),
      warmUp: 'before-range',
    },
    deps.bars,
    probe,
  );
  // The range's bars: windows are cut on them, and their ids are the ones runs were stored with.
  const data: StudyDatasets = {
    label: full.label,
    datasets: full.datasets.map(({ from, ...slice }) => ({ ...slice, ref: rangeRef({ ...slice, from }) })),
  };
  const warmupBars = full.warmUp?.longest ?? (await probe(data.datasets[0]!.ref));
  const base = data.datasets[0]!.ref;
  const bars = base.bars;
  const { models } = await resolveCosts(job.costs, job.source, deps.bars, bars.t);
  const options: BacktestOptions = { ...job.options, ...models };
  const calendar = sharedCalendar(data);
  const cut = (settings: WalkForwardOptions): WalkForwardWindow[] => {
    try {
      return walkForwardWindows(calendar, settings);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Window settings that do not fit the data are the caller's to change.
      throw new InputError(
        data.datasets.length === 1
          ? message
          : `${message} (the dates ${data.datasets.map((d) => d.label).join(', ')} all cover: ${isoDay(calendar[0]!)} to ${isoDay(calendar[calendar.length - 1]!)})`,
        'windows',
      );
    }
  };
  const asked = job.windows.purge;
  const plain = cut({ ...job.windows, purge: 0 });
  const purge: WalkForwardPurge =
    asked === 'warm-up'
      ? warmupPurge(job, plain, calendar, warmupBars)
      : {
          length: asked ?? 0,
          unit: job.windows.unit ?? 'days',
          warmupBars: null,
          legacy: asked === undefined && absentPurge === 'legacy',
        };
  const windows = cut({ ...job.windows, purge: purge.length });
  const purgeWarning = purgeShortfall(windows, plain, purge);
  // `warm`: with up to the space's longest warm-up of bars before `from` (those before the range too),
  // trading from `from` on, as a backtest from `from` warms up on the bars before it.
  const between = (from: number, to: number, warm = false): StudyDatasets => ({
    label: data.label,
    datasets: full.datasets.map(({ from: _, ...d }) => {
      const start = firstIndexAtOrAfter(d.ref.bars.t, from);
      const end = firstIndexAtOrAfter(d.ref.bars.t, to);
      const first = warm ? Math.max(0, start - warmupBars) : start;
      const ref = { id: `${d.ref.id}:wf:${first}:${end}`, bars: sliceBars(d.ref.bars, first, end) };
      return warm ? { ...d, ref, from: start - first } : { ...d, ref };
    }),
  });
  const evaluators = deps.compute ?? poolEvaluators(deps.pool);
  const settings: EvaluatorSettings = {
    strategy: job.strategy,
    options,
    objectives: job.objectives,
    aggregation: job.aggregation ?? 'worst',
    ...(job.symbolWeights === undefined ? {} : { symbolWeights: job.symbolWeights }),
    riskFreeRate: (job.riskFreePercent ?? 0) / 100,
  };
  const equityMetrics = ({ t, equity }: EquitySegment): MetricSet => ({
    ...computeEquityMetrics(t, equity, { riskFreeRate: settings.riskFreeRate }),
  });
  return {
    label: data.label,
    bars,
    // Several symbols: a change to any one's bars makes a stored run's windows unreplayable.
    datasetId: data.datasets.map((d) => d.ref.id).join('+'),
    data,
    settings,
    calendar,
    windows,
    purge,
    ...(purgeWarning === undefined ? {} : { purgeWarning }),
    evaluators,
    between,
    evaluate: async (range, params, window, key, signal) => {
      const isTest = range.start >= window.train.end;
      const from = isTest ? window.train.startTime : range.startTime;
      const fromTrainEnd = isTest && !purge.legacy;
      const parts = new Map<string, EquitySegment>();
      // A train range is backtested as its window's trials were: warmed up on the bars before it.
      for (const slice of between(from, range.endTime, !isTest).datasets) {
        const t = slice.ref.bars.t;
        const tradeFrom = fromTrainEnd ? firstIndexAtOrAfter(t, window.train.endTime) : (slice.from ?? 0);
        const evaluator = await evaluators(
          { label: data.label, datasets: [slice] },
          fromTrainEnd ? { ...settings, options: { ...options, tradeFrom } } : settings,
          `${key}-${slice.ref.id}`,
          1,
        );
        let equity: Float64Array;
        try {
          // From bar tradeFrom on: a run reports only the bars it may trade on.
          equity = await evaluator.equity(params, signal);
          await evaluator.finished?.();
        } finally {
          evaluator.release?.();
        }
        const skip = firstIndexAtOrAfter(t, range.startTime);
        parts.set(slice.label, { t: t.slice(skip), equity: equity.slice(skip - tradeFrom) });
      }
      return parts;
    },
    combine: (range, parts) =>
      parts.size === 1 ? parts.values().next().value! : combinedSegment(calendar, range, parts),
    equityMetrics,
    combinedMetrics: (parts) =>
      flattenSliceMetrics(
        combineDatasets(
          data,
          settings,
          data.datasets.map((d) => equityMetrics(parts.get(d.label)!)),
        ),
      ),
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
  /** The gap before each test window the run was cut with. */
  readonly purge: WalkForwardPurge;
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
  // The gap the run had is stored with its request, in units (a run stored before runs kept their request
  // has only the one given); a request without one is a run from before runs had a purge.
  const storedRequest = stored[0]?.request;
  const purge = storedRequest === undefined ? job.windows.purge : storedRequest.windows.purge;
  const setup = await walkForwardSetup({ ...job, windows: { ...job.windows, purge } }, deps, 'legacy');
  const parts: { segment: EquitySegment; from: number; to: number }[] = [];
  const windows: WalkForwardWindow[] = [];
  const testParts = new Map<number, ReadonlyMap<string, EquitySegment>>();
  const key = `replay-${randomUUID()}`;
  for (const row of stored) {
    const window = setup.windows[row.window.index];
    if (row.datasetId !== setup.datasetId)
      throw new Error(
        `the bars of ${setup.label} ${job.timeframe} changed since walk-forward run ${row.runId}: its windows cannot be replayed`,
      );
    // Same bars, so the same bar ranges are the same windows (runs cut before windows began at a bar
    // stored other times for them); other ranges mean the run was cut in 24-hour steps, as runs were.
    if (window?.test.start !== row.window.test.start || window.test.end !== row.window.test.end)
      throw new Error(
        `walk-forward run ${row.runId} was cut in 24-hour steps from its first bar, before windows began where the market's day begins: run it again to replay it`,
      );
    const segments = await setup.evaluate(window.test, row.window.params, window, `${key}-w${window.index}`);
    windows.push(window);
    testParts.set(window.index, segments);
    parts.push({
      segment: setup.combine(window.test, segments),
      from: window.stitch.startTime,
      to: window.stitch.endTime,
    });
  }
  const stitched = stitchEquity(parts);
  const labels = setup.data.datasets.map((d) => d.label);
  return {
    symbol: setup.label,
    stitched,
    // As the run computed them: several symbols' figures are their stitched curves' combined.
    outOfSample:
      labels.length === 1
        ? setup.equityMetrics(stitched)
        : setup.combinedMetrics(stitchBySymbol(labels, windows, testParts)),
    windows: stored.length,
    windowsCut: setup.windows.length,
    purge: setup.purge,
  };
}

/**
 * How a run of several symbols' figures were combined from each symbol's: without it a trader read the
 * mean of the symbols' drawdowns (-32.86%) beside the worst symbol's Sharpe as one portfolio's figures,
 * when one symbol's drawdown was -34.21%.
 */
export function combinationText(
  labels: readonly string[],
  settings: Pick<EvaluatorSettings, 'aggregation' | 'objectives'>,
): string {
  const scored = [...settings.objectives.map((o) => o.metric), 'numTrades'].filter(
    (key, i, all) => all.indexOf(key) === i && sliceCombination(key, settings) === 'worst',
  );
  const label = (key: string): string =>
    key === 'numTrades' ? 'the trade count' : (metricDefinition(key)?.label ?? key);
  // How a metric no objective reads is combined.
  const rest = sliceCombination('', settings);
  const figures =
    scored.length === 0
      ? `every figure is the ${rest} of the symbols'`
      : `${scored.map(label).join(', ')}: the worst symbol's; every other figure: the ${rest} of the symbols'`;
  return `${labels.join(', ')} scored together: ${figures} (each symbol's own are listed); the stitched curve holds equal capital in each`;
}

async function walkForward(job: WalkForwardJob, deps: WalkForwardDeps, run: Job): Promise<WalkForwardResult> {
  const started = performance.now();
  const stopIfCancelled = (): void => run.throwIfCancelled();
  const setup = await walkForwardSetup(job, deps, 'none');
  const { bars, settings, evaluators, data } = setup;
  const several = data.datasets.length > 1;
  const windowCount = setup.windows.length;
  // Said first: it qualifies every window's figures.
  const notes: string[] = setup.purgeWarning === undefined ? [] : [setup.purgeWarning];
  let windowsDone = 0;
  run.progress(0, windowCount);
  const progress = runProgress(deps.events, 'walkforward:progress', run.jobId, { windowsTotal: windowCount });

  const optimize = async (train: BarRange, window: WalkForwardWindow): Promise<{ params: Params }> => {
    stopIfCancelled();
    progress.windowStarted(window.index, job.trials);
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
      // Warmed up on the bars before the window, as a backtest over it from its start is.
      setup.between(train.startTime, train.endTime, true),
      settings,
      `${run.jobId}-w${window.index}`,
      job.trials,
    );
    // Each window's evaluator tells of a Redis lost under it (at once when it already is).
    const stopListening = evaluator.onConnection?.((notice) => progress.connection(notice));
    try {
      await runStudyOnPool(study, {
        evaluator,
        isCancelled: () => run.signal.aborted,
        onProgress: (p) => progress.trials(p.done),
      });
      await evaluator.finished?.();
    } finally {
      stopListening?.();
      evaluator.release?.();
    }
    stopIfCancelled();
    const winner = selectWinner(study, { preferPlateau: job.preferPlateau })?.trial;
    if (winner !== undefined) return { params: winner.params };
    // No feasible trial (none reached the minimum trade count, or each was wiped out): the best complete
    // one is used.
    const complete = study.trials.filter((t) => t.status === 'complete');
    if (complete.length === 0) throw new Error(`walk-forward window ${window.index}: every trial failed`);
    notes.push(
      `window ${window.index}: no trial reached the minimum trade count with its account above 0 (not wiped ` +
        'out); the best complete trial was used',
    );
    const fallback = complete.reduce((a, b) => (study.score(b) > study.score(a) ? b : a));
    return { params: fallback.params };
  };

  // Several symbols: each range's per-symbol segments behind the combined one core stitches, and each
  // window's test segments (stitched per symbol once every window is done).
  const symbolParts = new WeakMap<EquitySegment, ReadonlyMap<string, EquitySegment>>();
  const testParts = new Map<number, ReadonlyMap<string, EquitySegment>>();
  const { equityMetrics, combinedMetrics } = setup;

  const evaluate = async (
    range: BarRange,
    params: Params,
    window: WalkForwardWindow,
  ): Promise<EquitySegment> => {
    stopIfCancelled();
    // On the evaluator the windows' studies use (remote workers when chosen), under a key of its own.
    const parts = await setup.evaluate(range, params, window, `${run.jobId}-w${window.index}`, run.signal);
    const isTest = range.start >= window.train.end;
    if (isTest) {
      windowsDone++;
      run.progress(windowsDone, windowCount);
      progress.windowDone();
    }
    if (!several) return parts.values().next().value!;
    if (isTest) testParts.set(window.index, parts);
    const segment = setup.combine(range, parts);
    symbolParts.set(segment, parts);
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
    // With the purge it ran with, so a replay cuts the same windows whatever the default becomes.
    ...(job.request === undefined
      ? {}
      : { request: { ...job.request, windows: { ...job.request.windows, purge: setup.purge.length } } }),
  };
  const ledger = deps.ledger;
  let market: ReturnType<typeof marketRegime> | undefined;
  // The learner's entries describe one symbol's market: a run of several is not recorded for it.
  const record = (w: WalkForwardWindowResult): void =>
    several
      ? undefined
      : ledger?.record(() => {
          // The regime labels are computed once per run, in the background, when the first window is recorded.
          market ??= marketRegime(bars, job.timeframe);
          const context = {
            ...market,
            runId: runInfo.runId,
            symbol: runInfo.symbol,
            timeframe: runInfo.timeframe,
            strategy: runInfo.strategy,
            session: job.session,
            bars,
          };
          return windowLedgerEntries(context, windowOut(w), Date.now());
        });
  const onWindow =
    store === null && (ledger === undefined || several)
      ? undefined
      : async (w: WalkForwardWindowResult): Promise<void> => {
          record(w);
          await store?.saveWindow(runInfo, windowOut(w), Date.now());
        };

  // The ledger waits for the run's windows to end, so its appends and learning never slow the run.
  const release = ledger?.hold();
  const result = await runWalkForward(
    setup.calendar,
    {
      optimize,
      evaluate,
      metrics: (segment) => {
        const parts = symbolParts.get(segment);
        return parts === undefined ? equityMetrics(segment) : combinedMetrics(parts);
      },
      ...(onWindow === undefined ? {} : { onWindow }),
    },
    { ...job.windows, purge: setup.purge.length, space: job.space },
  ).finally(release);
  stopIfCancelled();
  const thin = ({ t, equity }: EquitySegment): { t: number[]; value: number[] } => {
    const curve = thinEquityCurve(t, equity, equity[0] ?? 1);
    return { t: curve.t, value: curve.value };
  };
  // Several symbols: each one's test segments stitched as core stitched the combined ones; the run's
  // figures are theirs combined (core's are the combined curve's, which no study scores).
  const stitchedBySymbol = several
    ? stitchBySymbol(
        data.datasets.map((d) => d.label),
        result.windows.map((w) => w.window),
        testParts,
      )
    : undefined;
  const outOfSample = stitchedBySymbol === undefined ? result.outOfSample : combinedMetrics(stitchedBySymbol);
  const efficiency =
    stitchedBySymbol === undefined
      ? result.efficiency
      : walkForwardEfficiency(
          outOfSample['annualizedReturn'] ?? NaN,
          result.inSampleMean['annualizedReturn'] ?? NaN,
        );
  return {
    jobId: run.jobId,
    runId: runInfo.runId,
    seed: job.seed,
    symbol: setup.label,
    timeframe: job.timeframe,
    ...(job.session === undefined ? {} : { session: job.session }),
    strategy: job.strategy.name,
    ...(stitchedBySymbol === undefined
      ? {}
      : {
          symbols: [...stitchedBySymbol].map(([symbol, segment]) => ({
            symbol,
            equity: thin(segment),
            outOfSample: metricsOut(equityMetrics(segment)),
          })),
          combination: combinationText([...stitchedBySymbol.keys()], settings),
        }),
    purge: { length: setup.purge.length, unit: setup.purge.unit, warmupBars: setup.purge.warmupBars },
    windows: result.windows.map(windowOut),
    equity: thin(result.stitched),
    inSampleEquity: thin(result.stitchedInSample),
    outOfSample: metricsOut(outOfSample),
    inSampleMean: metricsOut(result.inSampleMean),
    efficiency: finiteOrNull(efficiency),
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
      `${data.datasets[0]!.symbol} buy & hold`,
    ),
    elapsedMs: performance.now() - started,
  };
}
