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
