/**
 * `regimen worker`: takes chunks of trials from the engine's queue, runs each trial in a sandbox child
 * process (one per concurrency slot), and writes each trial's result to the study's results hash once
 * (HSETNX: the first write wins when a stalled chunk was taken twice) before completing the job.
 *
 * Failure handling, by design:
 * - this process killed: its locks expire after the lock duration (LOCK_DURATION_MS unless told) and
 *   another worker's stalled check (every half of it) puts the chunk back, so it runs again within
 *   ~15 s by default; trials whose results were written are skipped.
 * - a sandbox child killed: the chunk fails this attempt and BullMQ retries it (ATTEMPTS), again
 *   skipping written trials.
 * - a trial running past the chunk's time limit: its child is killed and the trial recorded as failed;
 *   the chunk's next trial gets a new child, whose start is not counted in its time limit.
 * - a sandbox child not ready within its start limit: it is killed and the chunk fails this attempt.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Bars } from '../../../core/data/bars.ts';
import { resolveStrategyDefinition, type StrategyRef } from '../../../core/strategy/index.ts';
import {
  COMPUTE_PROTOCOL_VERSION,
  encodeTrialResult,
  trialChunkSchema,
  type RemoteOutcome,
  type TrialChunk,
  type WorkerInfo,
} from '../../../shared/computeProtocol.ts';
import { getBars } from './barsStore.ts';
import { engineHash, queueName, resultsKey, workerKey } from './names.ts';
import type { SandboxReply, SandboxRequest } from './sandboxMessages.ts';

/**
 * A worker's lock on a chunk lasts this long unless renewed (every half of it, by the event loop); every
 * half of it too, workers look for chunks whose lock expired (a killed worker's) and put them back.
 */
export const LOCK_DURATION_MS = 10_000;
/** A chunk may be put back this often before BullMQ fails it (each worker death costs one). */
const MAX_STALLED_COUNT = 10;
/** A trial's results hash outlives the coordinator by this long, so a resumed study finds them. */
export const RESULTS_TTL_SECONDS = 7 * 24 * 3600;
const HEARTBEAT_MS = 2_000;
/** While Redis cannot be reached, the worker tries again this often (ms), for as long as it takes. */
export const RECONNECT_MS = 2_000;
/**
 * A failed attempt is said at once when it is the first or its cause is new, then at most this often
 * (ms): a worker left waiting for hours must show it is not connected without filling its log.
 */
export const REPORT_FAILURES_EVERY_MS = 10_000;
/**
 * How long a sandbox child may take to get ready (ms) unless told: from compiled files it takes well
 * under a second, from sources through tsx a few seconds, several times that on a loaded machine.
 */
export const SANDBOX_START_LIMIT_MS = 60_000;

export interface RemoteWorkerOptions {
  readonly redisUrl: string;
  readonly concurrency: number;
  /** The lock on a chunk (ms): how long a killed worker's chunks wait before another takes them. */
  readonly lockDurationMs?: number;
  /**
   * How long a sandbox child may take to get ready (ms); one that takes longer is killed and its chunk's
   * attempt fails (BullMQ retries it), so a child stuck while starting never holds a chunk for good.
   */
  readonly sandboxStartLimitMs?: number;
  /**
   * A line for the operator (stderr in the CLI), which masks the Redis password in it: Redis may quote
   * it in an error (this process imports no secrets code, as a worker's imports go).
   */
  readonly log: (line: string) => void;
  /** The Redis URL as the lines name it, its password masked (main's safeUrl). */
  readonly redisLabel: string;
  /**
   * Whether chunks may bring a user strategy's code (`--allow-user-strategies`). Off by default: a
   * built-in is data (a name, a version, parameters), but a user strategy is code, and whoever can write
   * to the queue could otherwise run anything on this machine.
   */
  readonly allowUserStrategies?: boolean;
}

export interface RemoteWorker {
  readonly id: string;
  readonly queue: string;
  close(): Promise<void>;
}

/** Where the sandbox's entry is: the TypeScript source through tsx, or the compiled file beside this one. */
function sandboxEntry(): { path: string; execArgv: string[] } {
  const fromSources = import.meta.url.endsWith('.ts');
  const path = new URL(fromSources ? './sandbox.ts' : './sandbox.js', import.meta.url).pathname;
  const loader = process.execArgv.some((a) => a.includes('tsx')) ? [] : ['--import', 'tsx'];
  return { path, execArgv: fromSources ? [...process.execArgv, ...loader] : process.execArgv };
}

