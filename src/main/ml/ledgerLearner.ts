import type { LedgerEntry } from '../../core/ml/learner/ledger.ts';
import { ParameterLearner, type ParameterLearnerOptions } from '../../core/ml/learner/parameterLearner.ts';
import type { ModelState } from '../../core/ml/base.ts';
import type { Database } from '../store/database.ts';
import { LedgerRepository, type StoredLearnerState } from '../store/ledgerRepository.ts';
import { withStanding } from './standing.ts';

/** A learner as the service holds it: the model, the ledger row it has learned up to, its saved version. */
export interface LoadedLearner {
  readonly strategy: string;
  readonly learner: ParameterLearner;
  readonly ledgerSeq: number;
  /** The saved state version it corresponds to (0: never saved). */
  readonly version: number;
}

/** A learner's model options; its seed is 1 unless given. */
export type LedgerLearnerOptions = Omit<ParameterLearnerOptions, 'seed'> & { readonly seed?: number };

/**
 * The learner a saved state holds (a fresh one when none was saved). A state an older build saved
 * (another model layout) gives a fresh learner too, relearned from the ledger, which holds every result:
 * the learner is derived data, the ledger the record. The CLI restores what the folder's owner read.
 */
export function restoreLearner(
  strategy: string,
  stored: StoredLearnerState | undefined,
  options: LedgerLearnerOptions = {},
): LoadedLearner {
  const saved =
    stored !== undefined && (stored.state as ModelState).version !== ParameterLearner.stateVersion
      ? undefined
      : stored;
  let learner: ParameterLearner;
  if (saved === undefined) learner = new ParameterLearner({ seed: 1, ...options });
  else {
    try {
      learner = ParameterLearner.fromState(saved.state as ModelState);
    } catch (error) {
      throw new Error(
        `learner "${strategy}" state version ${saved.version} cannot be restored: ${(error as Error).message}`,
      );
    }
  }
  return { strategy, learner, ledgerSeq: saved?.ledgerSeq ?? 0, version: stored?.version ?? 0 };
}

/**
 * Keeps one parameter learner per strategy up to date with the ledger. Each `update` learns the rows that
 * arrived after the learner's cursor, in arrival order, then saves the state as a new version with the
 * cursor, so a process killed at any point resumes from the last saved version and relearns only what
 * came after it: the result equals a learner that never stopped (the kill/restart test).
 */
export class LedgerLearner {
  private readonly loaded = new Map<string, LoadedLearner>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ledger: LedgerRepository,
    private readonly options: LedgerLearnerOptions = {},
  ) {}

  /** The strategy's learner as last saved (a fresh one if never saved). */
  async load(strategy: string): Promise<LoadedLearner> {
    const cached = this.loaded.get(strategy);
    if (cached) return cached;
    const entry = restoreLearner(strategy, await this.ledger.latestState(strategy), this.options);
    this.loaded.set(strategy, entry);
    return entry;
  }

  /** Learns what arrived for one strategy (serialised: two updates never interleave). */
  update(strategy: string): Promise<LoadedLearner> {
    const next = this.queue.then(() => this.learnNew(strategy));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Learns what arrived for every strategy with learnable rows. */
  async updateAll(): Promise<LoadedLearner[]> {
    const strategies = await this.ledger.strategies();
    const out: LoadedLearner[] = [];
    for (const { strategy } of strategies) out.push(await this.update(strategy));
    return out;
  }

  private async learnNew(strategy: string): Promise<LoadedLearner> {
    const current = await this.load(strategy);
    const { learner } = current;
    let cursor = current.ledgerSeq;
    for (;;) {
      const rows = await this.ledger.learnableSince(strategy, cursor, 2000);
      if (rows.length === 0) break;
      for (const row of rows) {
        learner.learn(row.features, {
          score: row.score!,
          ...(row.regime === null ? {} : { stratum: row.regime }),
        });
        cursor = row.seq;
      }
    }
    if (cursor === current.ledgerSeq) return current;
    const version = await this.ledger.saveState({
      learner: strategy,
      ledgerSeq: cursor,
      learned: learner.count,
      state: learner.toState(),
      savedAt: Date.now(),
    });
    const updated = { strategy, learner, ledgerSeq: cursor, version };
    this.loaded.set(strategy, updated);
    return updated;
  }
}

