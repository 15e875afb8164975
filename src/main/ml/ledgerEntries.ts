import { basename } from 'node:path';
import { trialLedgerEntry, type LedgerEntry } from '../../core/ml/learner/ledger.ts';
import type { TrialRecord } from '../../core/optimize/index.ts';
import { finiteOrNull } from '../services/payloads.ts';
import type { StudyDocument } from '../services/optimize/studyRecords.ts';

/** A study's complete trials as ledger entries (the optimizer's hook and the backfill write the same). */
export function studyTrialEntries(
  studyId: string,
  definition: StudyDocument['definition'],
  trials: readonly TrialRecord[],
  recordedAt: number,
): LedgerEntry[] {
  const study = {
    id: studyId,
    symbol: definition.source.kind === 'cache' ? definition.source.symbol : basename(definition.source.path),
    timeframe: definition.timeframes.join('+'),
    strategy: definition.strategy.name,
    session: definition.session,
  };
  return trials
    .filter((t) => t.status === 'complete')
    .map((t) =>
      trialLedgerEntry(
        study,
        {
          number: t.number,
          params: t.params,
          metrics: Object.fromEntries(Object.entries(t.metrics ?? {}).map(([k, v]) => [k, finiteOrNull(v)])),
        },
        recordedAt,
      ),
    );
}
