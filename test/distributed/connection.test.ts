/**
 * What a coordinator says of its Redis that the study itself cannot show: Redis going away (the study
 * only waits for it) and coming back, and workers that are there but run other code (they take nothing).
 * Hosts are named, never the password.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerKey } from '../../src/main/compute/remote/names.ts';
import type { Backend } from '../../src/main/cli/backend.ts';
import {
  chooseRedisOnOwner,
  connectionLine,
  remoteFrom,
} from '../../src/main/cli/commands/compute/remoteCompute.ts';
import type { ComputePool } from '../../src/main/compute/pool.ts';
import { MemorySecretStore } from '../../src/main/secrets/secretStore.ts';
import { ComputeChoice } from '../../src/main/services/compute/computeChoice.ts';
import { RemoteCompute } from '../../src/main/services/compute/queueEvaluator.ts';
import { captureIO } from '../support/captureIO.ts';
import { redisMissing, startRedis, type TestRedis } from '../support/redisServer.ts';

const PASSWORD = 'never-in-a-message-7f3';
const skip = redisMissing();

describe.skipIf(skip !== null)(`a coordinator's Redis${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let redis: TestRedis;
  let url: string;
  beforeAll(async () => {
    redis = await startRedis(['--requirepass', PASSWORD]);
    url = redis.url.replace('redis://', `redis://:${PASSWORD}@`);
  }, 30_000);
  afterAll(async () => {
    await redis?.stop();
  });

  it('says once that Redis is lost and once that it is back, without the password', async () => {
    const messages: string[] = [];
    const remote = await RemoteCompute.connect({
      redisUrl: url,
      onConnection: (notice) => messages.push(connectionLine(notice)),
    });
    try {
      expect(messages).toEqual([]);
      // Down for 1.5 s: several reconnects fail meanwhile, and only the first failure is reported.
      await redis.restartEmpty(1_500);
      await expect.poll(() => messages.length, { timeout: 15_000 }).toBe(2);
      expect(messages[0]).toMatch(
        new RegExp(`^lost Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}.*ECONNREFUSED.*waiting`),
      );
      expect(messages[1]).toBe(`Redis at redis://:***@127.0.0.1:${redis.port} is back: the study goes on\n`);
      expect(messages.join('\n')).not.toContain(PASSWORD);
    } finally {
      await remote.close();
    }
  }, 30_000);

  it('names workers that run other code when none runs this code, here and beside a data folder owner', async () => {
    // A heartbeat as a worker built from another commit writes it: under its own engine's hash.
    const client = new Redis(url);
    const info = { id: 'w1', host: 'old-box', pid: 1, concurrency: 2, cores: 2, startedAt: 0 };
    await client.set(
      workerKey('0123456789abcdef', 'w1'),
      JSON.stringify({ ...info, trialsDone: 0, trialsPerSecond: 0 }),
      'PX',
      60_000,
    );
    client.disconnect();
    const io = captureIO();
    const remote = await remoteFrom({ values: { redis: url }, positionals: [] }, io);
    await remote?.close();
    expect(io.stderr).toContain('no worker is connected');
    expect(io.stderr).toContain(
      '1 worker(s) there (old-box) run other code and take none of these trials: start them from the same commit',
    );
    expect(io.stderr).not.toContain(PASSWORD);

    // The owner (the app or `regimen serve`) computes the study: its status names them for the note.
    const dataDir = mkdtempSync(join(tmpdir(), 'regimen-other-code-'));
    const choice = new ComputeChoice({
      dataDir,
      pool: {} as ComputePool, // choosing Redis and its status never touch this machine's pool
      secrets: new MemorySecretStore(),
      env: {},
    });
    const owner = {
      owner: 'the Regimen server',
      request: (_channel: string, input: { target: 'redis'; redisUrl: string }) => choice.choose(input),
    } as unknown as Backend;
    const ownerIo = captureIO();
    try {
      await chooseRedisOnOwner(owner, { values: { redis: url }, positionals: [] }, ownerIo);
    } finally {
      await choice.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    expect(ownerIo.stderr).toContain('0 worker(s) connected');
    expect(ownerIo.stderr).toContain('1 worker(s) there (old-box) run other code');
    expect(ownerIo.stderr).not.toContain(PASSWORD);
  }, 30_000);
});