/** How long results wait in the recorder's queue before it drains. */
export interface LedgerRecorderOptions {
  /**
   * The queue's bound, in recorded batches: the batch that reaches it starts an append at once (the
   * learner still waits for idle time), so a long study never holds more than this many in memory.
   */
  readonly maxQueued?: number;
  /**
   * Quiet time after the last record (ms) before the queue drains and the learner learns. While results
   * keep arriving nothing is learned, so a study's batches never wait behind the learner's work or its
   * saved state; Infinity leaves draining to the bound and to `flush`.
   */
  readonly idleMs?: number;
}

/**
 * Records ledger entries off the critical path of the study or walk-forward run that produced them:
 * `record` queues a batch and returns; queued batches are built (features read from bars) and appended
 * in one transaction when results stop arriving for `idleMs` or the queue reaches its bound, and the
 * learner learns only in idle time or at `flush`. Nothing here is the record of a result: a killed
 * process loses the queue, and a backfill (`recover`) from the stored studies and windows appends what
 * it held. Exactly once holds across that because the ledger skips rows it has (one per kind, source and
 * item) and the learner's saved state carries the last row it learned. A failure only warns.
 */
export class LedgerRecorder {
  private queued: (() => readonly LedgerEntry[])[] = [];
  private work: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly maxQueued: number;
  private readonly idleMs: number;
  private holds = 0;

  constructor(
    private readonly ledger: LedgerRepository,
    private readonly learner: LedgerLearner | null,
    private readonly warn: (message: string) => void,
    options: LedgerRecorderOptions = {},
  ) {
    this.maxQueued = options.maxQueued ?? 256;
    this.idleMs = options.idleMs ?? 500;
  }

  /**
   * Marks a run producing results (a study, a walk-forward run) until the returned release is called:
   * while any is held the queue waits (up to its bound) and nothing is learned, so the run's own batches
   * and its final analysis never share the database or the thread with the ledger.
   */
  hold(): () => void {
    this.holds++;
    clearTimeout(this.timer);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.arm();
    };
  }

  record(build: () => readonly LedgerEntry[]): void {
    this.queued.push(build);
    if (this.queued.length >= this.maxQueued) void this.drain('never');
    this.arm();
  }

  /** Batches recorded and not yet appended to the ledger. */
  get pending(): number {
    return this.queued.length;
  }

  /** Runs `task` (a backfill after a restart) in turn with the queue's own appends, then learns. */
  recover(task: () => Promise<unknown>): Promise<void> {
    this.then(async () => {
      await task();
      await this.learnAll();
    });
    return this.work;
  }

  /** Resolves when the appends started so far are stored (without waiting for idle time's learning). */
  stored(): Promise<void> {
    return this.work;
  }

  /** Appends everything queued and learns it (before closing the database, or to read it up to date). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.drain('now');
  }

  private arm(): void {
    if (this.holds > 0 || !Number.isFinite(this.idleMs)) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain('when idle');
    }, this.idleMs);
    // A pending drain never keeps a CLI process alive: it flushes before it closes the database.
    this.timer.unref?.();
  }

  /** Takes the queue now (so the bound holds) and appends it after the work before it. */
  private drain(learn: 'never' | 'when idle' | 'now'): Promise<void> {
    const builds = this.queued;
    this.queued = [];
    this.then(async () => {
      const entries: LedgerEntry[] = [];
      for (const build of builds) {
        try {
          entries.push(...build());
        } catch (error) {
          this.report(error);
        }
      }
      try {
        await this.ledger.append(await withStanding(this.ledger, entries));
      } catch (error) {
        this.report(error);
      }
      // Results still arriving, or a run started meanwhile: the learner waits for the next quiet moment.
      if (learn === 'now' || (learn === 'when idle' && this.queued.length === 0 && this.holds === 0))
        await this.learnAll();
    });
    return this.work;
  }

  /** Every strategy's learner catches up with the ledger (rows a killed process appended included). */
  private async learnAll(): Promise<void> {
    const strategies = this.learner === null ? [] : await this.ledger.strategies();
    for (const { strategy } of strategies) {
      try {
        await this.learner?.update(strategy);
      } catch (error) {
        this.report(error);
      }
    }
  }

  private then(work: () => Promise<void>): void {
    this.work = this.work.then(work).catch((error: unknown) => this.report(error));
  }

  private report(error: unknown): void {
    this.warn(`results ledger: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The ledger of a database with its learner behind it, as the services and the CLI record into it. */
export function createLedgerRecorder(
  db: Database,
  warn: (message: string) => void,
  options: LedgerRecorderOptions = {},
): LedgerRecorder {
  const ledger = new LedgerRepository(db);
  return new LedgerRecorder(ledger, new LedgerLearner(ledger), warn, options);
}
