import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../core/live/approvalPolicy.ts';
import { verifyAuditChain } from '../../core/live/audit.ts';
import { LOOSE_LIMITS, smaCrossSet } from '../../core/live/manualSet.test-util.ts';
import type { AuditLog } from './auditLog.ts';
import { approvalPolicyOf, recommend, setApprovalPolicy } from './autoApproval.ts';
import { approve, checkedStatus, proposals, push, type LiveDesk } from './liveDesk.ts';
import { openDeskFixture, type DeskFixture } from './liveDesk.test-util.ts';
import type { ReferenceBot } from './referenceBot.ts';

const SECRET = 'auto-approval-secret-0123456789';
const set = (fast: number, maxOrdersPerDay = LOOSE_LIMITS.maxOrdersPerDay) =>
  smaCrossSet(fast, 30, { ...LOOSE_LIMITS, maxOrdersPerDay });

let fixture: DeskFixture;
let bot: ReferenceBot;
let audit: AuditLog;
let clock = Date.UTC(2026, 10, 30, 9);
let desk: LiveDesk;

beforeAll(async () => {
  fixture = await openDeskFixture(SECRET, { timeoutMs: 60_000, mode: 'no-new-entries' });
  ({ bot, audit } = fixture);
  desk = { ...fixture.desk, now: () => clock };
});

afterAll(() => fixture?.close());

const runs = async (version: number): Promise<void> => {
  for (let k = 0; k < 500; k++) {
    if ((await checkedStatus(desk, bot.url)).status.active?.version === version) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the bot never ran version ${version}`);
};

describe('auto-approval of recommendations by the bot policy', () => {
  it('approves inside the policy (naming its version and checks), leaves the rest to a person with reasons, caps k a day', async () => {
    const url = bot.url;
    expect(await approvalPolicyOf(audit, url)).toMatchObject({ version: 0, setBy: null });
    // No policy yet: even a small step waits for a person.
    const none = await recommend(desk, url, { set: set(10), source: 'study s1 trial 3' }, 'optimizer');
    expect(none.policy).toMatchObject({ version: 0, approved: false });

    const policy = { bounds: { fast: { min: 5, max: 15, maxStep: 3 } }, maxChangesPerDay: 2 };
    expect(await setApprovalPolicy(desk, url, policy, 'ana', 'nightly tuning')).toMatchObject({
      version: 1,
      policy,
      setBy: 'ana',
      reason: 'manual: nightly tuning',
    });

    const first = await recommend(desk, url, { set: set(10), source: 'study s1 trial 3' }, 'optimizer');
    expect(first.policy.approved).toBe(false);
    expect(first.policy.checks.filter((c) => !c.passed).map((c) => c.check)).toEqual(['first-set']);
    await approve(desk, first.proposal.approvalId, {
      approver: 'ana',
      note: 'first',
      typed: first.proposal.confirmation,
    });
    await push(desk, first.proposal.approvalId, { actor: 'ana', policy: 'keep', approversRequired: 1 });
    await runs(1);

    const inside = await recommend(desk, url, { set: set(12), source: 'regime trend-up' }, 'regime');
    expect(inside.policy).toMatchObject({ version: 1, approved: true });
    const approval = (await audit.of('approval', url)).at(-1)!;
    expect(approval.actor).toBe('policy');
    expect(approval.reason).toBe(
      'policy v1: passed policy, strategy, limits, change, fast.bound, fast.step, cap',
    );
    expect(JSON.parse(approval.detail)).toMatchObject({
      approvalId: inside.proposal.approvalId,
      policyVersion: 1,
    });
    expect(
      await push(desk, inside.proposal.approvalId, { actor: 'regime', policy: 'keep', approversRequired: 1 }),
    ).toMatchObject({
      version: 2,
      answer: { result: 'accepted' },
    });
    await runs(2);

    // Outside: the limits, the bound, the step and the day's cap, each named; nobody approved it.
    const outside = await recommend(desk, url, { set: set(16, 50), source: 'learner m7' }, 'learner');
    expect(outside.policy.approved).toBe(false);
    const record = (await proposals(audit, url)).find((p) => p.approvalId === outside.proposal.approvalId)!;
    expect(record.approvers).toEqual([]);
    expect(record.policy?.checks.filter((c) => !c.passed).map((c) => `${c.check}: ${c.detail}`)).toEqual([
      'limits: pre-trade limits change (maxOrdersPerDay 10000 -> 50): a person must approve',
      'fast.bound: fast = 16 in [5, 15]',
      'fast.step: fast moves 12 -> 16 (step 4, at most 3)',
      'cap: 2 change(s) in the last 24 h, at most 2',
    ]);

    // Two changes today already (ana's first set and the policy's): a third, inside, waits a day.
    const capped = await recommend(desk, url, { set: set(14), source: 'regime trend-up' }, 'regime');
    expect(capped.policy.checks.filter((c) => !c.passed).map((c) => c.check)).toEqual(['cap']);
    clock += DAY_MS;
    await setApprovalPolicy(desk, url, { ...policy, minConfidence: 0.6 }, 'ana', 'only confident ones');
    const unsure = await recommend(
      desk,
      url,
      { set: set(14), confidence: 0.5, source: 'learner m8' },
      'learner',
    );
    expect(unsure.policy.checks.find((c) => !c.passed)?.check).toBe('confidence');
    const sure = await recommend(
      desk,
      url,
      { set: set(14), confidence: 0.8, source: 'learner m8' },
      'learner',
    );
    expect(sure.policy).toMatchObject({ version: 2, approved: true });
    expect((await audit.of('approval', url)).at(-1)!.reason).toMatch(/^policy v2: passed .*confidence$/);
    expect(verifyAuditChain(await audit.entries())).toEqual({ ok: true, entries: 16 });
  });

  it('a policy naming a parameter the strategy lacks, or a fractional bound on an integer one, is refused naming it', async () => {
    const url = bot.url;
    const before = (await approvalPolicyOf(audit, url)).version;
    await expect(
      setApprovalPolicy(desk, url, { bounds: { fsat: { min: 2 } }, maxChangesPerDay: 1 }, 'ana', 'typo'),
    ).rejects.toThrow('policy: bounds.fsat: sma-cross has no parameter "fsat" (its parameters: fast, slow)');
    await expect(
      setApprovalPolicy(desk, url, { bounds: { fast: { maxStep: 1.5 } }, maxChangesPerDay: 1 }, 'ana', 'x'),
    ).rejects.toThrow('policy: bounds.fast.maxStep: fast is an integer parameter, got 1.5');
    expect((await approvalPolicyOf(audit, url)).version).toBe(before);
  });
});
