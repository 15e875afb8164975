import { describe, expect, it } from 'vitest';
import { createRng } from '../math/random.ts';
import {
  classifierConformance,
  regressionStream,
  regressorConformance,
  transformerConformance,
} from './conformance.test-util.ts';
import { AdaptiveRandomForestRegressor } from './ensemble/adaptiveRandomForest.ts';
import { BayesianLinearRegression } from './linear/bayesianLinearRegression.ts';
import { LinearRegression } from './linear/linearRegression.ts';
import { GaussianNB } from './naiveBayes/gaussianNB.ts';
import { StandardScaler } from './preprocessing/standardScaler.ts';
import { HoeffdingTreeRegressor } from './trees/hoeffdingTreeRegressor.ts';

describe('StandardScaler', () => {
  transformerConformance(
    () => new StandardScaler(),
    (s) => StandardScaler.fromState(s),
  );

  it('matches a batch mean and population variance, and maps a constant feature to 0', () => {
    const scaler = new StandardScaler();
    const values = [3, 7, 1, 9, 4];
    for (const v of values) scaler.learnOne({ v, k: 2 });
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(scaler.statistics('v')!.mean).toBeCloseTo(mean, 12);
    expect(scaler.statistics('v')!.variance).toBeCloseTo(variance, 12);
    const out = scaler.transformOne({ v: 10, k: 2 });
    expect(out.v).toBeCloseTo((10 - mean) / Math.sqrt(variance), 12);
    expect(out.k).toBe(0);
  });
});

describe('LinearRegression (River defaults)', () => {
  regressorConformance(
    () => new LinearRegression(),
    (s) => LinearRegression.fromState(s),
  );

  it("takes River's steps: squared-loss gradient 2(p - y), weights and intercept at 0.01", () => {
    const model = new LinearRegression();
    model.learnOne({ a: 1, b: 2 }, 2);
    // p = 0, g = -4: intercept 0.04, a 0.04, b 0.08; then p(x) = 0.04 + 0.04 + 0.16 = 0.24.
    expect(model.coefficients()).toEqual({ weights: { a: 0.04, b: 0.08 }, intercept: 0.04 });
    expect(model.predictOne({ a: 1, b: 2 })).toBeCloseTo(0.24, 15);
  });

  it('recovers the coefficients of a noisy linear stream', () => {
    const model = new LinearRegression();
    const { xs, ys } = regressionStream(5, 5000);
    model.learnMany(xs, ys);
    const { weights } = model.coefficients();
    expect(weights.a).toBeCloseTo(1.5, 1);
    expect(weights.b).toBeCloseTo(-0.7, 1);
  });
});

describe('BayesianLinearRegression (River defaults: alpha 1, beta 1, no smoothing)', () => {
  regressorConformance(
    () => new BayesianLinearRegression(),
    (s) => BayesianLinearRegression.fromState(s),
  );

  it('ends at the closed-form posterior mean (alpha I + beta XᵀX)⁻¹ beta Xᵀy, features met late included', () => {
    const alpha = 2;
    const beta = 0.5;
    const model = new BayesianLinearRegression({ alpha, beta });
    const { xs, ys } = regressionStream(9, 40);
    // The third feature appears only from the 11th observation: it reads 0 before, as the prior assumes.
    const rows = xs.map((x, i): Record<string, number> =>
      i >= 10 ? { a: x.a!, b: x.b!, c: (i % 7) - 3 } : { a: x.a!, b: x.b! },
    );
    model.learnMany(rows, ys);
    const names = ['a', 'b', 'c'];
    const matrix = names.map((_, i) => names.map((_, j) => (i === j ? alpha : 0)));
    const vector = names.map(() => 0);
    rows.forEach((x, k) => {
      const v = names.map((n) => x[n] ?? 0);
      v.forEach((vi, i) => {
        vector[i]! += beta * vi * ys[k]!;
        v.forEach((vj, j) => (matrix[i]![j]! += beta * vi * vj));
      });
    });
    const expected = solve(matrix, vector);
    const weights = model.weights();
    names.forEach((n, i) => expect(weights[n]).toBeCloseTo(expected[i]!, 10));
  });
});

/** Gaussian elimination with partial pivoting (a small dense system). */
function solve(matrix: number[][], vector: number[]): number[] {
  const m = matrix.map((row, i) => [...row, vector[i]!]);
  const d = m.length;
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= d; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[d]! / row[i]!);
}

describe('GaussianNB', () => {
  classifierConformance(
    () => new GaussianNB(),
    (s) => GaussianNB.fromState(s),
  );

  it("River's docstring example predicts class 1 for (-0.8, -1)", () => {
    const model = new GaussianNB();
    const X = [
      [-1, -1],
      [-2, -1],
      [-3, -2],
      [1, 1],
      [2, 1],
      [3, 2],
    ];
    const Y = [1, 1, 1, 2, 2, 2];
    X.forEach(([a, b], i) => model.learnOne({ 0: a!, 1: b! }, Y[i]!));
    expect(model.predictOne({ 0: -0.8, 1: -1 })).toBe(1);
  });
});

describe('HoeffdingTreeRegressor', () => {
  regressorConformance(
    () => new HoeffdingTreeRegressor({ gracePeriod: 50 }),
    (s) => HoeffdingTreeRegressor.fromState(s),
  );

  it('splits on a step a straight line cannot fit, and beats linear regression on it', () => {
    const rng = createRng(21);
    const tree = new HoeffdingTreeRegressor({ gracePeriod: 50, delta: 0.01 });
    const line = new LinearRegression();
    let treeError = 0;
    let lineError = 0;
    for (let i = 0; i < 4000; i++) {
      const x = { a: rng.float(), b: rng.float() };
      const y = (x.a > 0.5 ? 2 : -2) + 0.1 * rng.normal();
      if (i >= 3000) {
        treeError += (tree.predictOne(x) - y) ** 2;
        lineError += (line.predictOne(x) - y) ** 2;
      }
      tree.learnOne(x, y);
      line.learnOne(x, y);
    }
    expect(tree.size().branches).toBeGreaterThan(0);
    expect(treeError).toBeLessThan(lineError / 4);
  });
});

describe('AdaptiveRandomForestRegressor (River defaults)', () => {
  regressorConformance(
    () => new AdaptiveRandomForestRegressor({ seed: 1, models: 5 }),
    (s) => AdaptiveRandomForestRegressor.fromState(s),
  );

  it('replaces trees after an abrupt shift and gets back to its pre-shift error', () => {
    const rng = createRng(5);
    const forest = new AdaptiveRandomForestRegressor({ seed: 3 });
    const errors: number[] = [];
    for (let i = 0; i < 6000; i++) {
      const x = { a: rng.float(), b: rng.float(), c: rng.float() };
      const y = (i < 3000 ? 3 * x.a : -3 * x.a + 2 * x.b) + 0.1 * rng.normal();
      errors.push(Math.abs(forest.predictOne(x) - y));
      forest.learnOne(x, y);
    }
    const mean = (from: number, to: number) =>
      errors.slice(from, to).reduce((s, e) => s + e, 0) / (to - from);
    expect(forest.drifts).toBeGreaterThan(0);
    expect(mean(3000, 3100)).toBeGreaterThan(2 * mean(2500, 3000));
    expect(mean(5500, 6000)).toBeLessThan(1.5 * mean(2500, 3000));
  });
});
