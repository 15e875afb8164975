/**
 * What feeds the learner, in the words of `regimen learner status`, the Learner view and a walk-forward
 * of several symbols. Its ledger rows hold one market's features beside a window's score, so a
 * walk-forward of several symbols, scored on them together, records none (walkForwardService, backfill).
 */

/** How the learner gets results, for a status with no learner yet. */
export function learnerFeedText(strategy?: string): string {
  const run =
    strategy === undefined ? 'a walk-forward of one symbol' : `a walk-forward of ${strategy} on one symbol`;
  return `${run} feeds it (a run of several symbols is scored on them together and not learned)`;
}

/** Why a walk-forward of `symbols` (two or more) leaves the learner's ledger as it was. */
export function severalSymbolsNotLearnedText(symbols: readonly string[]): string {
  return (
    `a run of several symbols (${symbols.join(', ')}) is not learned: its windows were scored on them ` +
    "together and the ledger learns one symbol's market"
  );
}
