import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalCdf, normalInverseCdf } from './normal.ts';

function expectRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

describe('normalCdf', () => {
  // Expected: python3 `0.5 * math.erfc(-x / math.sqrt(2))` near the centre; in the tails mpmath.ncdf at 40
  // digits, because rounding x/√2 makes the erfc route itself off by ~4e-14 relative at x = -20.
  const cases: Array<[number, number]> = [
    [0, 0.5],
    [0.5, 0.6914624612740131],
    [-1, 0.15865525393145707],
    [1.96, 0.9750021048517795],
    [-1.96, 0.024997895148220435],
    [2.5, 0.9937903346742238],
    [3, 0.9986501019683699],
    [-2.5, 0.006209665325776135],
    [-3, 0.0013498980316300946],
    [-5, 2.866515718791939e-7],
    [-8, 6.220960574271784e-16],
    [-10, 7.619853024160525e-24],
    [-20, 2.7536241186062337e-89],
  ];
  it.each(cases)('Φ(%d) matches erfc to 1e-14 relative', (x, expected) => {
    expectRelative(normalCdf(x), expected, 1e-14);
  });

  it('saturates and propagates NaN', () => {
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(NaN)).toBeNaN();
  });

  it('is symmetric: Φ(x) + Φ(-x) = 1', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), (x) => {
        expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 14);
      }),
    );
  });
});

describe('normalInverseCdf', () => {
  // Expected: python3 statistics.NormalDist().inv_cdf(p) and published z-tables (1.959963984540054 at 0.975).
  const cases: Array<[number, number]> = [
    [0.975, 1.9599639845400536],
    [0.05, -1.6448536269514726],
    [0.01, -2.3263478740408408],
    [0.3, -0.5244005127080407],
    [0.999, 3.090232306167813],
    [1e-10, -6.361340902404056],
    [1e-300, -37.0470962993612],
  ];
  it.each(cases)('Φ⁻¹(%d) matches AS241 reference to 1e-14 relative', (p, expected) => {
    expectRelative(normalInverseCdf(p), expected, 1e-14);
  });

  it('handles the limits', () => {
    expect(normalInverseCdf(0.5)).toBe(0);
    expect(normalInverseCdf(0)).toBe(-Infinity);
    expect(normalInverseCdf(1)).toBe(Infinity);
    expect(normalInverseCdf(-0.1)).toBeNaN();
    expect(normalInverseCdf(1.1)).toBeNaN();
    expect(normalInverseCdf(NaN)).toBeNaN();
  });

  it('inverts normalCdf', () => {
    // The lower tail only: above 0, Φ(x) rounds towards 1 and the inverse cannot recover x's last digits.
    fc.assert(
      fc.property(fc.double({ min: -37, max: 0, noNaN: true }), (x) => {
        expect(normalInverseCdf(normalCdf(x))).toBeCloseTo(x, 10);
      }),
    );
  });
});
