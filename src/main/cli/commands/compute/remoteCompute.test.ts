import { describe, expect, it } from 'vitest';
import { captureIO } from '../../../../../test/support/captureIO.ts';
import type { RedisConnectionNotice } from '../../../../shared/computeContract.ts';
import { connectionSayer } from './remoteCompute.ts';

describe('connectionSayer', () => {
  it("says each loss and return of the owner's Redis once, in the CLI's words, however often events repeat them", () => {
    const io = captureIO();
    const say = connectionSayer(io);
    const redisUrl = 'redis://:***@box:6379';
    const lost: RedisConnectionNotice = {
      state: 'lost',
      redisUrl,
      reason: 'connect ECONNREFUSED',
      lostAt: 1,
    };
    const back: RedisConnectionNotice = { state: 'back', redisUrl, lostAt: 1, backAt: 5 };
    for (const notice of [undefined, lost, lost, back, back, { ...lost, lostAt: 9 }]) say(notice);
    expect(io.stderr.split('\n')).toEqual([
      'lost Redis at redis://:***@box:6379 (connect ECONNREFUSED): waiting for it to come back; ' +
        'finished trials are kept (Ctrl-C stops, --resume goes on later)',
      'Redis at redis://:***@box:6379 is back: the study goes on',
      'lost Redis at redis://:***@box:6379 (connect ECONNREFUSED): waiting for it to come back; ' +
        'finished trials are kept (Ctrl-C stops, --resume goes on later)',
      '',
    ]);
  });
});
