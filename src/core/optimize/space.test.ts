import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createSpace,
  floatParam,
  fromUnit,
  gridPoint,
  gridSize,
  gridValues,
  intParam,
  isInSpace,
  neighbourValue,
  paramsProblems,
  parseConstraint,
  parseDimension,
  parseSpace,
  spaceFromStrategyParams,
  strategySpace,
  stepValue,
  toUnit,
  valueCount,
} from './space.ts';
import { confluence } from '../strategy/confluence.ts';

describe('parseDimension', () => {
  it('parses int ranges with and without a step', () => {
    expect(parseDimension('fast=5:25:5')).toEqual({
      kind: 'int',
      name: 'fast',
      low: 5,
      high: 25,
      step: 5,
      log: false,
    });
    expect(parseDimension('slow=10:65')).toMatchObject({ kind: 'int', step: 1 });
  });
  it('parses log floats, stepped floats, continuous floats, log ints and fixed values', () => {
    expect(parseDimension('x=0.1:10:log')).toEqual({
      kind: 'float',
      name: 'x',
      low: 0.1,
      high: 10,
      step: null,
      log: true,
    });
    expect(parseDimension('bb_std=1.5:2.5:0.1')).toMatchObject({ kind: 'float', step: 0.1, log: false });
    expect(parseDimension('r=0.005:0.05')).toMatchObject({ kind: 'float', step: null });
    expect(parseDimension('n=1:1000:log')).toMatchObject({ kind: 'int', log: true, step: 1 });
    expect(parseDimension('k=7')).toMatchObject({ kind: 'int', low: 7, high: 7 });
  });
  it('parses categorical choices, numeric and boolean ones typed', () => {
    expect(parseDimension('kind=a|b|c')).toEqual({
      kind: 'categorical',
      name: 'kind',
      choices: ['a', 'b', 'c'],
    });
    expect(parseDimension('p=10|20')).toMatchObject({ choices: [10, 20] });
    expect(parseDimension('flag=true|false')).toMatchObject({ choices: [true, false] });
  });
  it('names what is wrong', () => {
    expect(() => parseDimension('fast')).toThrow(/space "fast": expected name=min:max/);
    expect(() => parseDimension('fast=5:x:5')).toThrow(/max "x" is not a number/);
    expect(() => parseDimension('fast=25:5')).toThrow(/min 25 is greater than max 5/);
    expect(() => parseDimension('fast=5:25:0')).toThrow(/step 0 must be positive/);
    expect(() => parseDimension('x=0:10:log')).toThrow(/space "x=0:10:log".*log parameter needs min > 0/);
    expect(() => parseDimension('1x=1:2')).toThrow(/parameter name "1x" is invalid/);
    expect(() => parseDimension('k=a||b')).toThrow(/empty choice/);
    expect(() => parseDimension('k=a|b|a')).toThrow(/"a" is listed twice/);
    expect(() => parseDimension('x=1:2:3:4')).toThrow(/too many ':'/);
  });
});

describe('constraints', () => {
  const space = parseSpace(['fast=5:25:5', 'slow=10:65:5', 'kind=a|b']);
  it('parses comparisons, chains and constants', () => {
    expect(parseConstraint('fast<slow', space)).toEqual([
      {
        left: { kind: 'param', name: 'fast' },
        op: '<',
        right: { kind: 'param', name: 'slow' },
        source: 'fast<slow',
      },
    ]);
    expect(parseConstraint('5 <= fast < slow', space).map((c) => c.op)).toEqual(['<=', '<']);
    expect(parseConstraint('slow>=20', space)[0]!.right).toEqual({ kind: 'const', value: 20 });
  });
  it('names a bad constraint or parameter', () => {
    expect(() => parseConstraint('fast<slwo', space)).toThrow(
      /constraint "fast<slwo": unknown parameter "slwo" \(parameters: fast, slow, kind\)/,
    );
    expect(() => parseConstraint('fast slow', space)).toThrow(
      /constraint "fast slow": expected a comparison/,
    );
    expect(() => parseConstraint('fast=slow', space)).toThrow(/use == for equality/);
    expect(() => parseConstraint('kind<fast', space)).toThrow(/"kind" is categorical/);
    expect(() => parseConstraint('1<2', space)).toThrow(/compares two constants/);
    expect(() => parseConstraint('fast<', space)).toThrow(/operand is missing/);
    expect(() => parseSpace(['a=1:5'], ['a<b'])).toThrow(/constraint "a<b": unknown parameter "b"/);
  });
  it('checks membership with reasons', () => {
    const s = parseSpace(['fast=5:25:5', 'slow=10:65:5'], ['fast<slow']);
    expect(isInSpace(s, { fast: 10, slow: 15 })).toBe(true);
    expect(paramsProblems(s, { fast: 20, slow: 15 })).toEqual(['constraint "fast<slow" is violated']);
    expect(paramsProblems(s, { fast: 7, slow: 15 })).toEqual(['"fast"=7 is not on step 5 from 5']);
    expect(paramsProblems(s, { fast: 5 })).toEqual(['"slow" is missing']);
    expect(paramsProblems(s, { fast: 5, slow: 70, extra: 1 })).toEqual([
      '"slow"=70 is outside 10..65',
      '"extra" is not a parameter of the space',
    ]);
  });
});

