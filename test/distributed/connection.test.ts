/**
 * What a coordinator says of its Redis that the study itself cannot show: Redis going away (the study
 * only waits for it) and coming back, and workers that are there but run other code (they take nothing).
 * Hosts are named, never the password.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerKey } from '../../src/main/compute/remote/names.ts';
import { remoteFrom } from '../../src/main/cli/commands/compute/remoteCompute.ts';
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
    const remote = await RemoteCompute.connect({ redisUrl: url, onConnection: (m) => messages.push(m) });
    try {
      expect(messages).toEqual([]);
      // Down for 1.5 s: several reconnects fail meanwhile, and only the first failure is reported.
      await redis.restartEmpty(1_500);
      await expect.poll(() => messages.length, { timeout: 15_000 }).toBe(2);
      expect(messages[0]).toMatch(
        new RegExp(`^lost Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}.*ECONNREFUSED.*waiting`),
      );
      expect(messages[1]).toBe(`Redis at redis://:***@127.0.0.1:${redis.port} is back: the study goes on`);
      expect(messages.join('\n')).not.toContain(PASSWORD);
    } finally {
      await remote.close();
    }
  }, 30_000);

  it('names workers that run other code when none runs this code', async () => {
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
  }, 30_000);
});
