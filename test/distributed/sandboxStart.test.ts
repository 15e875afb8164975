/**
 * A sandbox child that never gets ready (stuck loading on a slow disk or a hung mount): its start is
 * bounded by --sandbox-start-seconds, so the chunk's attempts fail and its trials fail naming the limit,
 * where the worker used to wait for the child's first message for good while renewing the chunk's lock
 * (the study never ended, and no other worker could take the chunk).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../support/redisServer.ts';
import { startWorker, type WorkerProcess } from '../support/remoteWorkers.ts';
import { optimizeHarness, type OptimizeHarness } from '../support/studies.ts';
import { distributedSkip, googStudy, runRemotely, skipTitle } from './harness.ts';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(distributedSkip !== null)(`a sandbox that never gets ready${skipTitle}`, () => {
  let redis: TestRedis;
  let h: OptimizeHarness;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    h = await optimizeHarness(1);
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
    await redis?.stop();
  });

  it('is killed at the start limit and the chunk fails naming it, instead of holding it for good', async () => {
    worker = startWorker(redis.url, {
      imports: ['./test/support/sandboxNeverReady.ts'],
      sandboxStartSeconds: 1,
    });
    await worker.ready;
    const run = await runRemotely(h, googStudy(2), {
      redisUrl: redis.url,
      chunkSize: 4,
      trialTimeLimitMs: 60_000,
    });
    expect(run.trials.map((t) => (t.status === 'failed' ? t.error : t.status))).toEqual([
      expect.stringMatching(/sandbox pid \d+ was not ready 1 s after it started/),
      expect.stringMatching(/sandbox pid \d+ was not ready 1 s after it started/),
    ]);
    // Each attempt started a child of its own and killed it: none is left waiting on this machine.
    const pids = worker.sandboxPids();
    expect(pids.length).toBeGreaterThan(1);
    await expect.poll(() => pids.filter(alive)).toEqual([]);
    expect(worker.child.exitCode).toBeNull();
  }, 60_000);
});
