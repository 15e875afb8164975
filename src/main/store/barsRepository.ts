import { BIGINT, DOUBLE, DuckDBDataChunk, VARCHAR } from '@duckdb/node-api';
// The raw vector accessors: reading and writing whole Float64Array columns with one native copy per
// vector instead of one call per value (node-api's own setItem/getItem do per-value work).
import duckdbBindings from '@duckdb/node-bindings';
import {
  fxDayOpen,
  fxTradingDaysBetween,
  inferAssetCalendar,
  isAssetCalendar,
  type AssetCalendar,
} from '../../core/data/assetCalendar.ts';
import {
  allocateBars,
  isCalendarTimeframe,
  TIMEFRAMES,
  type Bars,
  type CalendarTimeframe,
  type SessionTimeframe,
  type Timeframe,
  TIMEFRAME_MINUTES,
} from '../../core/data/bars.ts';
import { DAY_MS, daysFromDateKey, etWallTimeToUtc, sessionsBetween } from '../../core/data/calendar.ts';
import { InputError, NotFoundError } from '../../shared/errors.ts';
import { nothingCachedText } from '../../shared/rangeText.ts';
import { timeframeSource } from '../../shared/timeframeSources.ts';
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
  calendar: AssetCalendar;
}

export interface BarsRange {
  /** Inclusive start, epoch ms. */
  start?: number;
  /** Exclusive end, epoch ms. */
  end?: number;
  /** Only the last `limit` bars of the range. */
  limit?: number;
  /**
   * For timeframes derived from 1m: 'regular' (default) keeps bars inside the NYSE session (09:30 to the
   * 16:00 or early close); 'extended' keeps every bar of a trading day, buckets keeping the same alignment.
   * Stored 1m bars of an equity are kept to the session only when 'regular' is asked for explicitly
   * (a backtest's setting); left out, they are read as stored (quality checks, exports, the live stream).
   */
  session?: 'regular' | 'extended';
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

/** The columns of `bars` in table order (migration 4): the appender writes whole rows of them. */
const BARS_TYPES = [VARCHAR, VARCHAR, BIGINT, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE, BIGINT];
const COLUMN = { symbol: 0, timeframe: 1, ts: 2, open: 3, vwap: 8, tradeCount: 9 } as const;
const CHUNK_ROWS = 2048;
/** The tables that hold a symbol's data, keyed by its name. */
const SYMBOL_TABLES = ['bars', 'datasets', 'bar_coverage', 'bar_gaps'] as const;

/**
 * Bars in DuckDB. Only stored timeframes are kept (1m for intraday sources, 1d for daily imports, 1mo
 * for monthly ones); coarser timeframes are derived inside DuckDB on read (weeks and months from days), with buckets aligned to the
 * 09:30 ET session open, so there is one source of truth per symbol.
 */
export class BarsRepository {
  /** The span each temporary table of days is known to hold (see loadDays). */
  private readonly daysCovered = new Map<string, { from: number; to: number }>();

  constructor(private readonly db: Database) {}

