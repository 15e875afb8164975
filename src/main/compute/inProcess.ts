import { ComputePool, type TaskExecutor } from './pool.ts';
import { TaskRunner, type WorkerResult, type WorkerTask } from './tasks.ts';
import { userStrategySource } from './userStrategies.ts';

/**
 * Runs compute tasks on the calling thread with the pool workers' own TaskRunner, for work so small that
 * starting a worker thread (a Node environment and the engine, ~0.1 s of CPU each) would cost more than
 * the work itself: the README's 50-combination grid takes a few milliseconds to compute.
 */
export class InProcessExecutor implements TaskExecutor {
  readonly threads = 1;
  private readonly runner = new TaskRunner();

  async run<T extends WorkerTask>(task: T, signal?: AbortSignal): Promise<WorkerResult<T>> {
    // Each task waits its turn behind what the event loop holds (requests, progress, a cancel), so a
    // host serving the app stays responsive between a study's batches.
    await new Promise((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
    return this.runner.run(task) as WorkerResult<T>;
  }

  async close(): Promise<void> {}
}

/**
 * Where a command runs `strategy`'s few tasks: this thread for a built-in, one worker thread for a user's
 * strategy (main never runs a user's code).
 */
export function localExecutor(strategy: string): TaskExecutor & { close(): Promise<void> } {
  return userStrategySource(strategy) === undefined ? new InProcessExecutor() : new ComputePool(1);
}
