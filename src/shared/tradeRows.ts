/**
 * The exit reason of the last trade row when a position is still open after the last bar: its exit time
 * and price are the mark (the last bar's close), its P&L unrealised. Zod-free, so the renderer may import it.
 */
export const OPEN_TRADE_REASON = 'Open';
