import type { LedgerEntry } from '../../core/ml/learner/ledger.ts';
import { ParameterLearner, type ParameterLearnerOptions } from '../../core/ml/learner/parameterLearner.ts';
import type { ModelState } from '../../core/ml/base.ts';
import type { Database } from '../store/database.ts';
import { LedgerRepository, type StoredLearnerState } from '../store/ledgerRepository.ts';

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

/**
 * Records ledger entries in the background: `record` returns at once, the entries are built (features
 * read from bars) and appended after the caller's work has moved on, and the learner then learns them.
 * A failure is reported through `warn` and never reaches the study or walk-forward run that produced
 * the result.
 */
export class LedgerRecorder {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ledger: LedgerRepository,
    private readonly learner: LedgerLearner | null,
    private readonly warn: (message: string) => void,
  ) {}

  record(build: () => readonly LedgerEntry[]): void {
    this.queue = this.queue
      .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
      .then(async () => {
        const entries = build();
        await this.ledger.append(entries);
        const strategies = new Set(entries.filter((e) => e.score !== null).map((e) => e.strategy));
        for (const strategy of strategies) await this.learner?.update(strategy);
      })
      .catch((error: unknown) => {
        this.warn(`results ledger: ${error instanceof Error ? error.message : String(error)}`);
      });
  }

  /** Resolves when everything recorded so far is stored and learned (before closing the database). */
  flush(): Promise<void> {
    return this.queue;
  }
}

/** The ledger of a database with its learner behind it, as the services and the CLI record into it. */
export function createLedgerRecorder(db: Database, warn: (message: string) => void): LedgerRecorder {
  const ledger = new LedgerRepository(db);
  return new LedgerRecorder(ledger, new LedgerLearner(ledger), warn);
}
