import type { Features } from '../../core/ml/base.ts';
import type { LedgerEntry, LedgerKind, Session } from '../../core/ml/learner/ledger.ts';
import { STANDING_POPULATION, type ReferenceSet } from '../../core/ml/learner/standing.ts';
import type { Params } from '../../core/optimize/space.ts';
import type { Database } from './database.ts';

/** A ledger entry as stored, with its arrival number. */
export interface StoredLedgerEntry extends LedgerEntry {
  readonly seq: number;
}

/** A scored set of the ledger, named by its row (the reference population's order breaks ties by it). */
export interface LedgerReferenceSet extends ReferenceSet {
  readonly sourceId: string;
  readonly item: number;
}

/** The order of a reference population: newest window first, then by source and item. */
export function byRecency(a: LedgerReferenceSet, b: LedgerReferenceSet): number {
  return (
    b.endTime - a.endTime ||
    (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0) ||
    a.item - b.item
  );
}

export interface StoredLearnerState {
  readonly learner: string;
  readonly version: number;
  /** Every ledger row up to this arrival number has been learned. */
  readonly ledgerSeq: number;
  readonly learned: number;
  readonly state: unknown;
  readonly savedAt: number;
}

interface RawEntry {
  seq: number | bigint;
  kind: LedgerKind;
  source_id: string;
  item: number;
  symbol: string;
  timeframe: string;
  strategy: string;
  start_ms: number | bigint | null;
  end_ms: number | bigint | null;
  params: string;
  features: string;
  outcomes: string;
  score: number | null;
  regime: string | null;
  session: Session | null;
  recorded_at: number | bigint;
}

const APPEND_CHUNK = 200;
/** Saved learner states kept per learner (the newest is the one a restart resumes). */
export const KEPT_STATE_VERSIONS = 5;

const COLUMNS = `seq, kind, source_id, item, symbol, timeframe, strategy, start_ms, end_ms, params::VARCHAR AS params,
  features::VARCHAR AS features, outcomes::VARCHAR AS outcomes, score, regime, session, recorded_at`;

/**
 * The results ledger (migration 7): append-only, one row per (kind, source, item), so a hook that fires
 * twice or a backfill over studies already recorded adds nothing. The learner reads it by arrival
 * number, from the cursor its saved state carries.
 */
export class LedgerRepository {
  constructor(private readonly db: Database) {}

  /**
   * Appends entries (one transaction); those already recorded are skipped. Returns how many were new.
   * Row numbers are dense: each new row takes the next one. The table's sequence would skip, since an
   * INSERT OR IGNORE draws a number for every row offered, the ignored ones (a repeated hook, a backfill
   * over recorded results) included, and a rolled-back transaction keeps the numbers it drew.
   */
  async append(entries: readonly LedgerEntry[]): Promise<number> {
    if (entries.length === 0) return 0;
    return this.db.transaction(async () => {
      const fresh = await this.unrecorded(entries);
      const last = await this.db.all<{ last: number | bigint | null }>(
        'SELECT max(seq) AS last FROM learner_ledger',
      );
      let seq = Number(last[0]?.last ?? 0);
      // Many rows per statement: one INSERT per row costs tens of milliseconds each in DuckDB.
      for (let from = 0; from < fresh.length; from += APPEND_CHUNK) {
        const chunk = fresh.slice(from, from + APPEND_CHUNK);
        const values: (string | number | null)[] = [];
        for (const e of chunk) {
          values.push(
            ++seq,
            e.kind,
            e.sourceId,
            e.item,
            e.symbol,
            e.timeframe,
            e.strategy,
            e.startTime,
            e.endTime,
            JSON.stringify(e.params),
            JSON.stringify(e.features),
            JSON.stringify(e.outcomes),
            e.score !== null && Number.isFinite(e.score) ? e.score : null,
            e.regime,
            e.session,
            e.recordedAt,
          );
        }
        const row = `(${Array.from({ length: 16 }, () => '?').join(', ')})`;
        await this.db.run(
          `INSERT INTO learner_ledger (seq, kind, source_id, item, symbol, timeframe, strategy, start_ms, end_ms,
             params, features, outcomes, score, regime, session, recorded_at)
           VALUES ${chunk.map(() => row).join(', ')}`,
          values,
        );
      }
      return fresh.length;
    });
  }

