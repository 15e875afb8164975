import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  drawdownCurve,
  drawdownSummary,
  mean,
  quantile,
  ratio,
  sampleStd,
  skewnessAndKurtosis,
} from './statistics.ts';

const sample = [0.3, -1.2, 2.5, 0.0, 4.1, -0.7, 1.1];

describe('descriptive statistics', () => {
  it('match numpy / scipy on a small sample', () => {
    // Expected: python3 numpy.mean, numpy.std(ddof=1), scipy.stats.skew, scipy.stats.kurtosis(fisher=False).
    expect(mean(sample)).toBeCloseTo(0.8714285714285713, 14);
    expect(sampleStd(sample)).toBeCloseTo(1.8696829372153678, 14);
    const { skewness, kurtosis } = skewnessAndKurtosis(sample);
    expect(skewness).toBeCloseTo(0.6711775306608445, 13);
    expect(kurtosis).toBeCloseTo(2.2417147073328496, 13);
  });

  it('quantile interpolates linearly like numpy.percentile', () => {
    // Expected: numpy.percentile(sample, [0, 5, 25, 50, 90, 100]). By hand for 5%: sorted
    // [-1.2, -0.7, 0, 0.3, 1.1, 2.5, 4.1], h = 6 × 0.05 = 0.3, -1.2 + 0.3 × 0.5 = -1.05.
    const expected: Array<[number, number]> = [
      [0, -1.2],
      [0.05, -1.05],
      [0.25, -0.35],
      [0.5, 0.3],
      [0.9, 3.14],
      [1, 4.1],
    ];
    for (const [q, value] of expected) expect(quantile(sample, q)).toBeCloseTo(value, 14);
  });

  it('returns NaN where undefined', () => {
    expect(mean([])).toBeNaN();
    expect(sampleStd([1])).toBeNaN();
    expect(skewnessAndKurtosis([2, 2, 2]).skewness).toBeNaN();
    expect(quantile([], 0.05)).toBeNaN();
  });

  it('ratio follows the documented zero-denominator rule', () => {
    expect(ratio(6, 3)).toBe(2);
    expect(ratio(1, 0)).toBe(Infinity);
    expect(ratio(-1, 0)).toBe(-Infinity);
    expect(ratio(0, 0)).toBeNaN();
    expect(ratio(1, NaN)).toBeNaN();
  });

  it('quantile lies between min and max and is monotone in q', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, a, b) => {
          const lo = Math.min(a, b);
          const hi = Math.max(a, b);
          expect(quantile(xs, lo)).toBeLessThanOrEqual(quantile(xs, hi));
          expect(quantile(xs, lo)).toBeGreaterThanOrEqual(Math.min(...xs));
          expect(quantile(xs, hi)).toBeLessThanOrEqual(Math.max(...xs));
        },
      ),
    );
  });
});

describe('drawdownSummary', () => {
  it('measures depth and duration by hand', () => {
    // Wealth 100 → 120 → 90 → 96 → 120 → 130 → 117; times are day numbers.
    // Peaks: 120 at t=1 falls to 90 (-25%) and is regained at t=4: 3 points, 3 days.
    // 130 at t=5 falls to 117 (-10%) and is still under water at t=6: 1 point, 1 day.
    const wealth = [100, 120, 90, 96, 120, 130, 117];
    const time = [0, 1, 2, 3, 4, 5, 6];
    const summary = drawdownSummary(wealth, time);
    expect(summary.maxDrawdown).toBeCloseTo(-0.25, 15);
    expect(summary.maxDurationPoints).toBe(3);
    expect(summary.maxDuration).toBe(3);
  });

  it('counts a loss from the starting point and an unrecovered drawdown to the end', () => {
    const summary = drawdownSummary([100, 95, 97, 99], [0, 10, 20, 30]);
    expect(summary.maxDrawdown).toBeCloseTo(-0.05, 15);
    expect(summary.maxDurationPoints).toBe(3);
    expect(summary.maxDuration).toBe(30);
  });

  it('is 0 for a rising series and NaN for an empty one', () => {
    expect(drawdownSummary([1, 2, 3], [0, 1, 2])).toEqual({
      maxDrawdown: 0,
      maxDurationPoints: 0,
      maxDuration: 0,
    });
    expect(drawdownSummary([], []).maxDrawdown).toBeNaN();
  });

  it('takes a dip of a rounding error under the peak for the peak, so a flat stretch is no drawdown', () => {
    // 1.1 × 0.97 / 0.97 lands 2.2e-16 under 1.1: compounding returns leaves such dips on flat stretches, which as
    // a drawdown made Calmar 6e14 in a walk-forward window that never lost.
    const flat = (1.1 * 0.97) / 0.97;
    expect(flat).toBeLessThan(1.1);
    expect(drawdownSummary([1, 1.1, flat, flat, 1.2], [0, 1, 2, 3, 4])).toEqual({
      maxDrawdown: 0,
      maxDurationPoints: 0,
      maxDuration: 0,
    });
    expect([...drawdownCurve(Float64Array.of(1, 1.1, flat), new Float64Array(3))]).toEqual([0, 0, 0]);
    // A loss of a millionth is still a loss.
    expect(drawdownSummary([1, 1.1, 1.1 * (1 - 1e-6)], [0, 1, 2]).maxDrawdown).toBeCloseTo(-1e-6, 12);
  });

  it('drawdownCurve agrees with the summary and stays in [-1, 0] for positive wealth', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1000, noNaN: true }), { minLength: 1, maxLength: 60 }),
        (xs) => {
          const equity = Float64Array.from(xs);
          const curve = drawdownCurve(equity, new Float64Array(xs.length));
          let min = 0;
          for (const d of curve) {
            expect(d).toBeLessThanOrEqual(0);
            expect(d).toBeGreaterThanOrEqual(-1);
            min = Math.min(min, d);
          }
          expect(drawdownSummary(equity, Float64Array.from(xs.keys())).maxDrawdown).toBe(min);
        },
      ),
    );
  });
});
