import { describe, expect, it } from 'vitest';
import { createRng } from '../math/random.ts';
import { PersistentLabel } from './detector.ts';
import { RollingRank } from './rollingRank.ts';

describe('RollingRank', () => {
  it('matches counting the last `window` values directly (to its bin grid)', () => {
    const rng = createRng(1);
    const rank = new RollingRank(50);
    const values: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const x = rng.normal() * 3;
      if (values.length >= 50) {
        const window = values.slice(-50);
        const below = window.filter((y) => y < x - 0.01).length;
        const atMost = window.filter((y) => y <= x + 0.01).length;
        const r = rank.rank(x);
        // Values within a bin (about 0.005) of x may count either way.
        expect(r).toBeGreaterThanOrEqual(below / 50 - 1e-12);
        expect(r).toBeLessThanOrEqual(atMost / 50 + 1e-12);
      }
      rank.add(x);
      values.push(x);
    }
  });

  it('is NaN before any value and 0.5 for a constant series', () => {
    const rank = new RollingRank(3);
    expect(rank.rank(1)).toBeNaN();
    for (let i = 0; i < 5; i++) rank.add(1);
    expect(rank.rank(1)).toBe(0.5);
    expect(rank.rank(2)).toBe(1);
  });
});

describe('PersistentLabel', () => {
  it('switches only past the hysteresis and after the minimum dwell', () => {
    const label = new PersistentLabel({ hysteresis: 0.2, minDwell: 3 });
    expect(label.update(0.6, 0.3, 0.1)).toBe(0);
    // A lead of 0.1 is inside the hysteresis band.
    expect(label.update(0.4, 0.5, 0.1)).toBe(0);
    // A clear lead, but the dwell is not over yet (two bars held).
    expect(label.update(0.1, 0.8, 0.1)).toBe(0);
    expect(label.update(0.1, 0.8, 0.1)).toBe(1);
    expect(label.update(0.9, 0.05, 0.05)).toBe(1);
    expect(label.update(Number.NaN, 0, 0)).toBe(1);
  });
});
