import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../math/random.ts';
import type { Features } from '../base.ts';
import { ParameterLearner, type ParameterLearnerOptions } from './parameterLearner.ts';
import { plantedShiftErrors } from './planted.test-util.ts';
import { spearman } from './prequential.ts';

/** A planted stream: y = 1.5 x1 - x2 with noise 0.05 where x2 < 0 and 0.6 elsewhere. */
function heteroscedastic(rng: Rng): { x: Features; y: number } {
  const x1 = rng.normal();
  const x2 = rng.normal();
  const noise = (x2 < 0 ? 0.05 : 0.6) * rng.normal();
  return { x: { x1, x2 }, y: 1.5 * x1 - x2 + noise };
}

const meanOf = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

describe('parameter learner', () => {
  it('resumes after a save and restore exactly as if it had never stopped', () => {
    const options: ParameterLearnerOptions[] = [{ seed: 3 }, { seed: 3, model: 'forest' }];
    for (const option of options) {
      const rng = createRng(11);
      // Longer than the calibration window (1,000), so every history the state keeps is full once.
      const stream = Array.from({ length: 1300 }, () => heteroscedastic(rng));
      const uninterrupted = new ParameterLearner(option);
      let restarted = new ParameterLearner(option);
      stream.forEach(({ x, y }, i) => {
        const stratum = i % 3 === 0 ? 'bull' : 'bear';
        uninterrupted.learn(x, { score: y, stratum, quintile: 1 + (i % 5) });
        restarted.learn(x, { score: y, stratum, quintile: 1 + (i % 5) });
        // A kill and restart: only what the state serialises to survives.
        if (i % 250 === 249)
          restarted = ParameterLearner.fromState(JSON.parse(JSON.stringify(restarted.toState())));
      });
      for (const { x } of stream.slice(0, 50)) {
        expect(restarted.predict(x, 'bull'), option.model).toEqual(uninterrupted.predict(x, 'bull'));
      }
      expect(JSON.stringify(restarted.toState())).toBe(JSON.stringify(uninterrupted.toState()));
    }
  });

  it('restores from JSON (the ledger stores it so) with the same confidence after a first window had no neighbours', () => {
    const rng = createRng(5);
    const learner = new ParameterLearner({ seed: 2 });
    for (let w = 0; w < 6; w++) {
      const window = Array.from({ length: 8 }, () => heteroscedastic(rng));
      learner.learnWindow(window.map(({ x, y }) => ({ features: x, target: { score: y } })));
    }
    const restored = ParameterLearner.fromState(JSON.parse(JSON.stringify(learner.toState())));
    const probes = Array.from({ length: 20 }, () => heteroscedastic(rng).x);
    expect(restored.predictWindow(probes)).toEqual(learner.predictWindow(probes));
  });

  it('gives a regime its own interval only once it holds a calibration window of residuals (50 did before)', () => {
    const rng = createRng(9);
    const basisAfter = (windows: number, options: ParameterLearnerOptions): string => {
      const learner = new ParameterLearner(options);
      for (let w = 0; w < windows; w++) {
        const window = Array.from({ length: 50 }, () => heteroscedastic(rng));
        learner.learnWindow(
          window.map(({ x, y }) => ({ features: x, target: { score: y, stratum: 'calm' } })),
        );
      }
      return learner.predict(heteroscedastic(rng).x, 'calm').interval90.basis;
    };
    // The first window is learned with no neighbours yet, so it leaves no residuals: 50 x (windows - 1).
    expect(basisAfter(20, { seed: 1 })).toBe('all');
    expect(basisAfter(21, { seed: 1 })).toBe('stratum');
    expect(basisAfter(3, { seed: 1, calibrationWindow: 100 })).toBe('stratum');
    expect(basisAfter(3, { seed: 1, minStratum: 50 })).toBe('stratum');
  });

  it('predicting changes nothing the learner keeps', () => {
    const rng = createRng(2);
    const learner = new ParameterLearner({ seed: 1 });
    for (let i = 0; i < 100; i++) {
      const { x, y } = heteroscedastic(rng);
      learner.learn(x, { score: y });
    }
    const before = JSON.stringify(learner.toState());
    learner.predict({ x1: 1, x2: 2, unseen: 5 });
    expect(JSON.stringify(learner.toState())).toBe(before);
  });

  it('covers 80 % and 90 % of 3,000 held-out results within 2 points, and its top confidence decile errs at most half as much as its bottom one', () => {
    const rng = createRng(7);
    const learner = new ParameterLearner({ seed: 1 });
    for (let i = 0; i < 2000; i++) {
      const { x, y } = heteroscedastic(rng);
      learner.learn(x, { score: y });
    }
    const held: { confidence: number; error: number; in80: boolean; in90: boolean }[] = [];
    for (let i = 0; i < 3000; i++) {
      const { x, y } = heteroscedastic(rng);
      const p = learner.predict(x);
      held.push({
        confidence: p.confidence,
        error: Math.abs(y - p.score),
        in80: y >= p.interval80.lower && y <= p.interval80.upper,
        in90: y >= p.interval90.lower && y <= p.interval90.upper,
      });
      learner.learn(x, { score: y });
    }
    expect(Math.abs(held.filter((h) => h.in80).length / held.length - 0.8)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(held.filter((h) => h.in90).length / held.length - 0.9)).toBeLessThanOrEqual(0.02);
    const byConfidence = [...held].sort((a, b) => b.confidence - a.confidence);
    const decile = held.length / 10;
    const top = meanOf(byConfidence.slice(0, decile).map((h) => h.error));
    const bottom = meanOf(byConfidence.slice(-decile).map((h) => h.error));
    expect(top).toBeLessThanOrEqual(bottom / 2);
  });

  it('ranks by expected error when the noise grows with the size of the move, among 30 features that carry none', () => {
    // As on the markets: a big predicted move is the unreliable one, and the inputs' neighbourhood says
    // nothing about the error (the neighbours of an input in 32 dimensions are mostly the noise features').
    const rng = createRng(9);
    const draw = (): { x: Features; y: number } => {
      const x: Record<string, number> = { x1: rng.normal(), x2: rng.normal() };
      for (let k = 0; k < 30; k++) x[`z${k}`] = rng.normal();
      const signal = 1.5 * x.x1! - x.x2!;
      return { x, y: signal + (0.05 + 0.5 * Math.abs(signal)) * rng.normal() };
    };
    const learner = new ParameterLearner({ seed: 1, learningRate: 0.005 });
    for (let i = 0; i < 2000; i++) {
      const { x, y } = draw();
      learner.learn(x, { score: y });
    }
    const held: { confidence: number; error: number }[] = [];
    for (let i = 0; i < 3000; i++) {
      const { x, y } = draw();
      const p = learner.predict(x);
      held.push({ confidence: p.confidence, error: Math.abs(y - p.score) });
      learner.learn(x, { score: y });
    }
    const byConfidence = [...held].sort((a, b) => b.confidence - a.confidence);
    const top = meanOf(byConfidence.slice(0, 300).map((h) => h.error));
    const bottom = meanOf(byConfidence.slice(-300).map((h) => h.error));
    expect(top).toBeLessThanOrEqual(bottom / 2);
  });

  it('gives inputs unlike anything learned a low confidence', () => {
    const rng = createRng(4);
    const learner = new ParameterLearner({ seed: 1 });
    for (let i = 0; i < 1500; i++) {
      const { x, y } = heteroscedastic(rng);
      learner.learn(x, { score: y });
    }
    const far = learner.predict({ x1: 9, x2: -9 });
    expect(far.novelty).toBe(1);
    expect(far.confidence).toBeLessThan(learner.predict({ x1: 0.1, x2: -0.5 }).confidence);
  });

  function plantedShift(driftReset: boolean): { preShift: number; after150to200: number; resets: number } {
    const { errors, resets } = plantedShiftErrors(5, { driftReset, shiftAt: 3000, total: 3200 });
    return {
      preShift: meanOf(errors.slice(2500, 3000)),
      after150to200: meanOf(errors.slice(3150, 3200)),
      resets,
    };
  }

  it('after an abrupt planted shift, is back to its pre-shift error within 200 results on each of 10 seeds', () => {
    for (let seed = 5; seed < 15; seed++) {
      const { errors } = plantedShiftErrors(seed, { driftReset: true, shiftAt: 3000, total: 3200 });
      expect(meanOf(errors.slice(3150, 3200)), `seed ${seed}`).toBeLessThanOrEqual(
        1.2 * meanOf(errors.slice(2500, 3000)),
      );
    }
  });

  it('after an abrupt planted shift, is back to its pre-shift error within 200 results (and would not be without the drift reset)', () => {
    const withReset = plantedShift(true);
    expect(withReset.resets).toBeGreaterThanOrEqual(1);
    expect(withReset.after150to200).toBeLessThanOrEqual(1.2 * withReset.preShift);
    const without = plantedShift(false);
    expect(without.after150to200).toBeGreaterThan(1.2 * without.preShift);
  });

  it("keeps ranking a window's sets right through a drift reset (the market's level moved, not their order)", () => {
    const rng = createRng(17);
    const sets = Array.from({ length: 20 }, () => ({ a: rng.float(), b: rng.float() }));
    const window = (level: number): { features: Features; target: { score: number } }[] =>
      sets.map(({ a, b }) => ({
        features: { 'param.a': a, 'param.b': b },
        // A weak edge in noise, as parameter sets have: it takes many windows to learn.
        target: { score: level + 0.3 * a + rng.normal() },
      }));
    const learner = new ParameterLearner({ seed: 1 });
    for (let w = 0; w < 100; w++) learner.learnWindow(window(rng.normal()));
    const before = learner.resets;
    // The level jumps: errors rise until ADWIN restarts the level model.
    let w = 0;
    while (learner.resets === before && w++ < 40) learner.learnWindow(window(25 + rng.normal()));
    expect(learner.resets).toBe(before + 1);
    const predicted = learner.predictWindow(window(25).map((r) => r.features)).map((p) => p.score);
    expect(
      spearman(
        predicted,
        sets.map(({ a }) => a),
      ),
    ).toBeGreaterThan(0.8);
  });

  it('resets at most once over 10,000 stationary results', () => {
    const rng = createRng(13);
    const learner = new ParameterLearner({ seed: 1, learningRate: 0.01 });
    for (let i = 0; i < 10_500; i++) {
      const x1 = rng.normal();
      const x2 = rng.normal();
      learner.learn({ x1, x2 }, { score: 1.5 * x1 - x2 + 0.3 * rng.normal() });
    }
    expect(learner.resets).toBeLessThanOrEqual(1);
  });
});
