import { learnerBasisText, skillUnmeasured } from './learnerBasis.ts';
import { diffParameterSets, type ParameterSetBody } from './parameterSet.ts';

/**
 * The auto-approval policy for recommendations (a study's winner, the learner's prediction, a regime
 * switch): a recommendation inside it is approved without a person, one outside it waits for one with
 * the reasons it failed. It is deliberately narrow: it only ever moves parameters it names, within their
 * bounds and by at most their step from what the bot runs, at most k times in any 24 hours per bot. The
 * strategy and the pre-trade limits never change without a person, and neither does a bot's first set.
 */
export interface ParameterBound {
  /** Inclusive. */
  readonly min?: number;
  /** Inclusive. */
  readonly max?: number;
  /** Largest move from the active set's value, inclusive. */
  readonly maxStep?: number;
}

export interface ApprovalPolicy {
  /** Parameters the policy may change; a change to any other needs a person. */
  readonly bounds: Readonly<Record<string, ParameterBound>>;
  /** Changes a bot may take in any 24 hours (0: none automatically). */
  readonly maxChangesPerDay: number;
  /** A recommendation without a confidence, or below this, needs a person. */
  readonly minConfidence?: number;
  /**
   * Approves a learner's set whose skill is not measured (it rests on confidence alone). Off unless
   * set: a person approving such a set must acknowledge it, and a policy is never laxer than a person
   * without saying so in its own recorded version.
   */
  readonly approveUnmeasuredSkill?: boolean;
}

/** Approves nothing automatically: what a bot has until someone sets a policy. */
export const EMPTY_APPROVAL_POLICY: ApprovalPolicy = { bounds: {}, maxChangesPerDay: 0 };

export interface Recommendation {
  readonly set: ParameterSetBody;
  /** The recommender's confidence in [0, 1], when it has one (a study's winner has none). */
  readonly confidence?: number;
}

export interface ChangeHistory {
  /** When the recommendation is evaluated (epoch ms). */
  readonly now: number;
  /**
   * When the bot's earlier changes were approved (epoch ms), by the policy or a person: the cap counts
   * them all, so the policy never takes a bot past k changes a day whoever made the others.
   */
  readonly changes: readonly number[];
}

export interface PolicyCheck {
  /** "policy", "first-set", "unknown-set", "strategy", "limits", "change", "cap", "confidence", "skill", "<param>.bound|step|named". */
  readonly check: string;
  readonly passed: boolean;
  readonly detail: string;
}

export interface PolicyVerdict {
  readonly approved: boolean;
  /** Every check made, in order; approved only when all passed. */
  readonly checks: readonly PolicyCheck[];
}

export const DAY_MS = 86_400_000;

/**
 * A step equal to maxStep must pass (bounds are inclusive), but |to - from| of two doubles can exceed
 * the step they were meant to differ by in the last bits (1.1 - 1.0 = 0.10000000000000009): allow a few
 * ulps of the operands, far below any meaningful parameter move.
 */
const stepSlack = (from: number, to: number): number =>
  4 * Number.EPSILON * Math.max(Math.abs(from), Math.abs(to));

/** The bot runs a set the workstation never recorded (not approved here, or approved elsewhere). */
export interface UnknownRunningSet {
  readonly unknownHash: string;
}

/**
 * Whether `proposed` may replace `active` (undefined: the bot runs nothing) without a person, and every
 * check that decided it. Pure: the caller reads the history from the audit trail and records the verdict.
 */
