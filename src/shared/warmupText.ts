/**
 * Why a run trades from after its first bar (`BacktestResult.range.warmup`), by the CLI and the Backtest
 * view alike: the bars before the run could not warm the strategy's indicators up. `tradingFrom` is the
 * time of the first bar it could trade, as the surface prints times (its time zone named).
 */
export function warmupText(warmup: { bars: number; traded: boolean }, tradingFrom: string): string {
  return warmup.traded
    ? `too few bars before the range to warm the strategy's indicators up: its first ${warmup.bars} ` +
        `bars did, and it trades from ${tradingFrom}`
    : `too few bars before and in the range to warm the strategy's indicators up: it never traded`;
}
