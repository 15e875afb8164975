import { DOUBLE, DuckDBDataChunk } from '@duckdb/node-api';
// The raw vector accessors: reading and writing whole Float64Array columns with one native copy per
// vector instead of one call per value (node-api's own setItem/getItem do per-value work).
import duckdbBindings from '@duckdb/node-bindings';
import { allocateBars, type Bars, type Timeframe, TIMEFRAME_MINUTES } from '../../core/data/bars.ts';
import type { Database } from './database.ts';

/** Per-bar columns some sources carry besides OHLCV; NaN where a bar has none. */
export interface BarExtras {
  readonly vwap?: Float64Array;
  readonly tradeCount?: Float64Array;
}

export interface DatasetSummary {
  symbol: string;
  timeframe: string;
  bars: number;
  start: number;
  end: number;
  source: string;
}

export interface BarsRange {
  /** Inclusive start, epoch ms. */
  start?: number;
  /** Exclusive end, epoch ms. */
  end?: number;
  /** Only the last `limit` bars of the range. */
  limit?: number;
}

export interface BatchEntry {
  readonly symbol: string;
  readonly bars: Bars;
  readonly extras?: BarExtras;
}

export interface WriteOptions {
  /**
   * More work to commit in the same transaction as the bars (a fetch records its coverage here), so an
   * interruption leaves both or neither.
   */
  readonly alsoInTransaction?: () => Promise<void>;
}

/** Staging columns: everything as DOUBLE so each column is one native copy; NaN becomes NULL in SQL. */
const STAGING_COLUMNS = 9;
const STAGING_TYPES = Array.from({ length: STAGING_COLUMNS }, () => DOUBLE);
const CHUNK_ROWS = 2048;
const ET = "'America/New_York'";

/**
 * One writer at a time per database: DuckDB transactions belong to the connection, so two interleaved
 * BEGIN/COMMIT pairs (two fetch pages arriving together) would otherwise mix into one transaction.
 */
const writeLocks = new WeakMap<Database, Promise<unknown>>();

export function withWriteLock<T>(db: Database, work: () => Promise<T>): Promise<T> {
  const previous = writeLocks.get(db) ?? Promise.resolve();
  const next = previous.then(work, work);
  writeLocks.set(
    db,
    next.catch(() => undefined),
  );
  return next;
}

/**
 * Bars in DuckDB. Only stored timeframes are kept (1m for intraday sources, 1d for daily imports);
 * coarser intraday timeframes are derived from 1m inside DuckDB on read, with buckets aligned to the
 * 09:30 ET session open, so there is one source of truth per symbol.
 */
