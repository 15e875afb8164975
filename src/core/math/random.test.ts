import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed } from './random.ts';

describe('createRng', () => {
  it('reproduces the reference mulberry32 sequence from its seed', () => {
    // Expected: a python3 transcription of the reference C mulberry32 (32-bit masks for Math.imul).
    const reference = createRng(42);
    for (const value of [0.6011037519201636, 0.44829055899754167, 0.8524657934904099, 0.6697340414393693]) {
      expect(reference.float()).toBe(value);
    }
    const zero = createRng(0);
    expect(zero.float()).toBe(0.26642920868471265);
    expect(zero.float()).toBe(0.0003297457005828619);
    const a = createRng(42);
    const b = createRng(42);
    for (let i = 0; i < 1000; i++) expect(a.float()).toBe(b.float());
    expect(createRng(43).float()).not.toBe(createRng(42).float());
  });

  it('draws uniform integers and standard normals with the right moments', () => {
    const rng = createRng(7);
    const n = 200_000;
    let sum = 0;
    let sumSquares = 0;
    let sumFourth = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSquares += z * z;
      sumFourth += z ** 4;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(Math.abs(sumSquares / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(sumFourth / n - 3)).toBeLessThan(0.1);
    const counts = new Int32Array(6);
    for (let i = 0; i < 60_000; i++) counts[rng.int(6)]!++;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(400);
  });

  it('derives distinct seeds from nearby keys', () => {
    const seeds = new Set<number>();
    for (let k = 0; k < 1000; k++) seeds.add(deriveSeed(1, k));
    expect(seeds.size).toBe(1000);
    expect(deriveSeed(1, 5)).toBe(deriveSeed(1, 5));
  });
});