  /**
   * Upserts bars (same key = replaced, so writing a page twice is idempotent) in one transaction.
   * `bars` has no key index (migration 4); one row per (symbol, timeframe, ts) is kept here instead: a
   * write refuses timestamps repeated within itself, deletes the stored rows of the keys it brings, then
   * appends its rows, all inside the transaction.
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
  async writeBatch(
    timeframe: string,
    source: string,
    entries: readonly BatchEntry[],
    options: WriteOptions = {},
  ): Promise<void> {
    const staged = entries.filter((entry) => entry.bars.t.length > 0);
    // Checked before the transaction starts: a batch that would store two rows for one key is refused whole.
    const ranges = staged.map((entry) => keyRange(entry));
    await this.db.transaction(async () => {
      if (staged.length > 0) await this.replace(timeframe, staged, ranges);
      for (const { symbol } of staged) await this.recordDataset(symbol, timeframe, source);
      if (options.alsoInTransaction) await options.alsoInTransaction();
    });
  }

  /**
   * Deletes the stored rows of (symbol, timeframe) whose ts is among the keys about to be written. The
   * common case (new bars: a fetch page, a first import) is settled by one probe of [min, max], which the
   * zone maps mostly answer from row-group statistics; only an overlap stages the keys for an exact
   * delete, so stored bars between the new ones that the new data lacks are kept.
   */
  private async deleteStoredKeys(
    symbol: string,
    timeframe: string,
    min: bigint,
    max: bigint,
    keysTable: () => Promise<string>,
  ): Promise<void> {
    const params = { symbol, timeframe, min, max };
    const where = 'symbol = $symbol AND timeframe = $timeframe AND ts BETWEEN $min AND $max';
    const [overlap] = await this.db.all<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM (SELECT 1 FROM bars WHERE ${where} LIMIT 1)`,
      params,
    );
    if (!overlap || overlap.n === 0) return;
    const keys = await keysTable();
    await this.db.run(`DELETE FROM bars WHERE ${where} AND ts IN (SELECT ts FROM ${keys})`, params);
  }

  /** Puts a write's timestamps into a temporary table (for the exact delete of an overlap). */
  private async stageKeys(t: Float64Array): Promise<string> {
    await this.db.run('CREATE TEMP TABLE IF NOT EXISTS bars_keys (ts BIGINT)');
    await this.db.run('DELETE FROM bars_keys');
    const appender = await this.db.connection.createAppender('bars_keys', 'main', 'temp');
    try {
      const chunk = DuckDBDataChunk.create([BIGINT], CHUNK_ROWS);
      const int64 = new Int64Writer();
      const vector = duckdbBindings.data_chunk_get_vector(chunk.chunk, 0);
      for (let start = 0; start < t.length; start += CHUNK_ROWS) {
        const rows = Math.min(CHUNK_ROWS, t.length - start);
        chunk.rowCount = rows;
        int64.copy(vector, t, start, rows, 'ts');
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    return 'temp.main.bars_keys';
  }

  /**
   * Deletes the stored rows of each entry's keys, then appends the entry's rows straight into `bars`, in
   * the open transaction, in vector-sized chunks: symbol and timeframe as constant vectors, each numeric
   * column copied into its vector in one native call (the BIGINT columns converted from doubles first),
   * NaN vwap / trade count as NULL through the validity mask.
   */
  private async replace(
    timeframe: string,
    entries: readonly BatchEntry[],
    ranges: readonly { min: bigint; max: bigint }[],
  ): Promise<void> {
    const appender = await this.db.connection.createAppender('bars');
    try {
      const int64 = new Int64Writer();
      const validity = new Uint8Array(CHUNK_ROWS / 8);
      const scratch = new Float64Array(CHUNK_ROWS);
      const appended = new Set<string>();
      for (let e = 0; e < entries.length; e++) {
        const { symbol, bars, extras = {} } = entries[e]!;
        // A symbol twice in one batch: its earlier rows must be in the table for the delete to see them.
        if (appended.has(symbol)) appender.flushSync();
        await this.deleteStoredKeys(symbol, timeframe, ranges[e]!.min, ranges[e]!.max, () =>
          this.stageKeys(bars.t),
        );
        appended.add(symbol);
        const n = bars.t.length;
        // A chunk per entry: the constant vectors of one entry are never overwritten in place.
        const chunk = DuckDBDataChunk.create(BARS_TYPES, CHUNK_ROWS);
        const vector = (column: number): duckdbBindings.Vector =>
          duckdbBindings.data_chunk_get_vector(chunk.chunk, column);
        duckdbBindings.vector_reference_value(vector(COLUMN.symbol), duckdbBindings.create_varchar(symbol));
        duckdbBindings.vector_reference_value(
          vector(COLUMN.timeframe),
          duckdbBindings.create_varchar(timeframe),
        );
        const prices = [bars.o, bars.h, bars.l, bars.c, bars.v];
        for (const column of [...prices, extras.vwap, extras.tradeCount]) {
          if (column && column.length !== n) throw new Error(`${symbol}: a bars column is not as long as t`);
        }
        for (let start = 0; start < n; start += CHUNK_ROWS) {
          const rows = Math.min(CHUNK_ROWS, n - start);
          chunk.rowCount = rows;
          int64.copy(vector(COLUMN.ts), bars.t, start, rows, 'ts');
          for (let k = 0; k < prices.length; k++) {
            copyDoubles(vector(COLUMN.open + k), prices[k]!, start, rows, scratch);
          }
          const vwap = vector(COLUMN.vwap);
          if (extras.vwap) copyDoubles(vwap, extras.vwap, start, rows, scratch);
          setValidity(vwap, extras.vwap, start, rows, validity);
          const tradeCount = vector(COLUMN.tradeCount);
          if (extras.tradeCount) int64.copy(tradeCount, extras.tradeCount, start, rows, 'trade count', true);
          setValidity(tradeCount, extras.tradeCount, start, rows, validity);
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
   * volume, vwap, trade_count; a ts repeated in it is refused.
   */
  writeFromTable(
    symbol: string,
    timeframe: string,
    source: string,
    table: string,
    options: TableWriteOptions = {},
  ): Promise<number> {
    return this.db.transaction(async () => {
      const [range] = await this.db.all<{
        n: number;
        keys: number;
        min: bigint | null;
        max: bigint | null;
      }>(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT ts::BIGINT)::INTEGER AS keys, min(ts)::BIGINT AS min,
             max(ts)::BIGINT AS max FROM ${table}`,
      );
      if (!range || range.min === null || range.max === null) return 0;
      if (range.keys !== range.n) {
        throw new Error(
          `${symbol}: ${range.n - range.keys} timestamps occur more than once in the rows to write`,
        );
      }
      // Converted again: the row reader gives a number where the value fits one.
      const keys = { min: BigInt(range.min), max: BigInt(range.max) };
      return this.insertFrom(symbol, timeframe, source, table, keys, options);
    });
  }

  /**
   * As writeFromTable, for rows whose timestamps are already known distinct and within [min, max] (a CSV
   * import, whose reader refuses repeats): no pass over the rows to count them, which for tens of
   * millions of rows would cost a hash table of them all.
   */
  writeDistinctFromTable(
    symbol: string,
    timeframe: string,
    source: string,
    table: string,
    range: { min: bigint; max: bigint },
    options: TableWriteOptions = {},
  ): Promise<number> {
    return this.db.transaction(() => this.insertFrom(symbol, timeframe, source, table, range, options));
  }

  /**
   * Replaces the stored rows of the keys `table` brings (with `replaceSameDate`, of their dates too) and
   * appends its rows, in the open transaction. Returns the stored rows of the same dates replaced.
   */
  private async insertFrom(
    symbol: string,
    timeframe: string,
    source: string,
    table: string,
    range: { min: bigint; max: bigint },
    options: TableWriteOptions,
  ): Promise<number> {
    await this.deleteStoredKeys(symbol, timeframe, range.min, range.max, async () => {
      await this.db.run(`CREATE OR REPLACE TEMP TABLE bars_keys AS SELECT ts::BIGINT AS ts FROM ${table}`);
      return 'temp.main.bars_keys';
    });
    let replaced = 0;
    if (options.replaceSameDate) {
      // A date's bar stored at another hour (00:00 New York, by an import before crypto days were UTC's)
      // gives way to the new one, else the date would hold two bars; the caller says how many went.
      const date = (column: string) => `floor((${column} + ${DAY_MS / 2}) / ${DAY_MS})`;
      const [deleted] = await this.db.all<{ Count: bigint | number }>(
        `DELETE FROM bars WHERE symbol = $symbol AND timeframe = $timeframe
           AND ts BETWEEN $min AND $max AND ${date('ts')} IN (SELECT ${date('ts')} FROM ${table})`,
        { symbol, timeframe, min: range.min - BigInt(DAY_MS), max: range.max + BigInt(DAY_MS) },
      );
      replaced = Number(deleted?.Count ?? 0);
    }
    await this.db.run(
      `INSERT INTO bars
         SELECT $symbol, $timeframe, ts::BIGINT, open, high, low, close, volume, vwap, trade_count::BIGINT
         FROM ${table}`,
      { symbol, timeframe },
    );
    await this.recordDataset(symbol, timeframe, source);
    return replaced;
  }

  /**
   * Notes where a series' bars came from. An UPDATE, with an INSERT only for a new series: half the time
   * of INSERT OR REPLACE on the key, which every fetch page would otherwise pay.
   */
  private async recordDataset(symbol: string, timeframe: string, source: string): Promise<void> {
    const params = { symbol, timeframe, source };
    const [updated] = await this.db.all<{ Count: bigint | number }>(
      `UPDATE datasets SET source = $source, updated_at = now()
       WHERE symbol = $symbol AND timeframe = $timeframe`,
      params,
    );
    if (!updated || Number(updated.Count) === 0) {
      // The symbol's calendar, when one is known, holds for every timeframe it is stored in.
      await this.db.run(
        `INSERT INTO datasets (symbol, timeframe, source, updated_at, calendar)
         VALUES ($symbol, $timeframe, $source, now(),
           (SELECT any_value(calendar) FROM datasets WHERE symbol = $symbol))`,
        params,
      );
    }
  }

  /** Deletes a symbol's bars of one timeframe in [start, end) (a repair, or a re-import that replaces). */
  deleteRange(symbol: string, timeframe: string, start = -8.64e15, end = 8.64e15): Promise<void> {
    return this.db.run(
      'DELETE FROM bars WHERE symbol = $symbol AND timeframe = $timeframe AND ts >= $start AND ts < $end',
      { symbol, timeframe, start, end },
    );
  }

  /**
   * Deletes a symbol: its bars of every timeframe, its datasets rows, fetched ranges and marked gaps, in
   * one transaction. Returns the bars deleted; a symbol with none stored is a NotFoundError.
   */
  async deleteSymbol(symbol: string): Promise<number> {
    const count = await this.countBars(symbol);
    await this.db.transaction(async () => {
      for (const table of SYMBOL_TABLES)
        await this.db.run(`DELETE FROM ${table} WHERE symbol = $symbol`, { symbol });
    });
    return count;
  }

  /**
   * Renames a symbol in every table that keys by it, in one transaction. Refused when the new name is
   * already stored (a rename never merges two series). Returns the bars renamed.
   */
  async renameSymbol(symbol: string, to: string): Promise<number> {
    const count = await this.countBars(symbol);
    if ((await this.storedTimeframes(to)).length > 0) {
      throw new InputError(`"${to}" is already stored: delete it first or choose another name`, 'to');
    }
    await this.db.transaction(async () => {
      for (const table of SYMBOL_TABLES) {
        await this.db.run(`UPDATE ${table} SET symbol = $to WHERE symbol = $symbol`, { symbol, to });
      }
    });
    return count;
  }

  private async countBars(symbol: string): Promise<number> {
    const [row] = await this.db.all<{ n: number }>(
      'SELECT count(*)::INTEGER AS n FROM bars WHERE symbol = $symbol',
      { symbol },
    );
    if (!row || row.n === 0) throw new NotFoundError(`No bars stored for symbol "${symbol}"`, 'symbol');
    return row.n;
  }

  /** Sets the market calendar of a symbol (every timeframe it is stored in). */
  setCalendar(symbol: string, calendar: AssetCalendar): Promise<void> {
    return this.db.run('UPDATE datasets SET calendar = $calendar WHERE symbol = $symbol', {
      symbol,
      calendar,
    });
  }

  /**
   * The symbol's market calendar: the one stored with it, else what its timestamps show (datasets from
   * before calendars were stored, or written without an import), judged on the first 100,000 bars of
   * its finest stored timeframe.
   */
  async calendarOf(symbol: string): Promise<{ calendar: AssetCalendar; inferred: boolean }> {
    const stored = await this.storedCalendar(symbol);
    if (stored !== null) return { calendar: stored, inferred: false };
    return this.inferredCalendar(symbol);
  }

  /** The calendar stored with the symbol (chosen or inferred at an import); null when none is. */
  async storedCalendar(symbol: string): Promise<AssetCalendar | null> {
    const [row] = await this.db.all<{ calendar: string | null }>(
      'SELECT any_value(calendar) AS calendar FROM datasets WHERE symbol = $symbol',
      { symbol },
    );
    return row?.calendar && isAssetCalendar(row.calendar) ? row.calendar : null;
  }

  private async inferredCalendar(symbol: string): Promise<{ calendar: AssetCalendar; inferred: boolean }> {
    const stored = await this.storedTimeframes(symbol);
    const finest = [...TIMEFRAMES, ...stored].find((tf) => stored.includes(tf));
    if (finest === undefined) return { calendar: 'equities', inferred: true };
    // Read as a typed column: 100,000 row objects held the event loop for seconds after a large import.
    const chunks = await this.chunks(
      `SELECT ts::DOUBLE AS t FROM bars WHERE symbol = $symbol AND timeframe = $timeframe ORDER BY ts LIMIT 100000`,
      { symbol, timeframe: finest },
    );
    const [t] = copyColumns(chunks, [new Float64Array(rowCount(chunks))]);
    return { calendar: inferAssetCalendar(t!), inferred: true };
  }

  /** One row per stored symbol and timeframe. */
  async list(): Promise<DatasetSummary[]> {
    // A LEFT JOIN: a series without a datasets row (written outside the repository) has no source.
    const rows = await this.db.all<Omit<DatasetSummary, 'source' | 'calendar'> & { source: string | null }>(
      `SELECT b.symbol, b.timeframe, count(*)::INTEGER AS bars, min(ts)::DOUBLE AS start, max(ts)::DOUBLE AS "end",
         any_value(d.source) AS source
       FROM bars b LEFT JOIN datasets d USING (symbol, timeframe)
       GROUP BY b.symbol, b.timeframe ORDER BY b.symbol, b.timeframe`,
    );
    // Datasets from before calendars were stored have theirs inferred, once per symbol.
    const calendars = new Map<string, AssetCalendar>();
    for (const row of rows)
      if (!calendars.has(row.symbol)) calendars.set(row.symbol, (await this.calendarOf(row.symbol)).calendar);
    return rows.map((r) => ({ ...r, source: r.source ?? 'unknown', calendar: calendars.get(r.symbol)! }));
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
   * resampled from 1m bars inside DuckDB, and 1w/1mo from stored 1d bars (else from 1m made into days).
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
    if (stored.length === 0)
      throw new NotFoundError(
        `No bars stored for symbol "${symbol}": ${nothingCachedText(symbol)}`,
        'symbol',
      );
    const where = `symbol = $symbol AND ts >= $start AND ts < $end`;
    const params = { symbol, start: range.start ?? -8.64e15, end: range.end ?? 8.64e15 };
    const storedSql = (tf: string): string =>
      `SELECT ts::DOUBLE AS t, open, high, low, close, volume FROM bars WHERE ${where} AND timeframe = '${tf}'`;
    const { calendar } = await this.calendarOf(symbol);
    const source = timeframeSource(stored, timeframe, calendar);
    // Equities keep to NYSE sessions (made of 1m bars); FX and crypto days run around the clock.
    const derived = async (tf: SessionTimeframe): Promise<string> => {
      if (calendar === 'crypto') return cryptoSql(source!, tf, where);
      if (calendar === 'fx') {
        await this.loadFxDays(symbol, source!, params.start, params.end);
        return fxSql(source!, tf, where);
      }
      await this.loadSessions(symbol, params.start, params.end);
      return resampleSql(tf, where, range.session ?? 'regular');
    };
    let sql: string;
    if (source === null) {
      throw new NotFoundError(
        `Symbol "${symbol}" is stored as ${stored.join(', ')} only; ${timeframe} cannot be derived from it`,
        'timeframe',
      );
    } else if (source === timeframe && timeframe === '1m' && range.session === 'regular') {
      // Asked for regular hours, 1m bars keep to the session as every derived timeframe does (an
      // exchange's pre-market bars would otherwise trade in a 1m backtest and not in a 5m one).
      await this.loadSessions(symbol, params.start, params.end);
      sql =
        calendar === 'equities'
          ? `SELECT ts::DOUBLE AS t, open, high, low, close, volume FROM bars
           JOIN regimen_sessions s ON ts >= s.open_ms AND ts < s.close_ms
           WHERE ${where} AND timeframe = '1m'`
          : storedSql(timeframe);
    } else if (source === timeframe) {
      sql = storedSql(timeframe);
    } else if (isCalendarTimeframe(timeframe)) {
      const daySql = source === '1d' ? storedSql('1d') : await derived('1d');
      await this.loadDayStamps(symbol, source, params.start, params.end);
      sql = calendarSql(timeframe, daySql);
    } else {
      sql = await derived(timeframe);
    }
    if (range.limit !== undefined) {
      sql = `SELECT * FROM (${sql} ORDER BY t DESC LIMIT ${Math.max(0, Math.floor(range.limit))}) ORDER BY t`;
    } else {
      sql += ' ORDER BY t';
    }
    return { sql, params };
  }

  /**
   * Makes sure the connection's temporary `regimen_sessions` table holds the NYSE sessions (from the core
   * calendar: holidays, half days, DST) spanning the symbol's 1m bars in [start, end), for resampleSql.
   * The calendar stays in one place, core/data/calendar.ts, rather than being re-derived in SQL.
   */
  private loadSessions(symbol: string, start: number, end: number): Promise<void> {
    return this.loadDays(
      'regimen_sessions',
      '(day_start BIGINT PRIMARY KEY, day_end BIGINT, open_ms BIGINT, close_ms BIGINT)',
      { symbol, timeframe: '1m', start, end },
      (from, to) =>
        sessionsBetween(from, to).map((session) => {
          const days = daysFromDateKey(session.dateKey);
          return `(${etWallTimeToUtc(days, 0)}, ${etWallTimeToUtc(days + 1, 0)}, ${session.open}, ${session.close})`;
        }),
    );
  }

  /** The FX trading days (core/data/assetCalendar.ts) spanning the symbol's bars, for fxSql. */
  private loadFxDays(symbol: string, timeframe: string, start: number, end: number): Promise<void> {
    return this.loadDays(
      'regimen_fx_days',
      '(open_ms BIGINT PRIMARY KEY, close_ms BIGINT, from_ms BIGINT)',
      { symbol, timeframe, start, end },
      (from, to) => fxTradingDaysBetween(from, to).map((day) => `(${day.open}, ${day.close}, ${day.from})`),
    );
  }

  /**
   * The New York stamps of each date (`regimen_day_stamps`: midnight, the FX day's open) from a month
   * before the symbol's first bar in [start, end) to its last, so calendarSql stamps a week or month on
   * its first day at its day bars' New York wall-clock time as core's calendarBucketStamp does.
   */
  private loadDayStamps(symbol: string, timeframe: string, start: number, end: number): Promise<void> {
    return this.loadDays(
      'regimen_day_stamps',
      '(day BIGINT PRIMARY KEY, et_midnight BIGINT, fx_open BIGINT)',
      { symbol, timeframe, start, end },
      (from, to) => {
        const rows: string[] = [];
        // A month's first day is up to 30 days before its first bar's date.
        for (let day = Math.floor(from / DAY_MS) - 31; day <= Math.ceil(to / DAY_MS); day++) {
          rows.push(`(${day}, ${etWallTimeToUtc(day, 0)}, ${fxDayOpen(day)})`);
        }
        return rows;
      },
    );
  }

  /**
   * Makes sure a temporary table of calendar days covers the span of a symbol's bars in [start, end).
   * Rows are only ever added, keyed by day, in one exclusive unit: a day's row never changes, so a read
   * running beside another sees exactly the days it needs, never a half-filled or doubled table
   * (clearing and refilling per read let concurrent reads delete and duplicate each other's days).
   */
  private loadDays(
    table: string,
    columns: string,
    bars: { symbol: string; timeframe: string; start: number; end: number },
    rowsBetween: (from: number, to: number) => string[],
  ): Promise<void> {
    return this.db.exclusive(async () => {
      // Created even for a range without bars, which the resampling query then reads as empty.
      await this.db.run(`CREATE TEMP TABLE IF NOT EXISTS ${table} ${columns}`);
      const [span] = await this.db.all<{ first: number | null; last: number | null }>(
        `SELECT min(ts)::DOUBLE AS first, max(ts)::DOUBLE AS last FROM bars
         WHERE symbol = $symbol AND timeframe = $timeframe AND ts >= $start AND ts < $end`,
        bars,
      );
      if (span?.first == null || span.last == null) return;
      const from = span.first - DAY_MS;
      const to = span.last + DAY_MS;
      const covered = this.daysCovered.get(table);
      if (covered && covered.from <= from && covered.to >= to) return;
      const rows = rowsBetween(from, to);
      if (rows.length > 0) await this.db.run(`INSERT OR IGNORE INTO ${table} VALUES ${rows.join(', ')}`);
      // The covered span is extended only when it stays contiguous, so it never claims a gap.
      this.daysCovered.set(
        table,
        covered && from <= covered.to && to >= covered.from
          ? { from: Math.min(from, covered.from), to: Math.max(to, covered.to) }
          : { from, to },
      );
    });
  }

  /**
   * Runs a query whose first six columns are non-null DOUBLEs (t, o, h, l, c, v) and copies each
   * result vector into the output columns with one native copy.
   */
  private async readColumns(sql: string, params: Record<string, string | number>): Promise<Bars> {
    const chunks = await this.chunks(sql, params);
    const bars = allocateBars(rowCount(chunks), true);
    copyColumns(chunks, [bars.t, bars.o, bars.h, bars.l, bars.c, bars.v]);
    return bars;
  }

  private chunks(sql: string, params: Record<string, string | number>): Promise<DuckDBDataChunk[]> {
    return this.db.exclusive(
      async () => (await this.db.connection.run(sql, params)).fetchAllChunks(),
      'read',
    );
  }
}

