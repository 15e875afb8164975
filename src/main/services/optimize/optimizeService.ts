/**
 * Optimisation studies: their lifecycle (start, resume, cancel, delete) and what is read of them. A
 * study runs in batches on the compute pool (studyExecution.ts); each told batch is persisted with the
 * row's progress as soon as it arrives. Trials are saved as 'running' before they are evaluated, so after
 * a crash or a kill `resume` rebuilds the study from the store: finished trials are kept, running ones
 * are re-asked with the same number and parameters, and nothing finished runs twice.
 *
 * A running study is a job of the one registry, under its study id, so `job:cancel` stops it like any
 * other job (answering once it has stopped and its finished trials are stored).
 */
import { randomUUID } from 'node:crypto';
import { costSettingsOf, stressedSlippage, type CostModels } from '../../../core/engine/index.ts';
import { annualizationOf, computeEquityMetrics } from '../../../core/metrics/index.ts';
import {
  DEFAULT_FLOAT_GRID_POINTS,
  flattenSliceMetrics,
  gridSize,
  GridSampler,
  Study,
  type MetricSet,
  type StudyConfig,
  type StudyProgress,
  type TrialRecord,
} from '../../../core/optimize/index.ts';
import type { BacktestResult } from '../../../shared/backtestContract.ts';
import type { RedisConnectionNotice } from '../../../shared/computeContract.ts';
import type {
  Approval,
  OptimizeAnnotateRequest,
  OptimizeApproveRequest,
  OptimizeImportanceRequest,
  OptimizeImportanceResult,
  OptimizeNeighbourhoodResult,
  OptimizeResumeResult,
  OptimizeStartRequest,
  OptimizeStartResult,
  HoldoutSlice,
  StudyDetail,
  StudyHoldout,
  StudyState,
  StudySummary,
} from '../../../shared/optimizeContract.ts';
import { ConflictError, InputError, NotFoundError } from '../../../shared/errors.ts';
import { firstIndexAtOrAfter, isTimeframe, TIMEFRAMES } from '../../../core/data/bars.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import { studyTrialEntries } from '../../ml/ledgerEntries.ts';
import type { LedgerRecorder } from '../../ml/ledgerLearner.ts';
import { resolveCosts, type CostRequest } from '../costs.ts';
import { backtestReport } from '../backtest/backtestService.ts';
import type { EventBus } from '../events.ts';
import { studyImportance } from './studyImportance.ts';
import { studyNeighbourhood } from './studyNeighbourhood.ts';
import type { JobRegistry } from '../jobs.ts';
import { finiteOrNull } from '../payloads.ts';
import { analyseStudy } from './analysis.ts';
import {
  combineDatasets,
  poolEvaluators,
  studyEvaluatorSettings,
  type Evaluator,
  type EvaluatorSource,
} from './evaluator.ts';
import { approveParams } from './studyApprovals.ts';
import { runStudyOnPool } from './studyExecution.ts';
import { progressThrottle } from '../progressThrottle.ts';
import { studyRegimeSets } from './studyRegimes.ts';
import {
  newStudyDocument,
  type StoredStudy,
  type StudyDocument,
  type StudyProgressRecord,
  type StudyRecords,
  type StudySource,
} from './studyRecords.ts';
import { resolveStrategyDefinition } from '../../../core/strategy/index.ts';
import {
  checkMode,
  getStrategyOrThrow,
  studyStrategyRef,
  searchCostsOf,
  searchOptionsOf,
  loadStudyDatasets,
  studyDataFingerprint,
  randomSeed,
  strategyParams,
  resolveObjectives,
  resolveSampler,
  resolveSpace,
  StudyInputError,
  studySourceLabel,
  studyWarmUp,
  cacheSource,
  checkStudyDefinition,
  type NewStudy,
  type StudyDatasets,
} from './studySetup.ts';
import { progressOf, studyDetail, studySummary, trialRow, winnerOf, type TrialPage } from './studyViews.ts';

interface ActiveStudy {
  readonly study: Study;
  /** Aborted by a cancel (from either channel); the run then stops and keeps what finished. */
  readonly signal: AbortSignal;
  readonly cancel: () => void;
  readonly done: Promise<StudyDetail>;
  /** The last loss or return of the Redis its trials wait on (null: none since it started here). */
  readonly connection: ConnectionWatch;
}

interface ConnectionWatch {
  notice: RedisConnectionNotice | null;
}

