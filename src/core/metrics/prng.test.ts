import { describe, expect, it } from 'vitest';
import { mulberry32, standardNormal } from './prng.ts';
import { mean, sampleStd } from './statistics.ts';

describe('mulberry32', () => {
  it('reproduces the reference sequence', () => {
    // Expected: a python3 transcription of the reference C mulberry32 (32-bit masks for Math.imul).
    const random = mulberry32(42);
    const expected = [0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693];
    for (const value of expected) expect(random()).toBe(value);
    const zero = mulberry32(0);
    expect(zero()).toBe(0.26642920868471265);
    expect(zero()).toBe(0.0003297457005828619);
  });

  it('stays in [0, 1) and is uniform enough for simulations', () => {
    const random = mulberry32(123);
    const draws = new Float64Array(100_000);
    for (let i = 0; i < draws.length; i++) {
      draws[i] = random();
      expect(draws[i] >= 0 && draws[i] < 1).toBe(true);
    }
    // Uniform(0,1): mean 1/2, sd 1/√12 ≈ 0.2887; standard error of the mean ≈ 0.0009.
    expect(Math.abs(mean(draws) - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(sampleStd(draws) - Math.sqrt(1 / 12))).toBeLessThan(0.005);
  });
});

describe('standardNormal', () => {
  it('has mean 0 and standard deviation 1', () => {
    const random = mulberry32(9);
    const draws = new Float64Array(100_000);
    for (let i = 0; i < draws.length; i++) draws[i] = standardNormal(random);
    expect(Math.abs(mean(draws))).toBeLessThan(0.015);
    expect(Math.abs(sampleStd(draws) - 1)).toBeLessThan(0.015);
  });
});