function rowCount(chunks: readonly DuckDBDataChunk[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.rowCount, 0);
}

/** Copies the first DOUBLE columns of the chunks' rows into `targets` (one per column), chunk by chunk. */
function copyColumns<T extends Float64Array[]>(chunks: readonly DuckDBDataChunk[], targets: T): T {
  let offset = 0;
  for (const chunk of chunks) {
    const rows = chunk.rowCount;
    if (rows === 0) continue;
    for (let col = 0; col < targets.length; col++) {
      const target = targets[col]!;
      const vector = duckdbBindings.data_chunk_get_vector(chunk.chunk, col);
      const bytes = duckdbBindings.vector_get_data(vector, rows * 8);
      new Uint8Array(target.buffer, target.byteOffset + offset * 8, rows * 8).set(bytes);
    }
    offset += rows;
  }
  return targets;
}

/** How a write from a table treats what is stored. */
export interface TableWriteOptions {
  /**
   * Also replace stored bars of the dates the rows bring (by the date 12 hours after the stamp) at
   * other stamps: crypto day bars restamped at 00:00 UTC over ones an older import put at 00:00 New York.
   */
  readonly replaceSameDate?: boolean;
}

/**
 * Session-aligned resampling of 1m bars against the `regimen_sessions` table (see loadSessions). Regular
 * mode keeps bars inside [open, close) of a session; extended keeps every bar of a trading day. Intraday
 * buckets start at the session open plus whole bucket sizes (before the open too, in extended mode), so a
 * 1h bar covers 09:30-10:30 like the exchange's own; a day bar is stamped at midnight ET of its session,
 * as Alpaca stamps 1Day bars. Equal to core/data/resample.ts, the reference (tested on SPY).
 */
