import { describe, expect, it } from 'vitest';
import { InputError } from '../../../shared/errors.ts';
import { TooFewWindows } from '../../compute/learnerTasks.ts';
import { asInputError } from './learnerService.ts';

const blamed = (error: Error, windowBars: string | undefined): unknown => {
  const mapped = asInputError(error, { bars: 'symbol', windowBars });
  return mapped instanceof InputError ? { field: mapped.field, message: mapped.message } : mapped;
};

const scorecardShort = new RangeError(
  'scorecard: 300 bars leave 60 after a train window of 240 (three purge gaps of 80), fewer than five ' +
    'learner windows of 40 bars: give more bars or a smaller window',
);

describe('asInputError names the field the caller can fix', () => {
  it('blames too few bars for the windows on a window the caller chose, else on the bars', () => {
    const tooFew = new TooFewWindows(4, 400);
    expect(blamed(tooFew, 'windowBars')).toEqual({ field: 'windowBars', message: tooFew.message });
    expect(blamed(tooFew, undefined)).toEqual({ field: 'symbol', message: tooFew.message });
    expect(blamed(scorecardShort, 'windowBars')).toMatchObject({ field: 'windowBars' });
    expect(blamed(scorecardShort, undefined)).toMatchObject({ field: 'symbol' });
  });

  it("blames a regime comparison's or walk-forward's shortage on the bars, even with a window chosen", () => {
    const comparison = new RangeError(
      'regime comparison: 100 bars are too few for a train and a test window',
    );
    expect(blamed(comparison, 'windowBars')).toMatchObject({ field: 'symbol' });
    // Bars the train window alone outnumbers: no window size helps.
    const shorterThanTrain = new RangeError(
      'scorecard: 156 bars are fewer than its train window alone, 1050 bars (three purge gaps of 350, ' +
        'the longest warm-up of the space and the detector): give more bars (a shorter timeframe)',
    );
    expect(blamed(shorterThanTrain, 'windowBars')).toMatchObject({ field: 'symbol' });
    expect(blamed(new Error('walk-forward: no bars'), 'windowBars')).toMatchObject({ field: 'symbol' });
    const window = new RangeError('panel: windowBars must be an integer >= 5, got 2');
    expect(blamed(window, 'windowBars')).toMatchObject({ field: 'windowBars' });
  });

  it("blames no field for core's other refusals, and leaves any other error as it is", () => {
    const other = new RangeError('parameter features: "fast" is NaN');
    expect(blamed(other, 'windowBars')).toEqual({ field: undefined, message: other.message });
    const fault = new TypeError('cannot read properties of undefined');
    expect(asInputError(fault, { bars: 'symbol', windowBars: 'windowBars' })).toBe(fault);
  });
});
