import { describe, expect, it } from 'vitest';
import { objectiveValues, type TrialRecord } from '../../../core/optimize/index.ts';
import { wipedOutOnText } from '../../../shared/wipedOutText.ts';
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

  it('says which symbol of a study of several wiped out its account, the combined final equity a mean above 0', () => {
    // NVDA ruined, GOOG gaining: the mean of the two reads 10,000 and the worst Sharpe is NVDA's before its end.
    const metrics = {
      sharpeRatio: 0.07,
      finalEquity: 10_000,
      numTrades: 3,
      'sharpeRatio@NVDA': 0.07,
      'finalEquity@NVDA': 0,
      'sharpeRatio@GOOG': 0.9,
      'finalEquity@GOOG': 20_000,
    };
    expect(objectiveValues([{ metric: 'sharpeRatio', direction: 'maximize' }], metrics)).toEqual([NaN]);
    expect(trialRow(record({ metrics }))).toMatchObject({ wipedOut: true, wipedOutOn: ['NVDA'] });
    expect(wipedOutOnText(trialRow(record({ metrics })).wipedOutOn)).toBe(' on NVDA');
    expect(trialRow(record({})).wipedOutOn).toEqual([]);
  });

  it('is not wiped out above 0, with too few trades, or without a result', () => {
    expect(trialRow(record({})).wipedOut).toBe(false);
    expect(trialRow(record({ feasible: false })).wipedOut).toBe(false);
    expect(trialRow(record({ status: 'failed', values: null, metrics: {}, error: 'boom' })).wipedOut).toBe(
      false,
    );
  });
});
