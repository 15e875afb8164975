import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpace, type TrialRecord } from '../../src/core/optimize/index.ts';
import { RemoteCompute } from '../../src/main/services/compute/queueEvaluator.ts';
import { OptimizeService } from '../../src/main/services/optimize/optimizeService.ts';
import { studyRecords } from '../../src/main/services/optimize/studyRecords.ts';
import type { NewStudy } from '../../src/main/services/optimize/studySetup.ts';
import { sharedDataFile } from '../support/sharedData.ts';
import { optimizeHarness, smaCrossDefinition, type OptimizeHarness } from '../support/studies.ts';
import { redisMissing, startRedis, type TestRedis } from '../support/redisServer.ts';
import { startWorker, type WorkerProcess } from '../support/remoteWorkers.ts';

const goog = sharedDataFile('GOOG.csv');
const missing = redisMissing() ?? (goog.present ? null : `${goog.path} is absent`);

function study(trials: number, sampler: NewStudy['sampler'] = { kind: 'random' }): NewStudy {
  return {
    name: 'remote',
    definition: smaCrossDefinition({ kind: 'file', path: goog.path }, ['native'], trials),
    space: parseSpace(['fast=2:40', 'slow=10:120'], ['fast<slow']),
    sampler,
    objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
    seed: 11,
    minTrades: 0,
  };
}

const strip = (t: TrialRecord) => ({
  number: t.number,
  params: t.params,
  status: t.status,
  values: t.values,
  metrics: t.metrics,
  error: t.error,
});

describe.skipIf(missing !== null)(
  `remote workers over Redis${missing === null ? '' : ` (skipped: ${missing})`}`,
  () => {
    let redis: TestRedis;
    let h: OptimizeHarness;
    const workers: WorkerProcess[] = [];
    beforeAll(async () => {
      redis = await startRedis();
      h = await optimizeHarness(2);
      workers.push(startWorker(redis.url, { concurrency: 2 }));
      await Promise.all(workers.map((w) => w.ready));
    }, 60_000);
    afterAll(async () => {
      await Promise.all(workers.map((w) => w.stop()));
      await h?.close();
      await redis?.stop();
    });

    it('a study on workers equals the same study run locally, trial by trial', async () => {
      const local = await h.service.create(study(40));
      await h.service.resume(local);
      const expected = await h.service.wait(local);

      const remote = await RemoteCompute.connect({ redisUrl: redis.url, pool: h.pool, chunkSize: 3 });
      try {
        const service = new OptimizeService({
          studies: studyRecords(h.db),
          bars: h.bars,
          pool: h.pool,
          events: h.events,
          compute: remote.evaluators,
        });
        const id = await service.create(study(40));
        await service.resume(id);
        const detail = await service.wait(id);
        expect(detail.summary.state).toBe('complete');
        const stored = await studyRecords(h.db).loadTrials(id);
        const storedLocal = await studyRecords(h.db).loadTrials(local);
        expect(stored.map(strip)).toEqual(storedLocal.map(strip));
        expect(expected.summary.trialsDone).toBe(40);
      } finally {
        await remote.close();
      }
    }, 60_000);
  },
);
