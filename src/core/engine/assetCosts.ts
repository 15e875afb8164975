import type { AssetCalendar } from '../data/assetCalendar.ts';
import type { CommissionSpec, SlippagePart, SlippageSpec } from './costs.ts';
import type { FinancingSpec } from './options.ts';

/**
 * Alpaca's crypto fee, charged on every fill as a share of its value, by tier of the account's 30-day
 * crypto volume (from `volume` dollars; Alpaca support, "What is Maker / Taker?", effective 13 March 2023;
 * checked 2 December 2026): tier 1, under $100,000 a month, pays 0.15 % to make and 0.25 % to take
 * liquidity, falling to 0.00 % / 0.10 % from $100 million. Market orders, triggered stops and marketable
 * limits take liquidity; a limit order or take-profit resting on the book until the market comes to it
 * makes it (the live bot places its take-profit as a resting limit too).
 */
export const ALPACA_CRYPTO_FEE_TIERS = [
  { volume: 0, makerRate: 0.0015, takerRate: 0.0025 },
  { volume: 100_000, makerRate: 0.0012, takerRate: 0.0022 },
  { volume: 500_000, makerRate: 0.001, takerRate: 0.002 },
  { volume: 1_000_000, makerRate: 0.0008, takerRate: 0.0018 },
  { volume: 10_000_000, makerRate: 0.0005, takerRate: 0.0015 },
  { volume: 25_000_000, makerRate: 0.0002, takerRate: 0.0013 },
  { volume: 50_000_000, makerRate: 0.0002, takerRate: 0.0012 },
  { volume: 100_000_000, makerRate: 0, takerRate: 0.001 },
] as const;

/** The first tier's rates: what an account starting out pays, and every crypto run's by default. */
export const ALPACA_CRYPTO_FEES = ALPACA_CRYPTO_FEE_TIERS[0];

/**
 * The fees a venue charges beside the commission, by name: `us-equity` the SEC fee and FINRA TAF on
 * every sell (US_EQUITY_FEES), `alpaca-crypto` Alpaca's crypto fee on every fill (ALPACA_CRYPTO_FEES),
 * `none` neither.
 */
export const FEE_SCHEDULES = ['us-equity', 'alpaca-crypto', 'none'] as const;
export type FeeSchedule = (typeof FEE_SCHEDULES)[number];

export function isFeeSchedule(text: string): text is FeeSchedule {
  return (FEE_SCHEDULES as readonly string[]).includes(text);
}

/** A tier of ALPACA_CRYPTO_FEE_TIERS by its number: a whole number from 1 to 8. */
export function isCryptoFeeTier(value: unknown): value is number {
  return (
    Number.isInteger(value) && (value as number) >= 1 && (value as number) <= ALPACA_CRYPTO_FEE_TIERS.length
  );
}

/**
 * Whether a run may sell short: `allowed`, or `none` where the venue lends nothing to sell (Alpaca lends
 * US stocks on its easy-to-borrow list but no crypto: its crypto assets read `"shortable": false`) or the
 * account may not borrow (a cash account; Alpaca's account object says `shorting_enabled`). `none` makes
 * the run long-only: a signal to sell short goes flat instead.
 */
export const SHORT_SALES = ['allowed', 'none'] as const;
export type ShortSales = (typeof SHORT_SALES)[number];

export function isShortSales(text: string): text is ShortSales {
  return (SHORT_SALES as readonly string[]).includes(text);
}

/**
 * How many units an order may be for: `whole` (shares, rounded toward zero) or `fractional` (any amount:
 * Alpaca trades crypto to a ten-thousandth of a coin, its crypto assets reading `"fractionable": true`,
 * where whole coins would leave an account of $10,000 unable to buy one bitcoin at $60,000).
 */
export const UNIT_RULES = ['whole', 'fractional'] as const;
export type UnitRule = (typeof UNIT_RULES)[number];

export function isUnitRule(text: string): text is UnitRule {
  return (UNIT_RULES as readonly string[]).includes(text);
}

/**
 * The costs a person sets for a run, beside the commission rate every request already carries: the
 * venue's fees, the quoted spread assumed (half of it is paid on every market fill), the square-root
 * impact coefficient, the fee for borrowing the stock a short sells, whether it can be borrowed at all
 * and whether an order may be for a fraction of a unit. The same in Settings, on every form and on the CLI, so one word has one meaning; `costOptions`
 * turns them into the engine's models. (The engine's margin interest is not among them: no run here
 * borrows cash, leverage being 1.)
 */
