/**
 * CSV import of bars: the edge where outside price data enters Regimen, so it is checked here
 * once, and a bad file is refused with the line and column of its first problem.
 *
 * Layouts recognised (header names are matched case-insensitively, ignoring spaces, '_', '-', '/', '.'):
 * - OHLCV: open/high/low/close/volume (also o/h/l/c/v, vol, "Close/Last"); volume may be absent (filled with
 *   0 and reported as `volumeMissing`).
 * - A date/time column named date, datetime, time, timestamp, t, ts, index, "Gmt time", ... or the first
 *   column when its name is empty (pandas' unnamed index: the header line starts with ',') or unknown;
 *   separate "Date" and "Time" columns are combined.
 * - Yahoo: "Adj Close" is read into `extra.adjClose`; bars keep Close (Yahoo's Close is split-adjusted, not
 *   dividend-adjusted) unless `adjust: true`, which scales open/high/low by AdjClose/Close and uses Adj
 *   Close as close (volume unchanged).
 * - Alpaca: t/o/h/l/c/v with vw (-> `extra.vwap`) and n (-> `extra.tradeCount`); also vwap, transactions,
 *   trade_count. A symbol column (symbol, ticker, S) must hold one symbol only.
 * - No header at all: time, open, high, low, close[, volume] by position.
 *
 * Timestamps (rules documented because they decide which session a bar belongs to):
 * - ISO date-times with an offset or Z ("2024-02-20T04:00:00-05:00", "2024-02-20 09:00:00Z") are exact.
 * - Date-times without an offset ("2017-04-19 09:00:00") are UTC, unless `naiveTimeZone:
 *   'America/New_York'`.
 * - Plain dates ("2004-08-19", "20040819", "08/19/2004" read as US month/day/year) name a session date and
 *   are stamped at 00:00 America/New_York of that date, the convention Alpaca uses for 1Day bars; so
 *   `etDateKey(t)` gives back the date for any daily bar.
 * - Numbers are epoch time; the unit follows the magnitude: below 1e11 seconds, below 1e14 milliseconds,
 *   below 1e17 microseconds, else nanoseconds.
 *
 * Checks (each failure throws a DataValidationError naming source, 1-based file line and column): field
 * count equal to the header's, readable timestamps and numbers, then the bar checks of ../validate.ts
 * (finite positive prices, high/low around open and close, finite non-negative volume, strictly
 * increasing timestamps) that every other edge applies too.
 */
import type { Bars, BarsExtra, Timeframe } from '../bars.ts';
import { inferTimeframe, type SpacingGuess } from '../timeframe.ts';
import { barProblem, barProblemError, DataValidationError, orderProblem } from '../validate.ts';
import { detectDelimiter, headerFieldList, planColumns, Role, type ColumnPlan } from './header.ts';
import { parseDecimal, parseTimestamp, Scanner, splitFields, TimeZoneMark } from './scan.ts';

export interface CsvImportOptions {
  /** Shown in error messages: the file name (or symbol) the text came from. */
  source: string;
  /** The symbol the caller imports this file as; a symbol column in the file must agree with it. */
  symbol?: string;
  /** Zone of date-times written without an offset. Default 'UTC'. */
  naiveTimeZone?: 'UTC' | 'America/New_York';
  /** Adjust OHLC with Yahoo's Adj Close (see the module comment). Default false. */
  adjust?: boolean;
}

export interface CsvLayout {
  /** The header as written ([] when the file has none). */
  header: string[];
  /** Header label of each field used, as written (for messages). */
  columns: { t: string; o: string; h: string; l: string; c: string; v: string | null };
  /** Every timestamp was a plain date (daily or coarser data). */
  dateOnly: boolean;
  volumeMissing: boolean;
  /** OHLC were adjusted with Adj Close. */
  adjusted: boolean;
}

export interface CsvImport {
  bars: Bars;
  extra: BarsExtra;
  /** Timeframe inferred from the median spacing (null for monthly or irregular data; see `spacing`). */
  inferredTimeframe: Timeframe | null;
  spacing: SpacingGuess;
  /** The symbol named in the file's symbol column, if it has one. */
  fileSymbol?: string;
  layout: CsvLayout;
}

