/**
 * Failures on loopback with a real Redis: a worker killed mid-chunk, its sandbox child killed, a runaway
 * trial, Redis restarted empty mid-study. In each, no finished trial is lost or told twice (the study
 * would refuse a second, different tell) and the study equals an uninterrupted local run of the seed.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrialRecord } from '../../src/core/optimize/index.ts';
import { resultsKey } from '../../src/main/compute/remote/names.ts';
import { optimizeHarness, type OptimizeHarness } from '../support/studies.ts';
import { startRedis, type TestRedis } from '../support/redisServer.ts';
import { startWorker, type WorkerProcess } from '../support/remoteWorkers.ts';
import { RUNAWAY_FAST, SLOW_SMA } from '../support/slowStrategy.ts';
import { distributedSkip, googStudy, runLocally, runRemotely, skipTitle, strip } from './harness.ts';

const TRIALS = 32;
/**
 * A killed worker's chunk returns after the lock (2 s) and a stalled check (every 1 s) rather than the
 * default 10 s + 5 s: the same path through BullMQ, in a fraction of the wait.
 */
const LOCK_SECONDS = 2;
const SLOW = { strategy: SLOW_SMA.name };
const IMPORTS = ['./test/support/slowStrategy.ts'];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

describe.skipIf(distributedSkip !== null)(`remote workers under failure${skipTitle}`, () => {
  let redis: TestRedis;
  let client: Redis;
  let h: OptimizeHarness;
  let expected: TrialRecord[];
  const workers: WorkerProcess[] = [];
  /** Two workers every case shares (starting one costs seconds); a case that kills one adds its own. */
  let shared: WorkerProcess[] = [];
  const addWorkers = async (n: number): Promise<WorkerProcess[]> => {
    const started = Array.from({ length: n }, () =>
      startWorker(redis.url, { imports: IMPORTS, lockSeconds: LOCK_SECONDS }),
    );
    workers.push(...started);
    await Promise.all(started.map((w) => w.ready));
    return started;
  };
  /** Stored results of the study running now (any study key of this engine). */
  const storedResults = async (): Promise<number> => {
    const keys = await client.keys(resultsKey('*', '*'));
    const counts = await Promise.all(keys.map((k) => client.hlen(k)));
    return counts.reduce((a, b) => a + b, 0);
  };
  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    // The restart case takes Redis away on purpose: this client reconnects, its errors are no news.
    client.on('error', () => undefined);
    h = await optimizeHarness(2);
    const starting = addWorkers(2);
    // The slow strategy is sma-cross with a delay: the local pool runs sma-cross itself.
    expected = await runLocally(h, googStudy(TRIALS));
    shared = await starting;
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    client?.disconnect();
    await h?.close();
    await redis?.stop();
  });

  it('a worker killed with SIGKILL mid-chunk: its chunk comes back to the other worker', async () => {
    const [victim] = await addWorkers(1);
    const run = await runRemotely(
      h,
      googStudy(TRIALS, SLOW),
      { redisUrl: redis.url, chunkSize: 6 },
      async () => {
        await until('the victim runs a trial', () => victim!.sandboxPids().length > 0);
        await until('a few results are stored', async () => (await storedResults()) >= 2);
        await victim!.stop('SIGKILL');
      },
    );
    expect(run.state).toBe('complete');
    expect(run.trials.map(strip)).toEqual(expected.map(strip));
  }, 60_000);

  it('its sandbox child killed: the chunk is retried, written trials are kept', async () => {
    const worker = shared[0]!;
    const sandboxes = worker.sandboxPids().length;
    const run = await runRemotely(
      h,
      googStudy(TRIALS, SLOW),
      { redisUrl: redis.url, chunkSize: 8 },
      async () => {
        await until('a few results are stored', async () => (await storedResults()) >= 3);
        process.kill(worker.sandboxPids().at(-1)!, 'SIGKILL');
      },
    );
    expect(run.state).toBe('complete');
    expect(run.trials.map(strip)).toEqual(expected.map(strip));
    expect(worker.sandboxPids().length).toBeGreaterThan(sandboxes);
    expect(worker.log()).toMatch(/exited during a trial \(SIGKILL\)/);
  }, 60_000);

  it('a runaway trial is stopped at the time limit and recorded as failed; the others complete', async () => {
    // Two runaways among six trials, in chunks of three beside trials that must still complete.
    const grid = { space: ['fast=10:20:5', 'slow=30:40:10'], sampler: { kind: 'grid' as const } };
    const reference = await runLocally(h, googStudy(6, grid));
    const run = await runRemotely(h, googStudy(6, { ...grid, ...SLOW }), {
      redisUrl: redis.url,
      chunkSize: 3,
      trialTimeLimitMs: 1_500,
    });
    const runaway = (t: TrialRecord): boolean => t.params['fast'] === RUNAWAY_FAST;
    expect(run.trials.filter(runaway).length).toBe(2);
    for (const t of run.trials.filter(runaway)) {
      expect(t.status).toBe('failed');
      expect(t.error).toMatch(/time limit of 1500 ms/);
    }
    const others = (trials: TrialRecord[]) => trials.filter((t) => !runaway(t)).map(strip);
    expect(others(run.trials)).toEqual(others(reference));
    expect(run.trials.filter((t) => !runaway(t)).every((t) => t.status === 'complete')).toBe(true);
  }, 60_000);

  it('Redis restarted empty mid-study: the coordinator queues what is still running again', async () => {
    const run = await runRemotely(
      h,
      googStudy(TRIALS, SLOW),
      { redisUrl: redis.url, chunkSize: 4 },
      async () => {
        await until('some results are stored', async () => (await storedResults()) >= 6);
        await redis.restartEmpty();
      },
    );
    expect(run.state).toBe('complete');
    expect(run.trials.map(strip)).toEqual(expected.map(strip));
  }, 60_000);
});
