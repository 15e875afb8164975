import { describe, expect, it } from 'vitest';
import { MAX_TRIALS } from './optimizeChoices.ts';
import { OptimizeStartRequest, SearchRequestBase, WalkForwardRequest } from './optimizeContract.ts';

const search = { strategy: 'sma-cross', objectives: [{ metric: 'sharpeRatio' }], trials: 10 };
const study = { ...search, data: { symbol: 'SPY', timeframes: ['1d'] } };
const walkForward = { ...search, data: { symbol: 'SPY', timeframe: '1d' } };

describe('optimize:start and walkforward:run share one search request', () => {
  it('with the same defaults: no seed means a random one, in both', () => {
    const a = OptimizeStartRequest.parse(study);
    const b = WalkForwardRequest.parse(walkForward);
    const shared = Object.keys(SearchRequestBase.shape) as (keyof typeof a & keyof typeof b)[];
    for (const key of shared) expect([key, b[key]]).toEqual([key, a[key]]);
    expect(a.seed).toBeUndefined();
  });

  it('with the same limits: trials, seed and the mode against the objectives', () => {
    for (const [schema, base] of [
      [OptimizeStartRequest, study],
      [WalkForwardRequest, walkForward],
    ] as const) {
      expect(schema.safeParse({ ...base, trials: MAX_TRIALS }).success).toBe(true);
      expect(schema.safeParse({ ...base, trials: MAX_TRIALS + 1 }).error?.issues[0]?.path).toEqual([
        'trials',
      ]);
      expect(schema.safeParse({ ...base, seed: 2 ** 32 }).error?.issues[0]?.path).toEqual(['seed']);
      expect(schema.safeParse({ ...base, mode: 'pareto' }).error?.issues[0]?.message).toBe(
        "mode 'pareto' needs at least two objectives",
      );
      expect(schema.safeParse({ ...base, unknownField: 1 }).success).toBe(false);
    }
  });
});
