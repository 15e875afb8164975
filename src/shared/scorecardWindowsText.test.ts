import { expect, it } from 'vitest';
import { scorecardWindowsText } from './scorecardWindowsText.ts';

it('says how the last test window differs from the rest, in the CLI and the Learner view alike', () => {
  expect(scorecardWindowsText({ bars: 2_000, train: 1_000, test: 200, windows: 5 })).toBe(
    '5 test windows of 200 bars',
  );
  expect(scorecardWindowsText({ bars: 2_000, train: 1_100, test: 200, windows: 5 })).toBe(
    '5 test windows of 200 bars (the last of 100: the bars left)',
  );
  expect(scorecardWindowsText({ bars: 2_050, train: 1_000, test: 200, windows: 5 })).toBe(
    '5 test windows of 200 bars (the last of 250: with the bars left)',
  );
});
