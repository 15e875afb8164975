import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  categoricalParam,
  createSpace,
  floatParam,
  gridPoint,
  gridSize,
  intParam,
  satisfiesConstraints,
  type SearchSpace,
} from '../space.ts';
import { countFeasible, GridSampler } from './grid.ts';

/** The scan the count replaces: every grid point, checked one by one. */
function scanCount(space: SearchSpace, floatPoints: number): number {
  let count = 0;
  for (let i = 0; i < gridSize(space, floatPoints); i++)
    if (satisfiesConstraints(space, gridPoint(space, i, floatPoints))) count++;
  return count;
}

const OPS = ['<', '<=', '>', '>=', '==', '!='] as const;

describe('GridSampler.feasibleCount', () => {
  it('equals the point-by-point scan for random spaces, chains, cycles and constant bounds', () => {
    const names = ['a', 'b', 'c', 'd'];
    const constraint = fc.oneof(
      fc
        .tuple(fc.constantFrom(...names), fc.constantFrom(...OPS), fc.constantFrom(...names))
        .filter(([l, , r]) => l !== r)
        .map(([l, op, r]) => `${l}${op}${r}`),
      fc
        .tuple(fc.constantFrom(...names), fc.constantFrom(...OPS), fc.integer({ min: 0, max: 8 }))
        .map(([l, op, v]) => `${l}${op}${v}`),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 4 }),
            fc.integer({ min: 0, max: 5 }),
            fc.integer({ min: 1, max: 2 }),
          ),
          {
            minLength: 4,
            maxLength: 4,
          },
        ),
        fc.array(constraint, { maxLength: 5 }),
        (ranges, constraints) => {
          const params = ranges.map(([low, width, step], i) =>
            intParam(names[i]!, low, low + width, { step }),
          );
          const space = createSpace(params, constraints);
          expect(countFeasible(space, 5)).toBe(scanCount(space, 5));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts floats and categoricals as the scan does', () => {
    const space = createSpace(
      [
        floatParam('x', 0, 1),
        floatParam('y', 0, 1, { step: 0.25 }),
        categoricalParam('k', [1, 2, 3]),
        categoricalParam('j', [1, 2]),
      ],
      ['x<y', 'k!=2', 'k!=j'],
    );
    expect(new GridSampler({ floatPoints: 4 }).feasibleCount({ space })).toBe(scanCount(space, 4));
  });

  it('counts a 2.3M-point grid with a chain of constraints exactly, by formula', () => {
    // fast < slow over 1..150 each, and 103 free values of a third: C(150, 2) * 103 feasible points.
    const space = createSpace(
      [intParam('fast', 1, 150), intParam('slow', 1, 150), intParam('stop', 0, 102)],
      ['fast<slow'],
    );
    expect(gridSize(space)).toBe(2_317_500);
    expect(new GridSampler().feasibleCount({ space })).toBe(((150 * 149) / 2) * 103);
    // A three-link chain a < b < c over 1..130: C(130, 3) points.
    const chain = createSpace(
      [intParam('a', 1, 130), intParam('b', 1, 130), intParam('c', 1, 130)],
      ['a<b', 'b<c'],
    );
    expect(new GridSampler().feasibleCount({ space: chain })).toBe((130 * 129 * 128) / 6);
  });
});
