/**
 * The coordinator's side of remote compute. The study, its sampler and its store stay here; each batch
 * the runner asks for becomes one BullMQ job (job id = study + trial range, so queuing it again while it
 * exists is a no-op), and its results are read back from the study's results hash, where workers write
 * each trial once. A chunk is settled from that hash, not from the job's fate:
 * - all its trials have results: told, whatever BullMQ thinks of the job (failed after writing, gone);
 * - the job failed for good: trials without a result fail with the job's reason;
 * - the job is gone with results missing (Redis restarted empty): bars and job are queued again.
 * A completed job's event only makes the check immediate; a poll covers lost events and restarts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { Params, TellResult, TrialRequest } from '../../../core/optimize/index.ts';
import type { RegimeRunScores } from '../../../core/regime/perRegime.ts';
import type { StrategyRef } from '../../../core/strategy/index.ts';
import {
  COMPUTE_PROTOCOL_VERSION,
  decodeTrialResult,
  encodeSchedule,
  remoteBacktestOptionsSchema,
  workerInfoSchema,
  type RemoteBacktestOptions,
  type RemoteOutcome,
  type TrialChunk,
  type WorkerInfo,
} from '../../../shared/computeProtocol.ts';
import type { RedisConnectionNotice } from '../../../shared/computeContract.ts';
import { datasetFingerprint } from '../../compute/fingerprint.ts';
import { userStrategySource } from '../../compute/userStrategies.ts';
import {
  chunks,
  regimeRunsOf,
  runnableParams,
  tellResultOf,
  type Evaluator,
  type EvaluatorSettings,
  type EvaluatorSource,
  type StudyTrial,
} from '../optimize/evaluator.ts';
import type { StudyDatasets } from '../optimize/studySetup.ts';
import { putBars } from '../../compute/remote/barsStore.ts';
import { engineHash, jobIdOf, queueName, resultsKey, workerKeyPattern } from '../../compute/remote/names.ts';
import { passwordOf, redactSecrets, safeUrl } from '../../secrets/redact.ts';

/** A trial running longer than this on a worker is stopped and failed (overridable per coordinator). */
export const DEFAULT_TRIAL_TIME_LIMIT_MS = 10 * 60_000;
/** Retries of a chunk whose sandbox died (a killed child); each skips the trials already written. */
const ATTEMPTS = 5;
/**
 * How long close() lets BullMQ let go of its connections before dropping them: BullMQ waits for the
 * connection's "end", which ioredis never emits while it waits to reconnect (Redis killed, unreachable or
 * refusing the password), so quitting would otherwise hang for as long as Redis does not answer.
 */
export const CLOSE_GRACE_MS = 2_000;

export interface RemoteComputeOptions {
  readonly redisUrl: string;
  /** Trials per job; by default sized from the connected workers' slots like the pool's batches. */
  readonly chunkSize?: number;
  readonly trialTimeLimitMs?: number;
  /** How often pending chunks are checked without an event (ms). */
  readonly pollMs?: number;
  /**
   * Told when the connection to Redis is lost and when it is back (redisConnectionText says it in words):
   * meanwhile the study only waits, and without this a trader sees its progress stop with no reason.
   */
  readonly onConnection?: (notice: RedisConnectionNotice) => void;
}

/**
 * A failure's reason as it may leave here (in a notice, an error, a trial's failure and so the study's
 * record): Redis may quote what it was sent (one without AUTH answers "unknown command 'auth', with args
 * beginning with: '<password>'"), so the password is masked in every form, whatever its length.
 */
function maskedReason(reason: unknown, redisUrl: string): string {
  return redactSecrets(reason instanceof Error ? reason.message : String(reason), passwordOf(redisUrl));
}

/** The connection's last loss or return, for whoever listens (the CLI, each study computing on it). */
class ConnectionNotices {
  private current: RedisConnectionNotice | null = null;
  private readonly listeners = new Set<(notice: RedisConnectionNotice) => void>();

  get lost(): boolean {
    return this.current?.state === 'lost';
  }

  /** Why the connection is lost now (undefined: it is not). */
  get reason(): string | undefined {
    return this.current?.state === 'lost' ? this.current.reason : undefined;
  }

  tell(notice: RedisConnectionNotice): void {
    this.current = notice;
    for (const listener of this.listeners) listener(notice);
  }

  /** Listens from now on; a listener arriving during an outage hears of it at once (a return before it, not). */
  listen(listener: (notice: RedisConnectionNotice) => void): () => void {
    this.listeners.add(listener);
    if (this.current?.state === 'lost') listener(this.current);
    return () => void this.listeners.delete(listener);
  }
}