function resampleSql(timeframe: SessionTimeframe, where: string, session: 'regular' | 'extended'): string {
  const sizeMs = TIMEFRAME_MINUTES[timeframe] * 60_000;
  const bucket =
    timeframe === '1d' ? 's.day_start' : `s.open_ms + floor((src.ts - s.open_ms) / ${sizeMs}) * ${sizeMs}`;
  const inside =
    session === 'regular'
      ? 'src.ts >= s.open_ms AND src.ts < s.close_ms'
      : 'src.ts >= s.day_start AND src.ts < s.day_end';
  return bucketSql('1m', where, bucket, `JOIN regimen_sessions s ON ${inside}`);
}

/**
 * FX bars of a timeframe from a finer stored one, as core/data/resample.ts makes them: days from 17:00 to
 * 17:00 New York stamped at their open, intraday buckets aligned to that open (`regimen_fx_days`, see
 * loadFxDays); nothing is cut to exchange hours.
 */
function fxSql(source: string, timeframe: SessionTimeframe, where: string): string {
  const sizeMs = TIMEFRAME_MINUTES[timeframe] * 60_000;
  const bucket =
    timeframe === '1d' ? 'd.open_ms' : `d.open_ms + floor((src.ts - d.open_ms) / ${sizeMs}) * ${sizeMs}`;
  return bucketSql(
    source,
    where,
    bucket,
    'JOIN regimen_fx_days d ON src.ts >= d.from_ms AND src.ts < d.close_ms',
  );
}

