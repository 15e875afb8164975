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