/** Grids up to this many raw points are counted when a study is created (bounds the worst case, a cycle of constraints, which is enumerated). */
const GRID_COUNT_LIMIT = 5_000_000;

/** Every trial: what the CLI reads in process (the contract pages them). */
const ALL_TRIALS: TrialPage = { offset: 0, limit: Number.MAX_SAFE_INTEGER };

export interface OptimizeServiceOptions {
  readonly studies: StudyRecords;
  /** The bar cache (null for runs on files only). */
  readonly bars: BarsRepository | null;
  readonly pool: ComputePool;
  readonly events: EventBus;
  /** Where running studies are registered for `job:cancel` (the CLI runs without one). */
  readonly jobs?: JobRegistry;
  /** Where finished trials are recorded for the learner (in the background). */
  readonly ledger?: LedgerRecorder;
  /** Where trials are evaluated: the pool unless given (e.g. remote workers over Redis). */
  readonly compute?: EvaluatorSource;
  /** The Settings' annual risk-free rate in percent, for a study whose request names none (absent: 0). */
  readonly riskFreePercent?: () => number;
}

export class OptimizeService {
  private readonly active = new Map<string, ActiveStudy>();

  constructor(private readonly deps: OptimizeServiceOptions) {}

  /**
   * A study from a validated contract request; it starts running in the background. A request that
   * cannot start (a bad space, no bars for the symbol) is refused before anything is stored.
   */
  async start(request: OptimizeStartRequest): Promise<OptimizeStartResult> {
    const strategy = getStrategyOrThrow(request.strategy);
    const objectives = resolveObjectives(request.objectives);
    checkMode(request.mode, objectives);
    const space = resolveSpace(strategy, request.space, request.constraints);
    const { data: studied } = request;
    const source: StudySource =
      studied.kind === 'file'
        ? {
            kind: 'file',
            path: studied.path,
            ...(studied.files === undefined ? {} : { files: studied.files }),
          }
        : cacheSource(studied);
    const newStudy: NewStudy = {
      name: request.name ?? `${request.strategy} ${studySourceLabel(source)} ${studied.timeframes.join('+')}`,
      ...(request.note === undefined ? {} : { note: request.note }),
      definition: {
        strategy: studyStrategyRef(request.strategy),
        source,
        timeframes: studied.timeframes,
        start: studied.start ?? null,
        end: studied.end ?? null,
        // A file's bars are scored as they are read; the session applies to the cache's.
        ...(studied.kind === 'file' ? {} : { session: studied.session }),
        aggregation: studied.aggregation,
        ...(studied.weights === undefined ? {} : { weights: { ...studied.weights } }),
        ...(studied.symbolWeights === undefined ? {} : { symbolWeights: { ...studied.symbolWeights } }),
        options: {
          ...searchOptionsOf(request),
          ...(await this.costs(source, searchCostsOf(request))),
        },
        preferPlateau: request.preferPlateau,
        trials: request.trials,
        ...(request.perRegime === undefined ? {} : { perRegime: request.perRegime }),
        ...(studied.holdout === undefined ? {} : { holdout: studied.holdout }),
        riskFreePercent: request.riskFreePercent ?? this.deps.riskFreePercent?.() ?? 0,
      },
      space,
      sampler: resolveSampler(request.sampler),
      objectives,
      ...(request.mode === undefined ? {} : { mode: request.mode }),
      seed: request.seed ?? randomSeed(),
      minTrades: request.minTrades,
    };
    return this.begin(newStudy);
  }

  /**
   * Stores a new study and starts running it, once its definition is checked and its bars are read: a
   * study that cannot run (a bad weight, a symbol with no bars) is refused with nothing stored.
   */
  async begin(created: NewStudy): Promise<OptimizeStartResult> {
    const newStudy = warmingBeforeRange(created);
    checkStudyDefinition(newStudy.definition);
    const config = studyConfigOf(newStudy);
    const data = await this.datasets(newStudy.definition, config);
    const studyId = await this.store(newStudy, config);
    return this.launch(await this.row(studyId), data);
  }

