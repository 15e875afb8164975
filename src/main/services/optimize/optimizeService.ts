/**
 * Optimisation studies on the compute pool. A study runs in batches: the core runner asks a batch per
 * worker chunk (as many in flight as keep every worker busy), the chunk goes to a worker as one `trials`
 * task, and each result is told to the study and persisted (the batch in one statement) as soon as it
 * arrives. Trials are saved as 'running' before they are evaluated, so after a crash or a kill
 * `resume` rebuilds the study from the store: finished trials are kept, running ones are re-asked with
 * the same number and parameters, and nothing finished runs twice. The trials (numbers, parameters,
 * results) depend on the seed only, never on the number of workers or the chunking (see core study.ts).
 */
import { randomUUID } from 'node:crypto';
import type { BacktestOptions } from '../../../core/engine/index.ts';
import {
  DEFAULT_FLOAT_GRID_POINTS,
  gridSize,
  GridSampler,
  runStudy,
  Study,
  type StoredStudy,
  type StudyConfig,
  type StudyProgress,
  type StudyStore,
  type TrialRecord,
} from '../../../core/optimize/index.ts';
import { getStrategy, validateParams, withDefaults } from '../../../core/strategy/index.ts';
import type {
  OptimizeApproveRequest,
  OptimizeStartRequest,
  OptimizeStartResult,
  OverfittingStats,
  SpaceParam,
  StudyDetail,
  StudyState,
  StudySummary,
  TrialRow,
} from '../../../shared/optimizeContract.ts';
import { ConflictError, InputError, RequestError } from '../../../shared/errors.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import type { StudiesRepository, StudyRow } from '../../store/studiesRepository.ts';
import type { EventBus } from '../events.ts';
import { finiteOrNull } from '../payloads.ts';
import { analyseStudy } from './analysis.ts';
import { PoolEvaluator } from './evaluator.ts';
import {
  checkMode,
  getStrategyOrThrow,
  loadStudyDatasets,
  randomSeed,
  resolveObjectives,
  resolveSampler,
  resolveSpace,
  StudyInputError,
  type NewStudy,
  type StudyDefinition,
} from './studySetup.ts';

/** The study's `data` document in the store: its definition, and once it stops, how and what it found. */
interface StudyDocument {
  readonly definition: StudyDefinition;
  readonly state?: Exclude<StudyState, 'running' | 'paused'>;
  readonly error?: string;
  readonly winner?: number | null;
  readonly report?: OverfittingStats;
  readonly finishedAt?: number;
}

interface ActiveStudy {
  readonly study: Study;
  readonly document: StudyDocument;
  readonly abort: AbortController;
  cancelled: boolean;
  readonly done: Promise<StudyDetail>;
}

/** Grids up to this many raw points are counted when a study is created (a scan of the constraints). */
const GRID_COUNT_LIMIT = 5_000_000;

/** Minimum interval between progress events of one study (the final one is always sent). */
const PROGRESS_INTERVAL_MS = 200;

/** Adapts the DuckDB repository to core's StudyStore port; writes are queued so batches never interleave. */
class RepositoryStudyStore implements StudyStore {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly repo: StudiesRepository,
    private readonly onSaved: (trials: readonly TrialRecord[]) => void,
  ) {}

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  createStudy(): Promise<void> {
    return Promise.reject(new Error('studies are created by the optimize service'));
  }
  async loadStudy(id: string): Promise<StoredStudy | null> {
    const row = await this.repo.get(id);
    return { id: row.id, config: row.config, createdAt: row.createdAt, name: row.name };
  }
  async listStudies(): Promise<StoredStudy[]> {
    return (await this.repo.list()).map((row) => ({
      id: row.id,
      config: row.config,
      createdAt: row.createdAt,
      name: row.name,
    }));
  }
  saveTrial(studyId: string, trial: TrialRecord): Promise<void> {
    return this.saveTrials(studyId, [trial]);
  }
  saveTrials(studyId: string, trials: readonly TrialRecord[]): Promise<void> {
    return this.enqueue(async () => {
      await this.repo.saveTrials(studyId, trials);
      this.onSaved(trials);
    });
  }
  loadTrials(studyId: string): Promise<TrialRecord[]> {
    return this.repo.loadTrials(studyId);
  }
}

