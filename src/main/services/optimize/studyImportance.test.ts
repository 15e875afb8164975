import { describe, expect, it } from 'vitest';
import { naturalObjective, parseSpace, Study } from '../../../core/optimize/index.ts';
import { requestSchemas } from '../../../shared/contract.ts';
import { InputError } from '../../../shared/errors.ts';
import { studyImportance } from './studyImportance.ts';

/** A grid whose Sharpe depends on `fast` only; drawdown and trade count rise with `slow`. */
function finishedStudy(): Study {
  const study = new Study({
    space: parseSpace(['fast=1:10', 'slow=1:10']),
    sampler: { kind: 'grid' },
    objectives: [naturalObjective('sharpeRatio'), naturalObjective('maxDrawdown')],
    seed: 1,
  });
  for (;;) {
    const batch = study.ask(16);
    if (batch.length === 0) break;
    for (const t of batch) {
      const fast = t.params.fast as number;
      const slow = t.params.slow as number;
      study.tell(t.number, {
        status: 'complete',
        metrics: { sharpeRatio: fast * fast, maxDrawdown: -slow / 20, numTrades: slow * 3 },
      });
    }
  }
  return study;
}

const request = (input: unknown) => requestSchemas['optimize:importance'].input.parse(input);

describe('optimize:importance', () => {
  it('explains the chosen objective over the trials the filter keeps', () => {
    const study = finishedStudy();
    const all = studyImportance(study, request({ studyId: 's1', measure: 0 }));
    expect(all.trialsUsed).toBe(100);
    expect(all.params.map((p) => p.name)).toEqual(['fast', 'slow']);
    expect(all.params[0]!.importance).toBeGreaterThan(0.95);
    // The drawdown objective depends on slow only.
    expect(studyImportance(study, request({ studyId: 's1', measure: 1 })).params[0]!.name).toBe('slow');
    // At least 9 trades (slow >= 3) and drawdown at most 30 % (slow <= 6): slow 3..6, 40 trials.
    const kept = studyImportance(
      study,
      request({ studyId: 's1', measure: 'score', filter: { minTrades: 9, maxDrawdown: 0.3 } }),
    );
    expect(kept.trialsUsed).toBe(40);
  });

  it('refuses a measure the study does not have, naming the field', () => {
    const error = (() => {
      try {
        studyImportance(finishedStudy(), request({ studyId: 's1', measure: 2 }));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ field: 'measure', message: expect.stringMatching(/has 2: 0..1/) });
    expect(() => request({ studyId: 's1', measure: 0, filter: { maxDrawdown: 1.5 } })).toThrow(/maxDrawdown/);
  });
});
