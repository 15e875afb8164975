import { describe, expect, it } from 'vitest';
import { createRng } from '../../math/random.ts';
import { MarketErrorModel } from './marketError.ts';

describe('MarketErrorModel', () => {
  /** Errors ten times larger in a volatile market, whatever the set; θ varies independently of them. */
  function taught(): MarketErrorModel {
    const rng = createRng(3);
    const model = new MarketErrorModel();
    for (let i = 0; i < 4000; i++) {
      const volatile = rng.float() < 0.5;
      const features = { 'regime.volatility.percentile': volatile ? 0.9 : 0.1, 'param.fast': rng.float() };
      model.learn(features, 0.5, (volatile ? 1 : 0.1) * rng.float());
    }
    return model;
  }

  it("expects larger errors in the market state that had them, and reads the market, not the set's θ", () => {
    const model = taught();
    const calm = model.estimate({ 'regime.volatility.percentile': 0.1, 'param.fast': 0.5 }, 0.5);
    const volatile = model.estimate({ 'regime.volatility.percentile': 0.9, 'param.fast': 0.5 }, 0.5);
    expect(volatile - calm).toBeGreaterThan(1);
    expect(model.estimate({ 'regime.volatility.percentile': 0.9, 'param.fast': 0 }, 0.5)).toBe(volatile);
  });

  it('restores from its state to the same estimates, and goes on learning alike', () => {
    const model = taught();
    const copy = MarketErrorModel.fromState(JSON.parse(JSON.stringify(model.toState())));
    const x = { 'regime.volatility.percentile': 0.7, 'param.fast': 0.2 };
    expect(copy.estimate(x, 0.3)).toBe(model.estimate(x, 0.3));
    model.learn(x, 0.3, 0.8);
    copy.learn(x, 0.3, 0.8);
    expect(copy.estimate(x, 1)).toBe(model.estimate(x, 1));
  });

  it('learns exact hits before any error (flat windows scored 0 as predicted) without a log of 0', () => {
    // ORCL's first learner windows in the scorecard: no set trades in them, every score and prediction 0.
    const model = new MarketErrorModel();
    const x = { 'regime.volatility.percentile': 0.5 };
    expect(() => model.learn(x, 0, 0)).not.toThrow();
    model.learn(x, 0, 0.4);
    model.learn(x, 0, 0);
    expect(Number.isFinite(model.estimate(x, 0))).toBe(true);
  });
});
