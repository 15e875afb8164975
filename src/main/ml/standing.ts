import type { LedgerEntry } from '../../core/ml/learner/ledger.ts';
import { STANDING_POPULATION, standingFeatures } from '../../core/ml/learner/standing.ts';
import { byRecency, type LedgerReferenceSet, type LedgerRepository } from '../store/ledgerRepository.ts';

/**
 * Entries with their standing features (standing.ts) added to each test window's row: its population is
 * the ledger's scored rows of the same symbol, timeframe, session and strategy that ended before the window
 * opened, and those of the same batch (a walk-forward run's earlier windows, which arrive with it).
 */
export async function withStanding(
  ledger: LedgerRepository,
  entries: readonly LedgerEntry[],
): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  for (const entry of entries) {
    const opensAt = entry.startTime;
    if (entry.kind !== 'window-test' || opensAt === null) {
      out.push(entry);
      continue;
    }
    const batch = entries.filter(
      (other): other is LedgerEntry & { score: number; endTime: number } =>
        other.kind === 'window-test' &&
        other.symbol === entry.symbol &&
        other.timeframe === entry.timeframe &&
        other.session === entry.session &&
        other.strategy === entry.strategy &&
        other.score !== null &&
        Number.isFinite(other.score) &&
        other.endTime !== null &&
        other.endTime < opensAt,
    );
    const population = mergePopulation(await ledger.referencePopulation(entry, opensAt), batch);
    out.push({
      ...entry,
      features: { ...entry.features, ...standingFeatures(entry.strategy, entry.params, population, opensAt) },
    });
  }
  return out;
}

/** Stored and arriving rows as one population, each row once (a re-recorded one is already stored). */
function mergePopulation(
  stored: readonly LedgerReferenceSet[],
  arriving: readonly (LedgerEntry & { score: number; endTime: number })[],
): LedgerReferenceSet[] {
  const rows = new Map<string, LedgerReferenceSet>();
  for (const row of stored) rows.set(`${row.sourceId}\u0000${row.item}`, row);
  for (const e of arriving) {
    const key = `${e.sourceId}\u0000${e.item}`;
    if (!rows.has(key))
      rows.set(key, {
        sourceId: e.sourceId,
        item: e.item,
        params: e.params,
        score: e.score,
        endTime: e.endTime,
      });
  }
  return [...rows.values()].sort(byRecency).slice(0, STANDING_POPULATION);
}
