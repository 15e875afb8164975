import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  deflatedSharpeRatio,
  expectedMaxSharpe,
  probabilisticSharpeRatio,
  probabilityOfBacktestOverfitting,
} from './overfitting.ts';
import { createRng } from '../math/random.ts';

describe('deflated and probabilistic Sharpe ratios', () => {
  it("reproduces Bailey & López de Prado (2014)'s numerical example", () => {
    // Paper, section "A numerical example": annualized SR 2.5 over 5 years of daily returns (T = 1250,
    // 250 days a year), N = 100 trials with annualized V[SR] = 0.5, skewness -3, kurtosis 10.
    // Published: E[max SR] ≈ 0.1132 per period, DSR ≈ 0.9004. Full precision from python3 with
    // scipy.stats.norm: E[max SR] = 0.11317200186513214, DSR = 0.9003968344493903.
    expect(expectedMaxSharpe(100, 0.5 / 250)).toBeCloseTo(0.11317200186513214, 13);
    const dsr = deflatedSharpeRatio({
      sharpe: 2.5,
      trials: 100,
      sharpeVariance: 0.5,
      n: 1250,
      skew: -3,
      kurtosis: 10,
      periodsPerYear: 250,
    });
    expect(dsr).toBeCloseTo(0.9004, 4);
    expect(dsr).toBeCloseTo(0.9003968344493903, 12);
    // The same inputs per period give the same answer.
    const perPeriod = deflatedSharpeRatio({
      sharpe: 2.5 / Math.sqrt(250),
      trials: 100,
      sharpeVariance: 0.5 / 250,
      n: 1250,
      skew: -3,
      kurtosis: 10,
    });
    expect(perPeriod).toBeCloseTo(dsr, 14);
    // Without deflation (benchmark 0) the same track record looks near-certain: PSR = 0.9999968595078976.
    expect(
      probabilisticSharpeRatio({ sharpe: 2.5, n: 1250, skew: -3, kurtosis: 10, periodsPerYear: 250 }),
    ).toBeCloseTo(0.9999968595078976, 13);
  });

  it('expected maximum Sharpe of unit-variance trials', () => {
    // python3 scipy: sqrt(1)·((1-γ)·ppf(1-1/N) + γ·ppf(1-1/(N e))) = 1.57459830134575 (N=10), 3.255121513652723 (N=1000).
    expect(expectedMaxSharpe(10, 1)).toBeCloseTo(1.57459830134575, 13);
    expect(expectedMaxSharpe(1000, 1)).toBeCloseTo(3.255121513652723, 13);
    expect(expectedMaxSharpe(1, 1)).toBe(0);
    expect(expectedMaxSharpe(0, 1)).toBeNaN();
    expect(expectedMaxSharpe(10, -1)).toBeNaN();
  });

  it('PSR is 1/2 at the benchmark, NaN for impossible inputs', () => {
    expect(probabilisticSharpeRatio({ sharpe: 0.1, benchmark: 0.1, n: 100, skew: 0, kurtosis: 3 })).toBe(0.5);
    expect(probabilisticSharpeRatio({ sharpe: 0.1, n: 1, skew: 0, kurtosis: 3 })).toBeNaN();
    expect(probabilisticSharpeRatio({ sharpe: 2, n: 100, skew: 5, kurtosis: 3 })).toBeNaN();
  });

  it('DSR falls as the number of trials grows and equals PSR for one trial', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.3, max: 0.3, noNaN: true }),
        fc.integer({ min: 2, max: 5000 }),
        fc.double({ min: 1e-6, max: 0.05, noNaN: true }),
        (sharpe, trials, variance) => {
          const base = { sharpe, sharpeVariance: variance, n: 500, skew: 0, kurtosis: 3 };
          const one = deflatedSharpeRatio({ ...base, trials: 1 });
          expect(one).toBe(probabilisticSharpeRatio({ sharpe, n: 500, skew: 0, kurtosis: 3 }));
          const few = deflatedSharpeRatio({ ...base, trials });
          const many = deflatedSharpeRatio({ ...base, trials: trials * 10 });
          expect(few).toBeLessThanOrEqual(one);
          expect(many).toBeLessThanOrEqual(few);
        },
      ),
    );
  });
});