/** Rows as read, before the order and OHLC checks: may be unsorted, duplicated or inconsistent. */
export interface RawCsvRows extends CsvImport {
  /** 1-based line in the file of each row. */
  lineNumbers: Int32Array;
}

/** Parses and validates a bars CSV (see the module comment for layouts, timestamp rules and checks). */
export function parseBarsCsv(text: string, options: CsvImportOptions): CsvImport {
  const rows: Partial<RawCsvRows> & CsvImport = readCsv(text, options, true);
  delete rows.lineNumbers;
  return rows;
}

/**
 * Reads rows without the order and OHLC checks (for the quality report, which lists such problems instead
 * of refusing them). Unreadable text, wrong field counts and unreadable timestamps still throw.
 */
export function parseBarsCsvRows(text: string, options: CsvImportOptions): RawCsvRows {
  return readCsv(text, options, false);
}

/** What the fast row path does with each field. */
const enum FastField {
  Skip = 0,
  Time = 1,
  Number = 2,
  /** A number that may be empty (NaN), like `RowReader.optional`. */
  Optional = 3,
}

/** At most this many columns; a wider line is still split (its field count is reported). */
const MAX_COLUMNS = 64;

/** The first `n` values of a column: the column itself unless blank lines left it longer. */
function trimTo<T extends Float64Array | Int32Array>(column: T, n: number): T {
  return (column.length === n ? column : column.slice(0, n)) as T;
}

/** The header line (the first non-empty one) and where the data after it starts. */
interface HeaderLine {
  readonly text: string;
  readonly lineNumber: number;
  readonly start: number;
  readonly next: number;
}

/** The first bytes of every Parquet file. */
const PARQUET_MAGIC = 'PAR1';

/**
 * Refuses a binary file as such (a Parquet file, or a NUL byte in `line`, the line number `lineNumber`
 * of `text`), where it would otherwise be refused with its bytes quoted as header fields.
 */
export function refuseBinaryText(text: string, line: string, lineNumber: number, source: string): void {
  if (text.startsWith(PARQUET_MAGIC))
    throw new DataValidationError(source, null, null, 'a Parquet file, not CSV text');
  if (line.includes('\u0000'))
    throw new DataValidationError(source, lineNumber, null, 'binary data (a NUL byte), not CSV text');
}

/** The header line (see refuseBinaryText for a file that is not text). */
function findHeader(text: string, source: string): HeaderLine {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let lineNumber = 1; pos < text.length; lineNumber++) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = text.length;
    const end = eol > pos && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    const line = text.slice(pos, end);
    refuseBinaryText(text, line, lineNumber, source);
    if (line.trim() !== '') return { text: line, lineNumber, start: pos, next: eol + 1 };
    pos = eol + 1;
  }
  throw new DataValidationError(source, null, null, 'the file is empty');
}

/** The header's fields and their plan; a header error names the header's own line. */
function planHeader(
  header: HeaderLine,
  delimiter: string,
  source: string,
): { fields: string[]; plan: ColumnPlan } {
  const starts = new Int32Array(MAX_COLUMNS + 1);
  const ends = new Int32Array(MAX_COLUMNS + 1);
  const count = splitFields(header.text, 0, header.text.length, delimiter, starts, ends, MAX_COLUMNS);
  if (count > MAX_COLUMNS) throw new DataValidationError(source, header.lineNumber, null, 'too many columns');
  const fields: string[] = [];
  for (let i = 0; i < count; i++) fields.push(header.text.slice(starts[i], ends[i]).trim());
  try {
    return { fields, plan: planColumns(fields, source) };
  } catch (error) {
    if (error instanceof DataValidationError && error.line === 1 && header.lineNumber !== 1) {
      throw new DataValidationError(source, header.lineNumber, error.column, error.detail);
    }
    throw error;
  }
}

