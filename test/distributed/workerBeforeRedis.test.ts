/**
 * `regimen worker` started before its Redis (another machine's, not up yet) says that it cannot reach it,
 * on each failed attempt at most every REPORT_FAILURES_EVERY_MS, with the attempt's number and never the
 * password; it keeps trying, says when it connects and then takes trials. It used to print one error and
 * wait in silence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECONNECT_MS } from '../../src/main/compute/remote/remoteWorker.ts';
import { freePort, startRedis, type TestRedis } from '../support/redisServer.ts';
import { startWorker, type WorkerProcess } from '../support/remoteWorkers.ts';
import { optimizeHarness, type OptimizeHarness } from '../support/studies.ts';
import { distributedSkip, googStudy, runRemotely, skipTitle } from './harness.ts';

const PASSWORD = 'worker-waits-secret-5521';

describe.skipIf(distributedSkip !== null)(`a worker started before its Redis${skipTitle}`, () => {
  let redis: TestRedis | undefined;
  let worker: WorkerProcess | undefined;
  let h: OptimizeHarness;
  beforeAll(async () => {
    h = await optimizeHarness(1);
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
    await redis?.stop();
  });

  it('says each failed attempt (throttled, numbered, no password), keeps trying, connects and takes trials', async () => {
    const port = await freePort();
    const url = `redis://:${PASSWORD}@127.0.0.1:${port}`;
    const masked = `redis://:***@127.0.0.1:${port}`;
    worker = startWorker(url);
    const failures = (): { attempt: number; line: string }[] =>
      [
        ...worker!
          .log()
          .matchAll(/^cannot reach Redis at (.*) \((.*)\), retrying every (\d+) s — attempt (\d+)$/gm),
      ].map((m) => ({ attempt: Number(m[4]), line: m[0] }));
    // The first failure at once, a later one after the throttle: the worker is still trying.
    await expect.poll(() => failures().length, { timeout: 40_000, interval: 250 }).toBeGreaterThanOrEqual(2);
    const [first, second] = failures();
    expect(first!.line).toBe(
      `cannot reach Redis at ${masked} (ECONNREFUSED), retrying every ${RECONNECT_MS / 1000} s — attempt 1`,
    );
    // Throttled: the attempts between two lines were made but not each said.
    expect(second!.attempt).toBeGreaterThan(first!.attempt + 1);
    expect(worker.log()).not.toContain('taking trials from');

    redis = await startRedis(['--requirepass', PASSWORD], port);
    await worker.ready;
    expect(worker.log()).toMatch(
      new RegExp(
        `^connected to Redis at ${masked.replace(/[*.]/g, '\\$&')} after \\d+ failed attempt\\(s\\)$`,
        'm',
      ),
    );
    const run = await runRemotely(h, googStudy(4), { redisUrl: url, chunkSize: 2 });
    expect(run.state).toBe('complete');
    expect(run.trials.filter((t) => t.status === 'complete')).toHaveLength(4);
    expect(worker.log()).not.toContain(PASSWORD);
  }, 120_000);
});