describe('the confluence space', () => {
  it("has the strategy's twelve parameters with their ranges and its constraints", () => {
    const space = strategySpace(confluence);
    expect(space.params.map((p) => p.name)).toEqual([
      'fast_ma_period',
      'slow_ma_period',
      'risk_per_trade',
      'confidence_threshold',
      'volume_threshold',
      'mfi_oversold',
      'mfi_overbought',
      'macd_fast',
      'macd_slow',
      'macd_signal',
      'bb_period',
      'bb_std',
    ]);
    expect(space.params[2]).toMatchObject({ kind: 'float', low: 0.005, high: 0.05 });
    // mfi_oversold<mfi_overbought always holds over these ranges; it is listed because the strategy states it.
    expect(space.constraints.map((c) => c.source)).toEqual([
      'fast_ma_period<slow_ma_period',
      'mfi_oversold<mfi_overbought',
      'macd_fast<macd_slow',
    ]);
    expect(gridValues(space.params[2]!)).toHaveLength(10);
    expect(gridValues(space.params[11]!)).toEqual([1.5, 1.6, 1.7, 1.8, 1.9, 2, 2.1, 2.2, 2.3, 2.4, 2.5]);
  });
  it("spaceFromStrategyParams makes a strategy's parameter specs its search dimensions", () => {
    const s = spaceFromStrategyParams([
      { name: 'k', type: 'float', min: 0.5, max: 2.5, step: 0.1 },
      { name: 'n', type: 'int', min: 1, max: 9, step: 2 },
    ]);
    expect(s.params).toEqual([floatParam('k', 0.5, 2.5, { step: 0.1 }), intParam('n', 1, 9, { step: 2 })]);
  });
});

describe('unit coordinates and grids', () => {
  it('round-trips every stepped value through the unit interval, giving each value an equal cell', () => {
    const params = [
      intParam('a', 3, 40, { step: 3 }),
      floatParam('b', 0.5, 2.5, { step: 0.1 }),
      intParam('c', 1, 300, { log: true }),
    ];
    for (const p of params) {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: valueCount(p) - 1 }), (k) => {
          const v = stepValue(p, k);
          expect(fromUnit(p, toUnit(p, v))).toBe(v);
        }),
      );
    }
    const p = intParam('d', 0, 3);
    expect([0.1, 0.3, 0.6, 0.9].map((u) => fromUnit(p, u))).toEqual([0, 1, 2, 3]);
  });
  it('enumerates a grid in mixed-radix order', () => {
    const s = createSpace([intParam('a', 1, 2), floatParam('b', 0, 1, { step: 0.5 })]);
    expect(gridSize(s)).toBe(6);
    expect([0, 1, 2, 3, 4, 5].map((i) => gridPoint(s, i))).toEqual([
      { a: 1, b: 0 },
      { a: 1, b: 0.5 },
      { a: 1, b: 1 },
      { a: 2, b: 0 },
      { a: 2, b: 0.5 },
      { a: 2, b: 1 },
    ]);
    expect(gridValues(floatParam('x', 1, 100, { log: true }), 3).map((v) => Math.round(v as number))).toEqual(
      [1, 10, 100],
    );
  });
  it('steps to neighbours and stops at the bounds', () => {
    const p = floatParam('b', 1.5, 2.5, { step: 0.1 });
    expect(neighbourValue(p, 1.6, -1)).toBe(1.5);
    expect(neighbourValue(p, 1.5, -1)).toBeUndefined();
    expect(neighbourValue(p, 2.4, 1)).toBe(2.5);
  });
});