  /**
   * A study's cost models on `source` (see resolveCosts); the CLI asks before it creates a study. The
   * symbols of a study of several share one set of costs, so they must share an asset class.
   */
  async costs(source: StudySource, request: CostRequest): Promise<CostModels> {
    if (source.kind === 'cache' && source.symbols !== undefined && this.deps.bars !== null) {
      const bars = this.deps.bars;
      const calendars = await Promise.all(
        source.symbols.map(async (s) => (await bars.calendarOf(s)).calendar),
      );
      const other = calendars.findIndex((c) => c !== calendars[0]);
      if (other > 0)
        throw new StudyInputError(
          `${source.symbols[other]} is ${calendars[other]} and ${source.symbols[0]} is ${calendars[0]}: ` +
            'the symbols of one study share its costs, so they must be of one asset class',
          `data.symbols.${other}`,
        );
    }
    return (await resolveCosts(request, source, this.deps.bars)).models;
  }

  /** Stores a new study (no trial yet) and returns its id; the CLI then resumes it. */
  async create(created: NewStudy): Promise<string> {
    const newStudy = warmingBeforeRange(created);
    return this.store(newStudy, studyConfigOf(newStudy));
  }

  /**
   * Resumes a stored study: finished trials are kept, running ones re-run, the rest of the budget asked.
   * A complete study is left as it is (state, finish time and report): resuming it would report
   * "running" for a study with nothing left to run.
   */
  async resume(studyId: string): Promise<OptimizeResumeResult> {
    if (this.active.has(studyId)) throw new ConflictError(`study ${studyId} is already running`, 'studyId');
    const row = await this.row(studyId);
    if (row.data.state === 'complete') {
      const { trialsTotal } = row.progress ?? (await this.backfillProgress(row));
      return { studyId, seed: row.config.seed, total: trialsTotal, alreadyComplete: true };
    }
    try {
      resolveStrategyDefinition(row.data.definition.strategy);
    } catch (error) {
      // Its trials were scored by a strategy this build does not have: going on would mix two.
      throw new ConflictError(
        `study ${studyId} cannot be resumed: ${error instanceof Error ? error.message : String(error)}`,
        'studyId',
      );
    }
    const started = await this.launch(row, await this.datasets(row.data.definition, row.config));
    return { ...started, alreadyComplete: false };
  }

  /** Stops a running study; its finished trials are kept (running ones are re-run on resume). */
  async cancel(studyId: string): Promise<{ studyId: string; cancelled: boolean }> {
    const active = this.active.get(studyId);
    if (active === undefined) {
      await this.row(studyId);
      return { studyId, cancelled: false };
    }
    active.cancel();
    await active.done.catch(() => undefined);
    return { studyId, cancelled: true };
  }

  /** Removes a stopped study with its trials (a running one must be cancelled first). */
  async delete(studyId: string): Promise<{ studyId: string; deleted: true }> {
    if (this.active.has(studyId))
      throw new ConflictError(`study ${studyId} is running: cancel it before deleting it`, 'studyId');
    if (!(await this.deps.studies.delete(studyId)))
      throw new NotFoundError(`no study with id "${studyId}"`, 'studyId');
    return { studyId, deleted: true };
  }

  /** Renames or annotates a study; a running one too (its runner never writes the name or the note). */
  async annotate(request: OptimizeAnnotateRequest): Promise<StudySummary> {
    const { studyId, ...changes } = request;
    await this.deps.studies.annotate(studyId, changes);
    return this.summaryOf(await this.row(studyId));
  }

  /** Resolves when the study stops running (completed, cancelled or failed) with its detail. */
  async wait(studyId: string): Promise<StudyDetail> {
    const active = this.active.get(studyId);
    if (active !== undefined) return active.done;
    return this.get(studyId);
  }

  isRunning(studyId: string): boolean {
    return this.active.has(studyId);
  }

  /** Every study from its row (no trial is read, except once for a study stored before rows had progress). */
  async list(): Promise<StudySummary[]> {
    const rows = await this.deps.studies.list();
    const out: StudySummary[] = [];
    for (const row of rows) out.push(await this.summaryOf(row));
    return out;
  }

  private async summaryOf(row: StoredStudy): Promise<StudySummary> {
    const active = this.active.get(row.id);
    const progress =
      active === undefined
        ? (row.progress ?? (await this.backfillProgress(row)))
        : progressOf(row.data, active.study, Date.now());
    return this.withConnection(studySummary(row, progress, active !== undefined));
  }

  /** A running study's summary with the notice of its Redis, for a client that opens it during an outage. */
  private withConnection(summary: StudySummary): StudySummary {
    const notice = this.active.get(summary.id)?.connection.notice ?? null;
    return notice === null ? summary : { ...summary, connection: notice };
  }