export interface CostSettings {
  readonly fees: FeeSchedule;
  /** Full quoted spread in basis points of the price. */
  readonly spreadBps: number;
  /** price x impact x sqrt(units / bar volume) per unit (see SqrtImpactSlippage). */
  readonly impact: number;
  /** Stock borrow fee on a short position held overnight, annual percent of its value (see FinancingSpec). */
  readonly borrowPercent: number;
  /** Which of ALPACA_CRYPTO_FEE_TIERS (1 to 8) the `alpaca-crypto` fees charge; other fees ignore it. */
  readonly cryptoFeeTier: number;
  /** Whether a short can be sold at all: the limit of the borrow fee, where nothing is lent (SHORT_SALES). */
  readonly shortSales: ShortSales;
  /** Whole or fractional units (UNIT_RULES): what the venue lets an order be for. */
  readonly units: UnitRule;
}

/**
 * The numeric cost settings' ranges, from 0 to `max` in `unit`: what Settings, every form, every flag and
 * every request accept, so the four say one range.
 */
export const COST_NUMBER_BOUNDS = {
  spreadBps: { max: 1_000, unit: 'bp' },
  impact: { max: 1, unit: '' },
  borrowPercent: { max: 1_000, unit: '% a year' },
} as const;
export type CostNumberPart = keyof typeof COST_NUMBER_BOUNDS;

/** A numeric part's largest value as the messages name it: "1,000 bp", "1". */
export function costMaxText(part: CostNumberPart): string {
  const { max, unit } = COST_NUMBER_BOUNDS[part];
  return unit === '' ? max.toLocaleString('en-US') : `${max.toLocaleString('en-US')} ${unit}`;
}

/**
 * No cost beyond the commission rate: what every run paid before costs had defaults. No asset class
 * charges a borrow fee by default either: Alpaca charges each easy-to-borrow stock its own rate, which
 * changes by the day and cannot be looked up from here, so a trader who shorts sets the rate the stock
 * costs them.
 */
export const NO_COSTS: CostSettings = {
  fees: 'none',
  spreadBps: 0,
  impact: 0,
  borrowPercent: 0,
  cryptoFeeTier: 1,
  shortSales: 'allowed',
  units: 'whole',
};

/**
 * US equities on Alpaca: no commission, SEC and FINRA fees on sells, a 2 bp spread (large caps quote
 * one or two cents on a $100 share) and an impact of 1 % of the price at full participation of a bar's
 * volume, so a fill of a quarter of a bar's volume pays 50 bp and a retail-size fill on daily bars pays
 * well under 1 bp.
 */
export const US_EQUITY_COSTS: CostSettings = { ...NO_COSTS, fees: 'us-equity', spreadBps: 2, impact: 0.01 };

/**
 * Spot FX majors: retail brokers charge in the spread, about a pip (0.0001 on EURUSD near 1.10 is 0.9 bp),
 * so a 1 bp spread and nothing else. No exchange fees, and no impact: an FX file's volume counts ticks,
 * not units traded, so a participation of it would mean nothing.
 */
export const FX_COSTS: CostSettings = { ...NO_COSTS, spreadBps: 1 };

/**
 * Crypto on Alpaca: its crypto fee on every fill (0.25 % taker, 0.15 % maker at the first tier,
 * ALPACA_CRYPTO_FEES). Alpaca publishes no spread for its crypto book and bars carry no quotes, so no
 * spread is assumed, and no impact: a crypto bar's volume is the venue's, a thin share of the coin's
 * whole market. No short sales: Alpaca lends no crypto (every crypto asset of its assets API reads
 * `"shortable": false`), so a backtest that shorted would count trades the account can never make; and
 * fractional units, as Alpaca trades them.
 */
export const CRYPTO_COSTS: CostSettings = {
  ...NO_COSTS,
  fees: 'alpaca-crypto',
  shortSales: 'none',
  units: 'fractional',
};

/** The default costs of an asset class, on the venue this app trades it at (Alpaca; FX at a retail broker). */
export function defaultCostSettings(calendar: AssetCalendar): CostSettings {
  if (calendar === 'equities') return US_EQUITY_COSTS;
  return calendar === 'fx' ? FX_COSTS : CRYPTO_COSTS;
}

/**
 * The engine options cost settings set: commission, slippage, financing, `longOnly` where short sales
 * are none and `fractional` where units are (each absent otherwise, so an account that chose long-only
 * stays so when these are spread over it, and the options of a run in whole units that may short read,
 * and are stored, as before).
 */
export interface CostModels {
  readonly commission: CommissionSpec;
  readonly slippage: SlippageSpec;
  readonly financing: FinancingSpec | undefined;
  readonly longOnly?: true;
  readonly fractional?: true;
}

/**
 * The engine's cost models for a commission rate (a fraction of traded value) and cost settings, with
 * `stressBps` more of slippage on every fill (the cost stress: what the result becomes if every fill
 * costs that much more). All zero gives exactly the models of a run without costs.
 */
