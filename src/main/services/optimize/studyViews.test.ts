import { describe, expect, it } from 'vitest';
import type { TrialRecord } from '../../../core/optimize/index.ts';
import { trialRow } from './studyViews.ts';

const record = (patch: Partial<TrialRecord>): TrialRecord => ({
  number: 3,
  params: { fast: 5, slow: 20 },
  status: 'complete',
  values: [0.5],
  metrics: { sharpeRatio: 0.5, finalEquity: 10_400, numTrades: 4 },
  feasible: true,
  seed: 1,
  startedAt: 1_000,
  finishedAt: 2_000,
  ...patch,
});

describe("a trial's row", () => {
  it('says a complete trial wiped out its account (final equity at 0), so the views can say why it cannot win', () => {
    // As the study records one: no objective value, infeasible, its Sharpe before the wipe-out kept.
    const wiped = trialRow(
      record({
        values: [NaN],
        metrics: { sharpeRatio: 0.07, finalEquity: 0, totalReturn: -1, numTrades: 3 },
        feasible: false,
      }),
    );
    expect(wiped).toMatchObject({ wipedOut: true, feasible: false, values: [null] });
  });

  it('is not wiped out above 0, with too few trades, or without a result', () => {
    expect(trialRow(record({})).wipedOut).toBe(false);
    expect(trialRow(record({ feasible: false })).wipedOut).toBe(false);
    expect(trialRow(record({ status: 'failed', values: null, metrics: {}, error: 'boom' })).wipedOut).toBe(
      false,
    );
  });
});
