import type { Bars } from '../data/bars.ts';
import { ALPACA_CRYPTO_FEES } from './assetCosts.ts';

/**
 * Trading costs as two small plug-in interfaces. Every implementation runs the shared conformance suite
 * in costs.test.ts (non-negative, finite, monotone in size, deterministic, no look-ahead), so a new model
 * only has to add its hand-checked numbers.
 *
 * Options carry costs as data (`CommissionSpec`, `SlippageSpec`) so they cross IPC and worker boundaries;
 * a model object may be passed instead where code builds its own.
 */

/** Which way a fill trades: 1 buys, -1 sells (a short sale is a sell). */
export type FillSide = 1 | -1;

/** Commission in account currency for one fill. */
export interface CommissionModel {
  /**
   * Commission for filling `units` (> 0, absolute) at `price` on `side` (absent: a buy; only models that
   * charge sells differently, such as regulatory fees, read it). `maker` is true when the fill adds
   * liquidity: a resting limit order or take-profit that the market came to; market orders, triggered
   * stops and marketable limits take it (absent: taker; only venues that charge makers less, such as
   * Alpaca's crypto fee, read it). Must be 0 when units is 0.
   */
  commission(units: number, price: number, side?: FillSide, maker?: boolean): number;
  /**
   * The rate when the commission is exactly proportional to traded value (rate x units x price), else
   * undefined. All-in sizing uses it to reproduce backtesting.py's floor(cash / (price x (1 + rate))).
   * A taker's rate where makers pay another (`makerRate`).
   */
  readonly proportionalRate?: number;
  /** A proportional model's rate for maker fills, where it differs from `proportionalRate`. */
  readonly makerRate?: number;
}

/** Adverse price move for one fill, in price units (added to a buy's price, taken off a sell's). */
export interface SlippageModel {
  /** Slippage per unit for filling `units` (> 0, absolute) at `price` on bar `index`; reads no bar after it. */
  slippage(units: number, price: number, bars: Bars, index: number): number;
}

export type CommissionSpec =
  | { kind: 'none' }
  /** rate x |units| x price, e.g. 0.002 for 0.2 % (backtesting.py's `commission`). */
  | { kind: 'percent'; rate: number }
  /** perShare x |units|, clamped to [minimum, maximum] per order (maximum optional). */
  | { kind: 'per-share'; perShare: number; minimum?: number; maximum?: number }
  /** amount per order, whatever its size. */
  | { kind: 'fixed'; amount: number }
  /**
   * A US equity broker without commission (Alpaca): the regulatory fees passed on to the client on
   * every sell, plus an optional percent commission on every fill. Absent fee fields take the published
   * rates in US_EQUITY_FEES.
   */
  | {
      kind: 'us-equity';
      rate?: number;
      secFeePerMillion?: number;
      tafPerShare?: number;
      tafMaximum?: number;
    }
  /**
   * Crypto on Alpaca: its crypto fee on every fill, `feeRate` on fills that take liquidity and
   * `makerFeeRate` on those that add it (ALPACA_CRYPTO_FEES' first tier when absent), plus an optional
   * percent commission on both. Proportional, as a percent commission is.
   */
  | { kind: 'alpaca-crypto'; rate?: number; feeRate?: number; makerFeeRate?: number };

export type SlippageSpec =
  | { kind: 'none' }
  /** price x bps / 10,000. */
  | { kind: 'fixed-bps'; bps: number }
  /**
   * Half a quoted spread, given in price units (`spread`, e.g. one cent) or in basis points of the price
   * (`spreadBps`). Bars carry no quotes, so the spread is an assumption of the run, not an estimate.
   */
  | { kind: 'half-spread'; spread?: number; spreadBps?: number }
  /**
   * Square-root market impact: price x coefficient x sqrt(units / bar volume), the usual
   * impact ~ sqrt(participation) law; participation is capped at 1, and a bar without volume counts as
   * full participation.
   */
  | { kind: 'sqrt-impact'; coefficient: number }
  /** Several adverse moves added up (e.g. half a spread plus market impact). */
  | { kind: 'sum'; parts: SlippagePart[] };

/** A slippage model that can be one term of a sum (sums do not nest). */
export type SlippagePart = Exclude<SlippageSpec, { kind: 'sum' }>;