/** Crypto bars of a timeframe from a finer stored one: buckets (and days) aligned to 00:00 UTC. */
function cryptoSql(source: string, timeframe: SessionTimeframe, where: string): string {
  const sizeMs = TIMEFRAME_MINUTES[timeframe] * 60_000;
  return bucketSql(source, where, `floor(src.ts / ${sizeMs}) * ${sizeMs}`, '');
}

/** OHLCV of a stored timeframe's bars grouped by a bucket expression (first open, last close, ...). */
function bucketSql(source: string, where: string, bucket: string, join: string): string {
  return `
    WITH src AS (
      SELECT ts, open, high, low, close, volume FROM bars WHERE ${where} AND timeframe = '${source}'
    )
    SELECT (${bucket})::DOUBLE AS t, arg_min(src.open, src.ts) AS open, max(src.high) AS high,
      min(src.low) AS low, arg_max(src.close, src.ts) AS close, sum(src.volume) AS volume
    FROM src ${join}
    GROUP BY 1`;
}

/**
 * Week (Monday-based) or calendar-month bars from a query of day bars (columns t, open, ..., volume), as
 * core/data/resample.ts's resampleDays makes them: a day bar's date is the UTC date twelve hours after its
 * stamp, and a bucket is stamped on its first calendar day at the wall-clock time of its first day bar
 * (calendarBucketStamp; New York's from `regimen_day_stamps`, see loadDayStamps).
 */
