/**
 * A study computing on Redis (Settings > Compute, as the app and `regimen serve` run it) whose Redis dies
 * mid-study and comes back: the served event stream and the study's record say that it waits on the lost
 * Redis (why, since when) and then that it is back, in the CLI's words, with the password never in any
 * event, answer, printed line or file of the data folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  OptimizeProgressEvent,
  type RedisConnectionNotice,
  type StudyDetail,
} from '../../src/shared/contract.ts';
import { EVENTS_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../src/shared/httpSession.ts';
import { redisConnectionText } from '../../src/shared/redisConnectionText.ts';
import { redisMissing, startRedis, type TestRedis } from '../support/redisServer.ts';
import { HOST_STUDY, startServiceHost, type ServiceHost } from '../support/serviceHost.ts';

const PASSWORD = 'Lost-redis-secret-4471';
const skip = redisMissing();

describe.skipIf(skip !== null)(
  `a study whose Redis is lost${skip === null ? '' : ` (skipped: ${skip})`}`,
  () => {
    let redis: TestRedis;
    let h: ServiceHost;
    let socket: WebSocket;
    const frames: string[] = [];
    const printed: string[] = [];

    beforeAll(async () => {
      redis = await startRedis(['--requirepass', PASSWORD]);
      h = await startServiceHost();
      for (const method of ['log', 'warn', 'error', 'info'] as const)
        vi.spyOn(console, method).mockImplementation(
          (...args: unknown[]) => void printed.push(args.join(' ')),
        );
      // The events as `regimen serve` sends them to the renderer and to `regimen optimize` beside it.
      socket = new WebSocket(`ws://127.0.0.1:${h.host.port}/events`, [
        EVENTS_PROTOCOL,
        `${TOKEN_PROTOCOL_PREFIX}${h.host.token}`,
      ]);
      socket.on('message', (data: Buffer) => frames.push(data.toString()));
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    }, 60_000);
    afterAll(async () => {
      vi.restoreAllMocks();
      socket?.close();
      await h?.close();
      await redis?.stop();
    });

    it('says in the served progress and in the study record that it waits on the lost Redis, then that it is back', async () => {
      const url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
      const masked = `redis://:***@127.0.0.1:${redis.port}`;
      const chosen = await h.post('compute:choose', { target: 'redis', redisUrl: url });
      expect(chosen.status).toBe(200);
      // No worker listens: the study's chunks wait in the queue, so it is mid-study throughout.
      const started = await h.post('optimize:start', HOST_STUDY);
      expect(started.status).toBe(200);
      const { studyId } = started.body as { studyId: string };
      const progress = (): OptimizeProgressEvent[] =>
        frames
          .map((frame) => JSON.parse(frame) as { channel: string; payload: OptimizeProgressEvent })
          .filter((f) => f.channel === 'optimize:progress' && f.payload.studyId === studyId)
          .map((f) => OptimizeProgressEvent.parse(f.payload));
      const notice = (): RedisConnectionNotice | undefined => progress().at(-1)?.connection;
      const record = async (): Promise<StudyDetail> =>
        (await h.post('optimize:get', { studyId, includeTrials: false })).body as StudyDetail;
      await expect.poll(() => progress().length, { timeout: 15_000 }).toBeGreaterThan(0);
      expect(notice()).toBeUndefined();
      expect((await record()).summary.connection).toBeUndefined();

      // Down for 4 s, then an empty Redis on the same port (as after a crash without a snapshot).
      const before = Date.now();
      const restarted = redis.restartEmpty(4_000);
      await expect.poll(() => notice()?.state, { timeout: 15_000 }).toBe('lost');
      const lost = notice()!;
      // Killed while a poll's command is on the wire, the socket is reset before reconnects are refused.
      expect(lost).toMatchObject({ redisUrl: masked, reason: expect.stringMatching(/ECONN(REFUSED|RESET)/) });
      if (lost.state !== 'lost') throw new Error('unreachable');
      expect(lost.lostAt).toBeGreaterThanOrEqual(before);
      expect(progress().at(-1)!.state).toBe('running');
      expect(redisConnectionText(lost)).toMatch(
        new RegExp(
          `^lost Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${redis.port} \\(.*ECONN.*\\): waiting`,
        ),
      );
      // A client opening the study now (no trial finishes meanwhile, so no other event comes) reads it too.
      const during = await record();
      expect(during.summary.state).toBe('running');
      expect(during.summary.connection).toEqual(lost);

      await restarted;
      await expect.poll(() => notice()?.state, { timeout: 15_000 }).toBe('back');
      const back = notice()!;
      expect(back).toMatchObject({ redisUrl: masked, lostAt: lost.lostAt });
      if (back.state !== 'back') throw new Error('unreachable');
      expect(back.backAt).toBeGreaterThanOrEqual(lost.lostAt);
      expect(redisConnectionText(back)).toBe(`Redis at ${masked} is back: the study goes on`);
      const after = await record();
      expect(after.summary.connection).toEqual(back);
      // Lost once, back once: the reconnects that failed meanwhile are not news.
      const states = progress().flatMap((p) => (p.connection === undefined ? [] : [p.connection]));
      expect(new Set(states.map((c) => `${c.state}@${c.lostAt}`)).size).toBe(2);

      expect((await h.post('job:cancel', { jobId: studyId })).status).toBe(200);
      await expect.poll(async () => (await record()).summary.state, { timeout: 15_000 }).toBe('cancelled');

      const files = readdirSync(h.dataDir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'));
      for (const [where, text] of Object.entries({
        events: frames.join('\n'),
        answers: JSON.stringify([chosen.body, during, after]),
        printed: printed.join('\n'),
        files: files.join('\n'),
      }))
        expect({ where, leaked: text.includes(PASSWORD) }).toEqual({ where, leaked: false });
    }, 60_000);
  },
);
