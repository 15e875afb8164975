/**
 * What the Learner view offers, without the schemas (learnerContract.ts builds its fields from these),
 * so the renderer's select and the contract's defaults are one definition.
 */

/**
 * Which learner answers a recommendation. 'ledger': the one the ledger's walk-forward results taught
 * (saved), its candidates read among the ledger's scored sets. 'bars': one trained on the request's bars
 * as "Evaluate on these bars" trains it (the same panel of sets, windows, seed, session and costs), its
 * candidates read among the panel's sets: the CLI's `learner recommend` without --from-ledger.
 */
export const LEARN_FROM = ['ledger', 'bars'] as const;
export type LearnFrom = (typeof LEARN_FROM)[number];

/** Parameter sets a panel of the bars tests in every window ("Evaluate on these bars", a recommendation from them). */
export const LEARNER_PANEL_SETS = 30;

/**
 * Trials the scorecard's optimised, regime-aware and learner policies each choose from: the contract's
 * field, the CLI's --trials and the Scorecard view's field. More trials search the space better and cost
 * time in every part of the run.
 */
export const SCORECARD_TRIALS = { min: 2, max: 500, default: 20 } as const;

/**
 * Why `value` is not a scorecard trial budget (in the words the view and the CLI show), or null; `typed`
 * is what the trader typed, where that is not a number.
 */
export function scorecardTrialsProblem(value: number, typed: string = String(value)): string | null {
  const { min, max } = SCORECARD_TRIALS;
  return Number.isInteger(value) && value >= min && value <= max
    ? null
    : `trials must be a whole number from ${min} to ${max}, got ${typed}`;
}