function calendarSql(timeframe: CalendarTimeframe, daySql: string): string {
  const first =
    timeframe === '1w'
      ? 'day - (((day + 3) % 7) + 7) % 7' // day 0, 1970-01-01, was a Thursday
      : `epoch_ms(date_trunc('month', epoch_ms((day * ${DAY_MS})::BIGINT))) // ${DAY_MS}`;
  return `
    WITH d AS (${daySql}),
      k AS (SELECT *, floor((t + ${DAY_MS / 2}) / ${DAY_MS})::BIGINT AS day FROM d),
      b AS (SELECT *, (${first})::BIGINT AS first FROM k),
      g AS (
        SELECT first, min(t) AS t0, arg_min(day, t) AS day0, arg_min(open, t) AS open, max(high) AS high,
          min(low) AS low, arg_max(close, t) AS close, sum(volume) AS volume
        FROM b GROUP BY first
      )
    SELECT (CASE
        WHEN g.t0 = s0.et_midnight THEN s1.et_midnight
        WHEN g.t0 = s0.fx_open THEN s1.fx_open
        ELSE g.first * ${DAY_MS} + g.t0 - g.day0 * ${DAY_MS}
      END)::DOUBLE AS t, open, high, low, close, volume
    FROM g JOIN regimen_day_stamps s0 ON s0.day = g.day0 JOIN regimen_day_stamps s1 ON s1.day = g.first`;
}