class TrialTimeout extends Error {}

/** One child process running one trial at a time; restarted after it dies or is stopped. */
class Sandbox {
  private child: ChildProcess | undefined;
  private ready: Promise<ChildProcess> | undefined;
  private nextId = 0;

  constructor(
    private readonly log: (line: string) => void,
    private readonly barsOf: (fingerprint: string) => Promise<Bars>,
    private readonly startLimitMs: number,
  ) {}

  /**
   * The running child, or a new one once it says it is ready. Its start is bounded on its own, not
   * counted in a trial's time limit: a loaded machine or a slow disk must not fail trials, but a child
   * that never gets ready (stuck loading) must not hold the chunk, whose lock this process keeps renewing.
   */
  private start(): Promise<ChildProcess> {
    if (this.ready !== undefined) return this.ready;
    const { path, execArgv } = sandboxEntry();
    const child = fork(path, [], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    this.log(`sandbox pid ${child.pid} started`);
    // A message to a child that has just died fails as an 'error' event (EPIPE), which unheard would end
    // this process and leave its chunks to the lock's expiry; the child's 'exit' fails the trial instead.
    child.on('error', (error) => this.log(`sandbox pid ${child.pid}: ${error.message}`));
    child.once('exit', () => this.forget(child));
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kill(child);
        reject(
          new Error(
            `sandbox pid ${child.pid} was not ready ${this.startLimitMs / 1000} s after it started ` +
              '(a loaded machine or a slow disk: raise --sandbox-start-seconds)',
          ),
        );
      }, this.startLimitMs);
      child.once('message', () => {
        clearTimeout(timer);
        resolve(child);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`sandbox exited before it was ready (${signal ?? `code ${code}`})`));
      });
    });
    return this.ready;
  }

  /** The next trial starts a new child rather than getting this one, dead or dying. */
  private forget(child: ChildProcess): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.ready = undefined;
  }

  /**
   * Forgotten at once: its 'exit' comes later, and a trial asking for a child meanwhile (the chunk's next
   * one) would otherwise be sent to this one and fail with it.
   */
  private kill(child: ChildProcess): void {
    this.forget(child);
    child.kill('SIGKILL');
  }

  /** The trial's outcome per dataset; a child that dies mid-trial rejects, one past the limit is killed. */
  async run(
    chunk: TrialChunk,
    params: Readonly<Record<string, number>>,
    timeLimitMs: number,
  ): Promise<RemoteOutcome[]> {
    const child = await this.start();
    const id = this.nextId++;
    const request: SandboxRequest = {
      type: 'trial',
      id,
      datasets: chunk.datasets,
      strategy: chunk.strategy,
      options: chunk.options,
      ...(chunk.tradeFrom === undefined ? {} : { tradeFrom: chunk.tradeFrom }),
      params,
      periodReturns: chunk.periodReturns === true,
      equity: chunk.equity === true,
      ...(chunk.regimeSchedules === undefined ? {} : { regimeSchedules: chunk.regimeSchedules }),
      ...(chunk.riskFreeRate === undefined ? {} : { riskFreeRate: chunk.riskFreeRate }),
      ...(chunk.userStrategy === undefined ? {} : { userStrategy: chunk.userStrategy }),
    };
    return new Promise<RemoteOutcome[]>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        cleanup();
        this.kill(child);
        reject(new TrialTimeout(`stopped after the time limit of ${timeLimitMs} ms`));
      }, timeLimitMs);
      const onMessage = (message: SandboxReply): void => {
        if (message.type === 'need' && message.id === id) {
          void Promise.all(
            message.fingerprints.map(async (fingerprint) => {
              const bars = await this.barsOf(fingerprint);
              // The time limit may have passed meanwhile: its child is gone.
              if (!settled) child.send({ type: 'bars', fingerprint, bars } satisfies SandboxRequest);
            }),
          ).then(
            () => {
              if (!settled) child.send(request);
            },
            (error: unknown) => {
              if (settled) return;
              cleanup();
              reject(error instanceof Error ? error : new Error(String(error)));
            },
          );
        } else if (message.type === 'result' && message.id === id) {
          cleanup();
          resolve([...message.outcomes]);
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        cleanup();
        reject(new Error(`sandbox pid ${child.pid} exited during a trial (${signal ?? `code ${code}`})`));
      };
      const cleanup = (): void => {
        settled = true;
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(request);
    });
  }

  stop(): void {
    if (this.child !== undefined) this.kill(this.child);
  }
}

