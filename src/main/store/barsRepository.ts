import {
  BIGINT,
  DOUBLE,
  DuckDBDataChunk,
  type DuckDBBigIntVector,
  type DuckDBDoubleVector,
} from '@duckdb/node-api';
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

const STAGING_TYPES = [BIGINT, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, BIGINT];
const CHUNK_ROWS = 2048;
const ET = "'America/New_York'";

/**
 * Bars in DuckDB. Only stored timeframes are kept (1m for intraday sources, 1d for daily imports);
 * coarser intraday timeframes are derived from 1m inside DuckDB on read, with buckets aligned to the
 * 09:30 ET session open, so there is one source of truth per symbol.
 */
export class BarsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Upserts bars (same key = replaced, so writing a page twice is idempotent) in one transaction.
   * Rows go through a temporary staging table filled by the appender in vector-sized chunks: one
   * native call per chunk column instead of one INSERT per row.
   */
  async write(symbol: string, timeframe: string, bars: Bars, source: string, extras: BarExtras = {}): Promise<void> {
    const n = bars.t.length;
    const conn = this.db.connection;
    await this.db.run(
      `CREATE TEMP TABLE IF NOT EXISTS bars_staging (ts BIGINT, open DOUBLE, high DOUBLE, low DOUBLE,
        close DOUBLE, volume DOUBLE, vwap DOUBLE, trade_count BIGINT)`,
    );
    await this.db.run('DELETE FROM bars_staging');
    const appender = await conn.createAppender('bars_staging', 'main', 'temp');
    const chunk = DuckDBDataChunk.create(STAGING_TYPES, CHUNK_ROWS);
    const columns = [bars.o, bars.h, bars.l, bars.c, bars.v, extras.vwap];
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, n - start);
      chunk.rowCount = rows;
      const ts = chunk.getColumnVector(0) as DuckDBBigIntVector;
      for (let i = 0; i < rows; i++) ts.setItem(i, BigInt(bars.t[start + i]!));
      ts.flush();
      for (let col = 0; col < columns.length; col++) {
        const vector = chunk.getColumnVector(col + 1) as DuckDBDoubleVector;
        const source = columns[col];
        for (let i = 0; i < rows; i++) {
          const value = source ? source[start + i]! : NaN;
          vector.setItem(i, Number.isNaN(value) ? null : value);
        }
        vector.flush();
      }
      const count = chunk.getColumnVector(7) as DuckDBBigIntVector;
      for (let i = 0; i < rows; i++) {
        const value = extras.tradeCount ? extras.tradeCount[start + i]! : NaN;
        count.setItem(i, Number.isNaN(value) ? null : BigInt(value));
      }
      count.flush();
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
    await this.db.transaction(async () => {
      await this.db.run(
        `INSERT OR REPLACE INTO bars SELECT $symbol, $timeframe, ts, open, high, low, close, volume, vwap,
          trade_count FROM bars_staging`,
        { symbol, timeframe },
      );
      await this.db.run(
        `INSERT OR REPLACE INTO datasets VALUES ($symbol, $timeframe, $source, now())`,
        { symbol, timeframe, source },
      );
    });
    await this.db.run('DELETE FROM bars_staging');
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
    return this.readColumns(sql, params);
  }

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
      for (let col = 0; col < 6; col++) {
        const vector = chunk.getColumnVector(col) as DuckDBDoubleVector;
        const target = targets[col]!;
        for (let i = 0; i < rows; i++) target[offset + i] = vector.getItem(i) ?? NaN;
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
      ? 'date_trunc(\'day\', local)'
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