export class BarsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Upserts bars (same key = replaced, so writing a page twice is idempotent) in one transaction.
   * Rows go through a temporary staging table filled by the appender in vector-sized chunks, each
   * column copied into its vector in one native call.
   */
  write(
    symbol: string,
    timeframe: string,
    bars: Bars,
    source: string,
    extras: BarExtras = {},
    options: WriteOptions = {},
  ): Promise<void> {
    return this.writeBatch(timeframe, source, [{ symbol, bars, extras }], options);
  }

  /**
   * Several symbols' bars (one page of a multi-symbol fetch) in one transaction; with no entries, only
   * `alsoInTransaction` runs.
   */
  writeBatch(
    timeframe: string,
    source: string,
    entries: readonly BatchEntry[],
    options: WriteOptions = {},
  ): Promise<void> {
    return withWriteLock(this.db, () => this.writeLocked(timeframe, source, entries, options));
  }

  private async writeLocked(
    timeframe: string,
    source: string,
    entries: readonly BatchEntry[],
    options: WriteOptions,
  ): Promise<void> {
    await this.db.run(
      `CREATE TEMP TABLE IF NOT EXISTS bars_staging_v2 (ts DOUBLE, open DOUBLE, high DOUBLE, low DOUBLE,
        close DOUBLE, volume DOUBLE, vwap DOUBLE, trade_count DOUBLE, sym DOUBLE)`,
    );
    await this.db.run('DELETE FROM bars_staging_v2');
    const staged = entries.filter((entry) => entry.bars.t.length > 0);
    if (staged.length > 0) await this.stage(staged);
    try {
      await this.db.transaction(async () => {
        for (let i = 0; i < staged.length; i++) {
          const symbol = staged[i]!.symbol;
          // New keys (a fetch page, a first import) go in with a plain INSERT, about twice as fast as
          // INSERT OR REPLACE, whose per-row conflict handling only pays off when rows do exist.
          const params = { symbol, timeframe, index: i };
          const [overlap] = await this.db.all<{ n: number }>(
            `SELECT count(*)::INTEGER AS n FROM bars WHERE symbol = $symbol AND timeframe = $timeframe
               AND ts BETWEEN (SELECT min(ts)::BIGINT FROM bars_staging_v2 WHERE sym = $index)
                          AND (SELECT max(ts)::BIGINT FROM bars_staging_v2 WHERE sym = $index)`,
            params,
          );
          await this.db.run(
            `INSERT ${overlap && overlap.n > 0 ? 'OR REPLACE ' : ''}INTO bars
             SELECT $symbol, $timeframe, ts::BIGINT, open, high, low, close, volume,
              CASE WHEN isnan(vwap) THEN NULL ELSE vwap END,
              CASE WHEN isnan(trade_count) THEN NULL ELSE trade_count::BIGINT END
             FROM bars_staging_v2 WHERE sym = $index`,
            params,
          );
          await this.db.run(`INSERT OR REPLACE INTO datasets VALUES ($symbol, $timeframe, $source, now())`, {
            symbol,
            timeframe,
            source,
          });
        }
        if (options.alsoInTransaction) await options.alsoInTransaction();
      });
    } finally {
      if (staged.length > 0) await this.db.run('DELETE FROM bars_staging_v2');
    }
  }

  private async stage(entries: readonly BatchEntry[]): Promise<void> {
    const appender = await this.db.connection.createAppender('bars_staging_v2', 'main', 'temp');
    try {
      const chunk = DuckDBDataChunk.create(STAGING_TYPES, CHUNK_ROWS);
      const missing = new Float64Array(CHUNK_ROWS).fill(NaN);
      const index = new Float64Array(CHUNK_ROWS);
      for (let e = 0; e < entries.length; e++) {
        const { bars, extras = {} } = entries[e]!;
        const n = bars.t.length;
        index.fill(e);
        const columns = [
          bars.t,
          bars.o,
          bars.h,
          bars.l,
          bars.c,
          bars.v,
          extras.vwap,
          extras.tradeCount,
          index,
        ];
        for (let start = 0; start < n; start += CHUNK_ROWS) {
          const rows = Math.min(CHUNK_ROWS, n - start);
          chunk.rowCount = rows;
          for (let col = 0; col < STAGING_COLUMNS; col++) {
            const column = columns[col];
            const source =
              column === index
                ? index.subarray(0, rows)
                : column
                  ? column.subarray(start, start + rows)
                  : missing.subarray(0, rows);
            if (source.length !== rows) throw new Error(`Bars column ${col} is shorter than the timestamps`);
            const vector = duckdbBindings.data_chunk_get_vector(chunk.chunk, col);
            duckdbBindings.copy_data_to_vector(
              vector,
              0,
              source.buffer as ArrayBuffer,
              source.byteOffset,
              rows * 8,
            );
          }
          appender.appendDataChunk(chunk);
        }
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /**
   * Upserts rows already in DuckDB (an import read by DuckDB itself, e.g. read_parquet) into one
   * symbol's bars in one transaction. `table` must have columns ts (epoch ms), open, high, low, close,
   * volume, vwap, trade_count.
   */
  writeFromTable(symbol: string, timeframe: string, source: string, table: string): Promise<void> {
    return withWriteLock(this.db, () =>
      this.db.transaction(async () => {
        const params = { symbol, timeframe };
        const [overlap] = await this.db.all<{ n: number }>(
          `SELECT count(*)::INTEGER AS n FROM bars WHERE symbol = $symbol AND timeframe = $timeframe
             AND ts BETWEEN (SELECT min(ts)::BIGINT FROM ${table}) AND (SELECT max(ts)::BIGINT FROM ${table})`,
          params,
        );
        await this.db.run(
          `INSERT ${overlap && overlap.n > 0 ? 'OR REPLACE ' : ''}INTO bars
           SELECT $symbol, $timeframe, ts::BIGINT, open, high, low, close, volume, vwap, trade_count::BIGINT
           FROM ${table}`,
          params,
        );
        await this.db.run(`INSERT OR REPLACE INTO datasets VALUES ($symbol, $timeframe, $source, now())`, {
          ...params,
          source,
        });
      }),
    );
  }

  /** Deletes a symbol's bars of one timeframe in [start, end) (a repair, or a re-import that replaces). */
  deleteRange(symbol: string, timeframe: string, start = -8.64e15, end = 8.64e15): Promise<void> {
    return withWriteLock(this.db, () =>
      this.db.run(
        'DELETE FROM bars WHERE symbol = $symbol AND timeframe = $timeframe AND ts >= $start AND ts < $end',
        {
          symbol,
          timeframe,
          start,
          end,
        },
      ),
    );
  }

  /** One row per stored symbol and timeframe. */
  async list(): Promise<DatasetSummary[]> {
    const rows = await this.db.all<{
      symbol: string;
      timeframe: string;
      bars: number;
      start: number;
      end: number;
      source: string;
    }>(
      `SELECT b.symbol, b.timeframe, count(*)::INTEGER AS bars, min(ts)::DOUBLE AS start, max(ts)::DOUBLE AS "end",
         any_value(d.source) AS source
       FROM bars b LEFT JOIN datasets d USING (symbol, timeframe)
       GROUP BY b.symbol, b.timeframe ORDER BY b.symbol, b.timeframe`,
    );
    return rows.map((r) => ({ ...r, source: r.source ?? 'unknown' }));
  }

  /** The timeframes a symbol is stored in. */
  async storedTimeframes(symbol: string): Promise<string[]> {
    const rows = await this.db.all<{ timeframe: string }>(
      'SELECT DISTINCT timeframe FROM bars WHERE symbol = $symbol',
      { symbol },
    );
    return rows.map((r) => r.timeframe);
  }

  /**
   * Reads bars as typed arrays. A timeframe that is stored is read as is; 5m/15m/1h/1d are otherwise
   * resampled from 1m regular-session bars inside DuckDB.
   */
  async read(symbol: string, timeframe: Timeframe, range: BarsRange = {}): Promise<Bars> {
    const { sql, params } = await this.selectSql(symbol, timeframe, range);
    return this.readColumns(sql, params);
  }

  /**
   * The query `read` runs (columns t, open, high, low, close, volume ordered by t), for callers that
   * stream the same rows elsewhere, such as an export with DuckDB's COPY.
   */
  async selectSql(
    symbol: string,
    timeframe: Timeframe,
    range: BarsRange = {},
  ): Promise<{ sql: string; params: Record<string, string | number> }> {
    const stored = await this.storedTimeframes(symbol);
    if (stored.length === 0) throw new Error(`No bars stored for symbol "${symbol}"`);
    const where = `symbol = $symbol AND ts >= $start AND ts < $end`;
    const params = { symbol, start: range.start ?? -8.64e15, end: range.end ?? 8.64e15 };
    let sql: string;
    if (stored.includes(timeframe)) {
      sql = `SELECT ts::DOUBLE AS t, open, high, low, close, volume FROM bars
             WHERE ${where} AND timeframe = '${timeframe}'`;
    } else if (stored.includes('1m')) {
      sql = resampleSql(timeframe, where);
    } else {
      throw new Error(
        `Symbol "${symbol}" is stored as ${stored.join(', ')} only; ${timeframe} cannot be derived from it`,
      );
    }
    if (range.limit !== undefined) {
      sql = `SELECT * FROM (${sql} ORDER BY t DESC LIMIT ${Math.max(0, Math.floor(range.limit))}) ORDER BY t`;
    } else {
      sql += ' ORDER BY t';
    }
    return { sql, params };
  }

  /**
   * Runs a query whose first six columns are non-null DOUBLEs (t, o, h, l, c, v) and copies each
   * result vector into the output columns with one native copy.
   */
  private async readColumns(sql: string, params: Record<string, string | number>): Promise<Bars> {
    const result = await this.db.connection.run(sql, params);
    const chunks = await result.fetchAllChunks();
    const bars = allocateBars(
      chunks.reduce((sum, chunk) => sum + chunk.rowCount, 0),
      true,
    );
    const targets = [bars.t, bars.o, bars.h, bars.l, bars.c, bars.v];
    let offset = 0;
    for (const chunk of chunks) {
      const rows = chunk.rowCount;
      if (rows === 0) continue;
      for (let col = 0; col < 6; col++) {
        const target = targets[col]!;
        const vector = duckdbBindings.data_chunk_get_vector(chunk.chunk, col);
        const bytes = duckdbBindings.vector_get_data(vector, rows * 8);
        new Uint8Array(target.buffer, target.byteOffset + offset * 8, rows * 8).set(bytes);
      }
      offset += rows;
    }
    return bars;
  }
}

/**
 * Session-aligned resampling of 1m bars: regular hours only (09:30-16:00 ET); intraday buckets start at
 * the session open, so a 1h bar covers 09:30-10:30 like the exchange's own; a day bar is stamped at
 * midnight ET of its session, as Alpaca stamps 1Day bars.
 */
function resampleSql(timeframe: Timeframe, where: string): string {
  const minutes = TIMEFRAME_MINUTES[timeframe];
  const bucket =
    timeframe === '1d'
      ? "date_trunc('day', local)"
      : `sess_open + to_minutes((floor(datediff('minute', sess_open, local) / ${minutes}) * ${minutes})::BIGINT)`;
  return `
    WITH src AS (
      SELECT ts, open, high, low, close, volume, (to_timestamp(ts / 1000.0) AT TIME ZONE ${ET}) AS local
      FROM bars WHERE ${where} AND timeframe = '1m'
    ), rth AS (
      SELECT *, date_trunc('day', local) + INTERVAL 570 MINUTE AS sess_open FROM src
      WHERE local::TIME >= TIME '09:30:00' AND local::TIME < TIME '16:00:00'
    ), bucketed AS (SELECT *, ${bucket} AS bucket FROM rth)
    SELECT epoch_ms(timezone(${ET}, bucket))::DOUBLE AS t, arg_min(open, ts) AS open, max(high) AS high,
      min(low) AS low, arg_max(close, ts) AS close, sum(volume) AS volume
    FROM bucketed GROUP BY bucket`;
}
