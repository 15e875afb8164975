import { describe, expect, it } from 'vitest';
import { walkForwardEfficiency } from '../core/optimize/walkForward.ts';
import { walkForwardEfficiencyText } from './walkForwardEfficiencyText.ts';

const percent = (_key: string, value: number): string => `${(value * 100).toFixed(2)}%`;

/** A result's efficiency fields as the service reports them (null where not finite). */
function run(inSample: number | null, outOfSample: number | null) {
  const efficiency = walkForwardEfficiency(outOfSample ?? NaN, inSample ?? NaN);
  return {
    efficiency: Number.isFinite(efficiency) ? efficiency : null,
    inSampleMean: { annualizedReturn: inSample },
    outOfSample: { annualizedReturn: outOfSample },
  };
}

describe("a walk-forward's efficiency (Pardo: annualized out of sample over annualized in sample)", () => {
  it('gives the ratio with the two annualized returns it divides', () => {
    expect(walkForwardEfficiencyText(run(0.4107, 0.2057), percent)).toBe(
      "0.501 (annualized return out of sample 20.57% over in sample 41.07%, the windows' mean)",
    );
  });

  it('is n/a, saying why, when the in-sample return is a loss or nothing', () => {
    // Over a loss the ratio's sign flips: -0.05 / -0.10 read as an efficiency of 0.5.
    expect(walkForwardEfficiency(-0.05, -0.1)).toBeNaN();
    expect(walkForwardEfficiency(0.1, 0)).toBeNaN();
    expect(walkForwardEfficiencyText(run(-0.1, -0.05), percent)).toBe(
      "n/a: the in-sample annualized return (the windows' mean) is -10.00%, not positive, so out of " +
        'sample over in sample is no ratio of how much of the fit carried over',
    );
    expect(walkForwardEfficiencyText(run(null, 0.1), percent)).toMatch(/^n\/a: no window has an in-sample/);
    expect(walkForwardEfficiencyText(run(0.1, null), percent)).toMatch(/^n\/a: the stitched out-of-sample/);
  });

  it('shows the figures behind a ratio over a tiny in-sample return', () => {
    // 0.20 / 0.0001 = 2000 alone looks like an outstanding walk-forward; beside its inputs it does not.
    expect(walkForwardEfficiencyText(run(0.0001, 0.2), percent)).toBe(
      "2000.000 (annualized return out of sample 20.00% over in sample 0.01%, the windows' mean)",
    );
  });
});
