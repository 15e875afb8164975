import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sliceBars } from '../data/bars.ts';
import {
  commissionRateOf,
  commissionSpecFromRate,
  createCommissionModel,
  createSlippageModel,
  FixedBpsSlippage,
  FixedCommission,
  HalfSpreadSlippage,
  NoCommission,
  NoSlippage,
  PerShareCommission,
  PercentCommission,
  SqrtImpactSlippage,
  type CommissionModel,
  type SlippageModel,
} from './costs.ts';
import { randomWalkBars } from './random-walk.ts';

const bars = randomWalkBars(200, 11, { gapProbability: 0.1 });

const SLIPPAGE_MODELS: [string, SlippageModel][] = [
  ['none', new NoSlippage()],
  ['fixed 5 bps', new FixedBpsSlippage(5)],
  ['half of a 2-cent spread', new HalfSpreadSlippage(0.02, 0)],
  ['half of a 3 bps spread', new HalfSpreadSlippage(0, 3)],
  ['sqrt impact 0.1', new SqrtImpactSlippage(0.1)],
];

const COMMISSION_MODELS: [string, CommissionModel][] = [
  ['none', new NoCommission()],
  ['0.1 %', new PercentCommission(0.001)],
  ['0.5 cent/share, min 1, max 10', new PerShareCommission(0.005, 1, 10)],
  ['fixed 1', new FixedCommission(1)],
];

const units = fc.double({ min: 1e-6, max: 1e7, noNaN: true });
const price = fc.double({ min: 0.01, max: 1e5, noNaN: true });
const index = fc.integer({ min: 0, max: bars.c.length - 1 });

describe.each(SLIPPAGE_MODELS)('slippage contract: %s', (_name, model) => {
  it('is finite, non-negative, deterministic and non-decreasing in size', () => {
    fc.assert(
      fc.property(units, units, price, index, (a, b, p, i) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        const s = model.slippage(small, p, bars, i);
        expect(Number.isFinite(s) && s >= 0).toBe(true);
        expect(model.slippage(small, p, bars, i)).toBe(s);
        expect(model.slippage(large, p, bars, i)).toBeGreaterThanOrEqual(s);
      }),
      { numRuns: 200 },
    );
  });

  it('reads no bar after the fill bar (truncating the future changes nothing)', () => {
    fc.assert(
      fc.property(units, price, index, (u, p, i) => {
        const past = sliceBars(bars, 0, i + 1);
        expect(model.slippage(u, p, past, i)).toBe(model.slippage(u, p, bars, i));
      }),
      { numRuns: 100 },
    );
  });
});

describe.each(COMMISSION_MODELS)('commission contract: %s', (_name, model) => {
  it('is finite, non-negative, zero for nothing, deterministic and non-decreasing in size', () => {
    expect(model.commission(0, 100)).toBe(0);
    fc.assert(
      fc.property(units, units, price, (a, b, p) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        const c = model.commission(small, p);
        expect(Number.isFinite(c) && c >= 0).toBe(true);
        expect(model.commission(small, p)).toBe(c);
        expect(model.commission(large, p)).toBeGreaterThanOrEqual(c);
      }),
      { numRuns: 200 },
    );
  });

  it('declares a proportional rate only when it is one', () => {
    const rate = model.proportionalRate;
    if (rate === undefined) {
      // Not proportional: doubling the size does not double the fee somewhere in the range.
      expect(model.commission(1, 100) * 2).not.toBe(model.commission(2, 100));
    } else {
      fc.assert(
        fc.property(units, price, (u, p) => {
          expect(model.commission(u, p)).toBeCloseTo(rate * u * p, 6);
        }),
      );
    }
  });
});

describe('hand-checked costs', () => {
  it('per-share commission is clamped to its minimum and maximum per order', () => {
    const model: CommissionModel = new PerShareCommission(0.005, 1, 10);
    expect(model.commission(100, 50)).toBe(1); // 0.5 -> minimum
    expect(model.commission(1000, 50)).toBe(5);
    expect(model.commission(10_000, 50)).toBe(10); // 50 -> maximum
  });

  it('slippage values', () => {
    const [bps, cents, spreadBps]: SlippageModel[] = [
      new FixedBpsSlippage(5),
      new HalfSpreadSlippage(0.02, 0),
      new HalfSpreadSlippage(0, 10),
    ];
    expect(bps.slippage(1, 200, bars, 0)).toBeCloseTo(0.1, 12);
    expect(cents.slippage(1, 200, bars, 0)).toBeCloseTo(0.01, 12);
    expect(spreadBps.slippage(1, 200, bars, 0)).toBeCloseTo(0.1, 12);
    const v = bars.v[5];
    expect(new SqrtImpactSlippage(0.1).slippage(v / 4, 200, bars, 5)).toBeCloseTo(200 * 0.1 * 0.5, 10);
    expect(new SqrtImpactSlippage(0.1).slippage(v * 4, 200, bars, 5)).toBeCloseTo(200 * 0.1, 10);
  });

  it('specs build models and bad specs fail with a message', () => {
    expect(createCommissionModel({ kind: 'percent', rate: 0.002 }).commission(10, 100)).toBeCloseTo(2, 12);
    expect(createSlippageModel({ kind: 'fixed-bps', bps: 10 }).slippage(1, 100, bars, 0)).toBeCloseTo(
      0.1,
      12,
    );
    expect(() => createCommissionModel({ kind: 'percent', rate: -1 })).toThrow(
      /rate must be a finite number >= 0/,
    );
    expect(() => new PerShareCommission(0.01, 5, 1)).toThrow(/maximum \(1\) is below its minimum/);
  });

  it('a request rate converts to one commission spec and back', () => {
    expect(commissionSpecFromRate(0.002)).toEqual({ kind: 'percent', rate: 0.002 });
    expect(commissionSpecFromRate(0)).toEqual({ kind: 'none' });
    for (const rate of [0, 0.0005, 0.002, 0.1])
      expect(commissionRateOf(commissionSpecFromRate(rate))).toBe(rate);
    expect(commissionRateOf({ kind: 'fixed', amount: 1 })).toBe(0);
    expect(commissionRateOf(undefined)).toBe(0);
  });
});