export function costOptions(commissionRate: number, settings: CostSettings, stressBps = 0): CostModels {
  const commission: CommissionSpec =
    settings.fees === 'alpaca-crypto'
      ? { kind: 'alpaca-crypto', rate: commissionRate, ...cryptoFeeRates(settings.cryptoFeeTier) }
      : settings.fees !== 'none'
        ? { kind: settings.fees, rate: commissionRate }
        : commissionRate > 0
          ? { kind: 'percent', rate: commissionRate }
          : { kind: 'none' };
  const parts: SlippagePart[] = [];
  if (settings.spreadBps > 0) parts.push({ kind: 'half-spread', spreadBps: settings.spreadBps });
  if (settings.impact > 0) parts.push({ kind: 'sqrt-impact', coefficient: settings.impact });
  if (stressBps > 0) parts.push({ kind: 'fixed-bps', bps: stressBps });
  const slippage: SlippageSpec =
    parts.length === 0 ? { kind: 'none' } : parts.length === 1 ? parts[0]! : { kind: 'sum', parts };
  return {
    commission,
    slippage,
    financing: financingOf(settings),
    ...(settings.shortSales === 'none' ? { longOnly: true as const } : {}),
    ...(settings.units === 'fractional' ? { fractional: true as const } : {}),
  };
}

/** A crypto fee tier's rates as the spec's fields; none for the first tier, the model's default. */
function cryptoFeeRates(tier: number): { feeRate?: number; makerFeeRate?: number } {
  const rates = ALPACA_CRYPTO_FEE_TIERS[tier - 1];
  if (rates === undefined) throw new RangeError(`crypto fee tier must be 1 to 8, got ${tier}`);
  return tier === 1 ? {} : { feeRate: rates.takerRate, makerFeeRate: rates.makerRate };
}

/**
 * The engine's financing for cost settings: the borrow fee's annual percent as a fraction; undefined
 * without one, so the options of a run that pays none read (and are stored) as before.
 */
function financingOf(settings: CostSettings): FinancingSpec | undefined {
  return settings.borrowPercent > 0 ? { borrowRate: settings.borrowPercent / 100 } : undefined;
}

/**
 * The models of a run that was set up with other models (a study's stored options), with `stressBps`
 * more of slippage on every fill: what costOptions' stress adds to models built from settings.
 */
export function stressedSlippage(slippage: SlippageSpec | undefined, stressBps: number): SlippageSpec {
  const base = slippage ?? { kind: 'none' };
  if (!(stressBps > 0)) return base;
  const stress: SlippagePart = { kind: 'fixed-bps', bps: stressBps };
  if (base.kind === 'none') return stress;
  return { kind: 'sum', parts: base.kind === 'sum' ? [...base.parts, stress] : [base, stress] };
}

/**
 * The settings costOptions would have built these options' models from (what a result says its costs
 * were); a long-only run's short sales read as none, whether the venue or the account said so, and a
 * fractional run's units as fractional.
 */
export function costSettingsOf({
  commission,
  slippage,
  financing,
  longOnly,
  fractional,
}: {
  readonly commission?: CommissionSpec | undefined;
  readonly slippage?: SlippageSpec | undefined;
  readonly financing?: FinancingSpec | undefined;
  readonly longOnly?: boolean | undefined;
  readonly fractional?: boolean | undefined;
}): CostSettings {
  const parts = slippage === undefined ? [] : slippage.kind === 'sum' ? slippage.parts : [slippage];
  let spreadBps = 0;
  let impact = 0;
  for (const part of parts) {
    if (part.kind === 'half-spread') spreadBps += part.spreadBps ?? 0;
    if (part.kind === 'sqrt-impact') impact += part.coefficient;
  }
  // A venue's fees are a commission kind of the same name; any other kind charges none. A crypto fee's
  // rates name their tier (rates of no tier, set by code, read as the first).
  const kind = commission?.kind ?? 'none';
  const taker = commission?.kind === 'alpaca-crypto' ? commission.feeRate : undefined;
  const tier = ALPACA_CRYPTO_FEE_TIERS.findIndex((rates) => rates.takerRate === taker) + 1;
  return {
    fees: isFeeSchedule(kind) ? kind : 'none',
    spreadBps,
    impact,
    borrowPercent: (financing?.borrowRate ?? 0) * 100,
    cryptoFeeTier: Math.max(tier, 1),
    shortSales: longOnly === true ? 'none' : 'allowed',
    units: fractional === true ? 'fractional' : 'whole',
  };
}

/** The extra cost per fill, in basis points, a cost stress table shows beside a result. */
export const COST_STRESS_BPS = [0, 10, 25] as const;