/**
 * The key range of one write's rows, refusing what would store two rows for one key or a key that is not
 * a number. Sorted timestamps (every source: validated files, Alpaca pages, live bars) are checked in one
 * pass; others are sorted in a copy first.
 */
function keyRange({ symbol, bars }: BatchEntry): { min: bigint; max: bigint } {
  const t = bars.t;
  let sorted = true;
  for (let i = 0; i < t.length; i++) {
    if (!Number.isFinite(t[i]!)) throw new Error(`${symbol}: bar ${i} has no valid timestamp (${t[i]})`);
    if (i > 0 && !(t[i]! > t[i - 1]!)) sorted = false;
  }
  const ordered = sorted ? t : Float64Array.from(t).sort();
  for (let i = 1; i < ordered.length; i++) {
    if (Math.round(ordered[i]!) === Math.round(ordered[i - 1]!)) {
      throw new Error(`${symbol}: timestamp ${ordered[i]} occurs more than once in one write`);
    }
  }
  return { min: BigInt(Math.round(ordered[0]!)), max: BigInt(Math.round(ordered[ordered.length - 1]!)) };
}

/**
 * Writes doubles holding whole numbers into a BIGINT vector: the int64 of each value is assembled from
 * two 32-bit halves (little-endian, as on every platform DuckDB's Node bindings ship for), so there is
 * no BigInt per value. Values are rounded to the nearest integer, as the DOUBLE to BIGINT cast did.
 */