  /** The study with a page of its trials (every trial when no page is given). */
  async get(studyId: string, page: TrialPage = ALL_TRIALS): Promise<StudyDetail> {
    const { row, study, running } = await this.load(studyId);
    const detail = studyDetail(row, study, progressOf(row.data, study, Date.now()), running, page);
    return { ...detail, summary: this.withConnection(detail.summary) };
  }

  /** The winner's one-step neighbours; those the study never ran are run now (a stopped study only). */
  async neighbourhood(studyId: string): Promise<OptimizeNeighbourhoodResult> {
    const { row, study, running } = await this.load(studyId);
    if (running)
      throw new ConflictError(`study ${studyId} is running: its winner can still change`, 'studyId');
    return studyNeighbourhood(studyId, study, winnerOf(row.data, study), async (paramSets) => {
      const evaluator = await this.evaluatorFor(
        row,
        await this.datasets(row.data.definition, row.config),
        `${studyId}-near`,
      );
      try {
        return await evaluator.evaluateMany(paramSets);
      } finally {
        evaluator.release?.();
      }
    });
  }

  /**
   * One trial re-run as a full backtest (trades, equity, tear sheet) on what the study scored it on: its
   * first timeframe's bars (range, session, the holdout left out), its stored engine options and costs,
   * through the report a backtest request makes. Its metrics are the trial's.
   */
  async trialBacktest(studyId: string, trialNumber: number): Promise<BacktestResult> {
    const { row, study } = await this.load(studyId);
    const trial = study.trials.find((t) => t.number === trialNumber);
    if (trial === undefined)
      throw new NotFoundError(`study ${studyId} has no trial ${trialNumber}`, 'trialNumber');
    const definition = row.data.definition;
    const data = await this.datasets(definition, row.config);
    // From the range's first bar, warmed on the bars before it as the trial was (from: 0 without them).
    const { timeframe, ref: dataset, from = 0 } = data.datasets[0]!;
    // A CLI study on a file's own bars ('native') has no timeframe a report can name.
    if (!isTimeframe(timeframe))
      throw new InputError(
        `study ${studyId} was scored on ${timeframe} bars of ${data.label}: a trial's report needs one of ${TIMEFRAMES.join(', ')}`,
        'studyId',
      );
    const { options } = definition;
    return backtestReport(this.deps.pool, {
      symbol: data.label,
      timeframe,
      strategy: getStrategyOrThrow(definition.strategy.name),
      params: { ...definition.strategy.params, ...strategyParams(trial.params) },
      dataset,
      from,
      options: (stressBps) => ({ ...options, slippage: stressedSlippage(options.slippage, stressBps) }),
      costs: costSettingsOf(options),
      benchmark: { label: `${data.label} buy & hold`, values: dataset.bars.c.subarray(from) },
      riskFreeRate: (definition.riskFreePercent ?? 0) / 100,
    });
  }

  /** Parameter importance over the trials so far (a running study's too). */
  async importance(request: OptimizeImportanceRequest): Promise<OptimizeImportanceResult> {
    return studyImportance((await this.load(request.studyId)).study, request);
  }

  approve(request: OptimizeApproveRequest): Promise<{ studyId: string; approved: Approval }> {
    return approveParams(this.deps.studies, request);
  }

  /** Cancels every running study and waits for them to stop (on shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.active.keys()].map((id) => this.cancel(id)));
    await this.deps.ledger?.flush();
  }

  // -------------------------------------------------------------------------------------------------

  /** Complete trials go to the results ledger, built and written after this batch has moved on. */
  private recordTrials(
    studyId: string,
    definition: StudyDocument['definition'],
    trials: readonly TrialRecord[],
  ): void {
    if (trials.some((t) => t.status === 'complete'))
      this.deps.ledger?.record(() => studyTrialEntries(studyId, definition, trials, Date.now()));
  }

  private row(studyId: string): Promise<StoredStudy> {
    return this.deps.studies.get(studyId);
  }

  /** An evaluator of `row`'s strategy, options and objectives on `data`, kept under `key`. */
  private evaluatorFor(
    row: StoredStudy,
    data: StudyDatasets,
    key: string,
    planned?: number,
  ): Promise<Evaluator> {
    const definition = row.data.definition;
    return (this.deps.compute ?? poolEvaluators(this.deps.pool))(
      data,
      studyEvaluatorSettings(definition, row.config.objectives),
      key,
      planned,
    );
  }

