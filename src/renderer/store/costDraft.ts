import {
  COST_NUMBER_BOUNDS,
  costMaxText,
  isCryptoFeeTier,
  isFeeSchedule,
  isShortSales,
  isUnitRule,
  type CostNumberPart,
  type CostSettings,
  type FeeSchedule,
  type ShortSales,
  type UnitRule,
} from '../../core/engine/assetCosts.ts';

/**
 * The cost settings as the forms hold them: each part either set or left to the symbol's asset-class
 * default (core/engine/assetCosts.ts's defaultCostSettings: US equities, FX, crypto), which the services
 * apply. One draft for the whole app, edited in Settings and on every form, kept across launches.
 */
export interface CostDraft {
  /** null: the default's. */
  readonly fees: FeeSchedule | null;
  /** '' : the default's. */
  readonly spreadBps: string;
  readonly impact: string;
  /** Annual percent. */
  readonly borrowPercent: string;
  /** 1 to 8 (ALPACA_CRYPTO_FEE_TIERS); null: the first, the default's. */
  readonly cryptoFeeTier: number | null;
  /** null: the default's (crypto: none, other classes allowed). */
  readonly shortSales: ShortSales | null;
  /** null: the default's (crypto: fractional, other classes whole). */
  readonly units: UnitRule | null;
}

const PARTS = Object.keys(COST_NUMBER_BOUNDS) as CostNumberPart[];

export const DEFAULT_COST_DRAFT: CostDraft = {
  fees: null,
  spreadBps: '',
  impact: '',
  borrowPercent: '',
  cryptoFeeTier: null,
  shortSales: null,
  units: null,
};
/**
 * No cost beyond the commission, as `--costs none`: the draft's short sales and units are kept, since
 * what an account may do is not a cost.
 */
export function noCostDraft(draft: CostDraft): CostDraft {
  return {
    fees: 'none',
    spreadBps: '0',
    impact: '0',
    borrowPercent: '0',
    cryptoFeeTier: null,
    shortSales: draft.shortSales,
    units: draft.units,
  };
}

export interface CheckedCosts {
  /** The parts set, for a request's `costs`; undefined when every part is the default's. */
  readonly costs: Partial<CostSettings> | undefined;
  readonly errors: Partial<Record<CostNumberPart, string>>;
}

function number(text: string, part: CostNumberPart): { value?: number; error?: string } {
  if (text.trim() === '') return {};
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > COST_NUMBER_BOUNDS[part].max)
    return { error: `between 0 and ${costMaxText(part)}, or empty for the default` };
  return { value };
}

export function checkCosts(draft: CostDraft): CheckedCosts {
  const costs: { -readonly [K in keyof CostSettings]?: CostSettings[K] } = {};
  const errors: { -readonly [K in CostNumberPart]?: string } = {};
  if (draft.fees !== null) costs.fees = draft.fees;
  if (draft.cryptoFeeTier !== null) costs.cryptoFeeTier = draft.cryptoFeeTier;
  if (draft.shortSales !== null) costs.shortSales = draft.shortSales;
  if (draft.units !== null) costs.units = draft.units;
  for (const part of PARTS) {
    const { value, error } = number(draft[part], part);
    if (value !== undefined) costs[part] = value;
    if (error !== undefined) errors[part] = error;
  }
  return { costs: Object.keys(costs).length === 0 ? undefined : costs, errors };
}

export function isCostDraft(value: unknown): value is CostDraft {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.fees === null || (typeof v.fees === 'string' && isFeeSchedule(v.fees))) &&
    PARTS.every((part) => typeof v[part] === 'string') &&
    (v.cryptoFeeTier === null || isCryptoFeeTier(v.cryptoFeeTier)) &&
    (v.shortSales === null || (typeof v.shortSales === 'string' && isShortSales(v.shortSales))) &&
    (v.units === null || (typeof v.units === 'string' && isUnitRule(v.units)))
  );
}
