/**
 * A user strategy on remote workers: the worker has no copy of the coordinator's data folder, so the
 * compiled file travels with the chunk, and the study equals the one run on this machine's pool. A worker
 * runs such code only when started with --allow-user-strategies; otherwise each trial fails saying so.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadUserStrategies } from '../../src/main/services/backtest/userStrategyFiles.ts';
import { tempDir } from '../marketdata/helpers.ts';
import { startRedis, type TestRedis } from '../support/redisServer.ts';
import { startWorker, type WorkerProcess } from '../support/remoteWorkers.ts';
import { optimizeHarness, type OptimizeHarness } from '../support/studies.ts';
import { distributedSkip, googStudy, runLocally, runRemotely, skipTitle, strip } from './harness.ts';

const EXAMPLE = new URL('../../examples/strategies/rsi-reversion.ts', import.meta.url).pathname;

describe.skipIf(distributedSkip !== null)(`a user strategy on remote workers${skipTitle}`, () => {
  const dir = tempDir('regimen-user-strategy-remote-');
  let redis: TestRedis;
  let h: OptimizeHarness;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    mkdirSync(join(dir.path, 'strategies'));
    copyFileSync(EXAMPLE, join(dir.path, 'strategies', 'rsi-reversion.ts'));
    // The same strategy under another name whose top-level code never returns where STALL is set (only
    // in the worker started by the last test, so this process and the local pool load it as usual).
    const stall = readFileSync(EXAMPLE, 'utf8')
      .replace("name: 'rsi-reversion'", "name: 'rsi-stall'")
      .replace(
        /^export default/m,
        "if (process.env['REGIMEN_TEST_STALL'] === '1') for (;;);\nexport default",
      );
    writeFileSync(join(dir.path, 'strategies', 'rsi-stall.ts'), stall);
    // Loaded before the pool starts, as the services do: its workers register what main has.
    expect((await loadUserStrategies(dir.path)).problems).toEqual([]);
    redis = await startRedis();
    h = await optimizeHarness(1, { inProcessBelow: 0 });
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
    await redis?.stop();
    dir.remove();
  });

  const study = (strategy = 'rsi-reversion') =>
    googStudy(12, {
      strategy,
      space: ['period=5:20', 'oversold=20:35', 'overbought=65:80', 'exit=45:55', 'stop_pct=0:3'],
    });

  it('is refused by a worker not started to run user code', async () => {
    worker = startWorker(redis.url);
    await worker.ready;
    const remote = await runRemotely(h, study(), { redisUrl: redis.url, chunkSize: 4 });
    expect(remote.trials).toHaveLength(12);
    for (const trial of remote.trials) {
      expect(trial.status).toBe('failed');
      expect(trial.status === 'failed' ? trial.error : '').toContain('--allow-user-strategies');
    }
    await worker.stop();
    worker = undefined;
  }, 60_000);

  it('equals the local run trial by trial on a worker that allows it', async () => {
    worker = startWorker(redis.url, { allowUserStrategies: true });
    await worker.ready;
    const local = await runLocally(h, study());
    const remote = await runRemotely(h, study(), { redisUrl: redis.url, chunkSize: 4 });
    expect(remote.state).toBe('complete');
    expect(local.filter((t) => t.status === 'complete')).toHaveLength(12);
    expect(remote.trials.map(strip)).toEqual(local.map(strip));
  }, 60_000);

  it('stalls only its sandbox when a file never returns: the time limit fails its trials, the worker goes on', async () => {
    await worker?.stop();
    worker = startWorker(redis.url, { allowUserStrategies: true, env: { REGIMEN_TEST_STALL: '1' } });
    await worker.ready;
    const options = { redisUrl: redis.url, chunkSize: 4, trialTimeLimitMs: 2_000 };
    const stalled = await runRemotely(
      h,
      googStudy(2, { strategy: 'rsi-stall', space: ['period=5:20'] }),
      options,
    );
    expect(stalled.trials.map((t) => (t.status === 'failed' ? t.error : t.status))).toEqual([
      expect.stringContaining('time limit of 2000 ms'),
      expect.stringContaining('time limit of 2000 ms'),
    ]);
    // One chunk, each trial in a child of its own: the second was not sent to the child killed for the
    // first (which failed the chunk's attempt when it exited, or ended the worker when the send found it
    // gone), and the new child's start did not count in the second trial's limit.
    expect(worker.log()).not.toMatch(/chunk \S+ failed/);
    expect(worker.sandboxPids()).toHaveLength(2);
    // The worker itself never ran the file: it still takes chunks, and a built-in study completes.
    const after = await runRemotely(h, googStudy(4), options);
    expect(after.state).toBe('complete');
  }, 90_000);
});
