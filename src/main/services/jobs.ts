import { randomUUID } from 'node:crypto';
import type { JobCancelled } from '../../shared/contract.ts';
import { ConflictError } from '../../shared/errors.ts';
import type { EventBus } from './events.ts';
import { progressThrottle } from './progressThrottle.ts';

/** What a cancelled job's `job:done` and its rejected request say. */
export const CANCELLED = 'cancelled';

/** The error a job stops with once `job:cancel` reached it. */
export class JobCancelledError extends Error {
  constructor(readonly jobId: string) {
    super(CANCELLED);
    this.name = 'JobCancelledError';
  }
}

/** A request whose job was cancelled answers that, as a normal outcome (see `JobCancelled`). */
export async function cancelAsOutcome<T>(work: Promise<T>): Promise<T | JobCancelled> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof JobCancelledError) return { jobId: error.jobId, cancelled: true };
    throw error;
  }
}

/** A running job's hold on its registry entry. */
export interface RunningJob {
  readonly signal: AbortSignal;
  /** Leaves the registry; a later `job:cancel` of this id answers false. */
  finish(): void;
}

/** A registered job: how to ask it to stop, and when it has. */
interface Entry {
  readonly controller: AbortController;
  readonly stopped: Promise<void>;
  readonly markStopped: () => void;
}

/**
 * The cancellable jobs by id (`data:fetch`, `walkforward:run`, studies by their study id), so
 * `job:cancel` can reach one. Each job checks its signal where stopping is safe.
 */
export class JobRegistry {
  private readonly running = new Map<string, Entry>();

  start(jobId: string): RunningJob {
    if (this.running.has(jobId)) throw new ConflictError(`job ${jobId} is already running`, 'jobId');
    let markStopped = (): void => undefined;
    const stopped = new Promise<void>((resolve) => (markStopped = resolve));
    const entry: Entry = { controller: new AbortController(), stopped, markStopped };
    this.running.set(jobId, entry);
    return {
      signal: entry.controller.signal,
      finish: () => {
        if (this.running.get(jobId) === entry) this.running.delete(jobId);
        entry.markStopped();
      },
    };
  }

  /**
   * Asks a running job to stop, without waiting: true when it was asked (false for unknown, finished or
   * already cancelled ids).
   */
  cancel(jobId: string): boolean {
    const entry = this.running.get(jobId);
    if (!entry || entry.controller.signal.aborted) return false;
    entry.controller.abort(new JobCancelledError(jobId));
    return true;
  }

  /**
   * What `job:cancel` answers: asks the job to stop and resolves once it has left the registry (a
   * fetch's pages, a study's finished trials stored), so the caller may read the outcome at once.
   */
  async stop(jobId: string): Promise<boolean> {
    const entry = this.running.get(jobId);
    if (entry === undefined || !this.cancel(jobId)) return false;
    await entry.stopped;
    return true;
  }
}

/** Progress events of one job are at most this often (the final one always goes out). */
export const JOB_PROGRESS_INTERVAL_MS = 100;

/** Where jobs report and how they are reached. */
export interface JobContext {
  readonly events: EventBus;
  /** Where a cancellable job registers, so `job:cancel` reaches it (absent: the CLI, nothing to reach). */
  readonly jobs?: JobRegistry;
  /** Cleans an error before it leaves the services (removes every known secret); as it is by default. */
  readonly scrub?: (error: unknown) => Promise<Error> | Error;
}

export interface JobSpec {
  /** The caller's id for the job (to match its events); a fresh one when absent. */
  readonly jobId?: string | undefined;
  /** The stage its progress events name unless a report gives its own. */
  readonly stage: string;
  /** Registered for `job:cancel`: the work honours `signal` where stopping is safe. */
  readonly cancellable: boolean;
}

/** What the work of a job sees. */
export interface Job {
  readonly jobId: string;
  readonly signal: AbortSignal;
  /** Reports progress; throttled, except a report that reaches its total. */
  progress(
    done: number,
    total: number,
    detail?: { readonly message?: string; readonly stage?: string },
  ): void;
  /** Throws JobCancelledError once `job:cancel` reached the job (for work that checks between steps). */
  throwIfCancelled(): void;
}

/**
 * The one lifecycle of a job: registered for `job:cancel` when cancellable, `job:progress` throttled,
 * exactly one `job:done`, and errors scrubbed of secrets before they leave. A cancelled job fails with
 * JobCancelledError, whatever its work threw on the way out.
 */
export async function runJob<T>(
  context: JobContext,
  spec: JobSpec,
  work: (job: Job) => Promise<T>,
): Promise<T> {
  const jobId = spec.jobId ?? randomUUID();
  const { events } = context;
  const running =
    spec.cancellable && context.jobs !== undefined
      ? context.jobs.start(jobId)
      : { signal: new AbortController().signal, finish: () => undefined };
  const pass = progressThrottle(JOB_PROGRESS_INTERVAL_MS);
  const job: Job = {
    jobId,
    signal: running.signal,
    progress: (done, total, detail) => {
      if (!pass(total > 0 && done >= total)) return;
      events.emit('job:progress', {
        jobId,
        stage: detail?.stage ?? spec.stage,
        done,
        total,
        ...(detail?.message ? { message: detail.message } : {}),
      });
    },
    throwIfCancelled: () => {
      if (running.signal.aborted) throw new JobCancelledError(jobId);
    },
  };
  try {
    const result = await work(job);
    events.emit('job:done', { jobId, ok: true });
    return result;
  } catch (error) {
    const clean = running.signal.aborted
      ? new JobCancelledError(jobId)
      : context.scrub
        ? await context.scrub(error)
        : error instanceof Error
          ? error
          : new Error(String(error));
    events.emit('job:done', { jobId, ok: false, error: clean.message });
    throw clean;
  } finally {
    running.finish();
  }
}

/** A request as kept beside what it made: the job id names one run, not what was asked. */
export function withoutJobId<T extends { jobId?: string }>(request: T): Omit<T, 'jobId'> {
  const copy = { ...request };
  delete copy.jobId;
  return copy;
}
