import { describe, expect, it } from 'vitest';
import { liveAlarms, runsApprovedVersion, type WatchedStatus } from './alarms.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const running = (hash: string, pending: string | null = null): WatchedStatus => ({
  active: { version: 3, hash },
  pending: pending === null ? null : { version: 4, hash: pending },
  ramp: null,
  halt: null,
});

describe('the standing version check', () => {
  it('holds a bot to the last approved set, its pending one included', () => {
    expect(runsApprovedVersion(running(A), A)).toBe(true);
    expect(runsApprovedVersion(running(A, B), B)).toBe(true);
    expect(runsApprovedVersion(running(B), A)).toBe(false);
    // A bot running a set while nothing was ever approved for it is the worst case, not "unknown".
    expect(runsApprovedVersion(running(B), null)).toBe(false);
    expect(runsApprovedVersion({ ...running(A), active: null }, null)).toBeNull();
  });

  it('alarms on an unapproved version, naming both hashes, and on a rolled-back ramp and a halt', () => {
    const alarms = liveAlarms({
      status: {
        ...running(B),
        ramp: { phase: 'rolled-back', reason: 'drawdown 6 % over 5 %' },
        halt: { mode: 'no-new-entries', reason: 'ramp rolled back' },
      },
      approvedHash: A,
      expectation: null,
    });
    expect(alarms.map((a) => a.kind)).toEqual(['unapproved-version', 'rolled-back', 'halted']);
    expect(alarms[0].message).toContain(B.slice(0, 12));
    expect(alarms[0].message).toContain(A.slice(0, 12));
    expect(liveAlarms({ status: running(A), approvedHash: A, expectation: null })).toEqual([]);
    // Nothing approved for the bot, yet it runs a set: an unknown running set, never a "first set".
    expect(liveAlarms({ status: running(B), approvedHash: null, expectation: null })).toEqual([
      {
        kind: 'unapproved-version',
        message: `unknown running set ${B} (v${running(B).active!.version}): no set was approved for this bot`,
      },
    ]);
  });

  it("alarms on the bot's own daily-loss stop, in its words", () => {
    const reason =
      "the day's loss of 1.20 % from its opening equity 10000.00 passed maxDailyLoss 1.00 % (v3)";
    const stopped = { ...running(A), dailyLoss: { reason } };
    expect(liveAlarms({ status: stopped, approvedHash: A, expectation: null })).toEqual([
      { kind: 'daily-loss', message: reason },
    ]);
    expect(
      liveAlarms({ status: { ...stopped, dailyLoss: null }, approvedHash: A, expectation: null }),
    ).toEqual([]);
  });

  it('says an unreachable bot is unreachable rather than guessing its state', () => {
    expect(
      liveAlarms({ status: { unreachable: 'ECONNREFUSED' }, approvedHash: A, expectation: null }),
    ).toEqual([{ kind: 'unreachable', message: 'the bot did not answer: ECONNREFUSED' }]);
  });
});
