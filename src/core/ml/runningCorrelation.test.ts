import { describe, expect, it } from 'vitest';
import { createRng } from '../math/random.ts';
import { RunningCorrelation } from './runningCorrelation.ts';

/** Pearson correlation of two equal-length samples, computed directly. */
function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('RunningCorrelation', () => {
  it('equals the Pearson correlation of every pair while fewer than `memory` have been seen', () => {
    const rng = createRng(7);
    const xs: number[] = [];
    const ys: number[] = [];
    const running = new RunningCorrelation(100);
    for (let i = 0; i < 60; i++) {
      const x = rng.normal();
      const y = 0.5 * x + rng.normal();
      xs.push(x);
      ys.push(y);
      running.push(x, y);
      if (i >= 2) expect(running.correlation).toBeCloseTo(pearson(xs, ys), 10);
    }
  });

  it('follows the recent relation once past its memory', () => {
    const rng = createRng(11);
    const running = new RunningCorrelation(20);
    for (let i = 0; i < 300; i++) {
      const x = rng.normal();
      running.push(x, x);
    }
    expect(running.correlation).toBeCloseTo(1, 10);
    for (let i = 0; i < 300; i++) {
      const x = rng.normal();
      running.push(x, -x);
    }
    expect(running.correlation).toBeLessThan(-0.99);
  });

  it('is 0 while one side has not varied', () => {
    const running = new RunningCorrelation(10);
    for (let i = 0; i < 5; i++) running.push(i, 3);
    expect(running.correlation).toBe(0);
  });

  it('continues from its saved state exactly as the original does', () => {
    const rng = createRng(3);
    const original = new RunningCorrelation(15);
    for (let i = 0; i < 40; i++) original.push(rng.normal(), rng.normal());
    const restored = RunningCorrelation.of(15, original.toState());
    for (let i = 0; i < 40; i++) {
      const x = rng.normal();
      const y = x + rng.normal();
      original.push(x, y);
      restored.push(x, y);
    }
    expect(restored.toState()).toEqual(original.toState());
    expect(restored.correlation).toBe(original.correlation);
  });

  it('refuses a memory that is not an integer of at least 2', () => {
    expect(() => new RunningCorrelation(1)).toThrow(/integer memory of at least 2, got 1/);
    expect(() => new RunningCorrelation(2.5)).toThrow(/got 2.5/);
  });
});
