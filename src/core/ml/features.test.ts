import { describe, expect, it } from 'vitest';
import { sliceBars } from '../data/bars.ts';
import { randomWalkBars } from '../engine/random-walk.ts';
import { createRng } from '../math/random.ts';
import type { Metrics } from '../metrics/metrics.ts';
import { allocateRegimeOutput } from '../regime/labels.ts';
import { RuleDetector } from '../regime/rules.ts';
import { marketContextFeatures, parameterFeatures, pastPerformanceFeatures } from './features.ts';

describe('learner features', () => {
  it('read nothing of the window being predicted: truncating the bars at its start changes no feature', () => {
    // Daily bars: the regime detector labels point in time, the features read bar start - 1.
    const bars = randomWalkBars(1500, 3, { stepMs: 86_400_000, volatility: 0.012 });
    const detector = new RuleDetector({ timeframe: '1d' });
    const full = allocateRegimeOutput(detector.inputs, bars.t.length);
    detector.label(bars, full);
    const rng = createRng(9);
    for (let k = 0; k < 40; k++) {
      const start = detector.warmup + 1 + rng.int(bars.t.length - detector.warmup - 2);
      // What the learner had at the window's start: only the bars before it.
      const truncated = allocateRegimeOutput(detector.inputs, start);
      detector.label(sliceBars(bars, 0, start), truncated);
      const fromFull = marketContextFeatures(bars, full, detector.inputs, start, true);
      const fromPast = marketContextFeatures(
        sliceBars(bars, 0, start),
        truncated,
        detector.inputs,
        start,
        false,
      );
      for (const [name, value] of Object.entries(fromPast)) expect(fromFull[name], name).toBe(value);
      expect(Object.keys(fromFull).length).toBeGreaterThan(Object.keys(fromPast).length);
    }
  });

  it('read a labelled bar whose probabilities are not finite as no evidence (0), never NaN', () => {
    const bars = randomWalkBars(10, 1, { stepMs: 86_400_000 });
    const detector = new RuleDetector({ timeframe: '1d' });
    const regime = allocateRegimeOutput(detector.inputs, 10);
    regime.trend.label[4] = 0;
    regime.trend.probability[0][4] = Number.NaN;
    regime.trend.probability[1][4] = 0.25;
    const features = marketContextFeatures(bars, regime, detector.inputs, 5, false);
    expect(features['regime.trend.p.bull']).toBe(0);
    expect(features['regime.trend.p.bear']).toBe(0.25);
    expect(Object.values(features).every(Number.isFinite)).toBe(true);
  });

  it('scale parameters into [0, 1] by their ranges and refuse a missing one by name', () => {
    const ranges = [
      { name: 'fast', min: 5, max: 25 },
      { name: 'slow', min: 10, max: 10 },
    ];
    expect(parameterFeatures({ fast: 10, slow: 10 }, ranges)).toEqual({
      'param.fast': 0.25,
      'param.slow': 0,
    });
    expect(() => parameterFeatures({ fast: 10 }, ranges)).toThrow('"slow" is undefined');
  });

  it('bound past performance and flag when there is none', () => {
    expect(pastPerformanceFeatures(undefined, 100)['past.has']).toBe(0);
    const metrics = {
      sharpeRatio: 1.5,
      winRate: 0.6,
      maxDrawdown: -0.12,
      consistencyScore: 0.7,
      numTrades: 20,
      avgTradeDurationBars: 4,
      profitFactor: Number.POSITIVE_INFINITY,
      expectancy: 12,
    } as Metrics;
    expect(pastPerformanceFeatures(metrics, 200)).toMatchObject({
      'past.has': 1,
      'past.sharpe': 1.5,
      'past.signalFrequency': 0.1,
      'past.profitFactor': 10,
    });
  });
});
