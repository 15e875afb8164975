import { describe, expect, it } from 'vitest';
import { checkCosts, DEFAULT_COST_DRAFT, NO_COST_DRAFT } from './costDraft.ts';

describe('cost draft', () => {
  it('empty parts are left to the asset-class default; set parts are sent', () => {
    expect(checkCosts(DEFAULT_COST_DRAFT)).toEqual({ costs: undefined, errors: {} });
    expect(checkCosts(NO_COST_DRAFT).costs).toEqual({
      fees: 'none',
      spreadBps: 0,
      impact: 0,
      borrowPercent: 0,
    });
    expect(checkCosts({ fees: null, spreadBps: '5', impact: '', borrowPercent: '' }).costs).toEqual({
      spreadBps: 5,
    });
  });

  it('a bad number is named by its field and not sent', () => {
    const checked = checkCosts({
      fees: 'us-equity',
      spreadBps: '-1',
      impact: '2',
      borrowPercent: '',
    });
    expect(checked.costs).toEqual({ fees: 'us-equity' });
    expect(Object.keys(checked.errors)).toEqual(['spreadBps', 'impact']);
  });
});
