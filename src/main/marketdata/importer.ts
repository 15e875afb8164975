import { isAscii } from 'node:buffer';
import { lstat, mkdtemp, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { TIMEFRAMES } from '../../core/data/bars.ts';
import { refusalError, STAGED_COLUMNS, type CsvLine } from '../../core/data/csv/part.ts';
import type { CsvImportOptions } from '../../core/data/csv/read.ts';
import { parseTimestamp } from '../../core/data/csv/scan.ts';
import { DAY_MS, MINUTE_MS } from '../../core/data/calendar.ts';
import { inferTimeframe } from '../../core/data/timeframe.ts';
import {
  BAR_PROBLEM_CODES,
  BAR_PROBLEMS,
  barProblemError,
  DataValidationError,
  type BarColumn,
  type BarRule,
} from '../../core/data/validate.ts';
import { InputError, NotFoundError } from '../../shared/errors.ts';
import { SYMBOL_PATTERN, SYMBOL_RULE } from '../../shared/schemas.ts';
import { inferAssetCalendar, utcDayStamp, type AssetCalendar } from '../../core/data/assetCalendar.ts';
import { inferNaiveTimeZone, type NaiveTimeZone } from '../../core/data/naiveTimeZone.ts';
import {
  parseCsvFilePart,
  type CsvFilePart,
  type CsvFilePartOutput,
  type StagedPart,
} from '../compute/csvPart.ts';
import { BarsRepository } from '../store/barsRepository.ts';
import type { Database, DuckDBSetting } from '../store/database.ts';

export interface ImportOptions {
  /** Defaults to the file's symbol column, else the file name up to the first '_', '-' or space. */
  readonly symbol?: string;
  /** Defaults to the timeframe the timestamps' spacing shows (1m, 5m, 15m, 1h, 1d, or e.g. 1mo). */
  readonly timeframe?: string;
  /**
   * Zone of date-times written without an offset (CSV and text columns). Inferred from the bars when not
   * given (see core/data/naiveTimeZone.ts), UTC when they do not tell.
   */
  readonly naiveTimeZone?: NaiveTimeZone;
  /** The symbol's market calendar; inferred from the timestamps when not given (see assetCalendar.ts). */
  readonly calendar?: AssetCalendar;
  /** Called as a CSV file is read: bytes read so far and the file's size. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Told as the import moves on: reading the file, storing its bars, settling the symbol's calendar. */
  readonly onStage?: (stage: ImportStage) => void;
  /** Bytes of a CSV file parsed at a time (see PART_BYTES); smaller in tests to cross part boundaries. */
  readonly partBytes?: number;
  /** Where CSV parts are parsed: the compute pool in the services; in process by default (the CLI). */
  readonly parsePart?: CsvPartParser;
}

export type ImportStage = 'read' | 'store' | 'calendar';

/** Reads, parses and stages one part of a CSV file (see compute/csvPart.ts). */
export type CsvPartParser = (input: CsvFilePart) => Promise<CsvFilePartOutput>;

const parseInProcess: CsvPartParser = async (input) => parseCsvFilePart(input);

/**
 * Files above this size are refused before anything is read. The import streams, so memory is not the
 * limit; a bars file this large is almost always a mistake (a tick dump, the wrong file), and it would
 * hold the cache's single connection for minutes.
 */
export const MAX_IMPORT_BYTES = 4 * 1024 ** 3;

/**
 * A CSV file is parsed this many bytes at a time (cut at a line end): one part's text and columns stay
 * a few MB whatever the file's size, and parsing one part holds a worker for tens of ms only.
 */
const PART_BYTES = 1024 * 1024;

/** How date-times without an offset were read, and why: the import's answer says so. */
export interface NaiveZoneChoice {
  readonly zone: NaiveTimeZone;
  /** Given by the caller, inferred from the bars, UTC because they do not tell, or no such times. */
  readonly source: 'chosen' | 'inferred' | 'default' | 'not-needed';
  readonly basis: string;
}

export interface ImportResult {
  readonly file: string;
  readonly format: 'csv' | 'parquet';
  readonly symbol: string;
  readonly timeframe: string;
  readonly bars: number;
  readonly start: number;
  readonly end: number;
  readonly elapsedMs: number;
  readonly timeZone: NaiveZoneChoice;
  /** The symbol's market calendar: as given, as stored with the symbol, or inferred (`calendarInferred`). */
  readonly calendar: AssetCalendar;
  readonly calendarInferred: boolean;
  /**
   * Crypto day, week or month bars, stamped at 00:00 UTC of their dates (utcDayStamp) whatever hour the
   * file gave: `replaced` counts the stored bars of the same dates at another hour (00:00 New York, from
   * an import before) that they replaced. Null for other bars, stored at the stamps the file gives.
   */
  readonly utcDays: { readonly replaced: number } | null;
}

/** The calendar an import stores bars under, and whether it was inferred from the file's times. */
interface CalendarChoice {
  readonly calendar: AssetCalendar;
  readonly inferred: boolean;
}

/** The symbol a file name implies: "SPY_1min.csv" -> SPY, "GOOG.csv" -> GOOG, "brk.b.parquet" -> BRK.B. */
export function symbolFromFileName(path: string): string {
  const stem = basename(path, extname(path));
  const symbol = (stem.split(/[_\s-]/)[0] ?? '').toUpperCase();
  if (!/^[A-Z0-9.]{1,24}$/.test(symbol)) {
    throw new InputError(
      `Cannot tell the symbol from the file name "${basename(path)}": give the symbol`,
      'symbol',
    );
  }
  return symbol;
}

/**
 * A file's own symbol column passes the rule a symbol given by the user passes, so a formula, markup or
 * a 5,000-character cell is refused rather than stored as a dataset nobody can name. The cell is quoted
 * (and cut) in the message, never echoed raw.
 */
function checkFileSymbol(symbol: string, file: string, column = 'symbol'): string {
  if (SYMBOL_PATTERN.test(symbol)) return symbol.toUpperCase();
  const shown = JSON.stringify(symbol.length > 40 ? `${symbol.slice(0, 40)}…` : symbol);
  throw new DataValidationError(
    file,
    null,
    column,
    `${shown} (${symbol.length} characters) is not a symbol: ${SYMBOL_RULE}`,
  );
}

function checkTimeframe(timeframe: string, file: string): string {
  if (!/^[0-9]{1,3}(m|h|d|w|mo)$/.test(timeframe)) {
    throw new InputError(
      `${file}: "${timeframe}" is not a timeframe (use ${TIMEFRAMES.join(', ')})`,
      'timeframe',
    );
  }
  return timeframe;
}

/**
 * Imports a CSV or Parquet file of bars into the cache. The whole file is validated before anything is
 * stored, and stored in one transaction: a malformed file is refused with the row and column of its
 * first problem (a DataValidationError) and leaves the cache as it was.
 *
 * A CSV file is parsed part by part (on the compute pool in the services) into a staging file of plain
 * numbers beside the database; DuckDB then loads that file in one statement of one transaction. The
 * thread that parses a part reads it from the file and appends its rows to the staging file itself, so
 * the main thread handles no bytes and stays free for other requests, and DuckDB's own threads do the
 * storing (an appender on the main thread flushed synchronously, for seconds at a time).
 */
export async function importBarsFile(
  db: Database,
  path: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const stored = await storeBarsFile(db, path, options);
  options.onStage?.('calendar');
  // Stored with the symbol unless it came from there: every timeframe of it is read by that calendar.
  if (options.calendar || stored.calendarInferred)
    await new BarsRepository(db).setCalendar(stored.symbol, stored.calendar);
  return stored;
}

/**
 * The calendar an import stores a symbol's bars under, settled before they are stored since crypto days
 * are stamped by it: the one given, else the one stored with the symbol, else what the file's first
 * times show (inferAssetCalendar; a part of a CSV file, Parquet's first PARQUET_SAMPLE_ROWS rows).
 */
async function importCalendar(
  db: Database,
  symbol: string,
  options: ImportOptions,
  sample: Float64Array,
): Promise<CalendarChoice> {
  if (options.calendar) return { calendar: options.calendar, inferred: false };
  const stored = await new BarsRepository(db).storedCalendar(symbol);
  if (stored !== null) return { calendar: stored, inferred: false };
  return { calendar: inferAssetCalendar(sample), inferred: true };
}

/** Whether bars of a timeframe are a day or longer (1d, 1w, 1mo, 2d...): their stamps name dates. */
function isDayOrLonger(timeframe: string): boolean {
  return (timeframeSpanMs(timeframe) ?? 0) >= DAY_MS;
}

/** core/data/assetCalendar.ts's utcDayStamp of a DOUBLE column, in SQL. */
const utcDayStampSql = (column: string): string =>
  `floor((${column} + ${DAY_MS / 2}) / ${DAY_MS}) * ${DAY_MS}`;

const CHOSEN_BASIS = 'chosen for this import';

/** The choice when the caller gave the zone, or when the bars do not tell (`basis` says why not). */
function givenOrDefault(options: ImportOptions, basis: string): NaiveZoneChoice {
  return options.naiveTimeZone
    ? { zone: options.naiveTimeZone, source: 'chosen', basis: CHOSEN_BASIS }
    : { zone: 'UTC', source: 'default', basis: `${basis}: read as UTC, the default` };
}

/** The choice from a sample of the file's times read both ways (`asUtc` and `asNewYork` in one order). */
function zoneFromSample(
  options: ImportOptions,
  asUtc: Float64Array,
  asNewYork: Float64Array,
): NaiveZoneChoice {
  if (asUtc.every((t, i) => Object.is(t, asNewYork[i]))) {
    return {
      zone: options.naiveTimeZone ?? 'UTC',
      source: 'not-needed',
      basis: 'no date-time without an offset (dates, offsets or epoch numbers): no zone to choose',
    };
  }
  if (options.naiveTimeZone) return givenOrDefault(options, '');
  const guess = inferNaiveTimeZone(asUtc);
  return guess.zone === null
    ? givenOrDefault(options, guess.basis)
    : { zone: guess.zone, source: 'inferred', basis: guess.basis };
}

/**
 * Reads the start of a CSV file (one part) both ways, UTC and New York, to tell whether it has naive
 * date-times and, unless the caller chose, which zone they are in.
 */
async function naiveZoneOfCsv(
  path: string,
  options: ImportOptions,
  parse: CsvImportOptions,
): Promise<{ choice: NaiveZoneChoice; sample: Float64Array }> {
  const parsePart = options.parsePart ?? parseInProcess;
  const read = async (naiveTimeZone: NaiveTimeZone): Promise<Float64Array> => {
    const read = await parsePart({
      path,
      offset: 0,
      bytes: PART_BYTES,
      firstLine: 1,
      header: null,
      previous: null,
      parse: { ...parse, naiveTimeZone },
      withTimes: true,
    });
    if (!read.ok) throw refusalError(read.refusal);
    return read.part?.times ?? new Float64Array(0);
  };
  const [asUtc, asNewYork] = await Promise.all([read('UTC'), read('America/New_York')]);
  const choice = zoneFromSample(options, asUtc, asNewYork);
  // The times as they will be stored, for the calendar's inference.
  return { choice, sample: choice.zone === 'UTC' ? asUtc : asNewYork };
}

/** Staging folders are named this and six random characters (mkdtemp), beside the database. */
const STAGING_NAME = /^\.import-[A-Za-z0-9]{6}$/;

/** Staging folders of imports under way in this process: the only ones that are not left over. */
const activeStaging = new Set<string>();

/**
 * Removes the staging folders that killed imports left beside the database (each up to the size of the
 * file they read; nothing of them was stored). Only ours: a folder named as the importer names them,
 * owned by this user, not a link, and not an import under way in this process. No other process imports
 * into this folder meanwhile: the database file has one writing process. Returns the folders removed.
 */
export async function removeStaleStaging(db: Database): Promise<string[]> {
  if (db.path === ':memory:') return [];
  const folder = dirname(db.path);
  const removed: string[] = [];
  for (const name of await readdir(folder).catch(() => [])) {
    const path = join(folder, name);
    if (!STAGING_NAME.test(name) || activeStaging.has(path)) continue;
    const info = await lstat(path).catch(() => null);
    if (!info?.isDirectory() || info.uid !== process.getuid?.()) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

async function storeBarsFile(db: Database, path: string, options: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const file = basename(path);
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new NotFoundError(`${path}: no such file`, 'path');
  const extension = extname(path).toLowerCase();
  // Exclusive: the import stages rows in the connection's temp tables, which another import would replace.
  if (extension === '.parquet' || extension === '.pq')
    return db.exclusive(() => importParquet(db, path, options, started));
  if (extension !== '.csv' && extension !== '.txt') {
    throw new InputError(`${file}: unknown file type "${extension}" (expected .csv or .parquet)`, 'path');
  }
  if (info.size > MAX_IMPORT_BYTES) {
    throw new InputError(
      `${file} is ${(info.size / 1024 ** 3).toFixed(1)} GB; files up to ${MAX_IMPORT_BYTES / 1024 ** 3} GB are imported: split it (by year, say) and import the parts`,
      'path',
    );
  }
  const base: CsvImportOptions = {
    source: file,
    ...(options.symbol ? { symbol: options.symbol.toUpperCase() } : {}),
  };
  options.onStage?.('read');
  const { choice: timeZone, sample } = await naiveZoneOfCsv(path, options, base);
  const parse: CsvImportOptions = { ...base, naiveTimeZone: timeZone.zone };
  // Private, beside the database (same disk, same permissions), and removed whatever happens (or, after
  // a kill, by the next import or start: removeStaleStaging).
  await removeStaleStaging(db);
  const stagingDir = await mkdtemp(join(db.path === ':memory:' ? tmpdir() : dirname(db.path), '.import-'));
  activeStaging.add(stagingDir);
  try {
    const staged = join(stagingDir, 'bars.csv');
    // Created here, private; the parts' rows are appended to it where they are parsed.
    await (await open(staged, 'wx', 0o600)).close();
    let head: StagedPart | undefined;
    let bars = 0;
    let end = NaN;
    for await (const part of csvParts(path, info.size, options, parse, staged)) {
      head ??= part;
      bars += part.rows;
      if (part.rows > 0) end = part.lastT;
    }
    if (head === undefined || bars === 0)
      throw new DataValidationError(file, null, null, 'the file has no bars');
    const fileSymbol = head.fileSymbol === undefined ? undefined : checkFileSymbol(head.fileSymbol, file);
    const symbol = options.symbol?.toUpperCase() ?? fileSymbol ?? symbolFromFileName(path);
    // The spacing of the first part's bars (tens of thousands in a large file) names the timeframe.
    const timeframe = chosenTimeframe(options.timeframe, head.spacingLabel, file);
    const calendar = await importCalendar(db, symbol, options, sample);
    const utcDays = calendar.calendar === 'crypto' && isDayOrLonger(timeframe);
    const start = utcDays ? utcDayStamp(head.firstT) : head.firstT;
    const last = utcDays ? utcDayStamp(end) : end;
    let rows = stagedRows(staged);
    if (utcDays) {
      rows = `(SELECT * REPLACE (${utcDayStampSql('ts')} AS ts) FROM ${rows})`;
      await refuseSharedDates(db, file, rows);
    }
    options.onStage?.('store');
    const replaced = await underLoadSettings(db, () =>
      new BarsRepository(db).writeDistinctFromTable(
        symbol,
        timeframe,
        `import:${file}`,
        rows,
        { min: BigInt(Math.floor(start)), max: BigInt(Math.ceil(last)) },
        { replaceSameDate: utcDays },
      ),
    );
    return {
      file,
      format: 'csv',
      symbol,
      timeframe,
      bars,
      start,
      end: last,
      elapsedMs: performance.now() - started,
      timeZone,
      calendar: calendar.calendar,
      calendarInferred: calendar.inferred,
      utcDays: utcDays ? { replaced } : null,
    };
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
    activeStaging.delete(stagingDir);
  }
}

/**
 * DuckDB's settings while it loads the staging file. By default (a limit of 80 % of the RAM) it kept every
 * block it wrote cached, and its threads' read buffers and row groups besides: a 1 GB file's load grew
 * the process by ~300 MB. Under this limit it evicts written blocks (they are in the database file
 * already), and one thread keeps the rows in file order without the parallel insert's buffered batches,
 * for less CPU too, leaving the other cores to the app (5M staged rows: +88 MB and 7.5 s of CPU, against
 * +147 MB and 9.8 s by default). 48 MiB rather than 96: the 1 GB import bench's peak went from 349 MB
 * (302-348 MB in the load) to 292 MB for the same time (82 s); 32 MiB fails the load with DuckDB's
 * out-of-memory error, with or without preserve_insertion_order = false, so 48 MiB keeps a margin above
 * what the load pins.
 */
const LOAD_SETTINGS = { memory_limit: '48MiB', threads: '1' } as const;

/** DuckDB's words for running out of memory, also in a COMMIT ("Failed to commit: failed to pin block"). */
const OUT_OF_MEMORY = /out of memory|failed to pin block|could not allocate|failed to allocate/i;

/**
 * `work` under the load's settings; if DuckDB runs out of memory there, `work` again at the database's
 * own settings. The bars' primary-key index must fit in memory and grows with the rows stored and loaded,
 * so a file or a store bigger than the 1 GB the limit was measured on may need more: it then costs
 * memory, not the import. The failed attempt's transaction rolled back, so nothing of it is stored.
 */
export async function underLoadSettings<T>(
  db: Database,
  work: () => Promise<T>,
  settings: Readonly<Partial<Record<DuckDBSetting, string>>> = LOAD_SETTINGS,
): Promise<T> {
  try {
    return await db.withSettings(settings, work);
  } catch (error) {
    if (!OUT_OF_MEMORY.test(error instanceof Error ? error.message : String(error))) throw error;
    return work();
  }
}

/**
 * The staging file as a relation DuckDB reads (see STAGED_COLUMNS): no sniffing, every column a double.
 * A staged row is under 200 bytes, so 1 MB read buffers do (the default is 32 MB per thread).
 */
function stagedRows(path: string): string {
  const columns = STAGED_COLUMNS.map((name) => `'${name}': 'DOUBLE'`).join(', ');
  return `read_csv(${quoteLiteral(literalGlob(path))}, header = false, delim = ',', auto_detect = false,
    columns = {${columns}}, max_line_size = 4096, buffer_size = ${2 ** 20})`;
}

/**
 * Has a CSV file read, parsed and staged part by part (see compute/csvPart.ts), each with the header and
 * the previous part's last row in front of it. Yields the parsed parts in file order; a refused part is
 * thrown as the DataValidationError it was.
 */
async function* csvParts(
  path: string,
  size: number,
  options: ImportOptions,
  parse: CsvImportOptions,
  staging: string,
): AsyncGenerator<StagedPart> {
  const bytes = options.partBytes ?? PART_BYTES;
  const parsePart = options.parsePart ?? parseInProcess;
  let header: string | null = null;
  let previous: CsvLine | null = null;
  let firstLine = 1;
  let offset = 0;
  for (;;) {
    const read = await parsePart({ path, offset, bytes, firstLine, header, previous, parse, staging });
    if (!read.ok) throw refusalError(read.refusal);
    offset += read.taken;
    firstLine += read.lineEnds;
    options.onProgress?.(Math.min(offset, size), size);
    if (read.part !== null) {
      header ??= read.part.header;
      previous = read.part.last;
      yield read.part;
    }
    if (read.atEnd) return;
  }
}

/**
 * A file's text. Pure ASCII (nearly every bars file) is decoded as Latin-1, which gives the same string as
 * UTF-8 for those bytes but as a flat one-byte string the CSV reader scans markedly faster than the one
 * the UTF-8 decoder builds; anything else (a BOM, accented names) is decoded as UTF-8.
 */
export async function readTextFile(path: string): Promise<string> {
  const bytes = await readFile(path);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * The timeframe the bars are stored under: the one given, unless the timestamps' spacing shows it cannot
 * be theirs, else the spacing's. Daily bars given as 7m, or minute bars as 1d, were stored under that
 * name and resampled, annualised and backtested as such. Bars closer together than the given timeframe
 * are not its bars; intraday bars a day or more apart are day bars. (Sparser intraday bars than the
 * given timeframe pass: a thinly traded symbol skips minutes.)
 */
function chosenTimeframe(given: string | undefined, spacingLabel: string, file: string): string {
  if (given === undefined) return checkTimeframe(timeframeFromSpacing(spacingLabel, file), file);
  const givenMs = timeframeSpanMs(checkTimeframe(given, file));
  const spacingMs = timeframeSpanMs(spacingLabel);
  if (
    spacingMs !== null &&
    givenMs !== null &&
    (spacingMs < givenMs || (givenMs < DAY_MS && spacingMs >= DAY_MS))
  ) {
    throw new InputError(
      `${file}: its bars are ${spacingLabel} apart, so they are not ${given} bars: ` +
        `give ${spacingLabel} or leave the timeframe to the file`,
      'timeframe',
    );
  }
  return given;
}

/** The least time between two bars of a timeframe label (`7m`, `1d`, `1mo`); null for `irregular`. */
export function timeframeSpanMs(label: string): number | null {
  const match = /^([0-9]{1,3})(m|h|d|w|mo)$/.exec(label);
  if (!match) return null;
  // A month is at least 28 days; a trading "day" bar follows the previous one at least a day later.
  const unit = { m: MINUTE_MS, h: 60 * MINUTE_MS, d: DAY_MS, w: 7 * DAY_MS, mo: 28 * DAY_MS }[
    match[2] as 'm' | 'h' | 'd' | 'w' | 'mo'
  ];
  return Number(match[1]) * unit;
}

function timeframeFromSpacing(label: string, file: string): string {
  if (label === 'irregular') {
    throw new InputError(
      `${file}: the timestamps have no regular spacing, so the timeframe is unknown: give the timeframe`,
      'timeframe',
    );
  }
  return label;
}

// ---------------------------------------------------------------------------------------------------------
// Parquet, read by DuckDB itself

const ALIASES: Record<'t' | 'o' | 'h' | 'l' | 'c' | 'v' | 'vw' | 'n', readonly string[]> = {
  t: ['timestamp', 't', 'ts', 'time', 'datetime', 'date', 'index', 'level0', 'gmttime', 'startedat'],
  o: ['open', 'o'],
  h: ['high', 'h'],
  l: ['low', 'l'],
  c: ['close', 'c', 'closelast'],
  v: ['volume', 'v', 'vol'],
  vw: ['vwap', 'vw'],
  n: ['tradecount', 'n', 'transactions', 'trades', 'numtrades'],
};

const normalise = (name: string): string => name.toLowerCase().replace(/[\s_\-/.]/g, '');
const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * A DuckDB file pattern matching exactly this path. read_parquet expands `*`, `?` and `[…]` in any path
 * it is given, so "*.parquet" would pull in its neighbours; each special character is escaped as a
 * one-character class, which matches only itself.
 */
function literalGlob(path: string): string {
  return path.replace(/[*?[]/g, (c) => `[${c}]`);
}

async function importParquet(
  db: Database,
  path: string,
  options: ImportOptions,
  started: number,
): Promise<ImportResult> {
  const file = basename(path);
  options.onStage?.('read');
  const source = `read_parquet(${quoteLiteral(literalGlob(path))}, file_row_number = true)`;
  let described: { column_name: string; column_type: string }[];
  try {
    described = await db.all(`DESCRIBE SELECT * FROM ${source}`);
  } catch (error) {
    throw new DataValidationError(file, null, null, `not a readable Parquet file (${firstLine(error)})`);
  }
  const columns = described
    .filter((c) => c.column_name !== 'file_row_number')
    .map((c) => ({ name: c.column_name, type: c.column_type }));
  const find = (key: keyof typeof ALIASES): { name: string; type: string } | undefined =>
    columns.find((c) => ALIASES[key].includes(normalise(c.name)));
  const time = find('t') ?? columns[0];
  const fields = { o: find('o'), h: find('h'), l: find('l'), c: find('c') };
  for (const [key, label] of [
    ['o', 'open'],
    ['h', 'high'],
    ['l', 'low'],
    ['c', 'close'],
  ] as const) {
    if (!fields[key])
      throw new DataValidationError(
        file,
        null,
        label,
        `no ${label} column (columns: ${columns.map((c) => c.name).join(', ')})`,
      );
  }
  if (!time) throw new DataValidationError(file, null, null, 'no columns');
  const volume = find('v');
  const vwap = find('vw');
  const trades = find('n');
  const timeName = time.name;
  const timeType = time.type;
  const symbolColumn = columns.find((c) => ['symbol', 'ticker', 's'].includes(normalise(c.name)));

  // Text timestamps are parsed by the same rules as CSV (in JS); typed ones are converted by DuckDB.
  const textTime = /CHAR|STRING|TEXT/i.test(timeType);
  const timeZone = await naiveZoneOfParquet(db, source, time, textTime, options);
  const zoned: ImportOptions = { ...options, naiveTimeZone: timeZone.zone };
  const tsExpr = textTime ? 'NULL::DOUBLE' : timeExpression(quoteIdent(timeName), timeType, zoned);
  const num = (field: { name: string } | undefined): string =>
    field ? `${quoteIdent(field.name)}::DOUBLE` : 'NULL::DOUBLE';
  await db.run('DROP TABLE IF EXISTS import_parquet');
  try {
    await db.run(
      `CREATE TEMP TABLE import_parquet AS SELECT file_row_number + 1 AS rn, ${tsExpr} AS ts,
         ${textTime ? `${quoteIdent(timeName)}::VARCHAR` : 'NULL::VARCHAR'} AS ts_text,
         ${num(fields.o)} AS open, ${num(fields.h)} AS high, ${num(fields.l)} AS low, ${num(fields.c)} AS close,
         ${volume ? num(volume) : '0::DOUBLE'} AS volume, ${num(vwap)} AS vwap, ${num(trades)} AS trade_count,
         ${symbolColumn ? `${quoteIdent(symbolColumn.name)}::VARCHAR` : 'NULL::VARCHAR'} AS symbol
       FROM ${source}`,
    );
    if (textTime) await parseTextTimes(db, file, timeName, zoned);
    const labels = {
      t: timeName,
      o: fields.o!.name,
      h: fields.h!.name,
      l: fields.l!.name,
      c: fields.c!.name,
      v: volume?.name ?? 'volume',
    };
    await validateParquet(db, file, labels);
    const [summary] = await db.all<{
      n: number;
      start: number;
      end: number;
      symbols: number;
      symbol: string | null;
      gap: number | null;
    }>(
      `SELECT count(*)::INTEGER AS n, min(ts)::DOUBLE AS start, max(ts)::DOUBLE AS "end",
         count(DISTINCT symbol)::INTEGER AS symbols, any_value(symbol) AS symbol,
         (SELECT median(gap)::DOUBLE FROM (SELECT ts - lag(ts) OVER (ORDER BY rn) AS gap FROM import_parquet
            ORDER BY rn LIMIT 100001) WHERE gap > 0) AS gap
       FROM import_parquet`,
    );
    if (!summary || summary.n === 0) throw new DataValidationError(file, null, null, 'the file has no bars');
    if (summary.symbols > 1) {
      throw new DataValidationError(file, null, symbolColumn?.name ?? 'symbol', 'holds more than one symbol');
    }
    const fileSymbol =
      summary.symbol === null ? undefined : checkFileSymbol(summary.symbol, file, symbolColumn?.name);
    if (options.symbol && fileSymbol && fileSymbol !== options.symbol.toUpperCase()) {
      throw new DataValidationError(
        file,
        null,
        symbolColumn?.name ?? 'symbol',
        `holds ${fileSymbol}, not ${options.symbol}`,
      );
    }
    const symbol = options.symbol?.toUpperCase() ?? fileSymbol ?? symbolFromFileName(path);
    const label = summary.gap === null ? 'irregular' : inferTimeframe(Float64Array.of(0, summary.gap)).label;
    const timeframe = chosenTimeframe(options.timeframe, label, file);
    const sample = await db.all<{ t: number }>(
      `SELECT ts AS t FROM import_parquet ORDER BY rn LIMIT ${PARQUET_SAMPLE_ROWS}`,
    );
    const calendar = await importCalendar(
      db,
      symbol,
      options,
      Float64Array.from(sample, (row) => row.t),
    );
    const utcDays = calendar.calendar === 'crypto' && isDayOrLonger(timeframe);
    if (utcDays) {
      await db.run(`UPDATE import_parquet SET ts = ${utcDayStampSql('ts')}`);
      await refuseSharedDates(db, file, 'import_parquet');
    }
    options.onStage?.('store');
    const replaced = await new BarsRepository(db).writeFromTable(
      symbol,
      timeframe,
      `import:${file}`,
      'import_parquet',
      { replaceSameDate: utcDays },
    );
    return {
      file,
      format: 'parquet',
      symbol,
      timeframe,
      bars: summary.n,
      start: utcDays ? utcDayStamp(summary.start) : summary.start,
      end: utcDays ? utcDayStamp(summary.end) : summary.end,
      elapsedMs: performance.now() - started,
      timeZone,
      calendar: calendar.calendar,
      calendarInferred: calendar.inferred,
      utcDays: utcDays ? { replaced } : null,
    };
  } finally {
    await db.run('DROP TABLE IF EXISTS import_parquet');
  }
}

/**
 * Refuses day bars that would share a UTC date once stamped at its midnight (two bars of one date at
 * hours more than 12 hours apart), naming the date, before anything is stored.
 */
async function refuseSharedDates(db: Database, file: string, rows: string): Promise<void> {
  const [shared] = await db.all<{ t: number }>(
    `SELECT ts AS t FROM ${rows} GROUP BY ts HAVING count(*) > 1 ORDER BY ts LIMIT 1`,
  );
  if (shared) {
    throw new DataValidationError(
      file,
      null,
      'timestamp',
      `two bars fall on ${new Date(shared.t).toISOString().slice(0, 10)}: crypto day bars are stamped at 00:00 UTC of their date, one bar a date`,
    );
  }
}

/** Rows of a Parquet file whose times are read both ways to choose the zone of naive ones. */
const PARQUET_SAMPLE_ROWS = 100_000;

/** naiveZoneOfCsv for a Parquet time column: its first rows read as UTC and as New York time. */
async function naiveZoneOfParquet(
  db: Database,
  source: string,
  time: { name: string; type: string },
  textTime: boolean,
  options: ImportOptions,
): Promise<NaiveZoneChoice> {
  const column = quoteIdent(time.name);
  const sample = `FROM ${source} ORDER BY file_row_number LIMIT ${PARQUET_SAMPLE_ROWS}`;
  if (textTime) {
    const rows = await db.all<{ s: string | null }>(`SELECT ${column}::VARCHAR AS s ${sample}`);
    const read = (newYork: boolean): Float64Array =>
      Float64Array.from(rows, ({ s }) => (s === null ? NaN : parseTimestamp(s, 0, s.length, newYork)));
    return zoneFromSample(options, read(false), read(true));
  }
  const rows = await db.all<{ u: number | null; y: number | null }>(
    `SELECT ${timeExpression(column, time.type, { naiveTimeZone: 'UTC' })} AS u,
       ${timeExpression(column, time.type, { naiveTimeZone: 'America/New_York' })} AS y ${sample}`,
  );
  return zoneFromSample(
    options,
    Float64Array.from(rows, (r) => r.u ?? NaN),
    Float64Array.from(rows, (r) => r.y ?? NaN),
  );
}

/** Epoch ms from a typed Parquet time column; plain dates are stamped at 00:00 New York like CSV dates. */
function timeExpression(column: string, type: string, options: ImportOptions): string {
  const upper = type.toUpperCase();
  if (upper === 'DATE') return `epoch_ms(timezone('America/New_York', ${column}::TIMESTAMP))::DOUBLE`;
  if (upper.startsWith('TIMESTAMP WITH TIME ZONE') || upper === 'TIMESTAMPTZ')
    return `epoch_ms(${column})::DOUBLE`;
  if (upper.startsWith('TIMESTAMP')) {
    return options.naiveTimeZone === 'America/New_York'
      ? `epoch_ms(timezone('America/New_York', ${column}::TIMESTAMP))::DOUBLE`
      : `epoch_ms(${column}::TIMESTAMP)::DOUBLE`;
  }
  if (/INT|DOUBLE|FLOAT|DECIMAL|REAL|NUMERIC/.test(upper)) {
    // Epoch numbers: the unit follows the magnitude, as for CSV (seconds, ms, us, ns).
    const x = `${column}::DOUBLE`;
    return `CASE WHEN abs(${x}) < 1e11 THEN ${x} * 1000 WHEN abs(${x}) < 1e14 THEN ${x}
              WHEN abs(${x}) < 1e17 THEN ${x} / 1000 ELSE ${x} / 1e6 END`;
  }
  return 'NULL::DOUBLE';
}

async function parseTextTimes(
  db: Database,
  file: string,
  column: string,
  options: ImportOptions,
): Promise<void> {
  const rows = await db.all<{ rn: number; ts_text: string | null }>(
    'SELECT rn::DOUBLE AS rn, ts_text FROM import_parquet ORDER BY rn',
  );
  const times = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const text = rows[i]!.ts_text ?? '';
    const t = parseTimestamp(text, 0, text.length, options.naiveTimeZone === 'America/New_York');
    if (!Number.isFinite(t)) {
      throw new DataValidationError(file, null, column, `row ${rows[i]!.rn}: unreadable timestamp "${text}"`);
    }
    times[i] = t;
  }
  await db.run('CREATE OR REPLACE TEMP TABLE import_parquet_times (rn DOUBLE, ts DOUBLE)');
  const appender = await db.connection.createAppender('import_parquet_times', 'main', 'temp');
  try {
    for (let i = 0; i < times.length; i++) {
      appender.appendDouble(rows[i]!.rn);
      appender.appendDouble(times[i]!);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await db.run(
    'UPDATE import_parquet SET ts = p.ts FROM import_parquet_times p WHERE p.rn = import_parquet.rn',
  );
  await db.run('DROP TABLE import_parquet_times');
}

/** The staging table's column of each bar column. */
const STAGED_COLUMN: Readonly<Record<BarColumn, string>> = {
  t: 'ts',
  o: 'open',
  h: 'high',
  l: 'low',
  c: 'close',
  v: 'volume',
};

/** A check of core/data/validate.ts as a SQL condition that is true when the row fails it. */
function failsInSql(rule: BarRule): string {
  const x = STAGED_COLUMN[rule.column];
  switch (rule.kind) {
    case 'finite':
      return `${x} IS NULL OR NOT isfinite(${x})`;
    case 'within':
      return `${x} < ${rule.min} OR ${x} >= ${rule.max}`;
    case 'positive':
      return `${x} IS NULL OR NOT isfinite(${x}) OR ${x} <= 0`;
    case 'non-negative':
      return `${x} IS NULL OR NOT isfinite(${x}) OR ${x} < 0`;
    case 'at-least-max':
      return `${x} < greatest(${rule.of.map((c) => STAGED_COLUMN[c]).join(', ')})`;
    case 'at-most-min':
      return `${x} > least(${rule.of.map((c) => STAGED_COLUMN[c]).join(', ')})`;
    case 'differs-from-previous':
      return `${x} = previous_${x}`;
    case 'not-before-previous':
      return `${x} < previous_${x}`;
  }
}

/**
 * Finds the first bad row (in file order) with SQL, checking in the table's order so the verdict is the
 * one the CSV reader gives, and refuses the file naming its row and column.
 */
async function validateParquet(
  db: Database,
  file: string,
  labels: Readonly<Record<BarColumn, string>>,
): Promise<void> {
  const cases = BAR_PROBLEM_CODES.map(
    (code, i) => `WHEN ${failsInSql(BAR_PROBLEMS[code].rule)} THEN ${i}`,
  ).join(' ');
  const [bad] = await db.all<{
    rn: number;
    problem: number;
    t: number | null;
    o: number | null;
    h: number | null;
    l: number | null;
    c: number | null;
    v: number | null;
  }>(
    `SELECT rn::DOUBLE AS rn, problem, ts AS t, open AS o, high AS h, low AS l, close AS c, volume AS v FROM (
       SELECT *, CASE ${cases} ELSE NULL END AS problem
       FROM (SELECT *, lag(ts) OVER (ORDER BY rn) AS previous_ts FROM import_parquet))
     WHERE problem IS NOT NULL ORDER BY rn LIMIT 1`,
  );
  if (bad) {
    const value = (x: number | null): number => x ?? NaN;
    const bar = {
      t: value(bad.t),
      o: value(bad.o),
      h: value(bad.h),
      l: value(bad.l),
      c: value(bad.c),
      v: value(bad.v),
    };
    const time = Number.isFinite(bar.t) ? new Date(bar.t).toISOString() : String(bad.t);
    throw barProblemError(
      BAR_PROBLEM_CODES[bad.problem]!,
      bar,
      { source: file, at: `row ${bad.rn}` },
      { time, previous: `row ${bad.rn - 1}` },
      labels,
    );
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
