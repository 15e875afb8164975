import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrialRecord } from '../../src/core/optimize/index.ts';
import { optimizeHarness, type OptimizeHarness } from '../support/studies.ts';
import { startRedis, type TestRedis } from '../support/redisServer.ts';
import { startWorker, type WorkerProcess } from '../support/remoteWorkers.ts';
import type { ComputePool } from '../../src/main/compute/pool.ts';
import { RemoteCompute } from '../../src/main/services/compute/queueEvaluator.ts';
import { runWalkForwardJob } from '../../src/main/services/optimize/walkForwardService.ts';
import {
  distributedSkip,
  googStudy,
  googWalkForward,
  runLocally,
  runRemotely,
  skipTitle,
  strip,
} from './harness.ts';

const TRIALS = 32;

describe.skipIf(distributedSkip !== null)(`a study on remote workers${skipTitle}`, () => {
  let redis: TestRedis;
  let h: OptimizeHarness;
  let expected: TrialRecord[];
  const workers: WorkerProcess[] = [];
  const addWorkers = async (n: number, imports?: string[]): Promise<WorkerProcess[]> => {
    const started = Array.from({ length: n }, () =>
      startWorker(redis.url, imports === undefined ? {} : { imports }),
    );
    workers.push(...started);
    await Promise.all(started.map((w) => w.ready));
    return started;
  };
  beforeAll(async () => {
    redis = await startRedis();
    h = await optimizeHarness(2);
    expected = await runLocally(h, googStudy(TRIALS));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await h?.close();
    await redis?.stop();
  });

  // Workers are added between cases: 1, then 2, then 4 listening on the queue.
  it.each([
    { workers: 1, chunkSize: 1 },
    { workers: 2, chunkSize: 5 },
    { workers: 4, chunkSize: 16 },
  ])(
    'equals the local run trial by trial with $workers worker(s) and chunks of $chunkSize',
    async (c) => {
      await addWorkers(c.workers - workers.length);
      const run = await runRemotely(h, googStudy(TRIALS), { redisUrl: redis.url, chunkSize: c.chunkSize });
      expect(run.state).toBe('complete');
      expect(run.trials.map(strip)).toEqual(expected.map(strip));
      expect(run.trials.filter((t) => t.status === 'complete')).toHaveLength(TRIALS);
    },
    60_000,
  );

  it('equals the local run at a non-zero risk-free rate (the rate travels with the chunks)', async () => {
    const study = googStudy(12);
    const atRate = { ...study, definition: { ...study.definition, riskFreePercent: 4 } };
    const local = await runLocally(h, atRate);
    const run = await runRemotely(h, atRate, { redisUrl: redis.url, chunkSize: 4 });
    expect(run.trials.map(strip)).toEqual(local.map(strip));
    // The rate was applied: the same trials at 0 % have other Sharpe ratios.
    const sharpe = (trials: TrialRecord[]) => trials.map((t) => t.metrics?.['sharpeRatio']);
    expect(sharpe(run.trials)).not.toEqual(sharpe(await runLocally(h, study)));
  }, 60_000);

  it('a walk-forward equals the local run window by window, its test windows computed on the workers too', async () => {
    // At a non-zero risk-free rate, which the workers must apply as this machine's pool does.
    const job = { ...googWalkForward(), riskFreePercent: 4 };
    const here = { pool: h.pool, bars: null, windows: null, events: h.events };
    const local = await runWalkForwardJob(job, here);
    // A pool that refuses every task: nothing of the distributed run may compute on this machine.
    const refusing = {
      threads: 2,
      run: () => Promise.reject(new Error('computed on this machine')),
    } as unknown as ComputePool;
    const remote = await RemoteCompute.connect({ redisUrl: redis.url, pollMs: 250 });
    try {
      const run = await runWalkForwardJob(job, { ...here, pool: refusing, compute: remote.evaluators });
      expect(run.windows.length).toBeGreaterThanOrEqual(3);
      expect(run.windows).toEqual(local.windows);
      expect(run.equity).toEqual(local.equity);
      expect(run.outOfSample).toEqual(local.outOfSample);
    } finally {
      await remote.close();
    }
  }, 60_000);

  it('while no worker of this code runs, chunks wait: a worker of other code takes none, and no payload holds a secret', async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    const [other] = await addWorkers(1, ['./test/support/otherCode.ts']);
    const secrets = { APCA_API_KEY_ID: 'PKSECRETKEYID7777', APCA_API_SECRET_KEY: 'secretvalue-9999-zz' };
    Object.assign(process.env, secrets);
    const client = new Redis(redis.url);
    const seen: string[] = [];
    let otherQueue = '';
    try {
      const run = await runRemotely(
        h,
        googStudy(TRIALS),
        { redisUrl: redis.url, chunkSize: 4 },
        async (remote) => {
          otherQueue = /on queue (\S+)/.exec(other!.log())![1]!;
          expect(otherQueue).not.toBe(remote.queueName);
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          // Everything in Redis while the chunks wait: job hashes, the event stream, heartbeats, bars.
          for (const key of await client.keys('*')) {
            const type = await client.type(key);
            if (type === 'string') seen.push((await client.getBuffer(key))!.toString('latin1'));
            else if (type === 'hash') seen.push(JSON.stringify(await client.hgetall(key)));
            else if (type === 'stream') seen.push(JSON.stringify(await client.xrange(key, '-', '+')));
            else if (type === 'list') seen.push(JSON.stringify(await client.lrange(key, 0, -1)));
            else if (type === 'zset') seen.push(JSON.stringify(await client.zrange(key, 0, -1)));
          }
          await addWorkers(1);
        },
      );
      expect(run.trials.map(strip)).toEqual(expected.map(strip));
    } finally {
      client.disconnect();
      for (const name of Object.keys(secrets)) delete process.env[name];
    }
    expect(other!.sandboxPids()).toEqual([]);
    const text = seen.join('\n');
    const payloads = text.match(/studyKey/g) ?? [];
    expect(payloads.length).toBeGreaterThan(0);
    const leaked = [...Object.values(secrets), 'APCA', 'secret', 'token', 'password'].filter((s) =>
      text.toLowerCase().includes(s.toLowerCase()),
    );
    expect(leaked).toEqual([]);
  }, 60_000);
});
