import { describe, expect, it } from 'vitest';
import { annualizationOf } from '../../../core/metrics/index.ts';
import { deflatedSharpeRatio } from '../../../core/metrics/overfitting.ts';
import { parseSpace, type StudyConfig, type TrialRecord } from '../../../core/optimize/index.ts';
import { trialDeflatedSharpe } from './trialDeflatedSharpe.ts';

const config: StudyConfig = {
  space: parseSpace(['fast=5:50:5']),
  sampler: { kind: 'grid' },
  objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
  seed: 1,
};
/** Daily bar times over two years. */
const times = Float64Array.from({ length: 500 }, (_, i) => Date.UTC(2020, 0, 1) + i * 86_400_000);

function trial(number: number, sharpeRatio: number): TrialRecord {
  return {
    number,
    params: { fast: 5 * (number + 1) },
    status: 'complete',
    values: [sharpeRatio],
    metrics: { sharpeRatio, numPeriods: 499, skewness: -0.2, kurtosis: 4, numTrades: 10 },
    seed: number,
    startedAt: 0,
    finishedAt: 0,
  };
}

describe("a pinned trial's deflated Sharpe", () => {
  it('is measured among its study trials (their count and the variance of their Sharpe ratios)', () => {
    const trials = [trial(0, 0.4), trial(1, 1.1), trial(2, 0.7)];
    const { value, note } = trialDeflatedSharpe(config, trials, trials[1]!, times);
    const sharpes = [0.4, 1.1, 0.7];
    const mean = (0.4 + 1.1 + 0.7) / 3;
    const expected = deflatedSharpeRatio({
      sharpe: 1.1,
      trials: 3,
      sharpeVariance: sharpes.reduce((a, s) => a + (s - mean) ** 2, 0) / 2,
      n: 499,
      skew: -0.2,
      kurtosis: 4,
      periodsPerYear: annualizationOf(times).periodsPerYear,
    });
    expect(note).toBeNull();
    expect(Number.isFinite(expected)).toBe(true);
    expect(value).toBeCloseTo(expected, 12);
  });

  it('says why it cannot be computed: one trial, or a trial without a Sharpe ratio', () => {
    const alone = [trial(0, 0.9)];
    expect(trialDeflatedSharpe(config, alone, alone[0]!, times)).toEqual({
      value: NaN,
      note: "deflated Sharpe n/a: it needs the Sharpe ratios of at least 2 of the study's trials, and 1 had one",
    });
    const flat = { ...trial(1, NaN), metrics: { numPeriods: 499, numTrades: 0 } };
    expect(trialDeflatedSharpe(config, [trial(0, 0.9), flat], flat, times).note).toBe(
      'deflated Sharpe n/a: the trial has no Sharpe ratio (no return varied)',
    );
  });
});