/**
 * Reads one line at a time into `time`..`volume`: `fastRow` in one pass over the characters for
 * machine-written shapes, `generalRow` for everything else (and the messages naming a bad cell). Both read
 * the same cells, so a line gives the same values whichever path reads it.
 */
class RowReader {
  time = NaN;
  open = NaN;
  high = NaN;
  low = NaN;
  close = NaN;
  volume = NaN;
  /** The last row was read by the fast path (its extra columns are in `fastValues`). */
  fast = false;
  /** Every timestamp so far was a plain date. */
  dateOnly = true;
  /** How the first date-time was written (with an offset or without), and its line. */
  private zone = TimeZoneMark.None;
  private zoneLine = 0;
  fileSymbol: string | undefined;
  private fileSymbolLine = 0;
  readonly starts = new Int32Array(MAX_COLUMNS + 1);
  readonly ends = new Int32Array(MAX_COLUMNS + 1);
  private readonly fastFields: Uint8Array;
  private readonly fastValues: Float64Array;
  private readonly fastPath: boolean;
  private readonly delimiter: string;
  private readonly scanner: Scanner;
  private readonly timeIndex: number;
  private readonly timeOfDayIndex: number;
  private readonly iOpen: number;
  private readonly iHigh: number;
  private readonly iLow: number;
  private readonly iClose: number;
  private readonly iVolume: number;

  constructor(
    private readonly text: string,
    private readonly delimiterCode: number,
    index: Int32Array,
    private readonly fields: readonly string[],
    private readonly names: CsvLayout['columns'] & { timeOfDay: string },
    private readonly source: string,
    naiveNewYork: boolean,
  ) {
    this.delimiter = String.fromCharCode(delimiterCode);
    this.scanner = new Scanner(naiveNewYork);
    this.timeIndex = index[Role.Time] !== -1 ? index[Role.Time]! : index[Role.Date]!;
    this.timeOfDayIndex = index[Role.Time] !== -1 ? -1 : index[Role.TimeOfDay]!;
    this.iOpen = index[Role.Open]!;
    this.iHigh = index[Role.High]!;
    this.iLow = index[Role.Low]!;
    this.iClose = index[Role.Close]!;
    this.iVolume = index[Role.Volume]!;
    this.fastFields = new Uint8Array(fields.length);
    this.fastValues = new Float64Array(fields.length);
    this.fastPath = this.timeOfDayIndex === -1;
    if (this.fastPath) {
      this.fastFields[this.timeIndex] = FastField.Time;
      for (const role of [Role.Open, Role.High, Role.Low, Role.Close, Role.Volume])
        if (index[role] !== -1) this.fastFields[index[role]!] = FastField.Number;
      for (const role of [Role.AdjClose, Role.Vwap, Role.TradeCount])
        if (index[role] !== -1) this.fastFields[index[role]!] = FastField.Optional;
    }
  }

  /** Reads line [lineStart, end); false for a blank line. Throws a DataValidationError for a bad cell. */
  read(lineStart: number, end: number, line: number): boolean {
    this.fast = this.fastPath && this.fastRow(lineStart, end);
    return this.fast || this.generalRow(lineStart, end, line);
  }

  /**
   * Refuses the last row's date-time when the first one was written with an offset and this one without,
   * or the other way round: those without were read in one zone for the whole file, which put them hours
   * off the others (unsorted rows at best, silently shifted bars at worst). A part of a large file starts
   * with the previous part's last row, so the check spans the cut.
   */
  checkZone(line: number): void {
    const zone = this.scanner.zone;
    if (zone === TimeZoneMark.None || zone === this.zone) return;
    if (this.zone === TimeZoneMark.None) {
      this.zone = zone;
      this.zoneLine = line;
      return;
    }
    const [has, other] = this.zone === TimeZoneMark.Offset ? ['no', 'one'] : ['a', 'none'];
    this.fail(
      line,
      this.names.t,
      `"${this.timeText()}" has ${has} UTC offset while line ${this.zoneLine}'s time has ${other}: ` +
        'mixed time zones (write every time with its offset, or every one without)',
    );
  }

