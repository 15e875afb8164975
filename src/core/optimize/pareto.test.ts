import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crowdingDistances, dominates, hypervolume, nonDominatedFronts } from './pareto.ts';

describe('non-dominated sorting', () => {
  it('sorts a known set into fronts', () => {
    const points = [
      [1, 5],
      [2, 3],
      [4, 1],
      [3, 4],
      [5, 5],
      [2, 3],
    ];
    expect(nonDominatedFronts(points)).toEqual([[0, 1, 2, 5], [3], [4]]);
    expect(dominates([1, 1], [1, 2])).toBe(true);
    expect(dominates([1, 2], [1, 2])).toBe(false);
  });
  it('gives boundary points infinite crowding and interior ones the normalised gap', () => {
    const points = [
      [0, 4],
      [1, 2],
      [4, 0],
    ];
    expect(crowdingDistances(points, [0, 1, 2])).toEqual([Infinity, (4 - 0) / 4 + (4 - 0) / 4, Infinity]);
  });
  it('no point of a front dominates another of the same front (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 9 }),
            fc.integer({ min: 0, max: 9 }),
            fc.integer({ min: 0, max: 9 }),
          ),
          { maxLength: 30 },
        ),
        (pts) => {
          const fronts = nonDominatedFronts(pts);
          expect(fronts.flat().sort((a, b) => a - b)).toEqual(pts.map((_, i) => i));
          for (const front of fronts)
            for (const i of front) for (const j of front) expect(dominates(pts[i]!, pts[j]!)).toBe(false);
        },
      ),
    );
  });
});

describe('hypervolume', () => {
  it('is exact in 2-D', () => {
    // Staircase: (1,3),(2,2),(3,1) against (4,4): 3 + 2 + 1 = 6 unit squares.
    expect(
      hypervolume(
        [
          [1, 3],
          [2, 2],
          [3, 1],
        ],
        [4, 4],
      ),
    ).toBe(6);
    expect(
      hypervolume(
        [
          [1, 3],
          [2, 2],
          [3, 1],
          [3, 3],
        ],
        [4, 4],
      ),
    ).toBe(6);
    expect(hypervolume([[5, 1]], [4, 4])).toBe(0);
  });
  it('matches inclusion-exclusion in 3-D and 4-D', () => {
    const a = [1, 2, 3];
    const b = [2, 1, 2];
    const ref = [4, 4, 4];
    const vol = (p: number[]): number => p.reduce((acc, v, i) => acc * (ref[i]! - v), 1);
    const inter = vol(a.map((v, i) => Math.max(v, b[i]!)));
    expect(hypervolume([a, b], ref)).toBeCloseTo(vol(a) + vol(b) - inter, 12);
    const ref4 = [1, 1, 1, 1];
    const c = [0.5, 0, 0, 0];
    const d = [0, 0.5, 0, 0];
    expect(hypervolume([c, d], ref4)).toBeCloseTo(0.5 + 0.5 - 0.25, 12);
  });
  it('agrees with a grid count on random 3-D fronts (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 5 }),
            fc.integer({ min: 0, max: 5 }),
            fc.integer({ min: 0, max: 5 }),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        (pts) => {
          // Integer points: count the unit cells [x,x+1) x [y,y+1) x [z,z+1) dominated by some point.
          let cells = 0;
          for (let x = 0; x < 6; x++)
            for (let y = 0; y < 6; y++)
              for (let z = 0; z < 6; z++) if (pts.some((p) => p[0] <= x && p[1] <= y && p[2] <= z)) cells++;
          expect(hypervolume(pts, [6, 6, 6])).toBeCloseTo(cells, 9);
        },
      ),
      { numRuns: 60 },
    );
  });
});
