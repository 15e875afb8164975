/**
 * How a study runs on its evaluator (the compute pool or remote workers), for optimisation studies and for each walk-forward train window:
 * the chunk size and batches in flight, persistence of each told batch with the row's progress. The trials (numbers, parameters, results) depend on the seed only, never on the
 * number of workers or the chunking (see core study.ts).
 */
import {
  runStudy,
  type RunStudyResult,
  type Study,
  type StudyProgress,
  type TrialRecord,
} from '../../../core/optimize/index.ts';
import type { Evaluator } from './evaluator.ts';
import type { StudyDocument, StudyRecords } from './studyRecords.ts';
import { progressOf } from './studyViews.ts';

/**
 * Trials per worker task: large enough to amortise messaging and the two writes of each batch (running
 * before, finished after), small enough to keep workers balanced. A study that fits in one round of the
 * queue (concurrencyFor: two batches per worker) gets one batch per slot, so the README's 50-point grid
 * is 4 batches (8 writes), not 13 (26).
 */
export function chunkSize(study: Study, threads: number): number {
  const total = study.config.maxTrials ?? 10_000;
  const remaining = Math.max(1, total - (study.counts().total - study.counts().running));
  const generation = study.sampler.generationSize;
  if (Number.isFinite(generation)) return Math.max(1, Math.ceil(Math.min(generation, remaining) / threads));
  return Math.min(64, Math.max(1, Math.ceil(remaining / (threads * 2))));
}

/** Batches in flight: learning samplers hand out one generation at a time; grid and random keep a queue per worker. */
export function concurrencyFor(study: Study, threads: number): number {
  return Number.isFinite(study.sampler.generationSize) ? threads : threads * 2;
}

/** A stored study's persistence: each batch is saved with the row's progress, batches never interleave. */
export interface StudyPersistence {
  readonly records: StudyRecords;
  readonly studyId: string;
  readonly document: StudyDocument;
  /** After a batch is stored (the optimizer announces its finished trials). */
  readonly onSaved?: (trials: readonly TrialRecord[]) => void;
}

export interface StudyRunOptions {
  readonly evaluator: Evaluator;
  /** Aborts the evaluations in flight. */
  readonly signal?: AbortSignal;
  readonly isCancelled: () => boolean;
  readonly persistence?: StudyPersistence;
  /**
   * After each told batch, unthrottled: the caller's progress events have one throttle of their own
   * (progressThrottle), where a second here delayed a walk-forward's by up to twice the interval.
   */
  readonly onProgress?: (progress: StudyProgress) => void;
}

export function runStudyOnPool(study: Study, options: StudyRunOptions): Promise<RunStudyResult> {
  const threads = options.evaluator.threads;
  const { persistence } = options;
  return runStudy(study, {
    evaluate: (batch) => options.evaluator.evaluateTrials(batch, options.signal),
    batchSize: options.evaluator.chunkSize ?? chunkSize(study, threads),
    concurrency: concurrencyFor(study, threads),
    ...(persistence === undefined
      ? {}
      : { persist: { store: persistedBatches(study, persistence), studyId: persistence.studyId } }),
    isCancelled: options.isCancelled,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
}

function persistedBatches(study: Study, persistence: StudyPersistence): { saveTrials: StudySaver } {
  let queue: Promise<void> = Promise.resolve();
  const before = study.counts();
  let stored = before.total - before.running;
  return {
    saveTrials: (studyId, trials) => {
      // Queued so two batches' rows and progress are never written out of order.
      const next = queue.then(async () => {
        const done = stored + trials.filter((t) => t.status !== 'running').length;
        const progress = progressOf(persistence.document, study, Date.now());
        // The row counts what is stored with it, not later batches already told and queued behind.
        await persistence.records.saveTrials(studyId, trials, {
          ...progress,
          trialsDone: done,
          exhausted: progress.exhausted && done === study.counts().total,
        });
        stored = done;
        persistence.onSaved?.(trials);
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

type StudySaver = (studyId: string, trials: readonly TrialRecord[]) => Promise<void>;
