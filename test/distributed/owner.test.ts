/**
 * `regimen optimize|walk-forward --symbol ... --redis URL` while `regimen serve` owns the data folder:
 * the command goes through the server, which computes on the workers of that Redis (its Settings >
 * Compute choice), and the results equal the same commands run in-process before the server started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerKeyPattern } from '../../src/main/compute/remote/names.ts';
import { runCli } from '../support/runCli.ts';
import { startRedis, type TestRedis } from '../support/redisServer.ts';
import { startWorker, type WorkerProcess } from '../support/remoteWorkers.ts';
import { serve } from '../support/serveProcess.ts';
import { distributedSkip, goog, skipTitle } from './harness.ts';

const cleanups: (() => unknown)[] = [];

describe.skipIf(distributedSkip !== null)(`--redis beside regimen serve${skipTitle}`, () => {
  let redis: TestRedis;
  let client: Redis;
  let worker: WorkerProcess;
  let dataDir: string;
  const d = (): string[] => ['--data-dir', dataDir];
  const study = (): string[] =>
    ['optimize', '--symbol', 'GOOG', '--timeframe', '1d', '--strategy', 'sma-cross']
      .concat(['--space', 'fast=5:30', '--space', 'slow=35:90', '--sampler', 'random'])
      .concat(['--trials', '12', '--seed', '5', '--json', ...d()]);
  const walkForward = (): string[] =>
    ['walk-forward', '--symbol', 'GOOG', '--timeframe', '1d', '--strategy', 'sma-cross']
      .concat(['--space', 'fast=5:30', '--space', 'slow=35:90', '--sampler', 'random', '--trials', '6'])
      .concat([
        '--seed',
        '3',
        '--unit',
        'bars',
        '--train',
        '500',
        '--test',
        '500',
        '--step',
        '500',
        '--json',
        ...d(),
      ]);
  /** Trials the worker has reported (its heartbeat, every 2 s). */
  const workerTrials = async (): Promise<number> => {
    const [key] = await client.keys(workerKeyPattern('*'));
    return key === undefined
      ? 0
      : (JSON.parse((await client.get(key))!) as { trialsDone: number }).trialsDone;
  };
  const settled = async (floor: number): Promise<number> => {
    while ((await workerTrials()) <= floor) await new Promise((resolve) => setTimeout(resolve, 200));
    return workerTrials();
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'regimen-redis-owner-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    redis = await startRedis();
    client = new Redis(redis.url);
    worker = startWorker(redis.url);
    await worker.ready;
  }, 60_000);
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    client?.disconnect();
    await worker?.stop();
    await redis?.stop();
  });

  it('runs the study and the walk-forward in the server, on the workers, equal to in-process runs', async () => {
    expect((await runCli(['data', 'import', goog.path, '--symbol', 'GOOG', ...d()])).code).toBe(0);
    const studyHere = await runCli(study());
    expect(studyHere.code, studyHere.stderr).toBe(0);
    const walkHere = await runCli(walkForward());
    expect(walkHere.code, walkHere.stderr).toBe(0);

    // Sources, like the worker: the engine hash (the queue's name) is that of the code both run.
    await serve(dataDir, cleanups, [], { REGIMEN_FROM_SOURCES: '1' });
    const studyThere = await runCli([...study(), '--redis', redis.url]);
    expect(studyThere.code, studyThere.stderr).toBe(0);
    expect(studyThere.stderr).toMatch(
      /now computes on redis:\/\/127\.0\.0\.1:\d+\/? .*1 worker\(s\) connected/,
    );
    expect(studyThere.stderr).toMatch(/running in the Regimen server/);
    const afterStudy = await settled(0);
    const trials = (stdout: string) =>
      (JSON.parse(stdout) as { trials: { number: number; params: unknown; values: unknown }[] }).trials.map(
        (t) => ({ number: t.number, params: t.params, values: t.values }),
      );
    expect(trials(studyThere.stdout)).toEqual(trials(studyHere.stdout));

    const walkThere = await runCli([...walkForward(), '--redis', redis.url]);
    expect(walkThere.code, walkThere.stderr).toBe(0);
    expect(await settled(afterStudy)).toBeGreaterThan(afterStudy);
    const windows = (stdout: string) => {
      const r = JSON.parse(stdout) as { windows: unknown[]; outOfSample: unknown; equity: unknown };
      return { windows: r.windows, outOfSample: r.outOfSample, equity: r.equity };
    };
    expect(windows(walkThere.stdout)).toEqual(windows(walkHere.stdout));
  }, 120_000);
});
