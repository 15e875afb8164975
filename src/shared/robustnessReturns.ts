import { OPEN_TRADE_REASON } from './tradeRows.ts';

/** The parts of a backtest result the Monte Carlo reads (structural, so this file stays zod-free). */
export interface ReturnsSource {
  readonly equity: { readonly value: readonly number[] };
  readonly trades: readonly { readonly pnl: number; readonly exitReason: string }[];
  readonly tearSheet: { readonly returns: readonly (number | null)[] };
}

/**
 * Closed trades' returns on the equity before each (starting equity plus earlier trades' P&L), so they
 * compound to the result's closed-trade equity; a trade's return on its own notional (returnPct) would
 * not. The open position is left out: its P&L is a mark, not an outcome.
 */
export function tradeEquityReturns(result: ReturnsSource): number[] {
  let equity = result.equity.value[0] ?? 0;
  const returns: number[] = [];
  for (const trade of result.trades) {
    if (trade.exitReason === OPEN_TRADE_REASON || !(equity > 0)) continue;
    returns.push(trade.pnl / equity);
    equity += trade.pnl;
  }
  return returns;
}

/** The tear sheet's period returns without the undefined ones (the first period has none). */
export function periodReturnsOf(result: ReturnsSource): number[] {
  return result.tearSheet.returns.filter((r): r is number => r !== null && Number.isFinite(r));
}