  /** Every field of the line in one pass, or false: the general path reads the line again. */
  private fastRow(lineStart: number, end: number): boolean {
    const { text, delimiterCode, scanner, fastFields, fastValues, starts, ends } = this;
    const last = fastFields.length - 1;
    let p = lineStart;
    for (let j = 0; ; j++) {
      const kind = fastFields[j]!;
      let value = NaN;
      let stop: number;
      if (
        kind === FastField.Number ||
        (kind === FastField.Optional && p < end && text.charCodeAt(p) !== delimiterCode)
      ) {
        value = scanner.fastDecimal(text, p, end);
        stop = scanner.stop;
      } else if (kind === FastField.Time) {
        value = scanner.fastIsoTime(text, p, end);
        stop = scanner.stop;
        if (stop === -1 || (stop !== end && text.charCodeAt(stop) !== delimiterCode)) {
          // Another timestamp shape (a date, epoch numbers, a fraction of a second): the general reader.
          if (text.charCodeAt(p) === 34) return false;
          stop = text.indexOf(this.delimiter, p);
          if (stop === -1 || stop > end) stop = end;
          value = scanner.timestamp(text, p, stop);
          if (Number.isNaN(value)) return false;
          if (!scanner.dateOnly) this.dateOnly = false;
        } else {
          this.dateOnly = false;
        }
      } else if (kind === FastField.Optional) {
        stop = p;
      } else {
        if (p < end && text.charCodeAt(p) === 34) return false;
        stop = text.indexOf(this.delimiter, p);
        if (stop === -1 || stop > end) stop = end;
      }
      if (stop === -1) return false;
      starts[j] = p;
      ends[j] = stop;
      fastValues[j] = value;
      if (stop === end) {
        if (j !== last) return false;
        break;
      }
      if (text.charCodeAt(stop) !== delimiterCode || j === last) return false;
      p = stop + 1;
    }
    this.time = fastValues[this.timeIndex]!;
    this.open = fastValues[this.iOpen]!;
    this.high = fastValues[this.iHigh]!;
    this.low = fastValues[this.iLow]!;
    this.close = fastValues[this.iClose]!;
    this.volume = this.iVolume === -1 ? 0 : fastValues[this.iVolume]!;
    return true;
  }

  private generalRow(lineStart: number, end: number, line: number): boolean {
    const { text, names } = this;
    const count = splitFields(text, lineStart, end, this.delimiter, this.starts, this.ends, MAX_COLUMNS);
    if (count !== this.fields.length) {
      if (count === 1 && text.slice(lineStart, end).trim() === '') return false;
      this.fail(line, null, `expected ${this.fields.length} fields, found ${count}`);
    }
    if (this.timeOfDayIndex === -1) {
      this.time = this.scanner.timestamp(text, this.starts[this.timeIndex]!, this.ends[this.timeIndex]!);
      if (Number.isNaN(this.time))
        this.fail(line, names.t, `cannot read "${this.cell(this.timeIndex)}" as a date/time`);
      if (!this.scanner.dateOnly) this.dateOnly = false;
    } else {
      const combined = `${this.cell(this.timeIndex)} ${this.cell(this.timeOfDayIndex)}`;
      this.time = this.scanner.timestamp(combined, 0, combined.length);
      if (Number.isNaN(this.time))
        this.fail(line, `${names.t}" + "${names.timeOfDay}`, `cannot read "${combined}" as a date/time`);
      this.dateOnly = false;
    }
    this.open = this.number(this.iOpen, line, names.o);
    this.high = this.number(this.iHigh, line, names.h);
    this.low = this.number(this.iLow, line, names.l);
    this.close = this.number(this.iClose, line, names.c);
    this.volume = this.iVolume === -1 ? 0 : this.number(this.iVolume, line, names.v ?? 'volume');
    return true;
  }

  /** The time cell of the last row as written (for messages). */
  timeText(): string {
    return this.cell(this.timeIndex);
  }

  /** An optional number column of the last row (NaN when empty). */
  optional(i: number, line: number): number {
    if (this.fast) return this.fastValues[i]!;
    const value = parseDecimal(this.text, this.starts[i]!, this.ends[i]!);
    if (Number.isNaN(value) && this.cell(i) !== '')
      this.fail(line, this.fields[i]!, `"${this.cell(i)}" is not a number`);
    return value;
  }

