import { describe, expect, it } from 'vitest';
import { trialRow } from '../../../test/support/fakeRegimenClient.ts';
import { paretoFront2d, studyMeasures } from './studyMeasures.ts';

const [sharpe, drawdown] = studyMeasures({
  mode: 'pareto',
  objectives: [
    { metric: 'sharpeRatio', direction: 'maximize' },
    { metric: 'maxDrawdown', direction: 'minimize' },
  ],
});

describe('paretoFront2d', () => {
  it('keeps the non-dominated trials, equal points included, as the services count them', () => {
    const trials = [
      trialRow(0, { values: [1.0, 0.3] }),
      trialRow(1, { values: [1.0, 0.3] }), // the same point: neither dominates the other
      trialRow(2, { values: [0.5, 0.1] }),
      trialRow(3, { values: [0.4, 0.2] }), // dominated by #2
      trialRow(4, { values: [1.0, 0.35] }), // dominated by #0
      trialRow(5, { values: [2.0, 0.5], feasible: false }), // cannot win
    ];
    if (!sharpe || !drawdown) throw new Error('two measures expected');
    expect(paretoFront2d(trials, sharpe, drawdown).map((t) => t.number)).toEqual([0, 1, 2]);
  });
});
