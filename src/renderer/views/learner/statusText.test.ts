import { describe, expect, it } from 'vitest';
import type { LearnerStatus } from '../../../shared/contract.ts';
import { ledgerStatusText } from './statusText.ts';

const ledger = { trial: 1167, windowTrain: 21, windowTest: 21 };
const learner = (strategy: string): LearnerStatus['learners'][number] => ({
  strategy,
  rows: 40,
  learned: 36,
  pending: 4,
  version: 3,
  resets: 1,
  savedAt: null,
  importance: [],
});

describe('the ledger status line', () => {
  it("names the learner's strategy when only another strategy's walk-forwards are in the ledger", () => {
    const text = ledgerStatusText({ ledger, learners: [learner('confluence')] });
    expect(text).toBe(
      'Ledger: 21 out-of-sample windows, 1167 trials · no sma-cross learner yet: a walk-forward of sma-cross on one symbol feeds it (a run of several symbols is scored on them together and not learned)',
    );
  });

  it("reports the strategy's learner once it has one", () => {
    const text = ledgerStatusText({ ledger, learners: [learner('confluence'), learner('sma-cross')] });
    expect(text).toBe(
      'Ledger: 21 out-of-sample windows, 1167 trials · sma-cross learner v3, 36 results learned (4 pending), 1 drift resets',
    );
  });
});
