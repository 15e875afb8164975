import { afterEach, beforeEach, expect, it } from 'vitest';
import { randomWalkBars } from '../../core/engine/random-walk.ts';
import {
  PARAMETER_SET_SCHEMA_VERSION,
  sealParameterSet,
  type ParameterSet,
} from '../../core/live/parameterSet.ts';
import { fastPeriodLearner } from '../../core/ml/learner/planted.test-util.ts';
import type { RecommendOptions } from '../../core/ml/learner/recommend.ts';
import type { AuditLog } from './auditLog.ts';
import { POLICY_SKILL_ACKNOWLEDGEMENT } from './autoApproval.ts';
import { BotClient } from './botClient.ts';
import type { LiveDesk } from './liveDesk.ts';
import {
  dailySmaCrossUpdater,
  firstSetAndPolicy,
  openDeskFixture,
  type DeskFixture,
} from './liveDesk.test-util.ts';
import type { ReferenceBot } from './referenceBot.ts';
import type { RegimeUpdater, UpdateOutcome } from './regimeUpdater.ts';
import { liveBarAt } from '../../core/live/liveBar.test-util.ts';

const SECRET = 'regime-secret-0123456789abcdef';
const DAY = 86_400_000;
/** Lets the learner move fast and slow anywhere in the search space. */
const SEARCH_SPACE_POLICY = {
  bounds: { fast: { min: 2, max: 40, maxStep: 38 }, slow: { min: 10, max: 120, maxStep: 110 } },
  maxChangesPerDay: 50,
  minConfidence: 0.2,
  // The planted learner's skill is not measured, as the ledger's: its sets pass only with this.
  approveUnmeasuredSkill: true,
};
const LIMITS = { maxPositionFraction: 1, maxDailyLoss: 0.5, maxOrdersPerDay: 10_000 };
/** The set a person pushes before the policy may act. */
const FIRST_SET = sealParameterSet({
  schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
  strategy: { name: 'sma-cross', version: '1' },
  parameters: { fast: 20, slow: 60 },
  limits: LIMITS,
  provenance: { kind: 'manual', note: 'first set', engineVersion: 'test' },
});

let fixture: DeskFixture;
let bot: ReferenceBot;
let audit: AuditLog;
let desk: LiveDesk;

beforeEach(async () => {
  fixture = await openDeskFixture(SECRET, { timeoutMs: 600_000, mode: 'no-new-entries' });
  ({ bot, audit, desk } = fixture);
});

afterEach(() => fixture.close());

/** Replays daily bars through an updater; every outcome in order, up to the one `last` accepts. */
async function replay(
  updater: RegimeUpdater,
  days: number,
  last: (outcome: UpdateOutcome) => boolean = () => false,
): Promise<UpdateOutcome[]> {
  const bars = randomWalkBars(days, 8, { stepMs: DAY, volatility: 0.012 });
  const outcomes: UpdateOutcome[] = [];
  for (let i = 0; i < days; i++) {
    const outcome = await updater.onBar(liveBarAt(bars, i));
    if (outcome === null) continue;
    outcomes.push(outcome);
    if (last(outcome)) break;
  }
  return outcomes;
}

function updater(minDwellMs: number, recommend?: Partial<RecommendOptions>): RegimeUpdater {
  return dailySmaCrossUpdater(desk, bot.url, {
    minDwellMs,
    seed: 2,
    modelVersion: 'linear-test-1',
    limits: LIMITS,
    ...(recommend === undefined ? {} : { recommend }),
  });
}

/** The sets the updater proposed, as the audit recorded them. */
async function proposedSets(): Promise<ParameterSet[]> {
  return (await audit.of('proposal', bot.url))
    .filter((p) => p.actor === 'regime-updates')
    .map((p) => (JSON.parse(p.detail) as { set: ParameterSet }).set);
}

