import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  EMPTY_APPROVAL_POLICY,
  evaluatePolicy,
  type ApprovalPolicy,
  type ChangeHistory,
} from './approvalPolicy.ts';
import { LEDGER_LEARNER, learnerSet } from './manualSet.test-util.ts';
import { PARAMETER_SET_SCHEMA_VERSION, type ParameterSetBody } from './parameterSet.ts';

const active: ParameterSetBody = {
  schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
  strategy: { name: 'sma-cross', version: '1' },
  parameters: { fast: 10, slow: 30 },
  limits: { maxPositionFraction: 1, maxDailyLoss: 0.05, maxOrdersPerDay: 20 },
  provenance: { kind: 'manual', note: 'first', engineVersion: '0.1.0' },
};
const withParams = (parameters: Record<string, number>): ParameterSetBody => ({
  ...active,
  parameters: { ...active.parameters, ...parameters },
});
const policy: ApprovalPolicy = {
  bounds: { fast: { min: 5, max: 20, maxStep: 3 }, slow: { min: 20, max: 60 } },
  maxChangesPerDay: 2,
};
const quiet: ChangeHistory = { now: 10 * DAY_MS, changes: [] };
const failed = (verdict: ReturnType<typeof evaluatePolicy>) =>
  verdict.checks.filter((c) => !c.passed).map((c) => c.check);

