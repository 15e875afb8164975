/**
 * What a learner's set says of the learner that proposed it: which one, what it had learned and how far
 * its ranking of sets held out of sample. Imports no code, so the Live view shows it as the CLI and the
 * audit do.
 */
import type { ParameterSetBody, Provenance } from './parameterSet.ts';

/** Which learner recommended a set, and how far its ranking of sets was shown to hold out of sample. */
export interface LearnerBasis {
  /** As the learner's answers name it ("the ledger's learner"). */
  readonly name: string;
  /** Results it had learned when it answered. */
  readonly learned: number;
  /**
   * Its out-of-sample rank correlation (RecommendOptions.skill; t null where it is not defined). Null: not
   * measured: the ledger's learner learns its results one by one and keeps no such figure, so its switch
   * rests on its confidence alone.
   */
  readonly skill: { readonly mean: number; readonly t: number | null } | null;
}

/**
 * A learner's set whose learner's skill is not measured (or was not recorded): confidence is an
 * interval's width and a market's novelty, not evidence that the learner ranks sets at all, so a person
 * approving it says in the approval that they know it rests on confidence alone (approve()).
 */
export function skillUnmeasured(set: ParameterSetBody): boolean {
  return set.provenance.kind === 'learner' && (set.provenance.learner?.skill ?? null) === null;
}

/** The learner's basis and skill in words, wherever a learner's set is shown or audited (undefined: not a learner's). */
export function learnerBasisText(provenance: Provenance): string | undefined {
  if (provenance.kind !== 'learner') return undefined;
  const { learner } = provenance;
  if (learner === undefined)
    return 'skill not recorded (proposed before sets carried their learner and its skill)';
  const learned = `${learner.learned.toLocaleString('en-US')} result${learner.learned === 1 ? '' : 's'} learned`;
  const { skill } = learner;
  return (
    `${learner.name}, ${learned}; ` +
    (skill === null
      ? 'skill not measured: it proposed on confidence alone'
      : `skill: rank correlation ${skill.mean.toFixed(3)} out of sample (t ${skill.t === null ? 'not defined' : skill.t.toFixed(1)})`)
  );
}

/** What a policy does with a learner's set whose skill is not measured, as the CLI and the Live view say it. */
export const unmeasuredSkillText = (approves: boolean): string =>
  approves
    ? "approves a learner's set whose skill is not measured (on confidence alone): approveUnmeasuredSkill"
    : "a learner's set whose skill is not measured waits for a person";