/** The percent commission rate of stored options (0 for none or other models). */
function commissionRate(options: BacktestOptions): number {
  const c = options.commission;
  return c !== undefined && 'kind' in c && c.kind === 'percent' ? c.rate : 0;
}

function trialRow(t: TrialRecord): TrialRow {
  return {
    number: t.number,
    params: { ...t.params },
    status: t.status,
    values: t.values === null ? null : t.values.map(finiteOrNull),
    metrics: Object.fromEntries(Object.entries(t.metrics ?? {}).map(([k, v]) => [k, finiteOrNull(v)])),
    feasible: t.status === 'complete' ? (t.feasible ?? null) : null,
    error: t.error ?? null,
    seed: t.seed,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
  };
}

/** Trials per worker task: large enough to amortise messaging, small enough to keep workers balanced. */
export function chunkSize(study: Study, threads: number): number {
  const total = study.config.maxTrials ?? 10_000;
  const remaining = Math.max(1, total - (study.counts().total - study.counts().running));
  const generation = study.sampler.generationSize;
  if (Number.isFinite(generation)) return Math.max(1, Math.ceil(Math.min(generation, remaining) / threads));
  return Math.min(64, Math.max(1, Math.ceil(remaining / (threads * 8))));
}

export interface OptimizeServiceOptions {
  readonly studies: StudiesRepository;
  /** The bar cache (null for runs on files only). */
  readonly bars: BarsRepository | null;
  readonly pool: ComputePool;
  readonly events: EventBus;
}

export class OptimizeService {
  private readonly active = new Map<string, ActiveStudy>();

  constructor(private readonly deps: OptimizeServiceOptions) {}

  /** A study from a validated contract request; it starts running in the background. */
  async start(request: OptimizeStartRequest): Promise<OptimizeStartResult> {
    const strategy = getStrategyOrThrow(request.strategy);
    const objectives = resolveObjectives(request.objectives);
    checkMode(request.mode, objectives);
    const space = resolveSpace(strategy, request.space, request.constraints);
    const newStudy: NewStudy = {
      name: request.name ?? `${request.strategy} ${request.data.symbol} ${request.data.timeframes.join('+')}`,
      definition: {
        strategy: request.strategy,
        source: { kind: 'cache', symbol: request.data.symbol },
        timeframes: request.data.timeframes,
        start: request.data.start ?? null,
        end: request.data.end ?? null,
        aggregation: request.data.aggregation,
        ...(request.data.weights === undefined ? {} : { weights: { ...request.data.weights } }),
        options: {
          cash: request.cash,
          commission:
            request.commission > 0 ? { kind: 'percent', rate: request.commission } : { kind: 'none' },
        },
        preferPlateau: request.preferPlateau,
        trials: request.trials,
      },
      space,
      sampler: resolveSampler(request.sampler),
      objectives,
      ...(request.mode === undefined ? {} : { mode: request.mode }),
      seed: request.seed ?? randomSeed(),
      minTrades: request.minTrades,
    };
    const studyId = await this.create(newStudy);
    try {
      return await this.launch(studyId);
    } catch (error) {
      // The study could not start (e.g. no bars for the symbol): keep it, marked failed with the reason.
      const message = error instanceof Error ? error.message : String(error);
      const document: StudyDocument = { definition: newStudy.definition, state: 'failed', error: message };
      await this.deps.studies.updateData(studyId, document as unknown as Record<string, unknown>);
      throw error instanceof RequestError ? error : new Error(message);
    }
  }

