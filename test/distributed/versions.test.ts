/**
 * A remote worker refuses work of another version in words, against a real redis-server: a chunk naming
 * a strategy version this build lacks fails each of its trials with both versions named (each result
 * written once, the worker goes on with the next chunk), and a chunk of another compute protocol version
 * fails at once, without retries, with nothing written.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPUTE_PROTOCOL_VERSION, type TrialChunk } from '../../src/shared/computeProtocol.ts';
import { engineHash, resultsKey } from '../../src/main/compute/remote/names.ts';
import { loadDataset } from '../../src/main/marketdata/barsSource.ts';
import { RemoteCompute } from '../../src/main/services/compute/queueEvaluator.ts';
import type { EvaluatorSettings } from '../../src/main/services/optimize/evaluator.ts';
import { oneSliceData, type StudyDatasets } from '../../src/main/services/optimize/studySetup.ts';
import { studyStrategyRef } from '../../src/main/services/backtest/strategyCatalog.ts';
import { startRedis, type TestRedis } from '../support/redisServer.ts';
import { startWorker, type WorkerProcess } from '../support/remoteWorkers.ts';
import { distributedSkip, goog, skipTitle } from './harness.ts';

const TRIALS = [
  { number: 0, params: { fast: 10, slow: 30 }, seed: 1 },
  { number: 1, params: { fast: 15, slow: 45 }, seed: 2 },
  { number: 2, params: { fast: 20, slow: 60 }, seed: 3 },
];

describe.skipIf(distributedSkip !== null)(`a remote worker of another version${skipTitle}`, () => {
  let redis: TestRedis;
  let client: Redis;
  let worker: WorkerProcess;
  let remote: RemoteCompute;
  let data: StudyDatasets;
  const settings = (version: string): EvaluatorSettings => ({
    strategy: { ...studyStrategyRef('sma-cross'), version },
    options: { cash: 10_000 },
    objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
    aggregation: 'mean',
  });
  const stored = (studyKey: string): Promise<number> => client.hlen(resultsKey(engineHash(), studyKey));

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: null });
    worker = startWorker(redis.url);
    const dataset = await loadDataset({ kind: 'file', path: goog.path }, 'native', {}, null);
    data = oneSliceData(dataset.label, 'native', dataset);
    await worker.ready;
    remote = await RemoteCompute.connect({ redisUrl: redis.url, chunkSize: 3, pollMs: 250 });
  }, 60_000);
  afterAll(async () => {
    await remote?.close();
    client?.disconnect();
    await worker?.stop();
    await redis?.stop();
  });

  it('fails each trial of another strategy version naming both, once, and goes on working', async () => {
    const ours = studyStrategyRef('sma-cross').version;
    const other = await remote.evaluators(data, settings('0-other'), 'versions-strategy');
    const refused = await other.evaluateTrials(TRIALS);
    expect(refused).toHaveLength(TRIALS.length);
    for (const result of refused) {
      expect(result.status).toBe('failed');
      const error = result.status === 'failed' ? result.error : '';
      expect(error).toContain('sma-cross');
      expect(error).toContain('0-other');
      expect(error).toContain(ours);
    }
    expect(await stored('versions-strategy')).toBe(TRIALS.length);

    const same = await remote.evaluators(data, settings(ours), 'versions-same');
    const ran = await same.evaluateTrials(TRIALS);
    expect(ran.map((r) => r.status)).toEqual(['complete', 'complete', 'complete']);
    expect(await stored('versions-same')).toBe(TRIALS.length);
    expect(worker.child.exitCode).toBeNull();
  }, 60_000);

  it('refuses a chunk of another protocol version at once, in words, writing nothing', async () => {
    // Each version changes what a chunk means (7: a study's slices trade from the first bar of its range,
    // the bars before only warming up); the previous version's coordinator is refused by its version.
    const version = COMPUTE_PROTOCOL_VERSION - 1;
    const previous = {
      version,
      studyKey: 'versions-protocol-previous',
      datasets: [data.datasets[0]!.ref.id],
      strategy: studyStrategyRef('sma-cross'),
      options: { cash: 10_000 },
      trials: TRIALS.map(({ number, params }) => ({ number, params })),
      trialTimeLimitMs: 10_000,
    } as unknown as TrialChunk;
    const old = await remote.run(previous, []);
    expect(old.results).toEqual([null, null, null]);
    expect(old.failure).toContain(
      `compute protocol version ${version}: this worker speaks version ${COMPUTE_PROTOCOL_VERSION}`,
    );
    expect(await stored('versions-protocol-previous')).toBe(0);

    const chunk = {
      version: 1,
      studyKey: 'versions-protocol',
      datasets: [data.datasets[0]!.ref.id],
      // Version 1 named the strategy only.
      strategy: 'sma-cross',
      options: { cash: 10_000 },
      trials: TRIALS.map(({ number, params }) => ({ number, params })),
      trialTimeLimitMs: 10_000,
    } as unknown as TrialChunk;
    const outcome = await remote.run(chunk, []);
    expect(outcome.results).toEqual([null, null, null]);
    expect(outcome.failure).toContain(
      `compute protocol version 1: this worker speaks version ${COMPUTE_PROTOCOL_VERSION}`,
    );
    expect(await stored('versions-protocol')).toBe(0);
    // Refused once, not retried: the worker said so once.
    expect(worker.log().match(/protocol version 1/g)).toHaveLength(1);
    expect(worker.child.exitCode).toBeNull();
  }, 60_000);
});