describe('evaluatePolicy', () => {
  it('approves a change inside the bounds and the step, naming every check it passed', () => {
    const verdict = evaluatePolicy(policy, active, { set: withParams({ fast: 12, slow: 45 }) }, quiet);
    expect(verdict.approved).toBe(true);
    expect(verdict.checks.map((c) => c.check)).toEqual([
      'policy',
      'strategy',
      'limits',
      'change',
      'fast.bound',
      'fast.step',
      'slow.bound',
      'cap',
    ]);
  });

  it("leaves a learner's set whose skill is not measured to a person unless the policy says approveUnmeasuredSkill", () => {
    // Inside the bounds and the step: only its unmeasured skill stands between it and approval.
    const from = learnerSet(10, 30, LEDGER_LEARNER);
    const unmeasured = learnerSet(12, 30, LEDGER_LEARNER);
    const off = evaluatePolicy(policy, from, { set: unmeasured, confidence: 0.9 }, quiet);
    expect(off.approved).toBe(false);
    expect(off.checks.filter((c) => !c.passed)).toEqual([
      {
        check: 'skill',
        passed: false,
        detail:
          "the ledger's learner, 1,200 results learned; skill not measured: it proposed on confidence alone; " +
          'the policy does not approve sets on confidence alone (approveUnmeasuredSkill is off): a person must acknowledge it',
      },
    ]);
    // A set from before sets recorded their learner is as unmeasured.
    expect(failed(evaluatePolicy(policy, from, { set: learnerSet(12, 30, undefined) }, quiet))).toEqual([
      'skill',
    ]);
    const on = evaluatePolicy(
      { ...policy, approveUnmeasuredSkill: true },
      from,
      { set: unmeasured, confidence: 0.9 },
      quiet,
    );
    expect(on.approved).toBe(true);
    expect(on.checks.at(-1)).toMatchObject({ check: 'skill', passed: true });
    expect(on.checks.at(-1)!.detail).toContain(
      "approved on confidence alone by the policy's approveUnmeasuredSkill",
    );
    // A measured skill, or a set that is not a learner's, is not checked for it.
    const measured = learnerSet(12, 30, { ...LEDGER_LEARNER, skill: { mean: 0.2, t: 3 } });
    expect(evaluatePolicy(policy, from, { set: measured }, quiet).checks.map((c) => c.check)).not.toContain(
      'skill',
    );
  });

  it('leaves to a person, with the reasons, what leaves the bounds, the step or the named parameters', () => {
    expect(failed(evaluatePolicy(policy, active, { set: withParams({ fast: 4 }) }, quiet))).toEqual([
      'fast.bound',
      'fast.step',
    ]);
    expect(failed(evaluatePolicy(policy, active, { set: withParams({ fast: 14 }) }, quiet))).toEqual([
      'fast.step',
    ]);
    expect(failed(evaluatePolicy(policy, active, { set: withParams({ other: 1 }) }, quiet))).toEqual([
      'other.named',
    ]);
    expect(failed(evaluatePolicy(policy, undefined, { set: withParams({ fast: 12 }) }, quiet))).toEqual([
      'first-set',
    ]);
    // A set the workstation never recorded is no first set: the check says so, naming its hash.
    const blind = evaluatePolicy(
      policy,
      { unknownHash: 'ab'.repeat(32) },
      { set: withParams({ fast: 12 }) },
      quiet,
    );
    expect(failed(blind)).toEqual(['unknown-set']);
    expect(blind.checks.find((c) => c.check === 'unknown-set')!.detail).toBe(
      `unknown running set ${'ab'.repeat(32)}: a person must look at the bot`,
    );
    expect(failed(evaluatePolicy(policy, active, { set: active }, quiet))).toEqual(['change']);
    const limits = {
      ...active,
      parameters: { fast: 12, slow: 30 },
      limits: { ...active.limits, maxOrdersPerDay: 99 },
    };
    const verdict = evaluatePolicy(policy, active, { set: limits }, quiet);
    expect(failed(verdict)).toEqual(['limits']);
    expect(verdict.checks.find((c) => c.check === 'limits')!.detail).toContain('maxOrdersPerDay 20 -> 99');
    const strategy = { ...withParams({ fast: 12 }), strategy: { name: 'sma-cross', version: '2' } };
    expect(failed(evaluatePolicy(policy, active, { set: strategy }, quiet))).toEqual(['strategy']);
  });

  it('asks for the minimum confidence only when the policy sets one', () => {
    const confident = { ...policy, minConfidence: 0.7 };
    const set = withParams({ fast: 12 });
    expect(evaluatePolicy(policy, active, { set }, quiet).approved).toBe(true);
    expect(failed(evaluatePolicy(confident, active, { set }, quiet))).toEqual(['confidence']);
    expect(failed(evaluatePolicy(confident, active, { set, confidence: 0.69 }, quiet))).toEqual([
      'confidence',
    ]);
    expect(evaluatePolicy(confident, active, { set, confidence: 0.7 }, quiet).approved).toBe(true);
  });

  it('bounds and steps are inclusive, to the last bit', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e3, noNaN: true }),
        fc.boolean(),
        (from, step, up) => {
          const to = up ? from + step : from - step;
          const low = Math.min(from, to);
          const high = Math.max(from, to);
          const exact: ApprovalPolicy = {
            bounds: { fast: { min: up ? low : to, max: up ? to : high, maxStep: step } },
            maxChangesPerDay: 1,
          };
          const start = withParams({ fast: from });
          expect(evaluatePolicy(exact, start, { set: withParams({ fast: to }) }, quiet).approved).toBe(true);
          // One representable value past the bound fails it.
          const past = up
            ? to + Math.max(Math.abs(to), 1e-300) * 2 * Number.EPSILON
            : to - Math.max(Math.abs(to), 1e-300) * 2 * Number.EPSILON;
          const outside = evaluatePolicy(exact, start, { set: withParams({ fast: past }) }, quiet);
          expect(outside.checks.find((c) => c.check === 'fast.bound')!.passed).toBe(false);
        },
      ),
    );
  });

  it('an empty policy approves nothing automatically, whatever is proposed', () => {
    const parameters = fc.dictionary(
      fc.constantFrom('fast', 'slow', 'width'),
      fc.double({ min: -100, max: 100, noNaN: true }),
    );
    fc.assert(
      fc.property(
        parameters,
        parameters,
        fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
        (a, b, confidence) => {
          const from = { ...active, parameters: a };
          const to = { ...active, parameters: b };
          expect(evaluatePolicy(EMPTY_APPROVAL_POLICY, from, { set: to, confidence }, quiet).approved).toBe(
            false,
          );
          expect(
            evaluatePolicy(EMPTY_APPROVAL_POLICY, undefined, { set: to, confidence }, quiet).approved,
          ).toBe(false);
          expect(
            evaluatePolicy({ ...policy, maxChangesPerDay: 0 }, from, { set: to, confidence }, quiet).approved,
          ).toBe(false);
        },
      ),
    );
  });

  it('never approves more than k changes in any 24 hours, under any sequence of recommendations', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 12 * 3_600_000 }),
            fast: fc.integer({ min: 3, max: 22 }),
            manual: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        (k, sequence) => {
          const capped = { ...policy, maxChangesPerDay: k };
          let now = 0;
          let running = active;
          // Each approval's place in the changes: a person's change at the same millisecond, after it,
          // is not one it could have seen (the property failed on such a sequence, gap 0).
          const approvals: number[] = [];
          const changes: number[] = [];
          for (const { gap, fast, manual } of sequence) {
            now += gap;
            const set = withParams({ ...running.parameters, fast });
            if (manual) {
              // A person's change counts against the cap too.
              changes.push(now);
              running = set;
              continue;
            }
            if (evaluatePolicy(capped, running, { set }, { now, changes }).approved) {
              approvals.push(changes.length);
              changes.push(now);
              running = set;
            }
          }
          for (const i of approvals) {
            const t = changes[i]!;
            const inDay = changes.slice(0, i + 1).filter((c) => t - c < DAY_MS).length;
            expect(inDay).toBeLessThanOrEqual(k);
          }
        },
      ),
    );
  });

  it('counts the changes of the last 24 hours only', () => {
    const set = withParams({ fast: 12 });
    const now = 10 * DAY_MS;
    const full = { now, changes: [now - DAY_MS + 1, now - 1] };
    expect(failed(evaluatePolicy(policy, active, { set }, full))).toEqual(['cap']);
    expect(evaluatePolicy(policy, active, { set }, { now, changes: [now - DAY_MS, now - 1] }).approved).toBe(
      true,
    );
  });
});