interface PendingChunk {
  readonly chunk: TrialChunk;
  readonly jobId: string;
  readonly bars: readonly {
    readonly fingerprint: string;
    readonly bars: StudyDatasets['datasets'][number]['ref']['bars'];
  }[];
  checking: boolean;
  settle(outcome: { results: (string | null)[]; failure: string | null }): void;
  fail(error: Error): void;
}

/**
 * What each trial's outcome on the first dataset carries besides its metrics, or the regime schedules
 * (encoded, one per dataset) its outcomes are scored by.
 */
type Extra =
  | 'none'
  | 'period-returns'
  | 'equity'
  | { readonly regimeSchedules: NonNullable<TrialChunk['regimeSchedules']> };

/** The options of a study as a payload: the protocol refuses anything that is not plain data. */
function remoteOptions(settings: EvaluatorSettings): RemoteBacktestOptions {
  const { options } = settings;
  const plain = Object.fromEntries(
    Object.entries(options).filter(([, v]) => typeof v !== 'number' || Number.isFinite(v)),
  );
  const parsed = remoteBacktestOptionsSchema.safeParse(plain);
  if (!parsed.success)
    throw new Error(`backtest options cannot be sent to workers: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data;
}

/** A user strategy's compiled file for the chunk (workers have no copy of this data folder); none for a built-in. */
function userStrategyOf(ref: StrategyRef): Pick<TrialChunk, 'userStrategy'> {
  const source = userStrategySource(ref.name, ref.version);
  return source === undefined ? {} : { userStrategy: source };
}

/** The connection to Redis shared by every study of one coordinator process. */
export class RemoteCompute {
  private readonly pending = new Map<string, PendingChunk>();
  private readonly timer: NodeJS.Timeout;
  /** Evaluators handed out and not yet released: studies still computing here. */
  private leases = 0;
  private retired: { closed: Promise<void>; close: () => void } | null = null;

  private constructor(
    private readonly options: RemoteComputeOptions,
    readonly engine: string,
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly eventsRedis: Redis,
    private readonly notices: ConnectionNotices,
  ) {
    const check = ({ jobId }: { jobId: string }): void => {
      const chunk = this.pending.get(jobId);
      if (chunk !== undefined) void this.check(chunk);
    };
    events.on('completed', check);
    events.on('failed', check);
    this.timer = setInterval(() => {
      for (const chunk of this.pending.values()) void this.check(chunk);
    }, options.pollMs ?? 1_000);
  }

  /** Connects (an unreachable or refusing Redis is an error naming the URL's host, never its password). */
  static async connect(options: RemoteComputeOptions): Promise<RemoteCompute> {
    const engine = engineHash();
    const clean = (reason: unknown): string => maskedReason(reason, options.redisUrl);
    const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    // A refused password closes the connection, and connect() then says only "Connection is closed":
    // the first error event says why.
    let cause: Error | undefined;
    const firstError = (error: Error): void => void (cause ??= error);
    redis.on('error', firstError);
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      redis.disconnect();
      const reason = cause ?? error;
      throw new Error(`cannot reach Redis at ${safeUrl(options.redisUrl)}: ${clean(reason)}`);
    }
    redis.off('error', firstError);
    // Reconnects are automatic and a failed command surfaces where it was sent (a check retries on the
    // next poll): each error event is not news, but the first of an outage and the end of it are.
    const quiet = (): void => undefined;
    const notices = new ConnectionNotices();
    if (options.onConnection !== undefined) notices.listen(options.onConnection);
    const redisUrl = safeUrl(options.redisUrl);
    let lostAt = 0;
    redis.on('error', (error: Error) => {
      // The reason goes to the renderer, to clients and to the study's record.
      const reason = clean(error);
      // Each failed reconnect is not news, but a new cause is: a Redis back up that refuses the password
      // would otherwise still read "connection refused" for as long as it lasts.
      if (reason === notices.reason) return;
      if (!notices.lost) lostAt = Date.now();
      notices.tell({ state: 'lost', redisUrl, reason, lostAt });
    });
    redis.on('ready', () => {
      if (notices.lost) notices.tell({ state: 'back', redisUrl, lostAt, backAt: Date.now() });
    });
    const name = queueName(engine);
    const queue = new Queue(name, { connection: redis });
    const eventsRedis = redis.duplicate();
    const events = new QueueEvents(name, { connection: eventsRedis });
    queue.on('error', quiet);
    events.on('error', quiet);
    await events.waitUntilReady();
    return new RemoteCompute(options, engine, redis, queue, events, eventsRedis, notices);
  }

  /** Listens to the connection's losses and returns (an outage under way is told at once); returns the unsubscribe. */
  onConnection(listener: (notice: RedisConnectionNotice) => void): () => void {
    return this.notices.listen(listener);
  }

  get queueName(): string {
    return this.queue.name;
  }

  /** The worker processes alive on this engine's queue (their heartbeats). */
  workers(): Promise<WorkerInfo[]> {
    return this.heartbeats(workerKeyPattern(this.engine));
  }

  /**
   * Worker processes alive on this Redis but built from other code: they listen on another queue and take
   * none of this engine's trials, which a trader waiting on "no worker" needs to be told.
   */
  otherWorkers(): Promise<WorkerInfo[]> {
    const ours = workerKeyPattern(this.engine).slice(0, -1);
    return this.heartbeats(workerKeyPattern('*'), (key) => !key.startsWith(ours));
  }

  private async heartbeats(
    pattern: string,
    keep: (key: string) => boolean = () => true,
  ): Promise<WorkerInfo[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 100);
      cursor = next;
      keys.push(...found.filter(keep));
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys);
    return values.flatMap((v) => {
      const parsed = v === null ? null : workerInfoSchema.safeParse(JSON.parse(v));
      return parsed?.success === true ? [parsed.data] : [];
    });
  }

  /**
   * Evaluators for studies, sized for the sandboxes connected when each study (or window) starts. Each
   * holds this connection open until it is released (see retire).
   */
  readonly evaluators: EvaluatorSource = async (data, settings, studyKey) => {
    const slots = (await this.workers()).reduce((sum, w) => sum + w.concurrency, 0);
    this.leases++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      if (--this.leases === 0) this.retired?.close();
    };
    return new QueueEvaluator(this, data, settings, studyKey, Math.max(1, slots), this.options, release);
  };

  /**
   * Closes once no study computes here any more: the user chose another Redis (or this machine) while
   * studies ran, and each finishes where it started, its waiting chunks neither failed nor queued twice.
   */
  retire(): Promise<void> {
    if (this.retired === null) {
      let close!: () => void;
      const closed = new Promise<void>((resolve) => (close = () => resolve(this.close())));
      this.retired = { closed, close };
      if (this.leases === 0) close();
    }
    return this.retired.closed;
  }

  /** Queues a chunk (or finds it queued) and resolves with each trial's stored result text. */
  async run(
    chunk: TrialChunk,
    bars: PendingChunk['bars'],
    signal?: AbortSignal,
  ): Promise<{ results: (string | null)[]; failure: string | null }> {
    const jobId = jobIdOf(
      chunk.studyKey,
      chunk.trials.map((t) => t.number),
    );
    const done = new Promise<{ results: (string | null)[]; failure: string | null }>((resolve, reject) => {
      const pending: PendingChunk = {
        chunk,
        jobId,
        bars,
        checking: false,
        // Both outcomes become trials' failures, which the study's events and record carry.
        settle: ({ results, failure }) => {
          this.pending.delete(jobId);
          signal?.removeEventListener('abort', abort);
          resolve({
            results,
            failure: failure === null ? null : maskedReason(failure, this.options.redisUrl),
          });
        },
        fail: (error) => {
          this.pending.delete(jobId);
          signal?.removeEventListener('abort', abort);
          reject(new Error(maskedReason(error, this.options.redisUrl)));
        },
      };
      const abort = (): void => {
        // Queued work of a cancelled study is taken back; a chunk being computed finishes and is kept.
        void this.queue.remove(jobId).catch(() => undefined);
        pending.fail(new Error('cancelled'));
      };
      if (signal?.aborted === true) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      this.pending.set(jobId, pending);
    });
    const pending = this.pending.get(jobId);
    // Not awaited: adding waits for as long as Redis does not answer, and a chunk cancelled or closed
    // meanwhile must fail at once (its study stops, the app quits); a chunk not added is added by a check.
    if (pending !== undefined)
      void this.enqueue(pending).catch((error: unknown) => pending.fail(error as Error));
    return done;
  }

  private async enqueue(pending: PendingChunk): Promise<void> {
    for (const { fingerprint, bars } of pending.bars) await putBars(this.redis, fingerprint, bars);
    await this.queue.add('trials', pending.chunk, {
      jobId: pending.jobId,
      attempts: ATTEMPTS,
      backoff: { type: 'fixed', delay: 500 },
      removeOnComplete: true,
    });
  }

  private async check(pending: PendingChunk): Promise<void> {
    if (pending.checking) return;
    pending.checking = true;
    try {
      const key = resultsKey(this.engine, pending.chunk.studyKey);
      const results = await this.redis.hmget(key, ...pending.chunk.trials.map((t) => String(t.number)));
      if (results.every((r) => r !== null)) return pending.settle({ results, failure: null });
      const state = await this.queue.getJobState(pending.jobId);
      if (state === 'failed') {
        const job = await this.queue.getJob(pending.jobId);
        const reason = job?.failedReason ?? 'the chunk failed on its worker';
        // Removed so that a resumed study may queue the same range again.
        await job?.remove().catch(() => undefined);
        return pending.settle({ results, failure: reason });
      }
      // Gone with results missing: Redis lost it (restarted empty) or it completed before a restart.
      if (state === 'unknown') await this.enqueue(pending);
    } catch {
      // Redis unreachable for now: the next poll tries again.
    } finally {
      pending.checking = false;
    }
  }

  /** Forgets the results of a finished study. */
  async forget(studyKey: string): Promise<void> {
    await this.redis.del(resultsKey(this.engine, studyKey));
  }

  private closing: Promise<void> | null = null;

  /** Closes now: chunks still waiting fail (the app is quitting); retire() waits for the studies. */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      clearInterval(this.timer);
      for (const pending of this.pending.values()) pending.fail(new Error('remote compute closed'));
      const graceful = (async () => {
        await this.events.close();
        await this.queue.close();
      })();
      // Past the grace period it is left pending: dropping the sockets below is what closes them.
      graceful.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)));
      try {
        await Promise.race([graceful, late]);
      } finally {
        clearTimeout(timer);
        this.eventsRedis.disconnect();
        this.redis.disconnect();
      }
    })());
  }
}

/** One study's evaluator over the queue: its trials, and the analysis's extra backtests, run on workers. */
export class QueueEvaluator implements Evaluator {
  readonly chunkSize?: number;
  private readonly fingerprints: string[];
  private readonly studyKey: string;

  constructor(
    private readonly remote: RemoteCompute,
    private readonly data: StudyDatasets,
    private readonly settings: EvaluatorSettings,
    studyKey: string | undefined,
    readonly threads: number,
    private readonly options: RemoteComputeOptions,
    readonly release: () => void = () => undefined,
  ) {
    if (options.chunkSize !== undefined) this.chunkSize = options.chunkSize;
    this.studyKey = studyKey ?? randomUUID();
    // A dataset's id is its fingerprint when it was loaded whole; a slice (a walk-forward window) gets its own.
    this.fingerprints = data.datasets.map(({ ref }) =>
      /^[0-9a-f]{64}$/.test(ref.id) ? ref.id : datasetFingerprint(ref.bars),
    );
  }

  /**
   * Each set's outcome per dataset (or why it could not run), from one job under `studyKey` whose
   * trials are numbered by `numbers`; `extra` is what each outcome on the first dataset also carries.
   */
  private async outcomes(
    studyKey: string,
    numbers: readonly number[],
    paramSets: readonly Params[],
    extra: Extra,
    signal?: AbortSignal,
  ): Promise<(RemoteOutcome[] | string)[]> {
    const sets = runnableParams(paramSets);
    const runnable = sets.flatMap((params, i) =>
      typeof params === 'string' ? [] : [{ number: numbers[i]!, params }],
    );
    const texts = new Map<number, string | null>();
    let failure: string | null = null;
    if (runnable.length > 0) {
      const chunk: TrialChunk = {
        version: COMPUTE_PROTOCOL_VERSION,
        studyKey,
        datasets: this.fingerprints,
        strategy: this.settings.strategy,
        options: remoteOptions(this.settings),
        // A study warming up before its range: each dataset's first bar of it (see StudySlice's from).
        ...(this.data.datasets.some((slice) => slice.from !== undefined)
          ? { tradeFrom: this.data.datasets.map((slice) => slice.from ?? 0) }
          : {}),
        ...(this.settings.riskFreeRate === undefined ? {} : { riskFreeRate: this.settings.riskFreeRate }),
        trials: runnable,
        trialTimeLimitMs: this.options.trialTimeLimitMs ?? DEFAULT_TRIAL_TIME_LIMIT_MS,
        ...(extra === 'period-returns' ? { periodReturns: true } : {}),
        ...(extra === 'equity' ? { equity: true } : {}),
        ...(typeof extra === 'object' ? extra : {}),
        ...userStrategyOf(this.settings.strategy),
      };
      const bars = this.data.datasets.map(({ ref }, i) => ({
        fingerprint: this.fingerprints[i]!,
        bars: ref.bars,
      }));
      const outcome = await this.remote.run(chunk, bars, signal);
      runnable.forEach((t, i) => texts.set(t.number, outcome.results[i] ?? null));
      failure = outcome.failure;
    }
    return sets.map((params, i) => {
      if (typeof params === 'string') return params;
      const text = texts.get(numbers[i]!) ?? null;
      return text === null ? (failure ?? 'no result') : decodeTrialResult(text, numbers[i]!);
    });
  }

  async evaluateTrials(trials: readonly TrialRequest[], signal?: AbortSignal): Promise<TellResult[]> {
    const outcomes = await this.outcomes(
      this.studyKey,
      trials.map((t) => t.number),
      trials.map((t) => t.params),
      'none',
      signal,
    );
    return outcomes.map((o) => tellResultOf(this.data, this.settings, o));
  }

  /**
   * Sets outside the study, in `threads` jobs under a key of their own: named by the sets, so a resumed
   * study that asks for the same sets finds what was computed, and other sets never read it.
   */
  private async extraOutcomes(
    paramSets: readonly Params[],
    extra: Extra,
    signal?: AbortSignal,
  ): Promise<(RemoteOutcome[] | string)[]> {
    const digest = createHash('sha256')
      .update(JSON.stringify([extra, paramSets]))
      .digest('hex')
      .slice(0, 12);
    const key = `${this.studyKey}-extra-${digest}`;
    const numbered = paramSets.map((params, number) => ({ number, params }));
    const parts = await Promise.all(
      chunks(numbered, this.threads).map((part) =>
        this.outcomes(
          key,
          part.map((p) => p.number),
          part.map((p) => p.params),
          extra,
          signal,
        ),
      ),
    );
    this.extraKeys.add(key);
    return parts.flat();
  }

  private readonly extraKeys = new Set<string>();

  async evaluateMany(paramSets: readonly Params[], signal?: AbortSignal): Promise<TellResult[]> {
    const outcomes = await this.extraOutcomes(paramSets, 'none', signal);
    return outcomes.map((o) => tellResultOf(this.data, this.settings, o));
  }

  async periodReturns(trials: readonly StudyTrial[], signal?: AbortSignal): Promise<(Float64Array | null)[]> {
    const outcomes = await this.extraOutcomes(
      trials.map((t) => t.params),
      'period-returns',
      signal,
    );
    return outcomes.map((o) => {
      const first = typeof o === 'string' ? undefined : o[0];
      return first?.ok === true && first.returns !== undefined ? Float64Array.from(first.returns) : null;
    });
  }

  async equity(params: Params, signal?: AbortSignal): Promise<Float64Array> {
    const [outcome] = await this.extraOutcomes([params], 'equity', signal);
    const first = typeof outcome === 'string' ? outcome : outcome![0]!;
    if (typeof first === 'string') throw new Error(first);
    if (!first.ok) throw new Error(first.error);
    if (first.equity === undefined) throw new Error('the worker sent no equity curve');
    return Float64Array.from(first.equity);
  }

  /**
   * A per-regime study's scoring on the workers: they get each dataset's schedule (run-length encoded)
   * and return a few numbers per regime, not per-bar equity.
   */
  async regimeScores(
    paramSets: readonly Params[],
    schedules: readonly Int8Array[],
    signal?: AbortSignal,
  ): Promise<(RegimeRunScores[] | string)[]> {
    const outcomes = await this.extraOutcomes(
      paramSets,
      { regimeSchedules: schedules.map(encodeSchedule) },
      signal,
    );
    return outcomes.map((o) =>
      typeof o === 'string'
        ? o
        : regimeRunsOf(
            this.data,
            o.map((d) => (!d.ok ? d.error : (d.regimes ?? 'the worker sent no per-regime scores'))),
          ),
    );
  }

  async finished(): Promise<void> {
    for (const key of [this.studyKey, ...this.extraKeys]) await this.remote.forget(key);
  }

  onConnection(listener: (notice: RedisConnectionNotice) => void): () => void {
    return this.remote.onConnection(listener);
  }
}