describe('probabilityOfBacktestOverfitting', () => {
  it('matches an independent CSCV on a small matrix', () => {
    // 63 x 8 matrix of mulberry32(7) draws (createRng(7).float()), (u - 0.5) × 0.02 row by row, trial 2 shifted by +0.002; S = 6
    // (the oldest 3 rows dropped). Expected: a python3 CSCV written straight from the paper with
    // itertools.combinations, numpy mean/std(ddof=1) and scipy.stats.rankdata (pypbo's conventions).
    const rows = 63;
    const cols = 8;
    const rng = createRng(7);
    const matrix = new Float64Array(rows * cols);
    for (let i = 0; i < matrix.length; i++) matrix[i] = (rng.float() - 0.5) * 0.02;
    for (let r = 0; r < rows; r++) matrix[r * cols + 2] += 0.002;
    const result = probabilityOfBacktestOverfitting(matrix, rows, cols, 6);
    expect(result.combinations).toBe(20);
    expect(result.rowsUsed).toBe(60);
    expect(result.pbo).toBe(0.4);
    expect(result.probabilityOfLoss).toBe(0.15);
    expect(Array.from(result.selected)).toEqual([7, 7, 7, 6, 7, 7, 2, 7, 3, 2, 2, 2, 5, 7, 3, 2, 0, 2, 2, 2]);
    const logits = [
      0.6931471805599452, -0.22314355131420985, 0.22314355131420993, -1.252762968495368, -0.22314355131420985,
      0.6931471805599452, 1.252762968495368, -0.22314355131420985, 0.22314355131420993, 2.0794415416798353,
      2.0794415416798353, 0.6931471805599452, -2.0794415416798357, -0.6931471805599454, -1.252762968495368,
      0.22314355131420993, -1.252762968495368, 1.252762968495368, 0.6931471805599452, 1.252762968495368,
    ];
    logits.forEach((logit, i) => expect(result.logits[i]).toBeCloseTo(logit, 12));
    expect(result.inSampleSharpe[0]).toBeCloseTo(0.36432354448389526, 10);
    expect(result.outOfSampleSharpe[0]).toBeCloseTo(0.21634290014236765, 10);
    expect(result.outOfSampleSharpe[19]).toBeCloseTo(0.31267585247325375, 10);
    expect(result.degradationSlope).toBeCloseTo(-1.1004461882578322, 9);
  });

  function simulate(rows: number, cols: number, seed: number, edge: (col: number) => number): Float64Array {
    const rng = createRng(seed);
    const matrix = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) matrix[r * cols + c] = 0.01 * rng.normal() + edge(c);
    }
    return matrix;
  }

  it('is near 0.5 when every strategy is noise', () => {
    // With no skill the in-sample winner's out-of-sample rank is uniform, so about half the splits land
    // at or below the median. Averaged over seeds to keep the check tight but not flaky.
    const pbos: number[] = [];
    for (const seed of [1, 2, 3, 4]) {
      pbos.push(
        probabilityOfBacktestOverfitting(
          simulate(800, 40, seed, () => 0),
          800,
          40,
          16,
        ).pbo,
      );
    }
    for (const pbo of pbos) expect(pbo).toBeGreaterThan(0.2);
    const average = pbos.reduce((a, b) => a + b, 0) / pbos.length;
    expect(average).toBeGreaterThan(0.35);
    expect(average).toBeLessThan(0.65);
  });

  it('is near 0 with a planted real edge', () => {
    // Trial 17 earns 0.25 standard deviations a period on top of the noise: it wins in sample and keeps
    // winning out of sample in essentially every split.
    const matrix = simulate(800, 40, 11, (col) => (col === 17 ? 0.0025 : 0));
    const result = probabilityOfBacktestOverfitting(matrix, 800, 40, 16);
    expect(result.combinations).toBe(12870);
    expect(result.pbo).toBeLessThan(0.02);
    expect(result.probabilityOfLoss).toBeLessThan(0.02);
    const picks = Array.from(result.selected).filter((c) => c === 17).length;
    expect(picks / result.combinations).toBeGreaterThan(0.95);
  });

  it('rejects malformed inputs', () => {
    const matrix = new Float64Array(32 * 4);
    expect(() => probabilityOfBacktestOverfitting(matrix, 32, 5, 16)).toThrow(RangeError);
    expect(() => probabilityOfBacktestOverfitting(matrix, 32, 4, 15)).toThrow(RangeError);
    expect(() => probabilityOfBacktestOverfitting(matrix, 32, 4, 64)).toThrow(RangeError);
    expect(() => probabilityOfBacktestOverfitting(new Float64Array(32), 32, 1, 16)).toThrow(RangeError);
  });

  it('ranks flat trials last instead of producing NaN logits', () => {
    const rows = 64;
    const matrix = simulate(rows, 3, 5, () => 0);
    for (let r = 0; r < rows; r++) matrix[r * 3 + 1] = 0;
    const result = probabilityOfBacktestOverfitting(matrix, rows, 3, 8);
    for (const logit of result.logits) expect(Number.isFinite(logit)).toBe(true);
    expect(Array.from(result.selected)).not.toContain(1);
  });
});
