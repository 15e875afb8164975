/**
 * Settings > Compute through the HTTP host, as the renderer uses it, with a real Redis that wants a
 * password: choosing Redis keeps the password out of every answer, error, log line, the data folder,
 * DuckDB and Redis's own keys; the connected worker shows with its host and cores; a study started the
 * way the Optimize view starts one then runs on that worker and equals the same study computed here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ComputeStatus, StudyDetail } from '../../src/shared/contract.ts';
import { redisMissing, startRedis, type TestRedis } from '../support/redisServer.ts';
import { startWorker, type WorkerProcess } from '../support/remoteWorkers.ts';
import { HOST_STUDY, startServiceHost, type ServiceHost } from '../support/serviceHost.ts';

const PASSWORD = 'Pa55-compute-secret-7731';
const skip = redisMissing();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skip !== null)(`Settings > Compute${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let redis: TestRedis;
  let h: ServiceHost;
  let worker: WorkerProcess;
  const printed: string[] = [];
  const withPassword = (): string => `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;

  beforeAll(async () => {
    redis = await startRedis(['--requirepass', PASSWORD]);
    h = await startServiceHost();
    // Everything the services print while the test runs is kept, to be searched for the password.
    for (const method of ['log', 'warn', 'error', 'info'] as const)
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
    worker = startWorker(redis.url, { env: { REGIMEN_REDIS_PASSWORD: PASSWORD } });
    await worker.ready;
  }, 60_000);
  afterAll(async () => {
    vi.restoreAllMocks();
    await worker?.stop();
    await h?.close();
    await redis?.stop();
  });

  const status = async (): Promise<ComputeStatus> =>
    (await h.post('compute:status', {})).body as ComputeStatus;

  const startStudy = async (): Promise<string> => {
    const started = await h.post('optimize:start', HOST_STUDY);
    expect(started.status).toBe(200);
    return (started.body as { studyId: string }).studyId;
  };
  const ended = async (studyId: string): Promise<StudyDetail> => {
    for (;;) {
      const detail = (await h.post('optimize:get', { studyId, includeTrials: true })).body as StudyDetail;
      if (['complete', 'failed', 'cancelled'].includes(detail.summary.state)) return detail;
      await sleep(100);
    }
  };
  const runStudy = async (): Promise<StudyDetail> => ended(await startStudy());
  /** The study computed on this machine, which every other run must equal trial by trial. */
  let local: StudyDetail;
  const trialsOf = (detail: StudyDetail) =>
    detail.trials.map((t) => ({ number: t.number, params: t.params, status: t.status, values: t.values }));

  it('refuses what it cannot use in a plain sentence, storing nothing', async () => {
    const wrong = await h.post('compute:test', {
      redisUrl: `redis://:WrongPa55word@127.0.0.1:${redis.port}`,
    });
    expect(wrong.body).toMatchObject({
      ok: false,
      error: expect.stringMatching(/WRONGPASS|invalid.*password/i),
    });
    expect(JSON.stringify(wrong.body)).not.toContain('WrongPa55word');

    const notUrl = await h.post('compute:choose', { target: 'redis', redisUrl: 'localhost:6379' });
    expect(notUrl.status).toBe(400);
    expect(JSON.stringify(notUrl.body)).toMatch(/redis:\/\/ or rediss:\/\//);

    const closed = await h.post('compute:choose', {
      target: 'redis',
      redisUrl: `redis://:${PASSWORD}@127.0.0.1:9`,
    });
    expect(closed.status).toBeGreaterThanOrEqual(500);
    expect(JSON.stringify(closed.body)).toMatch(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:9/);
    expect(await status()).toMatchObject({
      target: 'local',
      password: 'none',
      connection: { state: 'local' },
    });
  }, 30_000);

  it('chooses Redis, shows its worker, and runs the next study there, equal to this machine', async () => {
    local = await runStudy();
    expect(local.summary.state).toBe('complete');

    const tested = await h.post('compute:test', { redisUrl: withPassword() });
    expect(tested.body).toMatchObject({ ok: true, redisUrl: `redis://:***@127.0.0.1:${redis.port}` });
    const chosen = await h.post('compute:choose', { target: 'redis', redisUrl: withPassword() });
    expect(chosen.status).toBe(200);
    expect(chosen.body).toMatchObject({
      target: 'redis',
      redisUrl: `redis://:***@127.0.0.1:${redis.port}`,
      password: 'saved',
      connection: { state: 'connected' },
    });
    let seen = await status();
    while (seen.workers.length === 0) seen = (await sleep(100), await status());
    expect(seen.workers).toEqual([
      expect.objectContaining({ pid: worker.child.pid, concurrency: 1, cores: expect.any(Number) }),
    ]);
    expect(seen.workers[0]!.host).not.toBe('');

    const remote = await runStudy();
    expect(remote.summary.state).toBe('complete');
    expect(trialsOf(remote)).toEqual(trialsOf(local));
    expect(worker.sandboxPids().length).toBeGreaterThan(0);
    // The heartbeat (every 2 s) brings the worker's count: the 12 trials and the analysis's backtests.
    let after = await status();
    while ((after.workers[0]?.trialsDone ?? 0) < 12) after = (await sleep(200), await status());
    expect(after.workers[0]!.trialsDone).toBeGreaterThanOrEqual(12);

    // Back to this machine: the URL is kept (masked) for next time, the worker list is empty.
    expect((await h.post('compute:choose', { target: 'local' })).body).toMatchObject({
      target: 'local',
      redisUrl: `redis://:***@127.0.0.1:${redis.port}`,
      workers: [],
    });

    // The masked URL the page shows, chosen again as it is, means the saved password.
    const again = await h.post('compute:choose', {
      target: 'redis',
      redisUrl: `redis://:***@127.0.0.1:${redis.port}`,
    });
    expect(again.body).toMatchObject({
      target: 'redis',
      password: 'saved',
      connection: { state: 'connected' },
    });

    // Nowhere but the secret store: answers, printed lines, the data folder (settings file, DuckDB) and Redis.
    const answers = JSON.stringify([tested.body, chosen.body, seen, after, remote]);
    const files = readdirSync(h.dataDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'));
    expect(files.join('').length).toBeGreaterThan(0);
    const client = new Redis(withPassword());
    const stored: string[] = [];
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      if (type === 'string') stored.push((await client.getBuffer(key))!.toString('latin1'));
      else if (type === 'hash') stored.push(JSON.stringify(await client.hgetall(key)));
      else if (type === 'stream') stored.push(JSON.stringify(await client.xrange(key, '-', '+')));
    }
    client.disconnect();
    // Completed jobs are removed; the bars, the event stream and the worker's heartbeat remain.
    expect(stored.length).toBeGreaterThan(0);
    for (const [where, text] of Object.entries({
      answers,
      printed: printed.join('\n'),
      files: files.join('\n'),
      redis: stored.join('\n'),
      worker: worker.log(),
    }))
      expect({ where, leaked: text.includes(PASSWORD) }).toEqual({ where, leaked: false });
  }, 60_000);

  it('finishes a running study on the Redis it started on when the URL changes: nothing lost or told twice', async () => {
    // No worker listens for now: the study's chunks wait in this Redis's queue while the choice changes.
    await worker.stop();
    const studyId = await startStudy();
    const other = await startRedis(['--requirepass', PASSWORD]);
    try {
      const moved = await h.post('compute:choose', {
        target: 'redis',
        redisUrl: `redis://127.0.0.1:${other.port}`,
      });
      expect(moved.body).toMatchObject({
        redisUrl: `redis://:***@127.0.0.1:${other.port}`,
        connection: { state: 'connected' },
      });
      worker = startWorker(redis.url, { env: { REGIMEN_REDIS_PASSWORD: PASSWORD } });
      await worker.ready;
      const detail = await ended(studyId);
      expect(detail.summary.state).toBe('complete');
      expect(trialsOf(detail)).toEqual(trialsOf(local));
      expect(worker.sandboxPids().length).toBeGreaterThan(0);
      // Nothing of it went to the Redis chosen since: no job, no results, no bars (only the queue's
      // settings, which BullMQ writes on connecting).
      const client = new Redis(`redis://:${PASSWORD}@127.0.0.1:${other.port}`);
      expect((await client.keys('*')).filter((key) => !key.endsWith(':meta'))).toEqual([]);
      client.disconnect();
    } finally {
      await h.post('compute:choose', { target: 'local' });
      await other.stop();
    }
  }, 60_000);
});