  /**
   * The winner on the held-out bars, beside its result before them, on every slice the study scored
   * (each symbol at each timeframe): one run over the slice's whole bars (indicators warmed up, a position
   * held across the cut as it would be live), its equity split at the first held-out bar. The
   * out-of-sample part starts from the last searched bar's equity, so the first held-out bar's return
   * counts. Several slices' figures are combined as the study combines its trials'. Nothing without a
   * holdout or a winner.
   */
  private async holdoutResult(
    row: StoredStudy,
    study: Study,
    winner: number | null | undefined,
    data: StudyDatasets,
    signal: AbortSignal,
  ): Promise<StudyHoldout | undefined> {
    const holdout = data.holdout;
    const trial = study.trials.find((t) => t.number === winner);
    if (holdout === undefined || trial === undefined) return undefined;
    const riskFreeRate = (row.data.definition.riskFreePercent ?? 0) / 100;
    const metricsOut = (m: MetricSet): Record<string, number | null> =>
      Object.fromEntries(Object.entries(m).map(([k, v]) => [k, finiteOrNull(v)]));
    const slices: (Omit<HoldoutSlice, 'inSample' | 'outOfSample'> & {
      inSample: MetricSet;
      outOfSample: MetricSet;
    })[] = [];
    for (const [i, slice] of data.datasets.entries()) {
      const all = holdout.all[i]!;
      const whole = { label: data.label, datasets: [{ ...slice, ref: all }] };
      const evaluator = await this.evaluatorFor(row, whole, `${row.id}-holdout-${i}`, 1);
      let equity: Float64Array;
      try {
        equity = await evaluator.equity(trial.params, signal);
        await evaluator.finished?.();
      } finally {
        evaluator.release?.();
      }
      // The run reports the bars from the range's first on (the ones before only warm it up).
      const t = all.bars.t.subarray(slice.from ?? 0);
      const index = firstIndexAtOrAfter(t, holdout.from);
      const metrics = (from: number, to: number): MetricSet => ({
        ...computeEquityMetrics(t.subarray(from, to), equity.subarray(from, to), { riskFreeRate }),
      });
      slices.push({
        label: slice.label,
        symbol: slice.symbol,
        timeframe: slice.timeframe,
        bars: t.length - index,
        searchedBars: index,
        inSample: metrics(0, index),
        outOfSample: metrics(Math.max(0, index - 1), t.length),
      });
    }
    const settings = studyEvaluatorSettings(row.data.definition, row.config.objectives);
    const side = (key: 'inSample' | 'outOfSample'): Record<string, number | null> =>
      metricsOut(
        slices.length === 1
          ? slices[0]![key]
          : flattenSliceMetrics(
              combineDatasets(
                data,
                settings,
                slices.map((s) => s[key]),
              ),
            ),
      );
    const first = slices[0]!;
    return {
      from: holdout.from,
      bars: first.bars,
      searchedBars: first.searchedBars,
      inSample: side('inSample'),
      outOfSample: side('outOfSample'),
      slices: slices.map((s) => ({
        ...s,
        inSample: metricsOut(s.inSample),
        outOfSample: metricsOut(s.outOfSample),
      })),
    };
  }

  /** The stored row and the study: the running one itself, else rebuilt from its stored trials. */
  private async load(studyId: string): Promise<{ row: StoredStudy; study: Study; running: boolean }> {
    const row = await this.row(studyId);
    const active = this.active.get(studyId);
    const study = active?.study ?? Study.restore(row.config, await this.deps.studies.loadTrials(studyId));
    return { row, study, running: active !== undefined };
  }

  /**
   * The study's bars: a symbol or range without bars is refused naming its field, other faults are ours.
   * A study warming up before its range reads the bars its space's longest warm-up takes before it.
   */
  private datasets(
    definition: StudyDocument['definition'],
    config: Pick<StudyConfig, 'space' | 'seed'>,
  ): Promise<StudyDatasets> {
    return loadStudyDatasets(definition, this.deps.bars, studyWarmUp(this.deps.pool, definition, config));
  }

