import { describe, expect, it } from 'vitest';
import { createRng } from '../math/random.ts';
import { GaussianHmm } from './models.ts';

/**
 * Persistent spells of three kinds of day: calm (sd 1 %), steady rallies (+1.5 % a day, sd 1 %) and
 * turmoil (sd 3 %). The rallies are as wide as the calm days but sit apart from them: a model that gives
 * each state a mean of its own can tell them apart by where a return lies rather than by how far.
 */
function plantedWindow(n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const kinds = [
    { mean: 0, sd: 0.01 },
    { mean: 0.015, sd: 0.01 },
    { mean: 0, sd: 0.03 },
  ];
  const x = new Float64Array(n);
  let kind = 0;
  for (let i = 0; i < n; i++) {
    if (i % 40 === 0) kind = rng.int(3);
    x[i] = kinds[kind]!.mean + kinds[kind]!.sd * rng.normal();
  }
  return x;
}

/** State probabilities of one return, judged right after a fit and a replay of the fit window. */
function probabilitiesAfterWindow(model: GaussianHmm, window: Float64Array, x: number): Float64Array {
  const p = new Float64Array(model.states);
  // As at a refit: every return judged from the same start, the filter at the window's end.
  model.fit(window, window.length);
  model.replay(window, window.length, p);
  model.step(x, p);
  return p;
}

/** The expected state index: rises as the probability moves to the more volatile states. */
const expectedState = (p: Float64Array): number => p.reduce((sum, q, j) => sum + q * j, 0);

describe('GaussianHmm ordered by variance (the volatility axis)', () => {
  it('judges a move by its size alone: a return and its mirror alike, a bigger move never calmer (issue 11)', () => {
    for (const seed of [1, 2, 3]) {
      const window = plantedWindow(252 * 2, seed);
      const model = new GaussianHmm({ states: 3, maxWindow: window.length, orderBy: 'variance' });
      const mean = window.reduce((sum, x) => sum + x, 0) / window.length;
      const expected: number[] = [];
      for (let size = 0; size <= 0.08; size += 0.0025) {
        const up = probabilitiesAfterWindow(model, window, mean + size);
        const down = probabilitiesAfterWindow(model, window, mean - size);
        const at = `seed ${seed}, ${(size * 100).toFixed(2)} % either side of the mean`;
        for (let j = 0; j < model.states; j++) expect(down[j], at).toBeCloseTo(up[j]!, 9);
        expected.push(expectedState(up));
      }
      for (let k = 1; k < expected.length; k++)
        expect(expected[k], `seed ${seed}`).toBeGreaterThanOrEqual(expected[k - 1]! - 1e-12);
      // The sizes reach from calm to turmoil, so the checks above are not met by a flat response.
      expect(expected.at(-1)! - expected[0]!, `seed ${seed}`).toBeGreaterThan(0.1);
    }
  });
});
