/**
 * Redis going away under a coordinator: the study only waits for it, so the coordinator says so in words
 * (naming the host, never the password) and says again when it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteCompute } from '../../src/main/services/compute/queueEvaluator.ts';
import { redisMissing, startRedis, type TestRedis } from '../support/redisServer.ts';

const PASSWORD = 'never-in-a-message-7f3';
const skip = redisMissing();

describe.skipIf(skip !== null)(
  `a coordinator losing Redis${skip === null ? '' : ` (skipped: ${skip})`}`,
  () => {
    let redis: TestRedis;
    let remote: RemoteCompute;
    const messages: string[] = [];
    beforeAll(async () => {
      redis = await startRedis(['--requirepass', PASSWORD]);
      const url = redis.url.replace('redis://', `redis://:${PASSWORD}@`);
      remote = await RemoteCompute.connect({ redisUrl: url, onConnection: (m) => messages.push(m) });
    }, 30_000);
    afterAll(async () => {
      await remote?.close();
      await redis?.stop();
    });

    it('says once that Redis is lost and once that it is back, without the password', async () => {
      expect(messages).toEqual([]);
      // Down for 1.5 s: several reconnects fail meanwhile, and only the first failure is reported.
      await redis.restartEmpty(1_500);
      await expect.poll(() => messages.length, { timeout: 15_000 }).toBe(2);
      expect(messages[0]).toMatch(
        new RegExp(`^lost Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port}.*ECONNREFUSED.*waiting`),
      );
      expect(messages[1]).toBe(`Redis at redis://:***@127.0.0.1:${redis.port} is back: the study goes on`);
      expect(messages.join('\n')).not.toContain(PASSWORD);
    }, 30_000);
  },
);
