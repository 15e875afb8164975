import type { JobCancelled } from '../../shared/contract.ts';
import { ConflictError } from '../../shared/errors.ts';

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

/**
 * The cancellable jobs by id (`data:fetch`, `walkforward:run`), so `job:cancel` can reach
 * one. Each job checks its signal where stopping is safe; cancelling only asks, it never waits.
 */
export class JobRegistry {
  private readonly running = new Map<string, AbortController>();

  start(jobId: string): RunningJob {
    if (this.running.has(jobId)) throw new ConflictError(`job ${jobId} is already running`, 'jobId');
    const controller = new AbortController();
    this.running.set(jobId, controller);
    return {
      signal: controller.signal,
      finish: () => {
        if (this.running.get(jobId) === controller) this.running.delete(jobId);
      },
    };
  }

  /** True when a running job was asked to stop (false for unknown, finished or already cancelled ids). */
  cancel(jobId: string): boolean {
    const controller = this.running.get(jobId);
    if (!controller || controller.signal.aborted) return false;
    controller.abort(new JobCancelledError(jobId));
    return true;
  }
}
