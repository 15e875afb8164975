import { describe, expect, it } from 'vitest';
import { SMA_CROSS } from '../../../test/support/fakeRegimenClient.ts';
import { checkParams } from './params.ts';

describe('backtest parameter form', () => {
  it('runs any valid value: a 50/200 crossover beyond the default search range is accepted', () => {
    const slow = SMA_CROSS.params.find((p) => p.name === 'slow')!;
    const beyond = slow.max + 100;
    expect(checkParams(SMA_CROSS, { fast: '50', slow: String(beyond) })).toEqual({
      values: { fast: 50, slow: beyond },
      errors: {},
    });
  });

  it('still refuses what no run accepts, saying the limits', () => {
    const { errors } = checkParams(SMA_CROSS, { fast: '0', slow: '20000' });
    expect(errors).toEqual({ fast: 'between 1 and 10000', slow: 'between 2 and 10000' });
  });
});