/** Bars by fingerprint, fetched from Redis once per process (a few datasets kept). */
function barsCache(redis: Redis): (fingerprint: string) => Promise<Bars> {
  const cache = new Map<string, Promise<Bars>>();
  return (fingerprint) => {
    let bars = cache.get(fingerprint);
    if (bars === undefined) {
      if (cache.size >= 4) cache.delete(cache.keys().next().value!);
      bars = getBars(redis, fingerprint);
      // A failed fetch (not stored yet, Redis restarting) is tried again by the next chunk.
      bars.catch(() => cache.delete(fingerprint));
      cache.set(fingerprint, bars);
    }
    return bars;
  };
}

/**
 * A queued chunk as this build reads it. A chunk of another protocol version, or one that does not
 * parse, is refused in words and not retried (UnrecoverableError): every attempt would fail alike, and
 * its coordinator then fails the chunk's trials with this reason.
 */
function chunkOf(data: unknown): TrialChunk {
  const version = (data as { version?: unknown } | null)?.version;
  if (version !== COMPUTE_PROTOCOL_VERSION)
    throw new UnrecoverableError(
      `refused a chunk of compute protocol version ${String(version)}: this worker speaks version ` +
        `${COMPUTE_PROTOCOL_VERSION}; run the coordinator and its workers from the same Regimen version`,
    );
  const parsed = trialChunkSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UnrecoverableError(
      `refused a chunk that does not follow compute protocol version ${COMPUTE_PROTOCOL_VERSION}: ` +
        `${issue.path.join('.') || 'chunk'}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/**
 * Why this worker cannot run the chunk's strategy, or null when it can. A user strategy's file is not
 * touched here: its top-level code runs only in the sandbox (which checks it as main does and fails the
 * trials with the reason), so a file that never returns stalls a killable child, not this process with
 * its Redis connection; a worker not started to run user code refuses it outright.
 */
function refusal(
  ref: StrategyRef,
  userStrategy: TrialChunk['userStrategy'],
  allowUserStrategies: boolean,
): string | null {
  if (userStrategy !== undefined)
    return allowUserStrategies
      ? null
      : `strategy ${ref.name} is a user strategy file and this worker runs no code from its queue; ` +
          'start the worker with --allow-user-strategies to run it';
  try {
    resolveStrategyDefinition(ref);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export async function startRemoteWorker(options: RemoteWorkerOptions): Promise<RemoteWorker> {
  const hash = engineHash();
  const queue = queueName(hash);
  const id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
  // A worker that gave up when Redis restarts would be worse than one that waits: it retries for good,
  // at a fixed pace (the duplicates BullMQ and this worker make keep it).
  const redis = new Redis(options.redisUrl, {
    maxRetriesPerRequest: null,
    retryStrategy: () => RECONNECT_MS,
  });
  // Said of this connection only: the others fail alike at the same moments.
  const where = options.redisLabel;
  let failed = 0;
  let told = { at: -Infinity, reason: '' };
  redis.on('error', (error: Error & { code?: string }) => {
    failed++;
    const reason = error.code ?? error.message;
    const now = Date.now();
    if (reason === told.reason && now - told.at < REPORT_FAILURES_EVERY_MS) return;
    told = { at: now, reason };
    options.log(
      `cannot reach Redis at ${where} (${reason}), retrying every ${RECONNECT_MS / 1000} s — attempt ${failed}`,
    );
  });
  redis.on('ready', () => {
    options.log(`connected to Redis at ${where}${failed === 0 ? '' : ` after ${failed} failed attempt(s)`}`);
    failed = 0;
    told = { at: -Infinity, reason: '' };
  });
  // BullMQ's errors: a network one is this connection's too (said above); others once each in a row.
  let lastError = '';
  const onError = (error: Error): void => {
    if ('syscall' in error || redis.status !== 'ready') return;
    if (error.message !== lastError) options.log(`redis: ${error.message}`);
    lastError = error.message;
  };
  const barsOf = barsCache(redis);
  const idle = Array.from(
    { length: options.concurrency },
    () => new Sandbox(options.log, barsOf, options.sandboxStartLimitMs ?? SANDBOX_START_LIMIT_MS),
  );
  const all = [...idle];
  let trialsDone = 0;

  const processChunk = async (job: Job): Promise<{ trials: number }> => {
    const chunk = chunkOf(job.data);
    const key = resultsKey(hash, chunk.studyKey);
    // A strategy this build cannot run (unknown, or another version) fails each trial with the reason.
    const refused = refusal(chunk.strategy, chunk.userStrategy, options.allowUserStrategies === true);
    const written = await redis.hmget(key, ...chunk.trials.map((t) => String(t.number)));
    const sandbox = idle.pop();
    if (sandbox === undefined) throw new Error('no idle sandbox (more chunks than --concurrency)');
    let ran = 0;
    // A trial's result is written while the sandbox runs the next one: waiting for each write's round
    // trip left the sandbox idle, which short trials felt most. All are written before the job completes.
    const writes: Promise<unknown>[] = [];
    try {
      for (const [i, trial] of chunk.trials.entries()) {
        if (written[i] !== null) continue;
        let outcomes: RemoteOutcome[];
        try {
          outcomes =
            refused === null
              ? await sandbox.run(chunk, trial.params, chunk.trialTimeLimitMs)
              : chunk.datasets.map(() => ({ ok: false, error: refused }));
        } catch (error) {
          if (!(error instanceof TrialTimeout)) throw error;
          outcomes = chunk.datasets.map(() => ({
            ok: false,
            error: `trial ${trial.number} ${error.message}`,
          }));
        }
        const write = redis.hsetnx(key, String(trial.number), encodeTrialResult(outcomes));
        // Its failure fails the job below (Promise.all), not the process meanwhile.
        write.catch(() => undefined);
        writes.push(write);
        ran++;
        trialsDone++;
      }
      await Promise.all(writes);
      await redis.expire(key, RESULTS_TTL_SECONDS);
    } finally {
      idle.push(sandbox);
      // A chunk failing mid-way (its sandbox died) still settles what it wrote: those trials are kept.
      await Promise.allSettled(writes);
    }
    return { trials: ran };
  };

  // BullMQ leaves a connection it was given open on close: it is ours to close.
  const workerConnection = redis.duplicate();
  const worker = new Worker(queue, processChunk, {
    connection: workerConnection,
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs ?? LOCK_DURATION_MS,
    stalledInterval: (options.lockDurationMs ?? LOCK_DURATION_MS) / 2,
    maxStalledCount: MAX_STALLED_COUNT,
  });
  worker.on('error', onError);
  worker.on('failed', (job, error) => options.log(`chunk ${job?.id ?? '?'} failed: ${error.message}`));

  const startedAt = Date.now();
  let lastBeat = { at: startedAt, done: 0 };
  const beat = async (): Promise<void> => {
    const now = Date.now();
    const info: WorkerInfo = {
      id,
      host: hostname(),
      pid: process.pid,
      concurrency: options.concurrency,
      cores: availableParallelism(),
      startedAt,
      trialsDone,
      trialsPerSecond: now > lastBeat.at ? ((trialsDone - lastBeat.done) * 1000) / (now - lastBeat.at) : 0,
    };
    lastBeat = { at: now, done: trialsDone };
    await redis.set(workerKey(hash, id), JSON.stringify(info), 'PX', HEARTBEAT_MS * 3);
  };
  await beat();
  const heartbeat = setInterval(() => void beat().catch(() => undefined), HEARTBEAT_MS);
  options.log(`worker ${id} on queue ${queue}, ${options.concurrency} sandboxes`);

  return {
    id,
    queue,
    close: async () => {
      clearInterval(heartbeat);
      await worker.close();
      for (const sandbox of all) sandbox.stop();
      await redis.del(workerKey(hash, id)).catch(() => undefined);
      workerConnection.disconnect();
      redis.disconnect();
    },
  };
}