  /** One symbol per file, and the one the caller imports it as. */
  checkSymbol(i: number, line: number, expected: string | undefined): void {
    const a = this.starts[i]!;
    const b = this.ends[i]!;
    const fileSymbol = this.fileSymbol;
    if (fileSymbol === undefined) {
      this.fileSymbol = this.cell(i);
      this.fileSymbolLine = line;
      if (expected !== undefined && this.fileSymbol.toUpperCase() !== expected.toUpperCase())
        this.fail(line, this.fields[i]!, `the file holds ${this.fileSymbol}, not ${expected}`);
    } else if (
      (b - a !== fileSymbol.length || !this.text.startsWith(fileSymbol, a)) &&
      this.cell(i) !== fileSymbol
    ) {
      this.fail(
        line,
        this.fields[i]!,
        `more than one symbol in the file (${fileSymbol} at line ${this.fileSymbolLine}, ${this.cell(i)} here); import one symbol per file`,
      );
    }
  }

  fail(line: number, column: string | null, detail: string): never {
    throw new DataValidationError(this.source, line, column, detail);
  }

  private cell(i: number): string {
    return this.text.slice(this.starts[i], this.ends[i]).trim();
  }

  private number(i: number, line: number, column: string): number {
    const value = parseDecimal(this.text, this.starts[i]!, this.ends[i]!);
    if (Number.isNaN(value)) {
      const raw = this.cell(i);
      this.fail(line, column, raw === '' ? 'empty value' : `"${raw}" is not a number`);
    }
    return value;
  }
}

