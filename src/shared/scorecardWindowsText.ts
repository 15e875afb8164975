/**
 * The scorecard's test windows in words, for the CLI's report and the Learner view alike: the last one
 * differs from the rest by the bars left over after the whole ones (shorter when they are half a test
 * window or more, which stand alone; longer when fewer, folded into it: core/optimize/walkForward.ts).
 */
export function scorecardWindowsText(card: {
  readonly bars: number;
  readonly train: number;
  readonly test: number;
  readonly windows: number;
}): string {
  const last = card.bars - card.train - (card.windows - 1) * card.test;
  const lastText =
    last === card.test
      ? ''
      : ` (the last of ${last}: ${last < card.test ? 'the bars left' : 'with the bars left'})`;
  return `${card.windows} test windows of ${card.test} bars${lastText}`;
}