class Int64Writer {
  private readonly buffer = new ArrayBuffer(CHUNK_ROWS * 8);
  private readonly low = new Uint32Array(this.buffer);
  private readonly high = new Int32Array(this.buffer);

  copy(
    vector: duckdbBindings.Vector,
    source: Float64Array,
    start: number,
    rows: number,
    label: string,
    nanAllowed = false,
  ): void {
    const { low, high } = this;
    for (let i = 0; i < rows; i++) {
      let x = Math.round(source[start + i]!);
      if (!(Math.abs(x) <= Number.MAX_SAFE_INTEGER)) {
        if (nanAllowed && Number.isNaN(x))
          x = 0; // stored as NULL through the validity mask
        else throw new Error(`${label} ${source[start + i]} at row ${start + i} is not a storable integer`);
      }
      const upper = Math.floor(x / 4294967296);
      high[2 * i + 1] = upper;
      low[2 * i] = x - upper * 4294967296;
    }
    duckdbBindings.copy_data_to_vector(vector, 0, this.buffer, 0, rows * 8);
  }
}

/**
 * Copies rows of a double column into a DOUBLE vector in one native call. Columns in a SharedArrayBuffer
 * (bars read back for workers) go through a scratch copy, since the native copy takes an ArrayBuffer.
 */
function copyDoubles(
  vector: duckdbBindings.Vector,
  column: Float64Array,
  start: number,
  rows: number,
  scratch: Float64Array,
): void {
  let source = column.subarray(start, start + rows);
  if (!(source.buffer instanceof ArrayBuffer)) {
    scratch.set(source);
    source = scratch.subarray(0, rows);
  }
  duckdbBindings.copy_data_to_vector(vector, 0, source.buffer as ArrayBuffer, source.byteOffset, rows * 8);
}

/** Marks NaN rows (or every row, for a column the source lacks) as NULL in a vector's validity mask. */
function setValidity(
  vector: duckdbBindings.Vector,
  column: Float64Array | undefined,
  start: number,
  rows: number,
  mask: Uint8Array,
): void {
  if (column) {
    mask.fill(0);
    for (let i = 0; i < rows; i++) if (column[start + i] === column[start + i]) mask[i >> 3]! |= 1 << (i & 7);
  } else {
    mask.fill(0);
  }
  duckdbBindings.vector_ensure_validity_writable(vector);
  duckdbBindings.copy_data_to_vector_validity(vector, 0, mask.buffer as ArrayBuffer, 0, mask.byteLength);
}
