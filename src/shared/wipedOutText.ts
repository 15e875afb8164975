/**
 * What a trader is told of a backtest whose account was wiped out (`BacktestResult.wipedOutAt`), by the
 * CLI and the Backtest view alike. `when` is the bar's time as the surface formats it.
 */
export function wipedOutText(when: string): string {
  return (
    `Account wiped out on ${when}: the equity fell to or below 0 at that close, so every position was ` +
    'closed there and the run stopped (equity 0 from then on, return -100 %)'
  );
}

/**
 * Where a wiped-out trial lost its account, after "wiped out": " on NVDA" (the slices of
 * `TrialRow.wipedOutOn`, for a study of several symbols or timeframes), nothing for a trial of one.
 */
export function wipedOutOnText(slices: readonly string[]): string {
  return slices.length === 0 ? '' : ` on ${slices.join(', ')}`;
}

/**
 * How many of a study's trials wiped out their account (`TrialRow.wipedOut`), by the CLI's study report
 * and the Optimize view alike: they have no objective value, so they rank last and cannot win.
 */
export function wipedOutTrialsText(count: number): string {
  return (
    `${count} ${count === 1 ? 'trial' : 'trials'} wiped out the account (equity to 0, the run stopped ` +
    'there), ranked last'
  );
}