/**
 * Regulatory fees on US equity sells, as Alpaca passes them on (each rounded up to the cent, per fill).
 * Rates as published, checked 2026-11-29:
 * - SEC Section 31 fee: $27.80 per million dollars of sale proceeds, the rate in force from 22 May 2024
 *   (SEC Fee Rate Advisory #2 for fiscal 2024). The SEC set it to $0.00 from 14 May 2025 for the rest of
 *   fiscal 2025, its appropriation being collected early (STA, "Congrats stock traders, you funded the
 *   SEC four months early"); a fiscal 2026 rate could not be confirmed from here, so the last non-zero
 *   rate is kept: a backtest should rather overstate a fee than assume it away. Override it per run.
 * - FINRA Trading Activity Fee on covered equity sales: $0.000166 per share, at most $8.30 per trade
 *   (FINRA By-Laws Schedule A section 1, rate effective 1 January 2024).
 */
export const US_EQUITY_FEES = {
  secFeePerMillion: 27.8,
  tafPerShare: 0.000166,
  tafMaximum: 8.3,
} as const;

/**
 * The commission of a request that gives one rate (the contract's and the CLI's `commission`, a fraction
 * of traded value as backtesting.py's): a rate of 0 is no commission at all.
 */
export function commissionSpecFromRate(rate: number): CommissionSpec {
  return rate > 0 ? { kind: 'percent', rate } : { kind: 'none' };
}

/**
 * The commission rate a spec was built with (the inverse of `commissionSpecFromRate` and of costOptions'
 * commission): a percent commission's, or the rate on top of a venue's fees; 0 for any other model. A
 * study's stored options give back the commission its trials paid, which "open in Backtest" runs at (the
 * venue's fees come back from costSettingsOf).
 */
export function commissionRateOf(spec: CommissionSpec | CommissionModel | undefined): number {
  if (spec === undefined || !('kind' in spec)) return 0;
  return 'rate' in spec ? (spec.rate ?? 0) : 0;
}

function nonNegative(what: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`${what} must be a finite number >= 0, got ${value}`);
  return value;
}

export class NoCommission implements CommissionModel {
  readonly proportionalRate = 0;
  commission(): number {
    return 0;
  }
}

export class PercentCommission implements CommissionModel {
  readonly proportionalRate: number;
  constructor(rate: number) {
    this.proportionalRate = nonNegative('percent commission rate', rate);
  }
  commission(units: number, price: number): number {
    return this.proportionalRate * units * price;
  }
}

export class PerShareCommission implements CommissionModel {
  constructor(
    readonly perShare: number,
    readonly minimum = 0,
    readonly maximum = Infinity,
  ) {
    nonNegative('per-share commission', perShare);
    nonNegative('per-share commission minimum', minimum);
    if (!(maximum >= minimum))
      throw new RangeError(`per-share commission maximum (${maximum}) is below its minimum`);
  }
  commission(units: number): number {
    if (units === 0) return 0;
    const raw = this.perShare * units;
    return raw < this.minimum ? this.minimum : raw > this.maximum ? this.maximum : raw;
  }
}

export class FixedCommission implements CommissionModel {
  constructor(readonly amount: number) {
    nonNegative('fixed commission', amount);
  }
  commission(units: number): number {
    return units === 0 ? 0 : this.amount;
  }
}

/** Rounds a fee up to the next cent, as brokers bill regulatory fees; tolerant of binary noise. */
function centsUp(amount: number): number {
  return Math.ceil(amount * 100 - 1e-9) / 100;
}

/** See CommissionSpec 'us-equity' and US_EQUITY_FEES. Not proportional: the fees charge sells only. */
export class UsEquityCommission implements CommissionModel {
  constructor(
    readonly rate = 0,
    readonly secFeePerMillion: number = US_EQUITY_FEES.secFeePerMillion,
    readonly tafPerShare: number = US_EQUITY_FEES.tafPerShare,
    readonly tafMaximum: number = US_EQUITY_FEES.tafMaximum,
  ) {
    nonNegative('commission rate', rate);
    nonNegative('SEC fee per million', secFeePerMillion);
    nonNegative('FINRA TAF per share', tafPerShare);
    nonNegative('FINRA TAF maximum', tafMaximum);
  }
  commission(units: number, price: number, side: FillSide = 1): number {
    if (units === 0) return 0;
    const value = units * price;
    const commission = this.rate * value;
    if (side > 0) return commission;
    const sec = centsUp((value * this.secFeePerMillion) / 1e6);
    const taf = centsUp(Math.min(units * this.tafPerShare, this.tafMaximum));
    return commission + sec + taf;
  }
}

