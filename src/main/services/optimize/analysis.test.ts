import { describe, expect, it } from 'vitest';
import { deflatedSharpeRatio } from '../../../core/metrics/index.ts';
import { parseSpace } from '../../../core/optimize/space.ts';
import { Study } from '../../../core/optimize/study.ts';
import { analyseStudy } from './analysis.ts';

/** Ten monthly-bar trials; the evaluator has no return series and no neighbours to run. */
function monthlyStudy(): Study {
  const study = new Study({
    space: parseSpace(['a=0:9'], []),
    sampler: { kind: 'grid' },
    objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
    seed: 1,
    maxTrials: 10,
  });
  study.ask(10).forEach((t, i) =>
    study.tell(t.number, {
      status: 'complete',
      metrics: { sharpeRatio: 0.4 + i / 20, numPeriods: 120, skewness: -0.2, kurtosis: 4 },
    }),
  );
  return study;
}

const evaluator = {
  periodReturns: async (sets: readonly unknown[]) => sets.map(() => null),
  evaluateMany: async () => [],
};

describe('analyseStudy', () => {
  it('deflates the Sharpe ratio with the periods a year the metrics used, not 252 for every timeframe', async () => {
    const study = monthlyStudy();
    const { report } = await analyseStudy(study, evaluator, { preferPlateau: false, periodsPerYear: 12 });
    const sharpes = study.trials.map((t) => t.metrics!['sharpeRatio']!);
    const mean = sharpes.reduce((a, b) => a + b, 0) / sharpes.length;
    const variance = sharpes.reduce((a, s) => a + (s - mean) ** 2, 0) / (sharpes.length - 1);
    const expected = (periodsPerYear: number): number =>
      deflatedSharpeRatio({
        sharpe: 0.85,
        trials: 10,
        sharpeVariance: variance,
        n: 120,
        skew: -0.2,
        kurtosis: 4,
        periodsPerYear,
      });
    expect(report.deflatedSharpe.deflatedSharpe).toBeCloseTo(expected(12), 12);
    // The two differ enough that the figure says which one was used.
    expect(Math.abs(expected(12) - expected(252))).toBeGreaterThan(0.05);
  });
});
