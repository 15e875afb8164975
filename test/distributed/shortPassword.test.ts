/**
 * A 3-character Redis password never leaves main, even when Redis itself quotes it: a Redis whose AUTH
 * command is renamed away (as a Redis-compatible proxy without AUTH) answers "unknown command 'AUTH', with
 * args beginning with: '<password>'". Searched for in the connection error, the CLI's output, the served
 * study's progress events and record, Settings' answers and what the services print, as a word (a 3-character string is bound to
 * occur inside other text).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { RemoteCompute } from '../../src/main/services/compute/queueEvaluator.ts';
import { OptimizeProgressEvent, type StudyDetail } from '../../src/shared/contract.ts';
import { EVENTS_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../src/shared/httpSession.ts';
import { redisMissing, startRedis, type TestRedis } from '../support/redisServer.ts';
import { runCli } from '../support/runCli.ts';
import { HOST_STUDY, startServiceHost, type ServiceHost } from '../support/serviceHost.ts';
import { tempDir } from '../marketdata/helpers.ts';

const PASSWORD = 'pw1';
const QUOTES_AUTH = ['--rename-command', 'AUTH', ''];
/** The password as a word: not inside another (a hash, a port, a base64 text). */
const leaks = (text: string): boolean => /(?<![A-Za-z0-9])pw1(?![A-Za-z0-9])/i.test(text);
const skip = redisMissing();

describe.skipIf(skip !== null)(
  `a 3-character Redis password${skip === null ? '' : ` (skipped: ${skip})`}`,
  () => {
    let redis: TestRedis;
    const url = (): string => `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
    const masked = (): string => `redis://:***@127.0.0.1:${redis.port}`;
    // ioredis sends the command in lower case; Redis ends the list of arguments with a space.
    const quoted = "ERR unknown command 'auth', with args beginning with: '[redacted]' ";

    beforeAll(async () => {
      redis = await startRedis(QUOTES_AUTH);
    }, 30_000);
    afterAll(async () => {
      await redis?.stop();
    });

    it('is masked in the connection error of a Redis that quotes it', async () => {
      const error = await RemoteCompute.connect({ redisUrl: url() }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toBe(`cannot reach Redis at ${masked()}: ${quoted}`);
    }, 30_000);

    it("is masked in the CLI's output", async () => {
      const dir = tempDir('regimen-short-password-');
      try {
        const run = await runCli([
          'optimize',
          '--symbol',
          'SYNX',
          // Given, so the study goes to Redis before it reads the (empty) cache for its finest timeframe.
          '--timeframe',
          '1m',
          '--strategy',
          'sma-cross',
          '--space',
          'fast=3:6:3',
          '--redis',
          url(),
          '--data-dir',
          dir.path,
        ]);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`cannot reach Redis at ${masked()}: ${quoted}`);
        expect(leaks(run.stdout + run.stderr)).toBe(false);
      } finally {
        dir.remove();
      }
    }, 30_000);

    it("is masked in a served study's events and answers, when its Redis is lost and comes back quoting it", async () => {
      await redis.restartEmpty(0, ['--requirepass', PASSWORD]);
      const h: ServiceHost = await startServiceHost();
      const printed: string[] = [];
      for (const method of ['log', 'warn', 'error', 'info'] as const)
        vi.spyOn(console, method).mockImplementation(
          (...args: unknown[]) => void printed.push(args.join(' ')),
        );
      const frames: string[] = [];
      const socket = new WebSocket(`ws://127.0.0.1:${h.host.port}/events`, [
        EVENTS_PROTOCOL,
        `${TOKEN_PROTOCOL_PREFIX}${h.host.token}`,
      ]);
      socket.on('message', (data: Buffer) => frames.push(data.toString()));
      try {
        await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
        const answers: unknown[] = [];
        const post = async (channel: string, body: unknown) => {
          const answer = await h.post(channel, body);
          answers.push(answer.body);
          return answer;
        };
        expect((await post('compute:choose', { target: 'redis', redisUrl: url() })).status).toBe(200);
        const { studyId } = (await post('optimize:start', HOST_STUDY)).body as { studyId: string };
        const progress = (): OptimizeProgressEvent[] =>
          frames
            .map((frame) => JSON.parse(frame) as { channel: string; payload: OptimizeProgressEvent })
            .filter((f) => f.channel === 'optimize:progress' && f.payload.studyId === studyId)
            .map((f) => OptimizeProgressEvent.parse(f.payload));
        await expect.poll(() => progress().length, { timeout: 15_000 }).toBeGreaterThan(0);

        // Back on the same port without AUTH: each reconnect's AUTH is answered with the password quoted.
        await redis.restartEmpty(500, QUOTES_AUTH);
        await expect
          .poll(() => progress().at(-1)?.connection, { timeout: 15_000 })
          .toMatchObject({ state: 'lost', reason: quoted });
        const record = (await post('optimize:get', { studyId, includeTrials: false })).body as StudyDetail;
        expect(record.summary.connection).toMatchObject({ reason: quoted });
        // Settings' test of the saved password meanwhile says why it does not connect.
        const tested = await post('compute:test', { redisUrl: `redis://127.0.0.1:${redis.port}` });
        expect(JSON.stringify(tested.body)).toContain(quoted);

        // Back as it was: the study goes on (its chunks in flight during the outage failed), and is stopped.
        await redis.restartEmpty(0, ['--requirepass', PASSWORD]);
        await expect.poll(() => progress().at(-1)?.connection?.state, { timeout: 15_000 }).toBe('back');
        await post('job:cancel', { jobId: studyId });
        await expect
          .poll(
            async () =>
              ((await post('optimize:get', { studyId, includeTrials: false })).body as StudyDetail).summary
                .state,
            {
              timeout: 15_000,
            },
          )
          .toMatch(/^(cancelled|complete)$/);

        for (const [where, text] of Object.entries({
          events: frames.join('\n'),
          answers: JSON.stringify(answers),
          printed: printed.join('\n'),
        }))
          expect({ where, leaked: leaks(text) }).toEqual({ where, leaked: false });
      } finally {
        vi.restoreAllMocks();
        socket.close();
        await h.close();
      }
    }, 60_000);
  },
);
