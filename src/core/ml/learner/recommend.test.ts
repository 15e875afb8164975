import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../engine/index.ts';
import { randomWalkBars } from '../../engine/random-walk.ts';
import { parseSpace, type Params } from '../../optimize/space.ts';
import { getStrategy } from '../../strategy/index.ts';
import type { StrategyParams } from '../../strategy-api/types.ts';
import { learnerSpace, spaceFeatures } from './ledger.ts';
import { panelStanding, windowPanel } from './panel.ts';
import { ParameterLearner } from './parameterLearner.ts';
import { evaluatePrequential } from './prequential.ts';
import { fastPeriodLearner } from './planted.test-util.ts';
import { candidateDescriber, recommend, type RecommendOptions } from './recommend.ts';

const bars = randomWalkBars(600, 8, { stepMs: 86_400_000, volatility: 0.012 });
const options: RecommendOptions = {
  strategy: 'sma-cross',
  space: parseSpace(['fast=2:40', 'slow=10:120'], ['fast<slow']),
  timeframe: '1d',
  windowBars: 40,
  trials: 40,
  seed: 2,
  threshold: 0.2,
  // Not measured (a ledger learner's case): the answer is gated on confidence alone.
  skill: null,
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

  it('switches only on the word of a learner that ranks sets better than chance out of sample', () => {
    const learner = fastPeriodLearner();
    const unmeasured = recommend(learner, bars, options);
    expect(unmeasured.action).toBe('switch');
    // GOOG's learner in the Learner tab: ranks at 0.027 (t 0.5), yet its chosen set is confident.
    const atChance = recommend(learner, bars, { ...options, skill: { mean: 0.027, t: 0.5 } });
    expect(atChance.confidence).toBe(unmeasured.confidence);
    expect(atChance.confidence).toBeGreaterThanOrEqual(options.threshold);
    expect(atChance.action).toBe('keep');
    expect(atChance.reason).toBe(
      'the learner ranks sets no better than chance out of sample (rank correlation 0.027, t 0.5; ' +
        'a switch needs a positive one with t >= 2)',
    );
    // The best set found is the same: only the action moves with the skill.
    expect(atChance.params).toEqual(unmeasured.params);
    expect(recommend(learner, bars, { ...options, skill: { mean: 0.12, t: 2 } }).action).toBe('switch');
    expect(recommend(learner, bars, { ...options, skill: { mean: 0.12, t: 1.99 } }).action).toBe('keep');
    const reversed = recommend(learner, bars, { ...options, skill: { mean: -0.2, t: -3.1 } });
    expect(reversed.action).toBe('keep');
    expect(reversed.reason).toMatch(
      /^the learner ranks sets worse than chance .*rank correlation -0\.200, t -3\.1;/,
    );
    // Fewer than two scored windows: no t, no switch.
    const unknown = recommend(learner, bars, { ...options, skill: { mean: 0.5, t: Number.NaN } });
    expect(unknown.action).toBe('keep');
    expect(unknown.reason).toContain('t not defined');
  });

  it('gives the skill reason, the more basic one, when the confidence is short too', () => {
    const both = recommend(fastPeriodLearner(), bars, {
      ...options,
      threshold: 1.01,
      skill: { mean: 0.027, t: 0.5 },
      learnerName: 'the learner trained on these bars',
    });
    expect(both.action).toBe('keep');
    expect(both.reason).toMatch(/^the learner trained on these bars ranks sets no better than chance/);
  });
});

const STANDING = ['past.z', 'past.zMean', 'past.neighbourZ'];

describe('candidates of a learner trained without the ledger', () => {
  const panel = windowPanel(bars, { ...options, sets: 12 });
  const equity = (params: Params) =>
    Float64Array.from(runBacktest(bars, getStrategy('sma-cross'), params as StrategyParams, {}).equity);

  it("carry the standing the panel gave its own sets: a panel set's equals its row's in the next window", () => {
    const space = learnerSpace('sma-cross');
    const keys = panel[0]!.rows.map((r) => JSON.stringify(spaceFeatures(r.params, space)));
    const j = keys.findIndex((key) => keys.indexOf(key) === keys.lastIndexOf(key));
    for (const w of [1, 4, panel.length - 1]) {
      const row = panel[w]!.rows[j]!;
      const standing = panelStanding(panel.slice(0, w), 'sma-cross')(row.params, equity(row.params));
      for (const key of STANDING)
        expect(standing[key], `${key} at window ${w}`).toBeCloseTo(row.features[key]!, 12);
    }
  });

  it('differ from the zero-standing features in the standing alone, which are no longer 0', () => {
    const zeroed = candidateDescriber(bars, options).describe;
    const fromPanel = candidateDescriber(bars, { ...options, panel }).describe;
    const params = { fast: 7, slow: 55 };
    const a = zeroed(params);
    const b = fromPanel(params);
    const differing = Object.keys(a).filter((key) => a[key] !== b[key]);
    expect(differing.sort()).toEqual([...STANDING].sort());
    for (const key of STANDING) expect(a[key]).toBe(0);
    // The recommendation of the learner trained on that panel (as `learner recommend` without the
    // ledger trains it) moves with them.
    const { learner } = evaluatePrequential(panel, { model: 'linear', seed: 1 });
    const zero = recommend(learner, bars, options);
    const standing = recommend(learner, bars, { ...options, panel });
    expect(standing.candidates).toBe(zero.candidates);
    expect(standing.score).not.toBe(zero.score);
  });
});