function readCsv(text: string, options: CsvImportOptions, validate: boolean): RawCsvRows {
  const source = options.source;
  const header = findHeader(text, source);
  const delimiterCode = detectDelimiter(header.text);
  const { fields, plan } = planHeader(header, String.fromCharCode(delimiterCode), source);
  const index = plan.index;
  const label = (role: Role, fallback: string): string => {
    const i = index[role]!;
    return i === -1 ? fallback : plan.hasHeader ? fields[i] || fallback : fallback;
  };
  const iVolume = index[Role.Volume]!;
  const names = {
    t: label(Role.Time, label(Role.Date, 'time')),
    o: label(Role.Open, 'open'),
    h: label(Role.High, 'high'),
    l: label(Role.Low, 'low'),
    c: label(Role.Close, 'close'),
    v: iVolume === -1 ? null : label(Role.Volume, 'volume'),
  };
  const labels = { ...names, v: names.v ?? 'volume' };
  const naiveNewYork = options.naiveTimeZone === 'America/New_York';
  const reader = new RowReader(
    text,
    delimiterCode,
    index,
    fields,
    { ...names, timeOfDay: label(Role.TimeOfDay, 'time') },
    source,
    naiveNewYork,
  );

  // A header-less file's first line is data: read it again.
  let pos = header.next;
  let line = header.lineNumber;
  if (!plan.hasHeader) {
    if (Number.isNaN(parseTimestamp(fields[0]!, 0, fields[0]!.length)))
      reader.fail(
        line,
        null,
        `no open/high/low/close columns in the header (found: ${headerFieldList(fields)})`,
      );
    pos = header.start;
    line--;
  }

  // Capacity: the lines after the header (+1 for a header-less first row), exact unless there are blank
  // lines, so the columns usually need no trimming copy at the end.
  let capacity = plan.hasHeader ? 0 : 1;
  for (let p = text.indexOf('\n', header.next); p !== -1; p = text.indexOf('\n', p + 1)) capacity++;
  if (header.next < text.length && text.charCodeAt(text.length - 1) !== 10) capacity++;
  const t = new Float64Array(capacity);
  const o = new Float64Array(capacity);
  const h = new Float64Array(capacity);
  const l = new Float64Array(capacity);
  const c = new Float64Array(capacity);
  const v = new Float64Array(capacity);
  const [iAdj, iVwap, iTrades, iSymbol] = [Role.AdjClose, Role.Vwap, Role.TradeCount, Role.Symbol].map(
    (r) => index[r]!,
  ) as [number, number, number, number];
  const adj = iAdj === -1 ? null : new Float64Array(capacity);
  const vwap = iVwap === -1 ? null : new Float64Array(capacity);
  const trades = iTrades === -1 ? null : new Float64Array(capacity);
  const lines = new Int32Array(capacity);
  let n = 0;

  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = text.length;
    const end = eol > pos && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    line++;
    const lineStart = pos;
    pos = eol + 1;
    if (end === lineStart || !reader.read(lineStart, end, line)) continue;
    if (iSymbol !== -1) reader.checkSymbol(iSymbol, line, options.symbol);
    const { time, open, high, low, close, volume } = reader;
    if (validate) {
      reader.checkZone(line);
      const problem =
        barProblem(time, open, high, low, close, volume) ?? (n > 0 ? orderProblem(time, t[n - 1]!) : null);
      if (problem !== null) {
        const bar = { t: time, o: open, h: high, l: low, c: close, v: volume };
        const context = { time: reader.timeText(), previous: `line ${lines[n - 1]}` };
        throw barProblemError(problem, bar, { source, line }, context, labels);
      }
    }
    t[n] = time;
    o[n] = open;
    h[n] = high;
    l[n] = low;
    c[n] = close;
    v[n] = volume;
    if (adj !== null) {
      const value = reader.optional(iAdj, line);
      if (validate && !(value > 0) && !Number.isNaN(value))
        reader.fail(line, fields[iAdj]!, `adjusted close ${value} is not a positive price`);
      adj[n] = value;
    }
    if (vwap !== null) vwap[n] = reader.optional(iVwap, line);
    if (trades !== null) {
      const value = reader.optional(iTrades, line);
      if (validate && value < 0) reader.fail(line, fields[iTrades]!, `trade count ${value} is negative`);
      trades[n] = value;
    }
    lines[n] = line;
    n++;
  }
  if (n === 0) throw new DataValidationError(source, null, null, 'the file has no data rows');

  const bars: Bars = {
    t: trimTo(t, n),
    o: trimTo(o, n),
    h: trimTo(h, n),
    l: trimTo(l, n),
    c: trimTo(c, n),
    v: trimTo(v, n),
  };
  const extra: BarsExtra = {};
  if (vwap !== null) extra.vwap = trimTo(vwap, n);
  if (trades !== null) extra.tradeCount = trimTo(trades, n);
  const adjusted = adj !== null && options.adjust === true;
  if (adj !== null) {
    extra.adjClose = trimTo(adj, n);
    if (adjusted) adjustWithAdjClose(bars, extra.adjClose);
  }
  const spacing = inferTimeframe(bars.t);
  const result: RawCsvRows = {
    bars,
    extra,
    inferredTimeframe: spacing.timeframe,
    spacing,
    layout: {
      header: plan.hasHeader ? fields : [],
      columns: names,
      dateOnly: reader.dateOnly,
      volumeMissing: iVolume === -1,
      adjusted,
    },
    lineNumbers: trimTo(lines, n),
  };
  if (reader.fileSymbol !== undefined) result.fileSymbol = reader.fileSymbol;
  return result;
}

/** Scales open/high/low by AdjClose/Close and sets close = AdjClose (rows without Adj Close are kept). */
function adjustWithAdjClose(bars: Bars, adjClose: Float64Array): void {
  const { o, h, l, c } = bars;
  for (let i = 0; i < c.length; i++) {
    const adjusted = adjClose[i]!;
    if (!(adjusted > 0)) continue;
    const ratio = adjusted / c[i]!;
    const open = o[i]! * ratio;
    o[i] = open;
    c[i] = adjusted;
    // Rounding can move a scaled high a hair below the new close; keep the bar valid.
    h[i] = Math.max(h[i]! * ratio, open, adjusted);
    l[i] = Math.min(l[i]! * ratio, open, adjusted);
  }
}