it('a regime change on a replay is proposed, approved by the bot policy, pushed and acked, with its latency, at most one change per dwell', async () => {
  await firstSetAndPolicy(desk, bot.url, FIRST_SET, SEARCH_SPACE_POLICY);
  const dwell = 20 * DAY;
  const outcomes = await replay(updater(dwell), 400);
  const pushed = outcomes.filter((o) => o.action === 'pushed');
  expect(pushed.length).toBeGreaterThan(0);
  expect(outcomes.some((o) => o.trigger.kind === 'regime-change')).toBe(true);
  for (const o of pushed) expect(o.latencyMs).toBeGreaterThan(0);
  for (let k = 1; k < pushed.length; k++)
    expect(pushed[k]!.trigger.at - pushed[k - 1]!.trigger.at).toBeGreaterThanOrEqual(dwell);
  // The bot acknowledged the last push and runs (or takes at its next bar) that set.
  const acks = await audit.of('ack', bot.url);
  expect(acks.map((a) => a.reason)).toEqual(['accepted', ...pushed.map(() => 'accepted')]);
  const approvals = await audit.of('approval', bot.url);
  expect(approvals.slice(1).map((a) => a.actor)).toEqual(pushed.map(() => 'policy'));
  // Each says it was approved on confidence alone, under the policy's option.
  for (const approval of approvals.slice(1)) {
    expect(approval.reason).toContain(`, skill (${POLICY_SKILL_ACKNOWLEDGEMENT})`);
    expect(JSON.parse(approval.detail)).toMatchObject({ acknowledged: POLICY_SKILL_ACKNOWLEDGEMENT });
  }
  const status = await new BotClient(bot.url, SECRET).status();
  expect(status.acceptedVersion).toBe(pushed.at(-1)!.version);
  // The audit says why: the regime, the model version, the confidence and the learner's skill.
  const proposals = await audit.of('proposal', bot.url);
  expect(proposals[1]!.actor).toBe('regime-updates');
  expect(proposals[1]!.reason).toMatch(
    /^regime none -> \w+\/\w+; model linear-test-1, confidence 0\.\d{3}; the ledger's learner, [\d,]+ results learned; skill not measured: it proposed on confidence alone$/,
  );
  // The set itself carries them, inside its hash: the learner, what it had learned, its skill unmeasured.
  for (const set of await proposedSets())
    expect(set.provenance).toMatchObject({
      kind: 'learner',
      learner: { name: "the ledger's learner", learned: fastPeriodLearner().count, skill: null },
    });
});

it("a policy without approveUnmeasuredSkill leaves the learner's unmeasured sets, inside its bounds, to a person, saying why", async () => {
  await firstSetAndPolicy(desk, bot.url, FIRST_SET, {
    ...SEARCH_SPACE_POLICY,
    approveUnmeasuredSkill: false,
  });
  const outcomes = await replay(updater(20 * DAY), 400);
  expect(outcomes.some((o) => o.action === 'pushed')).toBe(false);
  const proposed = outcomes.filter((o) => o.action === 'proposed');
  expect(proposed.length).toBeGreaterThan(0);
  for (const o of proposed)
    expect(o.action === 'proposed' && o.reason).toMatch(
      /waits for a person: (?:.+; )?the ledger's learner, [\d,]+ results learned; skill not measured: it proposed on confidence alone; the policy does not approve sets on confidence alone \(approveUnmeasuredSkill is off\): a person must acknowledge it$/,
    );
  // Only the person's first set was approved and pushed.
  expect((await audit.of('approval', bot.url)).map((a) => a.actor)).toEqual(['trader']);
  expect((await audit.of('push', bot.url)).length).toBe(1);
});

it("a learner whose skill was measured records it on the set and in the proposal's reason", async () => {
  const outcomes = await replay(
    updater(20 * DAY, { learnerName: 'a tested learner', skill: { mean: 0.31, t: 4.2 } }),
    400,
  );
  expect(outcomes.some((o) => o.action === 'proposed')).toBe(true);
  const [first] = await proposedSets();
  expect(first!.provenance).toMatchObject({
    learner: { name: 'a tested learner', skill: { mean: 0.31, t: 4.2 } },
  });
  expect((await audit.of('proposal', bot.url))[0]!.reason).toMatch(
    /; a tested learner, [\d,]+ results learned; skill: rank correlation 0\.310 out of sample \(t 4\.2\)$/,
  );
});

it('a bot without a policy gets proposals that wait for a person, once per set, and nothing is pushed', async () => {
  const outcomes = await replay(updater(20 * DAY), 400);
  const proposed = outcomes.find((o) => o.action === 'proposed');
  expect(proposed?.action === 'proposed' && proposed.reason).toMatch(
    /waits for a person: .*first set needs a person/,
  );
  expect(outcomes.some((o) => o.action === 'pushed')).toBe(false);
  expect(await audit.of('push', bot.url)).toEqual([]);
  expect((await new BotClient(bot.url, SECRET).status()).acceptedVersion).toBe(0);
  // Daily checks that keep recommending the set already waiting add no second proposal of it.
  const proposedHashes = (await audit.of('proposal', bot.url)).map((p) => p.toHash);
  expect(new Set(proposedHashes).size).toBe(proposedHashes.length);
  expect(outcomes.some((o) => o.action === 'keep' && o.reason.includes('already waits for a person'))).toBe(
    true,
  );
});
