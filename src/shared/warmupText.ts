import type { StudyDetail } from './optimizeContract.ts';

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

/**
 * Where a study's trials warm their indicators up, in words, as the CLI's "Warm-up:" line says it (a
 * backtest's line says where its own warm-up was): on the bars before the range when the source had
 * them, as a backtest from the range's start does, so a set scores the same in both; else inside it.
 */
export function studyWarmUpText(warmUp: StudyDetail['warmUp']): string {
  if (warmUp === null || warmUp.before === 0)
    return (
      'inside the range: no bars before its start were read to warm the strategy up, so each trial ' +
      'trades from the end of its own warm-up, its first bars warming its indicators'
    );
  if (warmUp.before >= warmUp.longest)
    return (
      `on the ${warmUp.before} bars before the range (the space's longest warm-up is ${warmUp.longest}), ` +
      'so every trial trades from its first bar, as a backtest from its start does'
    );
  return (
    `on the ${warmUp.before} bars before the range, fewer than the space's longest warm-up ` +
    `(${warmUp.longest} bars): a trial warming longer warms up in the range's first bars, as a backtest ` +
    'from its start does'
  );
}
