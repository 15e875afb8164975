import { ContractError } from '../../shared/validation.ts';

/** What a cancelled job's `job:done` and its rejected request say. */
export const CANCELLED = 'cancelled';

/** The error a job stops with once `job:cancel` reached it. */
export class JobCancelledError extends Error {
  constructor() {
    super(CANCELLED);
    this.name = 'JobCancelledError';
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
    if (this.running.has(jobId)) throw new ContractError(`job ${jobId} is already running`);
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
    controller.abort(new JobCancelledError());
    return true;
  }
}
