import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BAR_PROBLEM_CODES,
  BAR_PROBLEMS,
  barProblem,
  DataValidationError,
  orderProblem,
  TIME_RANGE,
  validateBars,
  type BarColumn,
  type BarProblemCode,
  type BarRule,
  type BarValues,
} from './validate.ts';

/** The table's rules read literally (slow, allocating): the reference the scalar must agree with. */
function fails(rule: BarRule, bar: BarValues, previousT: number): boolean {
  const x = bar[rule.column];
  switch (rule.kind) {
    case 'finite':
      return !Number.isFinite(x);
    case 'within':
      return !(x >= rule.min && x < rule.max);
    case 'positive':
      return !Number.isFinite(x) || x <= 0;
    case 'non-negative':
      return !Number.isFinite(x) || x < 0;
    case 'at-least-max':
      return x < Math.max(...rule.of.map((c: BarColumn) => bar[c]));
    case 'at-most-min':
      return x > Math.min(...rule.of.map((c: BarColumn) => bar[c]));
    case 'differs-from-previous':
      return x === previousT;
    case 'not-before-previous':
      return x < previousT;
  }
}

const tableVerdict = (bar: BarValues, previousT: number): BarProblemCode | null =>
  BAR_PROBLEM_CODES.find((code) => fails(BAR_PROBLEMS[code].rule, bar, previousT)) ?? null;

const field = fc.oneof(
  fc.constantFrom(0, -1, NaN, Infinity, -Infinity, 100, 101, 99),
  fc.double({ min: -10, max: 200 }),
);

describe('barProblem', () => {
  it('is the table: the first rule that fails, for any values', () => {
    fc.assert(
      fc.property(
        fc.record({
          t: fc.oneof(
            fc.constant(NaN),
            fc.integer(),
            fc.constantFrom(
              TIME_RANGE.min - 1,
              TIME_RANGE.min,
              TIME_RANGE.max - 1,
              TIME_RANGE.max,
              1e17,
              -6.2e13,
            ),
          ),
          o: field,
          h: field,
          l: field,
          c: field,
          v: field,
        }),
        fc.oneof(fc.constant(NaN), fc.integer()),
        (bar, previousT) => {
          const scalar =
            barProblem(bar.t, bar.o, bar.h, bar.l, bar.c, bar.v) ?? orderProblem(bar.t, previousT);
          expect(scalar).toBe(tableVerdict(bar, previousT));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('names each problem', () => {
    expect(barProblem(1, 10, 11, 9, 10, 5)).toBeNull();
    expect(barProblem(NaN, 10, 11, 9, 10, 5)).toBe('time-not-finite');
    expect(barProblem(1, 0, 11, 9, 10, 5)).toBe('open-not-positive');
    expect(barProblem(1, 10, Infinity, 9, 10, 5)).toBe('high-not-positive');
    expect(barProblem(1, 10, 11, NaN, 10, 5)).toBe('low-not-positive');
    expect(barProblem(1, 10, 11, 9, -2, 5)).toBe('close-not-positive');
    expect(barProblem(1, 10, 9.5, 9, 10, 5)).toBe('high-below-open-close');
    // high below low is caught as high below the body (or low above it).
    expect(barProblem(1, 10, 8, 9, 10, 5)).toBe('high-below-open-close');
    expect(barProblem(1, 10, 11, 10.5, 10.8, 5)).toBe('low-above-open-close');
    expect(barProblem(1, 10, 11, 9, 10, -1)).toBe('volume-invalid');
    expect(barProblem(1, 10, 11, 9, 10, NaN)).toBe('volume-invalid');
    expect(orderProblem(5, 5)).toBe('time-duplicate');
    expect(orderProblem(4, 5)).toBe('time-unsorted');
    expect(orderProblem(6, 5)).toBeNull();
  });
});

describe('validateBars', () => {
  const t0 = Date.UTC(2024, 0, 2, 14, 30);
  const bars = (rows: number[][]): Parameters<typeof validateBars>[0] => ({
    t: Float64Array.from(rows, (r) => r[0]!),
    o: Float64Array.from(rows, (r) => r[1]!),
    h: Float64Array.from(rows, (r) => r[2]!),
    l: Float64Array.from(rows, (r) => r[3]!),
    c: Float64Array.from(rows, (r) => r[4]!),
    v: Float64Array.from(rows, (r) => r[5]!),
  });
  const errorOf = (rows: number[][]): DataValidationError => {
    try {
      const label = (row: number): string => {
        const t = rows[row]![0]!;
        return `bar ${Number.isFinite(t) ? new Date(t).toISOString() : t}`;
      };
      validateBars(bars(rows), 'Alpaca SPY', label);
    } catch (error) {
      if (error instanceof DataValidationError) return error;
      throw error;
    }
    throw new Error('expected a DataValidationError');
  };
  const good = [t0, 10, 11, 9, 10.5, 100];

  it('accepts good bars', () => {
    expect(() => validateBars(bars([good, [t0 + 60_000, 10, 11, 9, 10, 0]]), 's', String)).not.toThrow();
  });

  it('names the source, the row, the column and the values', () => {
    const error = errorOf([good, [t0 + 60_000, 10, 9.5, 9, 10, 1]]);
    expect(error.message).toBe(
      'Alpaca SPY bar 2024-01-02T14:31:00.000Z, column "high": high 9.5 is below max(open, close) 10',
    );
    expect(error.problem).toBe('high-below-open-close');
    expect(error.column).toBe('high');
    expect(error.at).toBe('bar 2024-01-02T14:31:00.000Z');
  });

  it('refuses non-finite, repeated and unsorted times', () => {
    expect(errorOf([good, [NaN, 10, 11, 9, 10, 1]]).problem).toBe('time-not-finite');
    const repeated = errorOf([good, [t0, 10, 11, 9, 10, 1]]);
    expect(repeated.problem).toBe('time-duplicate');
    expect(repeated.message).toBe(
      'Alpaca SPY bar 2024-01-02T14:30:00.000Z, column "time": timestamp 2024-01-02T14:30:00.000Z repeats bar 2024-01-02T14:30:00.000Z',
    );
    expect(errorOf([good, [t0 - 60_000, 10, 11, 9, 10, 1]]).problem).toBe('time-unsorted');
  });

  it('reports the first bad row, a row check before the order check', () => {
    const error = errorOf([good, [t0, -1, 11, 9, 10, 1], [t0 + 1, 10, 11, 9, 10, -3]]);
    expect(error.problem).toBe('open-not-positive');
    expect(error.detail).toBe('open -1 is not a positive price');
  });
});
