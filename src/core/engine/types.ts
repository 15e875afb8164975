/** Why a trade was closed; stored as a small integer in the structure-of-arrays trade log. */
export const ExitReason = {
  Signal: 0,
  StopLoss: 1,
  TakeProfit: 2,
  TrailingStop: 3,
  EndOfData: 4,
  Reversal: 5,
  /** The account's equity fell to or below 0: every position closed at that bar's close and the run ended. */
  WipedOut: 6,
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
  /** Stop-loss and take-profit levels in force when the position opened (NaN: none). */
  stopLoss: Float64Array;
  takeProfit: Float64Array;
  /** Why the entry fired, as its strategy recorded it (OrderPort.recordEntryReason): a bit mask over the
   * definition's `signals`, 0 when not recorded. */
  entrySignals: Uint32Array;
  /** The strategy's confidence score at entry, in [0, 1] (NaN: not scored). */
  entryConfidence: Float64Array;
}