  private async store(newStudy: NewStudy, config: StudyConfig): Promise<string> {
    const id = `s${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    await this.deps.studies.create({
      id,
      name: newStudy.name,
      ...(newStudy.note === undefined ? {} : { note: newStudy.note }),
      strategy: newStudy.definition.strategy.name,
      data: newStudyDocument(newStudy.definition),
      config,
    });
    return id;
  }

  private async backfillProgress(row: StoredStudy): Promise<StudyProgressRecord> {
    const study = Study.restore(row.config, await this.deps.studies.loadTrials(row.id));
    const updatedAt = Math.max(row.createdAt, ...study.trials.map((t) => t.finishedAt ?? t.startedAt));
    const progress = progressOf(row.data, study, updatedAt);
    await this.deps.studies.updateProgress(row.id, progress);
    return progress;
  }

  private async launch(stored: StoredStudy, data: StudyDatasets): Promise<OptimizeStartResult> {
    const fingerprint = studyDataFingerprint(stored.data.definition.source, data);
    // A resumed study is running again: its previous outcome (cancelled, failed, report) no longer holds.
    const document: StudyDocument = {
      ...newStudyDocument(stored.data.definition),
      ...(fingerprint === undefined ? {} : { dataFingerprint: fingerprint }),
      ...(data.warmUp === undefined ? {} : { warmUp: data.warmUp }),
    };
    const row: StoredStudy = { ...stored, data: document };
    const study = Study.restore(row.config, await this.deps.studies.loadTrials(row.id));
    const counts = study.counts();
    const planned =
      row.config.maxTrials === undefined ? undefined : row.config.maxTrials - (counts.total - counts.running);
    const evaluator = await this.evaluatorFor(row, data, row.id, planned);
    await this.deps.studies.updateData(row.id, document);
    const job = this.deps.jobs?.start(row.id);
    const local = new AbortController();
    const signal = job?.signal ?? local.signal;
    const cancel = (): void => {
      if (job === undefined) local.abort();
      else this.deps.jobs?.cancel(row.id);
    };
    const periodsPerYear = annualizationOf(data.datasets[0]!.ref.bars.t).periodsPerYear;
    // The ledger's appends and learning wait until the study has ended (its terminal event sent).
    const releaseLedger = this.deps.ledger?.hold();
    const connection: ConnectionWatch = { notice: null };
    const done = this.execute(row, study, evaluator, data, periodsPerYear, signal, connection);
    const active: ActiveStudy = { study, signal, cancel, done, connection };
    this.active.set(row.id, active);
    void done
      .catch(() => undefined)
      .finally(() => {
        evaluator.release?.();
        releaseLedger?.();
        job?.finish();
        if (this.active.get(row.id) === active) this.active.delete(row.id);
      });
    return { studyId: row.id, seed: row.config.seed, total: row.config.maxTrials ?? study.trials.length };
  }

  private async execute(
    row: StoredStudy,
    study: Study,
    evaluator: Evaluator,
    data: StudyDatasets,
    periodsPerYear: number,
    signal: AbortSignal,
    connection: ConnectionWatch,
  ): Promise<StudyDetail> {
    const studyId = row.id;
    const isCancelled = (): boolean => signal.aborted;
    const { events, studies } = this.deps;
    let rate = 0;
    const progress = (
      state: StudyState,
      p?: StudyProgress,
      end?: { error?: string; detail: StudyDetail },
    ): void => {
      const counts = study.counts();
      const best = study.best();
      if (p !== undefined) rate = p.trialsPerSecond;
      const total = study.config.maxTrials ?? counts.total;
      // The runner's count is of stored trials; the study's may include told batches still being written.
      const done = p?.done ?? counts.total - counts.running;
      events.emit('optimize:progress', {
        studyId,
        state,
        done,
        total,
        failed: counts.failed,
        trialsPerSecond: rate,
        etaSeconds: state === 'running' && rate > 0 ? Math.max(0, total - done) / rate : null,
        best:
          best === undefined
            ? null
            : {
                number: best.number,
                params: { ...best.params },
                values: (best.values ?? []).map(finiteOrNull),
                score: finiteOrNull(study.score(best)),
              },
        ...(end?.error === undefined ? {} : { error: end.error }),
        ...(connection.notice === null ? {} : { connection: connection.notice }),
        ...(end === undefined ? {} : { detail: end.detail }),
      });
    };
    /** Stores how the study ended and announces it with the final detail (trials came as events). */
    const finish = async (
      update: Omit<StudyDocument, 'version' | 'definition'>,
      error?: string,
    ): Promise<StudyDetail> => {
      const document: StudyDocument = { ...row.data, ...update, finishedAt: Date.now() };
      await studies.updateData(studyId, document, progressOf(document, study, Date.now()));
      const stored = await studies.get(studyId);
      const detail = studyDetail(stored, study, progressOf(document, study, Date.now()), false, ALL_TRIALS);
      progress(update.state ?? 'failed', undefined, {
        ...(error === undefined ? {} : { error }),
        detail: { ...detail, trials: [], trialsPage: { ...detail.trialsPage, limit: 0 } },
      });
      return detail;
    };
    // The study's one progress throttle (its terminal event goes out through finish, unthrottled).
    const throttle = progressThrottle();
    // No trial finishes while Redis is lost, so its loss and return are progress events of their own.
    const stopListening = evaluator.onConnection?.((notice) => {
      connection.notice = notice;
      progress('running');
    });
    try {
      progress('running');
      const result = await runStudyOnPool(study, {
        evaluator,
        signal,
        isCancelled,
        persistence: {
          records: studies,
          studyId,
          document: row.data,
          onSaved: (saved) => {
            const finished = saved.filter((t) => t.status !== 'running');
            if (finished.length > 0)
              events.emit('optimize:trial', { studyId, trials: finished.map(trialRow) });
            this.recordTrials(studyId, row.data.definition, finished);
          },
        },
        onProgress: (p) => {
          if (throttle(false)) progress('running', p);
        },
      });
      if (result.cancelled) return await finish({ state: 'cancelled' });
      const analysis = await analyseStudy(study, evaluator, {
        preferPlateau: row.data.definition.preferPlateau,
        periodsPerYear,
      });
      const regimeSets = await studyRegimeSets(
        row.data.definition,
        study,
        analysis.winner,
        data,
        this.deps.pool,
        evaluator,
        signal,
      );
      await evaluator.finished?.();
      const holdout = await this.holdoutResult(row, study, analysis.winner, data, signal);
      return await finish({
        state: 'complete',
        winner: analysis.winner,
        report: analysis.report,
        ...(regimeSets === undefined ? {} : { regimeSets }),
        ...(holdout === undefined ? {} : { holdout }),
      });
    } catch (error) {
      if (isCancelled()) return finish({ state: 'cancelled' });
      const message = error instanceof Error ? error.message : String(error);
      await finish({ state: 'failed', error: message }, message).catch(() => undefined);
      throw error;
    } finally {
      stopListening?.();
    }
  }
}

/** A new study warms its trials up on the bars before its range (StudyDefinition's warmUp). */
function warmingBeforeRange(newStudy: NewStudy): NewStudy {
  return { ...newStudy, definition: { ...newStudy.definition, warmUp: 'before-range' } };
}

/**
 * The core configuration of a new study, checked before anything is stored: sampler options, mode
 * against objectives, weights of a weighted aggregation, and a grid with at least one feasible point.
 */
function studyConfigOf(newStudy: NewStudy): StudyConfig {
  const { definition } = newStudy;
  if (definition.timeframes.length > 1 && definition.aggregation === 'weighted') {
    for (const tf of definition.timeframes)
      if (definition.weights?.[tf] === undefined)
        throw new StudyInputError(`aggregation 'weighted' needs a weight for timeframe ${tf}`);
  }
  const config: StudyConfig = {
    space: newStudy.space,
    sampler: newStudy.sampler,
    objectives: newStudy.objectives,
    ...(newStudy.mode === undefined ? {} : { mode: newStudy.mode }),
    seed: newStudy.seed,
    minTrades: newStudy.minTrades,
    maxTrials: definition.trials,
  };
  let study: Study;
  try {
    study = new Study(config);
  } catch (error) {
    throw new StudyInputError(error instanceof Error ? error.message : String(error));
  }
  // A grid's budget is at most its feasible points, so progress and ETA are about the real total.
  const grid = study.sampler;
  const floatPoints = grid.config.kind === 'grid' ? grid.config.floatPoints : undefined;
  if (
    !(grid instanceof GridSampler) ||
    gridSize(config.space, floatPoints ?? DEFAULT_FLOAT_GRID_POINTS) > GRID_COUNT_LIMIT
  )
    return config;
  const points = grid.feasibleCount({ space: config.space });
  if (points === 0) throw new StudyInputError('the grid has no point satisfying the constraints');
  return { ...config, maxTrials: Math.min(definition.trials, points) };
}
