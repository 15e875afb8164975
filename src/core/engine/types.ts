/** Why a trade was closed; stored as a small integer in the structure-of-arrays trade log. */
export const ExitReason = {
  Signal: 0,
  StopLoss: 1,
  TakeProfit: 2,
  TrailingStop: 3,
  EndOfData: 4,
  Reversal: 5,
} as const;
export type ExitReason = (typeof ExitReason)[keyof typeof ExitReason];

/**
 * Closed trades as structure-of-arrays. Arrays have reserved capacity (grown by doubling); only the
 * first `count` entries are meaningful. `size` is signed: positive long, negative short.
 */
export interface TradeLog {
  count: number;
  entryIndex: Int32Array;
  exitIndex: Int32Array;
  entryTime: Float64Array;
  exitTime: Float64Array;
  entryPrice: Float64Array;
  exitPrice: Float64Array;
  size: Float64Array;
  /** Profit after both commissions and slippage, in account currency. */
  pnl: Float64Array;
  /** pnl relative to the entry value (|size| x entryPrice). */
  returnPct: Float64Array;
  commission: Float64Array;
  exitReason: Uint8Array;
}
