import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditCsv, verifyAuditChain } from '../../core/live/audit.ts';
import { LEDGER_LEARNER, learnerSet, smaCrossSet } from '../../core/live/manualSet.test-util.ts';
import { AuditLog } from './auditLog.ts';
import {
  approve,
  checkedStatus,
  halt,
  propose,
  push,
  recordDailyLoss,
  rollback,
  type LiveDesk,
} from './liveDesk.ts';
import { openDeskFixture, type DeskFixture } from './liveDesk.test-util.ts';
import type { ReferenceBot } from './referenceBot.ts';

const SECRET = 'desk-secret-0123456789abcdef';
const set = (fast: number) => smaCrossSet(fast, 30);

let fixture: DeskFixture;
let bot: ReferenceBot;
let audit: AuditLog;
let desk: LiveDesk;

beforeEach(async () => {
  fixture = await openDeskFixture(SECRET, { timeoutMs: 60_000, mode: 'no-new-entries' });
  ({ bot, audit, desk } = fixture);
});

afterEach(() => fixture.close());

const until = async (done: () => Promise<boolean>): Promise<void> => {
  for (let k = 0; k < 500 && !(await done()); k++) await new Promise((r) => setTimeout(r, 10));
};

describe('live desk against the reference bot on loopback', () => {
  it('approve (typed confirmation, second approver), push, ramp, roll back, halt; the audit chain verifies and detects an edit', async () => {
    const url = bot.url;
    const first = await propose(desk, url, set(10), 'ana', 'manual: first set');
    expect(first.diff).toEqual([
      { name: 'fast', from: undefined, to: 10 },
      { name: 'slow', from: undefined, to: 30 },
    ]);
    await expect(
      approve(desk, first.approvalId, { approver: 'ana', note: 'go', typed: 'deadbeef' }),
    ).rejects.toThrow(`type ${first.confirmation}`);
    await approve(desk, first.approvalId, { approver: 'ana', note: 'first set', typed: first.confirmation });
    await expect(
      push(desk, first.approvalId, { actor: 'ana', policy: 'keep', approversRequired: 2 }),
    ).rejects.toThrow('1 approver(s) (ana); 2 are required');
    const again = { note: 'me again', typed: first.confirmation };
    await expect(approve(desk, first.approvalId, { approver: 'ana', ...again })).rejects.toThrow(
      'must be someone else',
    );
    await approve(desk, first.approvalId, { approver: 'ben', note: 'checked', typed: first.confirmation });
    const v1 = await push(desk, first.approvalId, { actor: 'ana', policy: 'keep', approversRequired: 2 });
    expect(v1).toMatchObject({ version: 1, answer: { result: 'accepted' } });
    await until(async () => (await checkedStatus(desk, url)).status.active?.version === 1);

    const second = await propose(desk, url, set(5), 'ana', 'manual: faster');
    expect(second.diff).toEqual([{ name: 'fast', from: 10, to: 5 }]);
    await approve(desk, second.approvalId, { approver: 'ana', note: 'faster', typed: second.confirmation });
    const ramp = {
      steps: [0.1, 0.5, 1],
      barsPerStep: 1_000_000,
      guardrails: { maxDrawdown: 0.9, maxLoss: 0.9, maxSlippageBps: 1e6 },
    };
    expect(
      (await push(desk, second.approvalId, { actor: 'ana', policy: 'keep', ramp, approversRequired: 1 }))
        .version,
    ).toBe(2);
    await until(async () => (await checkedStatus(desk, url)).status.ramp?.budget === 0.1);
    const ramping = await checkedStatus(desk, url);
    expect(ramping).toMatchObject({
      approved: true,
      status: { active: { version: 2 }, ramp: { phase: 'ramping' } },
    });

    const back = await rollback(desk, url, 'ana', 'looks wrong');
    expect(back.version).toBe(3);
    await until(async () => (await checkedStatus(desk, url)).status.active?.version === 3);
    expect((await checkedStatus(desk, url)).status.active?.hash).toBe(set(10).hash);
    expect((await halt(desk, url, 'ana', 'flatten', 'end of test')).halt?.mode).toBe('flatten');

    const entries = await audit.entries();
    expect(entries.map((e) => e.kind)).toEqual([
      'proposal',
      'approval',
      'approval',
      'push',
      'ack',
      'proposal',
      'approval',
      'push',
      'ack',
      'rollback',
      'push',
      'ack',
      'halt',
    ]);
    expect(verifyAuditChain(entries)).toEqual({ ok: true, entries: 13 });
    // Every push the bot acknowledged is one ack entry, with the version it reports.
    expect(entries.filter((e) => e.kind === 'ack').map((e) => e.version)).toEqual([1, 2, 3]);
    const csv = auditCsv(entries);
    expect(csv.split('\r\n')).toHaveLength(15);
    expect(JSON.stringify(entries) + csv).not.toContain(SECRET);

    // An edit behind the log's back: the chain names the entry.
    audit.close();
    const instance = await DuckDBInstance.create(fixture.auditPath);
    const connection = await instance.connect();
    await connection.run(`UPDATE live_audit SET reason = 'manual: nothing to see' WHERE seq = 7`);
    connection.closeSync();
    instance.closeSync();
    const reopened = await AuditLog.open(fixture.auditPath);
    try {
      expect(verifyAuditChain(await reopened.entries())).toEqual({
        ok: false,
        seq: 7,
        problem: 'entry 7 was edited: its hash does not match',
      });
    } finally {
      reopened.close();
    }
  });

  it('refuses a ramp onto a bot that runs no set yet, sending and recording nothing', async () => {
    const first = await propose(desk, bot.url, set(10), 'ana', 'manual: first set');
    await approve(desk, first.approvalId, { approver: 'ana', note: 'first', typed: first.confirmation });
    const entries = (await audit.entries()).length;
    const ramp = {
      steps: [0.1, 0.5, 1],
      barsPerStep: 5,
      guardrails: { maxDrawdown: 0.9, maxLoss: 0.9, maxSlippageBps: 1e6 },
    };
    await expect(
      push(desk, first.approvalId, { actor: 'ana', policy: 'keep', approversRequired: 1, ramp }),
    ).rejects.toThrow('runs no set yet, so there is nothing to ramp from');
    expect((await audit.entries()).length).toBe(entries);
    expect((await checkedStatus(desk, bot.url)).status.acceptedVersion).toBe(0);
  });

  it("a learner's set whose skill is not measured is approved only with an acknowledgement, recorded with the approval", async () => {
    const url = bot.url;
    const proposal = await propose(desk, url, learnerSet(12, 40, LEDGER_LEARNER), 'regime-updates', 'regime');
    const approval = { approver: 'ana', note: 'regime turned', typed: proposal.confirmation };
    await expect(approve(desk, proposal.approvalId, approval)).rejects.toMatchObject({
      field: 'acknowledgeUnmeasuredSkill',
      message: expect.stringContaining(
        "comes from the ledger's learner, 1,200 results learned; skill not measured: it proposed on " +
          'confidence alone: approving it needs an explicit acknowledgement',
      ) as unknown,
    });
    await expect(
      approve(desk, proposal.approvalId, { ...approval, acknowledgeUnmeasuredSkill: false }),
    ).rejects.toThrow('explicit acknowledgement');
    expect(await audit.of('approval', url)).toEqual([]);
    await approve(desk, proposal.approvalId, { ...approval, acknowledgeUnmeasuredSkill: true });
    // A second approver acknowledges for themselves.
    await expect(
      approve(desk, proposal.approvalId, { ...approval, approver: 'ben', note: 'seen' }),
    ).rejects.toThrow('explicit acknowledgement');
    const [recorded] = await audit.of('approval', url);
    expect(recorded!.reason).toBe(
      "manual: regime turned (approved on confidence alone: the learner's skill is not measured)",
    );
    expect(JSON.parse(recorded!.detail)).toEqual({
      approvalId: proposal.approvalId,
      acknowledged: "approved on confidence alone: the learner's skill is not measured",
    });
    // A set from before sets recorded their learner is as unknown, and asks the same.
    const old = await propose(desk, url, learnerSet(13, 40, undefined), 'regime-updates', 'regime');
    await expect(approve(desk, old.approvalId, { ...approval, typed: old.confirmation })).rejects.toThrow(
      'skill not recorded',
    );
    // A measured skill, a study's or a person's set: no acknowledgement, none recorded.
    const measured = learnerSet(14, 40, { ...LEDGER_LEARNER, skill: { mean: 0.2, t: 3 } });
    for (const set of [measured, smaCrossSet(15, 40)]) {
      const other = await propose(desk, url, set, 'ana', 'manual');
      const entry = await approve(desk, other.approvalId, { ...approval, typed: other.confirmation });
      expect(JSON.parse(entry.detail)).toEqual({ approvalId: other.approvalId });
      expect(entry.reason).toBe('manual: regime turned');
    }
  });

  it("records the bot's daily-loss stop as one halt entry, however often it is seen", async () => {
    const stop = { day: 19_700, at: 1_702_080_000_000, reason: 'loss 1.2 % passed maxDailyLoss 1 %' };
    expect(await recordDailyLoss(desk, 'http://127.0.0.1:1', stop)).toBe(true);
    expect(await recordDailyLoss(desk, 'http://127.0.0.1:1', stop)).toBe(false);
    expect(
      await recordDailyLoss(desk, 'http://127.0.0.1:1', { ...stop, day: 19_701, at: stop.at + 86_400_000 }),
    ).toBe(true);
    const entries = await audit.entries();
    expect(entries.map((e) => [e.kind, e.actor, e.reason])).toEqual([
      ['halt', 'bot', `daily loss limit: ${stop.reason}`],
      ['halt', 'bot', `daily loss limit: ${stop.reason}`],
    ]);
    expect(verifyAuditChain(entries)).toMatchObject({ ok: true });
  });
});
