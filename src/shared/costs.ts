/**
 * Costs as data, defined once for every boundary they cross (requests, stored studies, remote workers):
 * core/engine's CommissionSpec, SlippageSpec and FinancingSpec, and the cost settings a person edits
 * (core's CostSettings: the venue's fees and crypto fee tier, spread, impact, borrow fee, short sales
 * and units). The type checks at the end keep them in step with core.
 */
import { z } from 'zod';
import {
  ALPACA_CRYPTO_FEE_TIERS,
  COST_NUMBER_BOUNDS,
  costMaxText,
  FEE_SCHEDULES,
  SHORT_SALES,
  UNIT_RULES,
  type CostNumberPart,
} from '../core/engine/assetCosts.ts';
import type { CommissionSpec, CostSettings, FinancingSpec, SlippageSpec } from '../core/engine/index.ts';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const commissionSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('percent'), rate: finite }),
  z.strictObject({
    kind: z.literal('per-share'),
    perShare: finite,
    minimum: finite.optional(),
    maximum: finite.optional(),
  }),
  z.strictObject({ kind: z.literal('fixed'), amount: finite }),
  z.strictObject({
    kind: z.literal('us-equity'),
    rate: finite.optional(),
    secFeePerMillion: finite.optional(),
    tafPerShare: finite.optional(),
    tafMaximum: finite.optional(),
  }),
  z.strictObject({
    kind: z.literal('alpaca-crypto'),
    rate: finite.optional(),
    feeRate: finite.optional(),
    makerFeeRate: finite.optional(),
  }),
]);

const slippagePartSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('fixed-bps'), bps: finite }),
  z.strictObject({ kind: z.literal('half-spread'), spread: finite.optional(), spreadBps: finite.optional() }),
  z.strictObject({ kind: z.literal('sqrt-impact'), coefficient: finite }),
]);

export const slippageSpecSchema = z.union([
  slippagePartSchema,
  z.strictObject({ kind: z.literal('sum'), parts: z.array(slippagePartSchema).max(8) }),
]);

/** An annual financing rate as a fraction (the engine's FinancingSpec bound). */
const annualRate = z.number().min(0).max(10, 'must be at most 10 (1,000 % a year)');

/** The engine's FinancingSpec as options carry it (stored studies, remote chunks). */
export const financingSpecSchema = z.strictObject({
  marginRate: annualRate.optional(),
  borrowRate: annualRate.optional(),
});

/** A crypto fee tier's number (see isCryptoFeeTier), as requests, results and Settings carry it. */
export const cryptoFeeTierSchema = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be 1 to 8')
  .max(ALPACA_CRYPTO_FEE_TIERS.length, `must be 1 to ${ALPACA_CRYPTO_FEE_TIERS.length}`);

/** A numeric cost setting in its range (COST_NUMBER_BOUNDS), as requests, results and Settings carry it. */
export const costNumberSchema = (part: CostNumberPart) =>
  z
    .number()
    .min(0, 'must be at least 0')
    .max(COST_NUMBER_BOUNDS[part].max, `must be at most ${costMaxText(part)}`);

const costSettingsShape = {
  /** The venue's fees: SEC fee and FINRA TAF on every sell (us-equity), Alpaca's crypto fee, or none. */
  fees: z.enum(FEE_SCHEDULES),
  /** The full quoted spread in basis points; half of it is paid on every market fill. */
  spreadBps: costNumberSchema('spreadBps'),
  /** Square-root impact coefficient: the price share paid at full participation of a bar's volume. */
  impact: costNumberSchema('impact'),
  /** Stock borrow fee on a short position held overnight, annual percent of its value. */
  borrowPercent: costNumberSchema('borrowPercent'),
  /** Alpaca's crypto fee tier by 30-day volume, 1 to 8 (ALPACA_CRYPTO_FEE_TIERS). */
  cryptoFeeTier: cryptoFeeTierSchema,
  /** Whether a short can be sold: allowed, or none (long only; crypto's default: Alpaca lends none). */
  shortSales: z.enum(SHORT_SALES),
  /** Whole or fractional units (crypto's default: fractional, as Alpaca trades it). */
  units: z.enum(UNIT_RULES),
};

/**
 * What a person sets on a request: the parts given, the rest from the symbol's asset class (see
 * defaultCostSettings); absent, all of them.
 */
export const costSettingsRequestSchema = z.strictObject(costSettingsShape).partial().optional();

/**
 * The costs a result was charged; a result stored before runs were financed, crypto fees had tiers or
 * short sales and units were settings has none of them: it paid no borrow fee, the first tier's fee,
 * could short, and traded whole units.
 */
export const costSettingsSchema = z.strictObject({
  ...costSettingsShape,
  borrowPercent: costNumberSchema('borrowPercent').default(0),
  cryptoFeeTier: cryptoFeeTierSchema.default(1),
  shortSales: z.enum(SHORT_SALES).default('allowed'),
  units: z.enum(UNIT_RULES).default('whole'),
});

/** One row of a cost stress: the result with `bps` more cost on every fill. */
export const costStressRowSchema = z.object({
  bps: z.number(),
  finalEquity: z.number().nullable(),
  totalReturn: z.number().nullable(),
  sharpeRatio: z.number().nullable(),
  maxDrawdown: z.number().nullable(),
});

export type CostStressRow = z.output<typeof costStressRowSchema>;

// Compile-time: each schema's output is the core type it carries.
({}) as z.output<typeof commissionSpecSchema> satisfies CommissionSpec;
({}) as z.output<typeof slippageSpecSchema> satisfies SlippageSpec;
({}) as z.output<typeof financingSpecSchema> satisfies FinancingSpec;
({}) as z.output<typeof costSettingsSchema> satisfies CostSettings;