/** See CommissionSpec 'alpaca-crypto' and ALPACA_CRYPTO_FEES: the fee and the commission on every fill. */
export class AlpacaCryptoCommission implements CommissionModel {
  readonly proportionalRate: number;
  readonly makerRate: number;
  constructor(
    rate = 0,
    feeRate: number = ALPACA_CRYPTO_FEES.takerRate,
    makerFeeRate: number = ALPACA_CRYPTO_FEES.makerRate,
  ) {
    nonNegative('commission rate', rate);
    this.proportionalRate = rate + nonNegative('crypto fee rate', feeRate);
    this.makerRate = rate + nonNegative('crypto maker fee rate', makerFeeRate);
  }
  commission(units: number, price: number, _side?: FillSide, maker = false): number {
    return (maker ? this.makerRate : this.proportionalRate) * units * price;
  }
}

export class NoSlippage implements SlippageModel {
  slippage(): number {
    return 0;
  }
}

export class FixedBpsSlippage implements SlippageModel {
  private readonly fraction: number;
  constructor(readonly bps: number) {
    this.fraction = nonNegative('slippage bps', bps) / 10_000;
  }
  slippage(_units: number, price: number): number {
    return price * this.fraction;
  }
}

export class HalfSpreadSlippage implements SlippageModel {
  private readonly half: number;
  private readonly halfFraction: number;
  constructor(spread: number, spreadBps: number) {
    this.half = nonNegative('spread', spread) / 2;
    this.halfFraction = nonNegative('spread bps', spreadBps) / 20_000;
  }
  slippage(_units: number, price: number): number {
    return this.half + price * this.halfFraction;
  }
}

export class SqrtImpactSlippage implements SlippageModel {
  constructor(readonly coefficient: number) {
    nonNegative('impact coefficient', coefficient);
  }
  slippage(units: number, price: number, bars: Bars, index: number): number {
    const volume = bars.v[index];
    const participation = volume > 0 ? Math.min(1, units / volume) : 1;
    return price * this.coefficient * Math.sqrt(participation);
  }
}

export class SumSlippage implements SlippageModel {
  private readonly parts: SlippageModel[];
  constructor(parts: readonly SlippageModel[]) {
    this.parts = [...parts];
  }
  slippage(units: number, price: number, bars: Bars, index: number): number {
    let total = 0;
    for (let k = 0; k < this.parts.length; k++) total += this.parts[k]!.slippage(units, price, bars, index);
    return total;
  }
}

export function isCommissionModel(value: CommissionSpec | CommissionModel): value is CommissionModel {
  return typeof (value as Partial<CommissionModel>).commission === 'function';
}

export function isSlippageModel(value: SlippageSpec | SlippageModel): value is SlippageModel {
  return typeof (value as Partial<SlippageModel>).slippage === 'function';
}

export function createCommissionModel(spec: CommissionSpec | CommissionModel): CommissionModel {
  if (isCommissionModel(spec)) return spec;
  switch (spec.kind) {
    case 'none':
      return new NoCommission();
    case 'percent':
      return new PercentCommission(spec.rate);
    case 'per-share':
      return new PerShareCommission(spec.perShare, spec.minimum ?? 0, spec.maximum ?? Infinity);
    case 'fixed':
      return new FixedCommission(spec.amount);
    case 'us-equity':
      return new UsEquityCommission(
        spec.rate ?? 0,
        spec.secFeePerMillion ?? US_EQUITY_FEES.secFeePerMillion,
        spec.tafPerShare ?? US_EQUITY_FEES.tafPerShare,
        spec.tafMaximum ?? US_EQUITY_FEES.tafMaximum,
      );
    case 'alpaca-crypto':
      return new AlpacaCryptoCommission(
        spec.rate ?? 0,
        spec.feeRate ?? ALPACA_CRYPTO_FEES.takerRate,
        spec.makerFeeRate ?? ALPACA_CRYPTO_FEES.makerRate,
      );
    default:
      throw new TypeError(`unknown commission kind: ${JSON.stringify((spec as { kind: unknown }).kind)}`);
  }
}

export function createSlippageModel(spec: SlippageSpec | SlippageModel): SlippageModel {
  if (isSlippageModel(spec)) return spec;
  switch (spec.kind) {
    case 'none':
      return new NoSlippage();
    case 'fixed-bps':
      return new FixedBpsSlippage(spec.bps);
    case 'half-spread':
      if (spec.spread === undefined && spec.spreadBps === undefined) {
        throw new RangeError('half-spread slippage needs `spread` (price units) or `spreadBps`');
      }
      return new HalfSpreadSlippage(spec.spread ?? 0, spec.spreadBps ?? 0);
    case 'sqrt-impact':
      return new SqrtImpactSlippage(spec.coefficient);
    case 'sum':
      return new SumSlippage(spec.parts.map((part) => createSlippageModel(part)));
    default:
      throw new TypeError(`unknown slippage kind: ${JSON.stringify((spec as { kind: unknown }).kind)}`);
  }
}
