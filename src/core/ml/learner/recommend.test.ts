import { describe, expect, it } from 'vitest';
import { randomWalkBars } from '../../engine/random-walk.ts';
import { parseSpace } from '../../optimize/space.ts';
import { ParameterLearner } from './parameterLearner.ts';
import { fastPeriodLearner } from './planted.test-util.ts';
import { recommend, type RecommendOptions } from './recommend.ts';

const bars = randomWalkBars(600, 8, { stepMs: 86_400_000, volatility: 0.012 });
const options: RecommendOptions = {
  strategy: 'sma-cross',
  space: parseSpace(['fast=2:40', 'slow=10:120'], ['fast<slow']),
  timeframe: '1d',
  windowBars: 40,
  trials: 40,
  seed: 2,
  threshold: 0.2,
};

describe('recommendation', () => {
  it('searches the space against the prediction and returns the best set with its interval, regime and drivers', () => {
    const r = recommend(fastPeriodLearner(), bars, options);
    expect(r.candidates).toBe(40);
    expect(r.params['fast']).toBeLessThanOrEqual(6);
    expect(r.interval90.lower).toBeLessThan(r.score);
    expect(r.interval90.upper).toBeGreaterThan(r.score);
    expect(r.interval80.halfWidth).toBeLessThan(r.interval90.halfWidth);
    expect(r.regime).toMatch(/^(bull|bear|sideways)\/(low|normal|high)$/);
    expect(r.drivers[0]!.feature).toBe('param.fast');
  });

  it('keeps the current set, saying why, below the confidence threshold', () => {
    const kept = recommend(fastPeriodLearner(), bars, { ...options, threshold: 1.01 });
    expect(kept.action).toBe('keep');
    expect(kept.reason).toMatch(/^confidence 0\.\d\d is below the threshold 1\.01/);
    const untrained = recommend(new ParameterLearner({ seed: 1 }), bars, options);
    expect(untrained.action).toBe('keep');
    expect(untrained.reason).toContain('the learner has learned nothing yet');
  });
});
