import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sliceBars } from '../data/bars.ts';
import {
  AlpacaCryptoCommission,
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
  SumSlippage,
  UsEquityCommission,
  type CommissionModel,
  type FillSide,
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
  [
    'half of 2 bps + sqrt impact 0.01',
    new SumSlippage([new HalfSpreadSlippage(0, 2), new SqrtImpactSlippage(0.01)]),
  ],
];

const COMMISSION_MODELS: [string, CommissionModel][] = [
  ['none', new NoCommission()],
  ['0.1 %', new PercentCommission(0.001)],
  ['0.5 cent/share, min 1, max 10', new PerShareCommission(0.005, 1, 10)],
  ['fixed 1', new FixedCommission(1)],
  ['US equity fees', new UsEquityCommission()],
  ['US equity fees + 0.1 %', new UsEquityCommission(0.001)],
  ['Alpaca crypto fee', new AlpacaCryptoCommission()],
  ['Alpaca crypto fee at tier 8 + 0.1 %', new AlpacaCryptoCommission(0.001, 0.001, 0)],
];
const side = fc.constantFrom<FillSide>(1, -1);
const maker = fc.boolean();

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
    expect(model.commission(0, 100, -1)).toBe(0);
    expect(model.commission(0, 100, 1, true)).toBe(0);
    fc.assert(
      fc.property(units, units, price, side, maker, (a, b, p, s, m) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        const c = model.commission(small, p, s, m);
        expect(Number.isFinite(c) && c >= 0).toBe(true);
        expect(model.commission(small, p, s, m)).toBe(c);
        expect(model.commission(large, p, s, m)).toBeGreaterThanOrEqual(c);
      }),
      { numRuns: 200 },
    );
  });

  it('declares a proportional rate only when it is one', () => {
    const rate = model.proportionalRate;
    if (rate === undefined) {
      // Not proportional: doubling the size does not double the fee somewhere in the range (on a sell,
      // where fees that spare buys are charged).
      expect(model.commission(1, 100, -1) * 2).not.toBe(model.commission(2, 100, -1));
    } else {
      // A maker's fill at the maker's rate where the model declares one.
      const makerRate = model.makerRate ?? rate;
      fc.assert(
        fc.property(units, price, (u, p) => {
          expect(model.commission(u, p)).toBeCloseTo(rate * u * p, 6);
          expect(model.commission(u, p, 1, false)).toBeCloseTo(rate * u * p, 6);
          expect(model.commission(u, p, -1, true)).toBeCloseTo(makerRate * u * p, 6);
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

  it('US equity fees: SEC fee and FINRA TAF on sells only, each rounded up to the cent', () => {
    const fees = new UsEquityCommission();
    // 100 x $150 = $15,000 sold: SEC 15,000 x 27.80 / 1e6 = 0.417 -> 0.42; TAF 100 x 0.000166 = 0.0166 -> 0.02.
    expect(fees.commission(100, 150, -1)).toBeCloseTo(0.44, 12);
    expect(fees.commission(100, 150, 1)).toBe(0);
    expect(fees.commission(100, 150)).toBe(0);
    // 60,000 x $10 = $600,000 sold: SEC 16.68 exactly; TAF 9.96 capped at 8.30.
    expect(fees.commission(60_000, 10, -1)).toBeCloseTo(16.68 + 8.3, 12);
    // One share at $1: both fees are fractions of a cent, each billed as one cent.
    expect(fees.commission(1, 1, -1)).toBeCloseTo(0.02, 12);
    // A percent commission on top is charged on both sides.
    const withRate = new UsEquityCommission(0.001);
    expect(withRate.commission(100, 150, 1)).toBeCloseTo(15, 12);
    expect(withRate.commission(100, 150, -1)).toBeCloseTo(15.44, 12);
    // Rates are parameters (the SEC rate changes every fiscal year).
    expect(new UsEquityCommission(0, 0, 0.000166, 8.3).commission(100, 150, -1)).toBeCloseTo(0.02, 12);
    expect(
      createCommissionModel({ kind: 'us-equity', secFeePerMillion: 8 }).commission(1000, 100, -1),
    ).toBeCloseTo(0.8 + 0.17, 12);
    expect(() => new UsEquityCommission(0, -1)).toThrow(/SEC fee per million must be a finite number >= 0/);
  });

  it("Alpaca's crypto fee is its first tier's, taker or maker, on both sides, with a commission on top", () => {
    const fee = createCommissionModel({ kind: 'alpaca-crypto' });
    // 0.5 BTC at $60,000 = $30,000 traded: 0.25 % taking liquidity is $75, buying or selling; 0.15 %
    // adding it, $45.
    expect(fee.commission(0.5, 60_000, 1)).toBeCloseTo(75, 9);
    expect(fee.commission(0.5, 60_000, -1)).toBeCloseTo(75, 9);
    expect(fee.commission(0.5, 60_000, -1, true)).toBeCloseTo(45, 9);
    expect(fee.proportionalRate).toBe(0.0025);
    expect(fee.makerRate).toBe(0.0015);
    // A higher tier's rates and a commission add up, and stay proportional for all-in sizing: tier 8
    // takes at 0.10 % and makes for nothing.
    const tiered = createCommissionModel({
      kind: 'alpaca-crypto',
      rate: 0.001,
      feeRate: 0.001,
      makerFeeRate: 0,
    });
    expect(tiered.commission(0.5, 60_000)).toBeCloseTo(60, 9);
    expect(tiered.commission(0.5, 60_000, 1, true)).toBeCloseTo(30, 9);
    expect(tiered.proportionalRate).toBeCloseTo(0.002, 15);
    expect(tiered.makerRate).toBe(0.001);
    expect(() => new AlpacaCryptoCommission(0, -0.001)).toThrow(
      /crypto fee rate must be a finite number >= 0/,
    );
    expect(() => new AlpacaCryptoCommission(0, 0.001, Number.NaN)).toThrow(
      /crypto maker fee rate must be a finite number >= 0/,
    );
  });

  it('a sum of slippages adds its parts', () => {
    const model = createSlippageModel({
      kind: 'sum',
      parts: [
        { kind: 'half-spread', spreadBps: 2 },
        { kind: 'sqrt-impact', coefficient: 0.01 },
      ],
    });
    const v = bars.v[5];
    // Half of 2 bp of 200 = 0.02; a quarter of the bar's volume: 200 x 0.01 x 0.5 = 1.
    expect(model.slippage(v / 4, 200, bars, 5)).toBeCloseTo(0.02 + 1, 10);
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
    // A venue's fees with a commission on top give the commission back, not 0 (a study's trial opened in
    // Backtest ran without the commission its trials paid).
    expect(commissionRateOf({ kind: 'us-equity', rate: 0.001 })).toBe(0.001);
    expect(commissionRateOf({ kind: 'alpaca-crypto', rate: 0.002 })).toBe(0.002);
    expect(commissionRateOf({ kind: 'alpaca-crypto' })).toBe(0);
    expect(commissionRateOf(undefined)).toBe(0);
  });
});