  /** Stores a new study (no trial yet) and returns its id. */
  async create(newStudy: NewStudy): Promise<string> {
    const { definition } = newStudy;
    if (definition.timeframes.length > 1 && definition.aggregation === 'weighted') {
      for (const tf of definition.timeframes)
        if (definition.weights?.[tf] === undefined)
          throw new StudyInputError(`aggregation 'weighted' needs a weight for timeframe ${tf}`);
    }
    let config: StudyConfig = {
      space: newStudy.space,
      sampler: newStudy.sampler,
      objectives: newStudy.objectives,
      ...(newStudy.mode === undefined ? {} : { mode: newStudy.mode }),
      seed: newStudy.seed,
      minTrades: newStudy.minTrades,
      maxTrials: definition.trials,
    };
    try {
      // Validates the sampler options and the mode against the objectives before anything is stored.
      const study = new Study(config);
      // A grid's budget is at most its feasible points, so progress and ETA are about the real total.
      const grid = study.sampler;
      const floatPoints = grid.config.kind === 'grid' ? grid.config.floatPoints : undefined;
      if (
        grid instanceof GridSampler &&
        gridSize(config.space, floatPoints ?? DEFAULT_FLOAT_GRID_POINTS) <= GRID_COUNT_LIMIT
      ) {
        const points = grid.feasibleCount({ space: config.space });
        if (points === 0) throw new Error('the grid has no point satisfying the constraints');
        config = { ...config, maxTrials: Math.min(definition.trials, points) };
      }
    } catch (error) {
      throw new StudyInputError(error instanceof Error ? error.message : String(error));
    }
    const id = `s${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    const document: StudyDocument = { definition };
    await this.deps.studies.create({
      id,
      name: newStudy.name,
      strategy: definition.strategy,
      data: document as unknown as Record<string, unknown>,
      config,
    });
    return id;
  }

  /**
   * Resumes a stored study: finished trials are kept, running ones re-run, the rest of the budget asked.
   * A finished study resumes to an immediate completion (its report is recomputed).
   */
  resume(studyId: string): Promise<OptimizeStartResult> {
    if (this.active.has(studyId)) throw new ConflictError(`study ${studyId} is already running`, 'studyId');
    return this.launch(studyId);
  }

  /** Stops a running study; its finished trials are kept (running ones are re-run on resume). */
  async cancel(studyId: string): Promise<{ studyId: string; cancelled: boolean }> {
    const active = this.active.get(studyId);
    if (active === undefined) {
      await this.row(studyId);
      return { studyId, cancelled: false };
    }
    active.cancelled = true;
    active.abort.abort();
    await active.done.catch(() => undefined);
    return { studyId, cancelled: true };
  }

  /** Resolves when the study stops running (completed, cancelled or failed) with its detail. */
  async wait(studyId: string): Promise<StudyDetail> {
    const active = this.active.get(studyId);
    if (active !== undefined) return active.done;
    return this.get(studyId, true);
  }

  isRunning(studyId: string): boolean {
    return this.active.has(studyId);
  }

  async list(): Promise<StudySummary[]> {
    const rows = await this.deps.studies.list();
    const out: StudySummary[] = [];
    for (const row of rows) {
      const active = this.active.get(row.id);
      const trials = active?.study.trials ?? (await this.deps.studies.loadTrials(row.id));
      const study = active?.study ?? Study.restore(row.config, trials);
      out.push(this.summary(row, study));
    }
    return out;
  }

  async get(studyId: string, includeTrials = true): Promise<StudyDetail> {
    const row = await this.row(studyId);
    const active = this.active.get(studyId);
    const study = active?.study ?? Study.restore(row.config, await this.deps.studies.loadTrials(studyId));
    return this.detail(row, study, includeTrials);
  }

  async approve(
    request: OptimizeApproveRequest,
  ): Promise<{ studyId: string; approved: { params: Record<string, number>; approvedAt: number } }> {
    const row = await this.row(request.studyId);
    const strategy = getStrategy(row.strategy);
    if (request.trialNumber !== undefined) {
      const trials = await this.deps.studies.loadTrials(request.studyId);
      const trial = trials.find((t) => t.number === request.trialNumber);
      if (trial === undefined || trial.status !== 'complete')
        throw new InputError(
          `study ${request.studyId} has no complete trial ${request.trialNumber}`,
          'trialNumber',
        );
      for (const [name, value] of Object.entries(trial.params))
        if (request.params[name] !== value)
          throw new InputError(
            `params.${name} = ${request.params[name]} differs from trial ${trial.number} (${String(value)})`,
            `params.${name}`,
          );
    }
    let params: Record<string, number>;
    try {
      params = withDefaults(strategy, validateParams(strategy, request.params));
    } catch (error) {
      throw new InputError(error instanceof Error ? error.message : String(error), 'params');
    }
    await this.deps.studies.approve(request.studyId, params);
    const stored = await this.deps.studies.get(request.studyId);
    return { studyId: request.studyId, approved: { params, approvedAt: stored.approvedAt ?? Date.now() } };
  }

  /** Cancels every running study and waits for them to stop (on shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.active.keys()].map((id) => this.cancel(id)));
  }

  // -------------------------------------------------------------------------------------------------

  private row(studyId: string): Promise<StudyRow> {
    return this.deps.studies.get(studyId);
  }

  private async launch(studyId: string): Promise<OptimizeStartResult> {
    const stored = await this.row(studyId);
    // A resumed study is running again: its previous outcome (cancelled, failed, report) no longer holds.
    const document: StudyDocument = { definition: (stored.data as unknown as StudyDocument).definition };
    const row: StudyRow = { ...stored, data: document as unknown as Record<string, unknown> };
    const trials = await this.deps.studies.loadTrials(studyId);
    const study = Study.restore(row.config, trials);
    const data = await loadStudyDatasets(document.definition, this.deps.bars);
    const evaluator = new PoolEvaluator(this.deps.pool, data, {
      strategy: document.definition.strategy,
      options: document.definition.options,
      objectives: row.config.objectives,
      aggregation: document.definition.aggregation,
      ...(document.definition.weights === undefined ? {} : { weights: document.definition.weights }),
    });
    await this.deps.studies.updateData(studyId, row.data);
    const abort = new AbortController();
    const running: { value: ActiveStudy | undefined } = { value: undefined };
    const done = this.execute(row, study, evaluator, abort.signal, () => running.value?.cancelled === true);
    const active: ActiveStudy = { study, document, abort, cancelled: false, done };
    running.value = active;
    this.active.set(studyId, active);
    void done
      .catch(() => undefined)
      .finally(() => {
        if (this.active.get(studyId) === active) this.active.delete(studyId);
      });
    return { studyId, seed: row.config.seed, total: row.config.maxTrials ?? study.trials.length };
  }

  private async execute(
    row: StudyRow,
    study: Study,
    evaluator: PoolEvaluator,
    signal: AbortSignal,
    isCancelled: () => boolean,
  ): Promise<StudyDetail> {
    const studyId = row.id;
    const document = row.data as unknown as StudyDocument;
    const { events } = this.deps;
    const store = new RepositoryStudyStore(this.deps.studies, (saved) => {
      const finished = saved.filter((t) => t.status !== 'running');
      if (finished.length > 0) events.emit('optimize:trial', { studyId, trials: finished.map(trialRow) });
    });
    let lastProgress = 0;
    let rate = 0;
    const progress = (state: StudyState, p?: StudyProgress, error?: string): void => {
      const counts = study.counts();
      const best = study.best();
      if (p !== undefined) rate = p.trialsPerSecond;
      const total = study.config.maxTrials ?? counts.total;
      const done = counts.total - counts.running;
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
        ...(error === undefined ? {} : { error }),
      });
    };
    const finish = async (update: Omit<StudyDocument, 'definition'>): Promise<void> => {
      await this.deps.studies.updateData(studyId, {
        ...document,
        ...update,
        finishedAt: Date.now(),
      } as unknown as Record<string, unknown>);
    };
    try {
      progress('running');
      const threads = this.deps.pool.threads;
      const finite = Number.isFinite(study.sampler.generationSize);
      const result = await runStudy(study, {
        evaluate: (batch) =>
          evaluator.evaluate(
            batch.map((t) => t.params),
            signal,
          ),
        batchSize: chunkSize(study, threads),
        // Learning samplers hand out one generation at a time; grid and random keep a queue per worker.
        concurrency: finite ? threads : threads * 2,
        persist: { store, studyId },
        isCancelled,
        onProgress: (p) => {
          const now = Date.now();
          if (now - lastProgress < PROGRESS_INTERVAL_MS) return;
          lastProgress = now;
          progress('running', p);
        },
      });
      if (result.cancelled) {
        await finish({ state: 'cancelled' });
        progress('cancelled');
      } else {
        const analysis = await analyseStudy(study, evaluator, {
          preferPlateau: document.definition.preferPlateau,
        });
        await finish({ state: 'complete', winner: analysis.winner, report: analysis.report });
        progress('complete');
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (isCancelled()) {
        await finish({ state: 'cancelled' }).catch(() => undefined);
        progress('cancelled');
      } else {
        await finish({ state: 'failed', error: message }).catch(() => undefined);
        progress('failed', undefined, message);
        throw error;
      }
    }
    const stored = await this.deps.studies.get(studyId);
    return this.detail(stored, study, true);
  }

  private summary(row: StudyRow, study: Study): StudySummary {
    const document = row.data as unknown as StudyDocument;
    const counts = study.counts();
    const best = this.winnerOf(document, study);
    let state: StudyState;
    if (document.state !== undefined) state = document.state;
    else if (this.active.has(row.id)) state = 'running';
    else state = study.isDone() && counts.total > 0 ? 'complete' : 'paused';
    return {
      id: row.id,
      name: row.name,
      strategy: row.strategy,
      symbol:
        document.definition.source.kind === 'cache'
          ? document.definition.source.symbol
          : document.definition.source.path,
      timeframes: document.definition.timeframes.filter(
        (tf): tf is StudySummary['timeframes'][number] => tf !== 'native',
      ),
      sampler: row.config.sampler.kind,
      objectives: row.config.objectives.map((o) => ({
        metric: o.metric,
        direction: o.direction,
        ...(o.weight === undefined ? {} : { weight: o.weight }),
      })),
      mode: study.mode,
      seed: row.config.seed,
      state,
      trialsDone: counts.total - counts.running,
      trialsTotal: row.config.maxTrials ?? counts.total,
      bestValue: best === undefined ? null : finiteOrNull(study.score(best)),
      createdAt: row.createdAt,
      updatedAt:
        document.finishedAt ??
        Math.max(row.createdAt, ...study.trials.map((t) => t.finishedAt ?? t.startedAt)),
    };
  }

  private winnerOf(document: StudyDocument, study: Study): TrialRecord | undefined {
    if (document.winner !== undefined && document.winner !== null) {
      const t = study.trial(document.winner);
      if (t !== undefined && t.status === 'complete') return t;
    }
    return study.best();
  }

  private detail(row: StudyRow, study: Study, includeTrials: boolean): StudyDetail {
    const document = row.data as unknown as StudyDocument;
    const definition = document.definition;
    const best = this.winnerOf(document, study);
    const several = row.config.objectives.length > 1;
    const sampler = row.config.sampler;
    const { kind, ...samplerOptions } = sampler;
    return {
      summary: this.summary(row, study),
      config: {
        space: row.config.space.params.map((p): SpaceParam => ({ ...p }) as SpaceParam),
        constraints: row.config.space.constraints.map((c) => c.source),
        sampler: {
          kind,
          options: Object.fromEntries(
            Object.entries(samplerOptions).filter((e): e is [string, number] => typeof e[1] === 'number'),
          ),
        },
        minTrades: row.config.minTrades ?? 0,
        cash: definition.options.cash ?? 10_000,
        commission: commissionRate(definition.options),
        start: definition.start,
        end: definition.end,
        aggregation: definition.aggregation,
        preferPlateau: definition.preferPlateau,
      },
      trials: includeTrials ? study.trials.map(trialRow) : [],
      best: best === undefined ? null : trialRow(best),
      paretoFront: several ? study.paretoFront().map((t) => t.number) : [],
      hypervolume: several ? finiteOrNull(study.hypervolume()) : null,
      overfitting: document.report ?? null,
      approved:
        row.approvedParams === null
          ? null
          : { params: row.approvedParams, approvedAt: row.approvedAt ?? row.createdAt },
    };
  }
}
