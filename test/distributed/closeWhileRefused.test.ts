/**
 * Quitting the app (or stopping `regimen serve`) while a study's Redis does not answer: the services'
 * close ends within a bound whatever Redis does, refusing the password, quoting it back as an unknown AUTH
 * command, or killed. Without a bound it hung: BullMQ waits for the connection's "end", which ioredis
 * never emits while it waits to reconnect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_GRACE_MS } from '../../src/main/services/compute/queueEvaluator.ts';
import { OptimizeProgressEvent, type RedisConnectionNotice } from '../../src/shared/contract.ts';
import { redisMissing, startRedis, type TestRedis } from '../support/redisServer.ts';
import { HOST_STUDY, startServiceHost } from '../support/serviceHost.ts';

const PASSWORD = 'Close-while-refused-8812';
const AS_SET = ['--requirepass', PASSWORD];
/** Close's bound: the grace BullMQ is given, plus the rest of the services' close. */
const BOUND_MS = CLOSE_GRACE_MS + 3_000;
const skip = redisMissing();

/** What each case does to the Redis of a running study, and a word of the reason the study is told. */
const OUTAGES: { name: string; reason: RegExp; act: (redis: TestRedis) => Promise<void> }[] = [
  {
    name: 'refuses the password',
    reason: /WRONGPASS/,
    act: (redis) => redis.restartEmpty(300, ['--requirepass', 'another-password']),
  },
  {
    name: 'answers "unknown command auth"',
    reason: /unknown command 'auth'/,
    act: (redis) => redis.restartEmpty(300, ['--rename-command', 'AUTH', '']),
  },
  {
    name: 'is killed',
    reason: /ECONNREFUSED/,
    act: async (redis) => void redis.process().kill('SIGKILL'),
  },
];

describe.skipIf(skip !== null)(
  `closing the services while a study's Redis does not answer${skip === null ? '' : ` (skipped: ${skip})`}`,
  () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await startRedis(AS_SET);
    }, 30_000);
    afterAll(async () => {
      await redis?.stop();
    });

    for (const outage of OUTAGES)
      it(`ends within ${BOUND_MS} ms when Redis ${outage.name}`, async () => {
        // Each case starts from a Redis that accepts the password (the previous one left it refusing).
        await redis.restartEmpty(0, AS_SET);
        const h = await startServiceHost();
        const notices: RedisConnectionNotice[] = [];
        const unsubscribe = h.services.events.subscribe((channel, payload) => {
          if (channel !== 'optimize:progress') return;
          const connection = OptimizeProgressEvent.parse(payload).connection;
          if (connection !== undefined) notices.push(connection);
        });
        let closed = false;
        try {
          const url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
          expect((await h.post('compute:choose', { target: 'redis', redisUrl: url })).status).toBe(200);
          // No worker listens: the study's chunks wait in the queue, so it is mid-study when Redis goes.
          expect((await h.post('optimize:start', HOST_STUDY)).status).toBe(200);
          await outage.act(redis);
          await expect
            .poll(() => notices.at(-1), { timeout: 15_000 })
            .toMatchObject({ state: 'lost', reason: expect.stringMatching(outage.reason) });

          const start = Date.now();
          let timer: NodeJS.Timeout | undefined;
          const outcome = await Promise.race([
            h.close().then(() => 'closed'),
            new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still closing'), BOUND_MS))),
          ]).finally(() => clearTimeout(timer));
          closed = outcome === 'closed';
          expect({ outcome, withinBound: Date.now() - start <= BOUND_MS }).toEqual({
            outcome: 'closed',
            withinBound: true,
          });
        } finally {
          unsubscribe();
          // A close that hung is left to the process's end; one never started is run here.
          if (!closed) void h.close().catch(() => undefined);
        }
      }, 60_000);
  },
);