export function evaluatePolicy(
  policy: ApprovalPolicy,
  active: ParameterSetBody | UnknownRunningSet | undefined,
  proposed: Recommendation,
  history: ChangeHistory,
): PolicyVerdict {
  const checks: PolicyCheck[] = [];
  const add = (check: string, passed: boolean, detail: string) => checks.push({ check, passed, detail });
  const named = Object.keys(policy.bounds);

  add(
    'policy',
    named.length > 0 && policy.maxChangesPerDay >= 1,
    named.length === 0
      ? 'the policy names no parameter: nothing is approved automatically'
      : policy.maxChangesPerDay < 1
        ? 'the policy allows 0 changes a day'
        : `bounds on ${named.join(', ')}; at most ${policy.maxChangesPerDay} a day`,
  );
  if (active === undefined) {
    add('first-set', false, 'the bot runs no set yet: a first set needs a person');
  } else if ('unknownHash' in active) {
    // Not a first set: judging a step from a set nobody recorded would approve blind.
    add('unknown-set', false, `unknown running set ${active.unknownHash}: a person must look at the bot`);
  } else {
    const { set } = proposed;
    const sameStrategy =
      set.strategy.name === active.strategy.name && set.strategy.version === active.strategy.version;
    add(
      'strategy',
      sameStrategy,
      sameStrategy
        ? `${set.strategy.name} ${set.strategy.version} as now`
        : `${active.strategy.name} ${active.strategy.version} -> ${set.strategy.name} ${set.strategy.version}: a strategy change needs a person`,
    );
    const limitChanges = (Object.keys(set.limits) as (keyof typeof set.limits)[]).filter(
      (key) => set.limits[key] !== active.limits[key],
    );
    add(
      'limits',
      limitChanges.length === 0,
      limitChanges.length === 0
        ? 'pre-trade limits unchanged'
        : `pre-trade limits change (${limitChanges.map((k) => `${k} ${active.limits[k]} -> ${set.limits[k]}`).join(', ')}): a person must approve`,
    );
    const changes = diffParameterSets(active, set);
    add(
      'change',
      changes.length > 0,
      changes.length > 0 ? `${changes.length} parameter(s) change` : 'no parameter changes',
    );
    for (const { name, from, to } of changes) {
      const bound = policy.bounds[name];
      if (bound === undefined) {
        add(
          `${name}.named`,
          false,
          `${name} ${from ?? '-'} -> ${to ?? '-'}: the policy does not cover ${name}`,
        );
        continue;
      }
      if (from === undefined || to === undefined) {
        add(
          `${name}.named`,
          false,
          `${name} is ${to === undefined ? 'removed' : 'added'}: a person must approve`,
        );
        continue;
      }
      const low = bound.min ?? -Infinity;
      const high = bound.max ?? Infinity;
      add(`${name}.bound`, to >= low && to <= high, `${name} = ${to} in [${low}, ${high}]`);
      if (bound.maxStep !== undefined) {
        const step = Math.abs(to - from);
        add(
          `${name}.step`,
          step <= bound.maxStep + stepSlack(from, to),
          `${name} moves ${from} -> ${to} (step ${step}, at most ${bound.maxStep})`,
        );
      }
    }
  }
  const recent = history.changes.filter((t) => t <= history.now && history.now - t < DAY_MS).length;
  add(
    'cap',
    recent < policy.maxChangesPerDay,
    `${recent} change(s) in the last 24 h, at most ${policy.maxChangesPerDay}`,
  );
  if (policy.minConfidence !== undefined) {
    const confidence = proposed.confidence;
    add(
      'confidence',
      confidence !== undefined && confidence >= policy.minConfidence,
      confidence === undefined
        ? `no confidence given, at least ${policy.minConfidence} required`
        : `confidence ${confidence}, at least ${policy.minConfidence}`,
    );
  }
  if (skillUnmeasured(proposed.set)) {
    const basis = learnerBasisText(proposed.set.provenance)!;
    add(
      'skill',
      policy.approveUnmeasuredSkill === true,
      policy.approveUnmeasuredSkill === true
        ? `${basis}; approved on confidence alone by the policy's approveUnmeasuredSkill`
        : `${basis}; the policy does not approve sets on confidence alone (approveUnmeasuredSkill is off): a person must acknowledge it`,
    );
  }
  return { approved: checks.every((c) => c.passed), checks };
}

/**
 * What in a policy does not fit the strategy it is for, one message per problem naming the field: a
 * bound on a parameter the strategy does not have (it would never match, and the trader would believe
 * the policy guards it), or a fractional bound or step on an integer parameter.
 */
export function approvalPolicyProblems(
  policy: ApprovalPolicy,
  strategy: { readonly name: string; readonly params: readonly { name: string; type: 'int' | 'float' }[] },
): string[] {
  const problems: string[] = [];
  const known = strategy.params.map((p) => p.name);
  for (const [name, bound] of Object.entries(policy.bounds)) {
    const spec = strategy.params.find((p) => p.name === name);
    if (spec === undefined) {
      problems.push(
        `bounds.${name}: ${strategy.name} has no parameter "${name}" (its parameters: ${known.join(', ')})`,
      );
      continue;
    }
    if (spec.type !== 'int') continue;
    for (const field of ['min', 'max', 'maxStep'] as const) {
      const value = bound[field];
      if (value !== undefined && !Number.isInteger(value))
        problems.push(`bounds.${name}.${field}: ${name} is an integer parameter, got ${value}`);
    }
  }
  return problems;
}
