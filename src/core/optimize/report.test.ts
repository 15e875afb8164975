import { describe, expect, it } from 'vitest';
import { scalarScore, type Objective } from './objectives.ts';
import { pboPartitionsFor, pboReturns, PBO_PARTITIONS } from './report.ts';

describe('pboReturns', () => {
  it('aligns the finite series on their last common periods, one column per trial, row-major', () => {
    const input = pboReturns([
      Float64Array.of(9, 1, 2, 3, 4),
      null,
      Float64Array.of(10, 20, 30, 40),
      Float64Array.of(1, Number.NaN, 3, 4),
    ]);
    expect('returns' in input).toBe(true);
    if (!('returns' in input)) return;
    const { matrix, rows, cols, partitions } = input.returns;
    expect([rows, cols, partitions]).toEqual([4, 2, 2]);
    expect(Array.from(matrix)).toEqual([1, 10, 2, 20, 3, 30, 4, 40]);
  });

  it('says why there is no PBO: fewer than two usable series, or too few periods for two blocks', () => {
    expect(pboReturns([Float64Array.of(1, 2, 3, 4), null])).toEqual({
      note: 'PBO: fewer than 2 trials have a finite return series',
    });
    expect(pboReturns([Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 3)])).toEqual({
      note: 'PBO: 3 periods are too few to split into blocks',
    });
  });

  it('uses an even number of blocks of two or more periods, at most PBO_PARTITIONS', () => {
    expect([3, 4, 7, 10, 31, 32, 1000].map(pboPartitionsFor)).toEqual([0, 2, 2, 4, 14, 16, PBO_PARTITIONS]);
  });
});

describe('scalarScore', () => {
  const max: Objective = { metric: 'sharpeRatio', direction: 'maximize' };
  const min: Objective = { metric: 'maxDrawdown', direction: 'minimize', weight: 2 };
  it('is the first objective signed by its direction, the weighted sum in weighted mode, -Infinity for NaN', () => {
    expect(scalarScore([max, min], 'single', [1.5, 0.2])).toBe(1.5);
    expect(scalarScore([min], 'single', [0.2])).toBe(-0.2);
    expect(scalarScore([max, min], 'weighted', [1.5, 0.2])).toBeCloseTo(1.1, 12);
    expect(scalarScore([max], 'single', [Number.NaN])).toBe(-Infinity);
  });
});
