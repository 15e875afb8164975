import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed } from './random.ts';
import { mulberry32 } from './metrics/prng.ts';

describe('createRng', () => {
  it('reproduces a sequence from its seed and matches metrics/prng mulberry32', () => {
    const a = createRng(42);
    const b = createRng(42);
    const reference = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const x = a.float();
      expect(x).toBe(b.float());
      expect(x).toBe(reference());
    }
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
