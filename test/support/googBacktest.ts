/**
 * The backtesting.py reference run on GOOG (sma-cross, fast 10, slow 30) as `regimen backtest`
 * arguments, before a test's own account, cost and output flags.
 */
export function googSmaCross10x30(csv: string): string[] {
  return ['backtest', '--csv', csv, '--strategy', 'sma-cross', '--param', 'fast=10', '--param', 'slow=30'];
}
