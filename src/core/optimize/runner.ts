/**
 * Drives a study: asks batches, hands them to an evaluator (the worker pool in main, a plain function in
 * tests), tells the results and persists every step through the StudyStore port. Pure orchestration:
 * no timers, no I/O of its own. Whatever `batchSize` and `concurrency` are, the trials and their
 * parameters are the same (see study.ts); only the wall-clock order of evaluation changes.
 */
import type { StudyStore } from './store.ts';
import type { Study, TellResult, TrialRecord, TrialRequest } from './study.ts';

export interface StudyProgress {
  /**
   * Finished trials (complete, failed or pruned), restored ones included. With `persist`, only those
   * already saved: a caller that acts on the count (a kill after N done) never finds fewer stored.
   */
  readonly done: number;
  /** The study's trial budget, when it has one. */
  readonly total: number | null;
  readonly running: number;
  /** Trials finished per second in this run. */
  readonly trialsPerSecond: number;
  readonly best: TrialRecord | undefined;
  /** Seconds to the budget at the current rate; null without a budget or a rate. */
  readonly etaSeconds: number | null;
}

export interface RunStudyOptions {
  /**
   * Evaluates a batch; results in the batch's order. A rejection fails every trial of the batch with its
   * message (unless the run was cancelled: then the trials stay 'running' and are re-run on resume).
   */
  readonly evaluate: (trials: readonly TrialRequest[]) => Promise<readonly TellResult[]>;
  /** Trials per evaluate call (workers get batches of parameter sets); 1 by default. */
  readonly batchSize?: number;
  /** Evaluate calls in flight at once; 1 by default. */
  readonly concurrency?: number;
  /** Where each told batch is saved; the run needs nothing else of the store. */
  readonly persist?: { readonly store: Pick<StudyStore, 'saveTrials'>; readonly studyId: string };
  /** Polled between batches; once true no new batch starts and the run returns when in-flight ones settle. */
  readonly isCancelled?: () => boolean;
  readonly onProgress?: (progress: StudyProgress) => void;
  /** Wall clock (ms) for the rate; Date.now by default. */
  readonly clock?: () => number;
}

export interface RunStudyResult {
  readonly cancelled: boolean;
  /** Trials finished by this run. */
  readonly finished: number;
}

/**
 * Runs until the study is done (budget reached or sampler exhausted) or cancelled. The study should
 * have `maxTrials` unless its sampler is finite (grid), otherwise the run never ends by itself.
 */
export async function runStudy(study: Study, options: RunStudyOptions): Promise<RunStudyResult> {
  const batchSize = options.batchSize ?? 1;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`runStudy: batchSize must be >= 1 (got ${batchSize})`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`runStudy: concurrency must be >= 1 (got ${concurrency})`);
  }
  const clock = options.clock ?? ((): number => Date.now());
  const started = clock();
  const cancelled = (): boolean => options.isCancelled?.() === true;
  const restored = study.counts();
  const doneBefore = restored.total - restored.running;
  /** Finished by this run and, with `persist`, saved (other batches may be told but still queued). */
  let finished = 0;
  const inFlight = new Set<Promise<void>>();

  const report = (): void => {
    if (options.onProgress === undefined) return;
    const counts = study.counts();
    const done = doneBefore + finished;
    const elapsed = (clock() - started) / 1000;
    const rate = elapsed > 0 ? finished / elapsed : 0;
    const total = study.config.maxTrials ?? null;
    options.onProgress({
      done,
      total,
      running: counts.running,
      trialsPerSecond: rate,
      best: study.best(),
      etaSeconds: total !== null && rate > 0 ? Math.max(0, total - done) / rate : null,
    });
  };

  const runBatch = async (batch: readonly TrialRequest[]): Promise<void> => {
    let results: readonly TellResult[];
    try {
      results = await options.evaluate(batch);
      if (results.length !== batch.length) {
        throw new Error(`evaluator returned ${results.length} results for ${batch.length} trials`);
      }
    } catch (error) {
      if (cancelled()) return;
      const message = error instanceof Error ? error.message : String(error);
      results = batch.map(() => ({ status: 'failed', error: message }));
    }
    const records = batch.map((trial, i) => study.tell(trial.number, results[i]!));
    if (options.persist !== undefined)
      await options.persist.store.saveTrials(options.persist.studyId, records);
    finished += records.length;
    report();
  };

  while (!cancelled()) {
    let asked = false;
    while (inFlight.size < concurrency && !cancelled()) {
      const batch = study.ask(batchSize);
      if (batch.length === 0) break;
      asked = true;
      // Saved as running before evaluation starts, so a crash can only lose work, never record it twice.
      if (options.persist !== undefined) {
        await options.persist.store.saveTrials(
          options.persist.studyId,
          batch.map((t) => study.trial(t.number)!),
        );
      }
      const promise: Promise<void> = runBatch(batch).finally(() => inFlight.delete(promise));
      inFlight.add(promise);
    }
    if (inFlight.size === 0) {
      if (!asked) break;
      continue;
    }
    await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return { cancelled: cancelled(), finished };
}
