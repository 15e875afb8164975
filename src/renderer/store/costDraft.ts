import { isFeeSchedule, type CostSettings, type FeeSchedule } from '../../core/engine/assetCosts.ts';

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
}

export const DEFAULT_COST_DRAFT: CostDraft = { fees: null, spreadBps: '', impact: '' };
export const NO_COST_DRAFT: CostDraft = { fees: 'none', spreadBps: '0', impact: '0' };

export interface CheckedCosts {
  /** The parts set, for a request's `costs`; undefined when every part is the default's. */
  readonly costs: Partial<CostSettings> | undefined;
  readonly errors: Partial<Record<'spreadBps' | 'impact', string>>;
}

function number(text: string, max: number, unit: string): { value?: number; error?: string } {
  if (text.trim() === '') return {};
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > max)
    return { error: `between 0 and ${max}${unit}, or empty for the default` };
  return { value };
}

export function checkCosts(draft: CostDraft): CheckedCosts {
  const spread = number(draft.spreadBps, 1_000, ' bp');
  const impact = number(draft.impact, 1, '');
  const costs: { -readonly [K in keyof CostSettings]?: CostSettings[K] } = {};
  if (draft.fees !== null) costs.fees = draft.fees;
  if (spread.value !== undefined) costs.spreadBps = spread.value;
  if (impact.value !== undefined) costs.impact = impact.value;
  const errors: CheckedCosts['errors'] = {
    ...(spread.error === undefined ? {} : { spreadBps: spread.error }),
    ...(impact.error === undefined ? {} : { impact: impact.error }),
  };
  return { costs: Object.keys(costs).length === 0 ? undefined : costs, errors };
}

export function isCostDraft(value: unknown): value is CostDraft {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.fees === null || (typeof v.fees === 'string' && isFeeSchedule(v.fees))) &&
    typeof v.spreadBps === 'string' &&
    typeof v.impact === 'string'
  );
}
