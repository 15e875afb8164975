import { describe, expect, it } from 'vitest';
import { checkCosts, DEFAULT_COST_DRAFT, isCostDraft, noCostDraft } from './costDraft.ts';

describe('cost draft', () => {
  it('empty parts are left to the asset-class default; set parts are sent', () => {
    expect(checkCosts(DEFAULT_COST_DRAFT)).toEqual({ costs: undefined, errors: {} });
    expect(checkCosts(noCostDraft(DEFAULT_COST_DRAFT)).costs).toEqual({
      fees: 'none',
      spreadBps: 0,
      impact: 0,
      borrowPercent: 0,
    });
    // No costs is not long-only, nor does it lift a long-only choice: short sales are not a cost.
    const longOnly = { ...DEFAULT_COST_DRAFT, shortSales: 'none' as const };
    expect(checkCosts(longOnly).costs).toEqual({ shortSales: 'none' });
    expect(checkCosts(noCostDraft(longOnly)).costs).toMatchObject({ fees: 'none', shortSales: 'none' });
    expect(isCostDraft(longOnly)).toBe(true);
    expect(isCostDraft({ ...DEFAULT_COST_DRAFT, shortSales: 'never' })).toBe(false);
    expect(checkCosts({ ...DEFAULT_COST_DRAFT, fees: null, spreadBps: '5' }).costs).toEqual({
      spreadBps: 5,
    });
    // A crypto fee tier is chosen, not typed: a whole tier or the default's.
    expect(checkCosts({ ...DEFAULT_COST_DRAFT, cryptoFeeTier: 3 }).costs).toEqual({ cryptoFeeTier: 3 });
    expect(isCostDraft({ ...DEFAULT_COST_DRAFT, cryptoFeeTier: 3 })).toBe(true);
    expect(isCostDraft({ ...DEFAULT_COST_DRAFT, cryptoFeeTier: 9 })).toBe(false);
    // A draft kept by an earlier version, without the borrow fee and the tier, is not one; nor without
    // short sales.
    expect(isCostDraft({ fees: null, spreadBps: '', impact: '' })).toBe(false);
    expect(isCostDraft({ ...DEFAULT_COST_DRAFT, shortSales: undefined })).toBe(false);
    // Units are chosen too, and No costs keeps them as it keeps short sales.
    const fractional = { ...DEFAULT_COST_DRAFT, units: 'fractional' as const };
    expect(checkCosts(fractional).costs).toEqual({ units: 'fractional' });
    expect(checkCosts(noCostDraft(fractional)).costs).toMatchObject({ fees: 'none', units: 'fractional' });
    expect(isCostDraft({ ...DEFAULT_COST_DRAFT, units: 'half' })).toBe(false);
  });

  it('a bad number is named by its field and not sent', () => {
    const checked = checkCosts({
      fees: 'us-equity',
      spreadBps: '-1',
      impact: '2',
      borrowPercent: '',
      cryptoFeeTier: null,
      shortSales: null,
      units: null,
    });
    expect(checked.costs).toEqual({ fees: 'us-equity' });
    expect(Object.keys(checked.errors)).toEqual(['spreadBps', 'impact']);
  });
});
