import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { taskTransfers, type WorkerResult, type WorkerTask } from './tasks.ts';
import { userStrategySource, type StrategyCheckTask, type UserStrategySource } from './userStrategies.ts';

const CORES = Math.max(1, availableParallelism());

/**
 * Where compute tasks run: the pool's worker threads, or this thread (InProcessExecutor) for work smaller
 * than what starting a thread costs. Both run the same TaskRunner, so they give the same results.
 */
/**
 * What a pool worker is handed: a task with the source of the user strategy it names (a worker runs the
 * version the task's ref names, whatever main loaded since), or a strategy file to check.
 */
export type PoolMessage =
  { readonly task: WorkerTask; readonly userStrategy?: UserStrategySource } | StrategyCheckTask;

/** The user strategy file a task's strategy names, when it names one. */
function userStrategyOf(task: WorkerTask): { userStrategy?: UserStrategySource } {
  if (!('strategy' in task)) return {};
  const source =
    typeof task.strategy === 'string'
      ? userStrategySource(task.strategy)
      : userStrategySource(task.strategy.name, task.strategy.version);
  return source === undefined ? {} : { userStrategy: source };
}

export interface TaskExecutor {
  /** Tasks it runs at once. */
  readonly threads: number;
  run<T extends WorkerTask>(task: T, signal?: AbortSignal): Promise<WorkerResult<T>>;
}

/**
 * The compute pool: CPU work (backtests, optimisation batches) runs on worker threads so the main
 * process stays responsive. Bars travel as SharedArrayBuffer-backed columns, so handing them to a
 * worker copies nothing; workers keep prepared datasets (with their indicator caches) by dataset id.
 */
export class ComputePool implements TaskExecutor {
  private piscina: Piscina | undefined;
  private size: number;
  /** Tasks handed to the threads and not yet answered: a pool that is computing keeps its size. */
  private pending = 0;

  /**
   * Workers start on the first task, not here: a command or a host that never computes (a listing, a
   * CSV backtest run in-process, `--help`) must not pay for a thread that loads the engine.
   */
  constructor(threads = CORES) {
    this.size = threads;
  }

  get threads(): number {
    return this.size;
  }

  /**
   * Runs with `threads` (null: one per core) from the next task on, when nothing is computing: the idle
   * threads are stopped and the next task starts the new size. False, and the size unchanged, while
   * tasks run (a study sized its batches to the threads it had; halving them under it would idle some).
   */
  resize(threads: number | null): boolean {
    const size = threads ?? CORES;
    if (size === this.size) return true;
    if (this.pending > 0) return false;
    const idle = this.piscina;
    this.piscina = undefined;
    this.size = size;
    void idle?.destroy();
    return true;
  }

  /**
   * Starts the first worker now, for a caller that knows it will compute: its thread loads the engine
   * while the caller's own thread opens the store and reads the bars.
   */
  warm(): void {
    this.started();
  }

  async run<T extends WorkerTask>(task: T, signal?: AbortSignal): Promise<WorkerResult<T>> {
    const transferList = taskTransfers(task);
    this.pending++;
    try {
      const message: PoolMessage = { task, ...userStrategyOf(task) };
      return (await this.started().run(message, {
        ...(signal ? { signal } : {}),
        ...(transferList.length > 0 ? { transferList } : {}),
      })) as WorkerResult<T>;
    } finally {
      this.pending--;
    }
  }

  private started(): Piscina {
    return (this.piscina ??= startPiscina(this.size));
  }

  async close(): Promise<void> {
    const piscina = this.piscina;
    this.piscina = undefined;
    await piscina?.destroy();
  }
}

function startPiscina(threads: number): Piscina {
  return startWorkers({ minThreads: 1, maxThreads: threads, idleTimeout: 60_000 });
}

/** Threads running the pool's worker entry (the compute pool's, or a short-lived one checking files). */
export function startWorkers(options: {
  readonly minThreads: number;
  readonly maxThreads: number;
  readonly idleTimeout: number;
}): Piscina {
  // From sources (CLI via tsx, tests) the worker is TypeScript and needs the same loader; in the
  // built app it is the bundled worker.js next to the main bundle.
  const fromSources = import.meta.url.endsWith('.ts');
  // In a packaged app the bundle sits in app.asar, which worker threads cannot load from; the
  // builder unpacks out/main (electron-builder.yml) next to it.
  const filename = new URL(fromSources ? './worker.ts' : './worker.js', import.meta.url).href.replace(
    '/app.asar/',
    '/app.asar.unpacked/',
  );
  return new Piscina({
    filename,
    ...options,
    execArgv: fromSources ? [...process.execArgv, ...sourceLoaderArgs()] : process.execArgv,
  });
}

/**
 * The loader a worker running the TypeScript sources needs, by its file URL: a bare `--import tsx` is
 * resolved from the working directory, so `regimen optimize` started from a folder without tsx in its
 * node_modules lost every worker (ERR_MODULE_NOT_FOUND).
 */
export function sourceLoaderArgs(): string[] {
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}
