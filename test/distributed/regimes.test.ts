/**
 * A per-regime study whose trials ran on remote workers is scored per regime there too (issue 11 item
 * 8): the workers get each timeframe's regime schedule and return per-regime metrics, and the sets equal
 * those of the same study run on this machine. Here only the labelling runs: no trial is run again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComputePool } from '../../src/main/compute/pool.ts';
import type { WorkerTask } from '../../src/main/compute/tasks.ts';
import { studyRecords } from '../../src/main/services/optimize/studyRecords.ts';
import type { NewStudy } from '../../src/main/services/optimize/studySetup.ts';
import { optimizeHarness, type OptimizeHarness } from '../support/studies.ts';
import { startRedis, type TestRedis } from '../support/redisServer.ts';
import { startWorker, type WorkerProcess } from '../support/remoteWorkers.ts';
import { distributedSkip, googStudy, runRemotely, skipTitle, strip } from './harness.ts';

/** GOOG's day and week bars, combined by the worst, scored per volatility regime of the rule detector. */
function regimeStudy(): NewStudy {
  const study = googStudy(24, { space: ['fast=3:12', 'slow=13:40'] });
  return {
    ...study,
    definition: {
      ...study.definition,
      timeframes: ['native', '1w'],
      perRegime: { detector: 'rules', axis: 'volatility', minTrades: 3, minDwell: 5 },
    },
  };
}

describe.skipIf(distributedSkip !== null)(`a per-regime study on remote workers${skipTitle}`, () => {
  let redis: TestRedis;
  let h: OptimizeHarness;
  let worker: WorkerProcess;
  beforeAll(async () => {
    redis = await startRedis();
    h = await optimizeHarness(2);
    worker = startWorker(redis.url);
    await worker.ready;
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
    await redis?.stop();
  });

  it('scores per regime on the workers, with the same sets as the local run', async () => {
    const id = await h.service.create(regimeStudy());
    await h.service.resume(id);
    const local = await h.service.wait(id);
    expect(local.perRegime?.error).toBeNull();
    expect(local.perRegime?.result?.timeframes).toEqual(['1d', '1w']);

    const kinds: WorkerTask['kind'][] = [];
    const counting = {
      threads: h.pool.threads,
      run: (task: WorkerTask, signal?: AbortSignal) => {
        kinds.push(task.kind);
        return h.pool.run(task, signal);
      },
    } as unknown as ComputePool;
    const remote = await runRemotely({ ...h, pool: counting }, regimeStudy(), {
      redisUrl: redis.url,
      chunkSize: 6,
    });
    expect(remote.state).toBe('complete');
    expect(remote.trials.map(strip)).toEqual((await studyRecords(h.db).loadTrials(id)).map(strip));
    expect(remote.detail.perRegime).toEqual(local.perRegime);
    // At least one regime chose a set of its own: the equality is not only of fallbacks.
    expect(local.perRegime!.result!.regimes.some((r) => !r.fellBack)).toBe(true);
    // This machine labelled each timeframe once; every backtest of the scoring ran on the worker.
    expect(kinds.sort()).toEqual(['regime-labels', 'regime-labels']);
  }, 120_000);
});
