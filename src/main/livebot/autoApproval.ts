import {
  approvalPolicyProblems,
  EMPTY_APPROVAL_POLICY,
  evaluatePolicy,
  type ApprovalPolicy,
  type Recommendation,
} from '../../core/live/approvalPolicy.ts';
import type { AuditEntry } from '../../core/live/audit.ts';
import { canonicalJson } from '../../core/live/canonical.ts';
import { diffParameterSets, type ParameterSet } from '../../core/live/parameterSet.ts';
import { STRATEGIES } from '../../core/strategy/registry.ts';
import type { StrategyDefinition } from '../../core/strategy-api/types.ts';
import { InputError } from '../../shared/errors.ts';
import type { AuditLog } from './auditLog.ts';
import {
  acknowledgedSets,
  runningSet,
  checkSetHash,
  entryBase,
  now,
  recordProposal,
  type LiveDesk,
  type PolicyOutcome,
  type Proposal,
} from './liveDesk.ts';

/** What a policy's approval of a set whose learner's skill is not measured records (approveUnmeasuredSkill). */
export const POLICY_SKILL_ACKNOWLEDGEMENT =
  "approved on confidence alone under the policy's approveUnmeasuredSkill: the learner's skill is not measured";

const CATALOGUE: Readonly<Record<string, StrategyDefinition | undefined>> = STRATEGIES;

/**
 * A bot's auto-approval policy lives in the audit trail itself: each `policy set` appends the whole
 * policy as the bot's next policy version, so who changed it, when and why is chained like every other
 * step, and an approval by the policy names the version it was judged by. A bot with no policy entry
 * has the empty policy (version 0), which approves nothing.
 */
export interface StoredPolicy {
  readonly bot: string;
  readonly version: number;
  readonly policy: ApprovalPolicy;
  readonly setBy: string | null;
  readonly setAt: number | null;
  readonly reason: string | null;
}

export async function approvalPolicyOf(audit: AuditLog, bot: string): Promise<StoredPolicy> {
  const last = (await audit.of('policy', bot)).at(-1);
  if (last === undefined)
    return { bot, version: 0, policy: EMPTY_APPROVAL_POLICY, setBy: null, setAt: null, reason: null };
  return {
    bot,
    version: last.version ?? 0,
    policy: (JSON.parse(last.detail) as { policy: ApprovalPolicy }).policy,
    setBy: last.actor,
    setAt: last.at,
    reason: last.reason,
  };
}

/** Records `policy` as the bot's next policy version (validated by the caller at its boundary). */
export async function setApprovalPolicy(
  desk: LiveDesk,
  bot: string,
  policy: ApprovalPolicy,
  actor: string,
  reason: string,
): Promise<StoredPolicy> {
  // Checked against the strategy the bot runs, as the audit knows it (before a first set: the shape only).
  const { sets } = await acknowledgedSets(desk.audit, bot);
  const running = [...sets.entries()].sort(([a], [b]) => a - b).at(-1)?.[1];
  const definition = running === undefined ? undefined : CATALOGUE[running.strategy.name];
  const problems = definition === undefined ? [] : approvalPolicyProblems(policy, definition);
  if (problems.length > 0) throw new InputError(`policy: ${problems.join('; ')}`, 'policy');
  const version = (await approvalPolicyOf(desk.audit, bot)).version + 1;
  await desk.audit.append({
    ...entryBase(desk, 'policy', actor, bot),
    version,
    reason: `manual: ${reason}`,
    detail: canonicalJson({ policy }),
  });
  return approvalPolicyOf(desk.audit, bot);
}

/**
 * When the bot's changes were approved, for the policy's daily cap: each approval id's first approval
 * (by a person or the policy) and each rollback.
 */
export function changeTimes(entries: readonly AuditEntry[], bot: string): number[] {
  const seen = new Set<string>();
  const times: number[] = [];
  for (const e of entries) {
    if (e.bot !== bot) continue;
    if (e.kind === 'rollback') times.push(e.at);
    if (e.kind !== 'approval') continue;
    const { approvalId } = JSON.parse(e.detail) as { approvalId?: string };
    if (approvalId === undefined || seen.has(approvalId)) continue;
    seen.add(approvalId);
    times.push(e.at);
  }
  return times;
}

export interface RecommendationInput extends Recommendation {
  readonly set: ParameterSet;
  /** Where it came from, recorded as the proposal's reason ("study s1 trial 4", "regime high-vol"). */
  readonly source: string;
}

/**
 * A recommendation for a bot: recorded as a proposal with the policy's verdict, and approved in the
 * same breath by "policy" when every check passed (the approval names the policy version and the checks
 * it passed). Otherwise it waits for a person, the failed checks in its record. Nothing is pushed here.
 */
export async function recommend(
  desk: LiveDesk,
  bot: string,
  recommendation: RecommendationInput,
  proposer: string,
): Promise<{ proposal: Proposal; policy: PolicyOutcome }> {
  const { set, confidence, source } = recommendation;
  checkSetHash(set);
  const stored = await approvalPolicyOf(desk.audit, bot);
  const active = await runningSet(desk, bot);
  const verdict = evaluatePolicy(
    stored.policy,
    active,
    { set, confidence },
    { now: now(desk), changes: changeTimes(await desk.audit.entries(), bot) },
  );
  const outcome: PolicyOutcome = { version: stored.version, ...verdict };
  const proposal = await recordProposal(
    desk,
    bot,
    set,
    proposer,
    source,
    diffParameterSets(active === undefined || 'unknownHash' in active ? undefined : active, set),
    outcome,
  );
  // Approved on confidence alone: said in the reason as a person's acknowledgement is (approve()), since
  // the reason is what the audit's lists, exports and the webhook show of an entry.
  const onConfidenceAlone = verdict.checks.some((c) => c.check === 'skill');
  if (verdict.approved)
    await desk.audit.append({
      ...entryBase(desk, 'approval', 'policy', bot),
      toHash: set.hash,
      reason:
        `policy v${stored.version}: passed ${verdict.checks.map((c) => c.check).join(', ')}` +
        (onConfidenceAlone ? ` (${POLICY_SKILL_ACKNOWLEDGEMENT})` : ''),
      detail: canonicalJson({
        approvalId: proposal.approvalId,
        policyVersion: stored.version,
        checks: verdict.checks,
        ...(onConfidenceAlone ? { acknowledged: POLICY_SKILL_ACKNOWLEDGEMENT } : {}),
      }),
    });
  return { proposal, policy: outcome };
}