  /** The entries not in the ledger yet, each (kind, source, item) once, in the order given. */
  private async unrecorded(entries: readonly LedgerEntry[]): Promise<LedgerEntry[]> {
    const key = (kind: string, source: string, item: number): string => `${kind}\u0000${source}\u0000${item}`;
    const recorded = new Set<string>();
    const sources = [...new Set(entries.map((e) => e.sourceId))];
    for (let from = 0; from < sources.length; from += APPEND_CHUNK) {
      const chunk = sources.slice(from, from + APPEND_CHUNK);
      const rows = await this.db.all<{ kind: string; source_id: string; item: number }>(
        `SELECT kind, source_id, item FROM learner_ledger WHERE source_id IN (${chunk.map(() => '?').join(', ')})`,
        chunk,
      );
      for (const r of rows) recorded.add(key(r.kind, r.source_id, r.item));
    }
    const out: LedgerEntry[] = [];
    for (const e of entries) {
      const k = key(e.kind, e.sourceId, e.item);
      if (recorded.has(k)) continue;
      recorded.add(k);
      out.push(e);
    }
    return out;
  }

  /**
   * Remembers the walk-forward windows a backfill could not record, with why, in place of what an
   * earlier backfill remembered: the start-up check no longer counts them as missing.
   */
  async rememberSkipped(
    skipped: readonly { runId: string; index: number; reason: string }[],
    at: number,
  ): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run('DELETE FROM learner_backfill_skips');
      for (let from = 0; from < skipped.length; from += APPEND_CHUNK) {
        const chunk = skipped.slice(from, from + APPEND_CHUNK);
        await this.db.run(
          `INSERT OR REPLACE INTO learner_backfill_skips (run_id, window_index, reason, skipped_at)
           VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`,
          chunk.flatMap((s) => [s.runId, s.index, s.reason, at]),
        );
      }
    });
  }

  async count(kind?: LedgerKind): Promise<number> {
    const rows = await this.db.all<{ n: number | bigint }>(
      `SELECT count(*) AS n FROM learner_ledger${kind === undefined ? '' : ' WHERE kind = $kind'}`,
      kind === undefined ? undefined : { kind },
    );
    return Number(rows[0]!.n);
  }

  /** Rows a learner can learn (a score), of one strategy, that arrived after `afterSeq`, in arrival order. */
  async learnableSince(strategy: string, afterSeq: number, limit = 10_000): Promise<StoredLedgerEntry[]> {
    const rows = await this.db.all<RawEntry>(
      `SELECT ${COLUMNS} FROM learner_ledger
       WHERE strategy = $strategy AND seq > $after AND score IS NOT NULL ORDER BY seq LIMIT $limit`,
      { strategy, after: afterSeq, limit },
    );
    return rows.map(toEntry);
  }

  /** How many rows a learner can learn, of one strategy, arrived after `afterSeq` (its pending rows). */
  async learnableCountSince(strategy: string, afterSeq: number): Promise<number> {
    const rows = await this.db.all<{ n: number | bigint }>(
      `SELECT count(*) AS n FROM learner_ledger WHERE strategy = $strategy AND seq > $after AND score IS NOT NULL`,
      { strategy, after: afterSeq },
    );
    return Number(rows[0]!.n);
  }

  /**
   * Whether a stored result is missing from the ledger: a complete trial or a walk-forward window whose
   * row never arrived (the queue of a process killed before it drained). A backfill then records it. A
   * window the last backfill could not record (its bars are not in the cache) is not missing: it would
   * fail the same way at every start.
   */
  async missesStoredResults(): Promise<boolean> {
    const rows = await this.db.all<{ n: number | bigint }>(
      `SELECT (SELECT count(*) FROM trials t WHERE t.status = 'complete' AND NOT EXISTS (
                 SELECT 1 FROM learner_ledger l WHERE l.kind = 'trial' AND l.source_id = t.study_id AND l.item = t.number))
            + (SELECT count(*) FROM walkforward_windows w WHERE NOT EXISTS (
                 SELECT 1 FROM learner_ledger l WHERE l.kind = 'window-test' AND l.source_id = w.run_id
                   AND l.item = w.window_index)
               AND NOT EXISTS (SELECT 1 FROM learner_backfill_skips s
                 WHERE s.run_id = w.run_id AND s.window_index = w.window_index)) AS n`,
    );
    return Number(rows[0]!.n) > 0;
  }

  /** Every row of a source (a study or a run), in item order. */
  async entriesOf(sourceId: string): Promise<StoredLedgerEntry[]> {
    const rows = await this.db.all<RawEntry>(
      `SELECT ${COLUMNS} FROM learner_ledger WHERE source_id = $sourceId ORDER BY item, kind`,
      { sourceId },
    );
    return rows.map(toEntry);
  }

  /**
   * The scored sets of a symbol, timeframe, session and strategy whose window ended before `before`
   * (epoch ms), newest first (see standing.ts): the population a set's standing is read against. The
   * session is the one ledgerSession files the rows under: intraday, only rows of that session (a row of
   * unknown session, recorded before the ledger kept it, is in neither); day bars, all of them.
   */
  async referencePopulation(
    of: {
      readonly symbol: string;
      readonly timeframe: string;
      readonly strategy: string;
      readonly session: Session | null;
    },
    before: number,
    limit = STANDING_POPULATION,
  ): Promise<LedgerReferenceSet[]> {
    const rows = await this.db.all<{
      source_id: string;
      item: number;
      params: string;
      score: number;
      end_ms: number | bigint;
    }>(
      `SELECT source_id, item, params::VARCHAR AS params, score, end_ms FROM learner_ledger
       WHERE kind = 'window-test' AND score IS NOT NULL AND symbol = $symbol AND timeframe = $timeframe
         AND strategy = $strategy AND session IS NOT DISTINCT FROM $session AND end_ms < $before
       ORDER BY end_ms DESC, source_id, item LIMIT $limit`,
      {
        symbol: of.symbol,
        timeframe: of.timeframe,
        strategy: of.strategy,
        session: of.session,
        before,
        limit,
      },
    );
    return rows.map((r) => ({
      sourceId: r.source_id,
      item: r.item,
      params: JSON.parse(r.params) as Params,
      score: r.score,
      endTime: Number(r.end_ms),
    }));
  }

  /** Strategies with learnable rows, and how many. */
  async strategies(): Promise<{ strategy: string; rows: number; lastSeq: number }[]> {
    const rows = await this.db.all<{ strategy: string; n: number | bigint; last: number | bigint }>(
      `SELECT strategy, count(*) AS n, max(seq) AS last FROM learner_ledger WHERE score IS NOT NULL
       GROUP BY strategy ORDER BY strategy`,
    );
    return rows.map((r) => ({ strategy: r.strategy, rows: Number(r.n), lastSeq: Number(r.last) }));
  }

  async saveState(state: Omit<StoredLearnerState, 'version'>): Promise<number> {
    return this.db.transaction(async () => {
      const version = (await this.latestVersion(state.learner)) + 1;
      await this.db.run(
        `INSERT INTO learner_state (learner, version, ledger_seq, learned, state, saved_at)
         VALUES ($learner, $version, $seq, $learned, $state, $savedAt)`,
        {
          learner: state.learner,
          version,
          seq: state.ledgerSeq,
          learned: state.learned,
          state: JSON.stringify(state.state),
          savedAt: state.savedAt,
        },
      );
      // A state is up to a megabyte (the neighbour memory): older versions beyond a few are dropped.
      await this.db.run('DELETE FROM learner_state WHERE learner = $learner AND version <= $oldest', {
        learner: state.learner,
        oldest: version - KEPT_STATE_VERSIONS,
      });
      return version;
    });
  }

  /**
   * The newest saved version of a learner (0: never saved), without its state: what a holder of a loaded
   * learner reads to know whether it is still the newest before paying for a reload.
   */
  async latestVersion(learner: string): Promise<number> {
    const rows = await this.db.all<{ v: number | null }>(
      'SELECT max(version) AS v FROM learner_state WHERE learner = $learner',
      { learner },
    );
    return Number(rows[0]?.v ?? 0);
  }

  /** The newest saved state of a learner (undefined: never saved). */
  async latestState(learner: string): Promise<StoredLearnerState | undefined> {
    const rows = await this.db.all<{
      learner: string;
      version: number;
      ledger_seq: number | bigint;
      learned: number;
      state: string;
      saved_at: number | bigint;
    }>(
      `SELECT learner, version, ledger_seq, learned, state::VARCHAR AS state, saved_at FROM learner_state
       WHERE learner = $learner ORDER BY version DESC LIMIT 1`,
      { learner },
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    let state: unknown;
    try {
      state = JSON.parse(row.state);
    } catch (error) {
      throw new Error(
        `learner "${learner}" state version ${row.version} is not valid JSON: ${String(error)}`,
      );
    }
    return {
      learner: row.learner,
      version: row.version,
      ledgerSeq: Number(row.ledger_seq),
      learned: row.learned,
      state,
      savedAt: Number(row.saved_at),
    };
  }
}

function toEntry(row: RawEntry): StoredLedgerEntry {
  return {
    seq: Number(row.seq),
    kind: row.kind,
    sourceId: row.source_id,
    item: row.item,
    symbol: row.symbol,
    timeframe: row.timeframe,
    strategy: row.strategy,
    startTime: row.start_ms === null ? null : Number(row.start_ms),
    endTime: row.end_ms === null ? null : Number(row.end_ms),
    params: JSON.parse(row.params) as Params,
    features: JSON.parse(row.features) as Features,
    outcomes: JSON.parse(row.outcomes) as Record<string, number | null>,
    score: row.score,
    regime: row.regime,
    session: row.session,
    recordedAt: Number(row.recorded_at),
  };
}
