/**
 * CSV import and export of bars: the edge where outside price data enters Regimen, so it is checked here
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
 * count equal to the header's, readable timestamps and numbers, finite positive prices, high >=
 * max(open, close), low <= min(open, close), finite non-negative volume, strictly increasing timestamps.
 */
import type { Bars, Timeframe } from './bars.ts';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  dateKeyFromDays,
  daysFromCivil,
  etDateKey,
  daysInMonth,
  etWallTimeToUtc,
  formatDateKey,
} from './calendar.ts';
import { median as medianOf } from '../math/statistics.ts';
import { barProblem, barProblemError, DataValidationError, orderProblem } from './validate.ts';

/** Per-bar columns beyond OHLCV that some sources carry; same length as the bars. */
export interface BarsExtra {
  vwap?: Float64Array;
  tradeCount?: Float64Array;
  adjClose?: Float64Array;
}

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

/** What the spacing of timestamps says about the bar size. */
export interface SpacingGuess {
  /** A timeframe Regimen stores, or null (monthly data, irregular data, too few bars). */
  timeframe: Timeframe | null;
  /** '1m' | '5m' | '15m' | '1h' | '1d' | other whole minutes/hours like '30m', '4h' | '1w' | '1mo' | '3mo' | 'irregular'. */
  label: string;
  /** Median spacing between consecutive timestamps, ms (NaN with fewer than two bars). */
  medianSpacingMs: number;
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

// ---------------------------------------------------------------------------------------------------------
// Header recognition

const enum Role {
  Ignore = 0,
  Time = 1,
  Open = 2,
  High = 3,
  Low = 4,
  Close = 5,
  Volume = 6,
  AdjClose = 7,
  Vwap = 8,
  TradeCount = 9,
  Date = 10,
  TimeOfDay = 11,
  Symbol = 12,
}

const HEADER_NAMES: Record<string, Role> = {
  datetime: Role.Time,
  timestamp: Role.Time,
  t: Role.Time,
  ts: Role.Time,
  index: Role.Time,
  gmttime: Role.Time,
  localtime: Role.Time,
  dateutc: Role.Time,
  datetimeutc: Role.Time,
  timeutc: Role.Time,
  opentime: Role.Time,
  beginsat: Role.Time,
  starttime: Role.Time,
  bartime: Role.Time,
  day: Role.Date,
  date: Role.Date,
  time: Role.TimeOfDay,
  open: Role.Open,
  o: Role.Open,
  openprice: Role.Open,
  high: Role.High,
  h: Role.High,
  highprice: Role.High,
  low: Role.Low,
  l: Role.Low,
  lowprice: Role.Low,
  close: Role.Close,
  c: Role.Close,
  closeprice: Role.Close,
  closelast: Role.Close,
  last: Role.Close,
  volume: Role.Volume,
  v: Role.Volume,
  vol: Role.Volume,
  totalvolume: Role.Volume,
  adjclose: Role.AdjClose,
  adjustedclose: Role.AdjClose,
  vwap: Role.Vwap,
  vw: Role.Vwap,
  n: Role.TradeCount,
  transactions: Role.TradeCount,
  tradecount: Role.TradeCount,
  trades: Role.TradeCount,
  numberoftrades: Role.TradeCount,
  numtrades: Role.TradeCount,
  symbol: Role.Symbol,
  ticker: Role.Symbol,
  s: Role.Symbol,
};

function normalizeHeader(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

interface ColumnPlan {
  roles: Int8Array;
  /** Field index of each role, -1 when absent. */
  index: Int32Array;
  header: string[];
  hasHeader: boolean;
}

function planColumns(fields: string[], source: string): ColumnPlan {
  const normalized = fields.map(normalizeHeader);
  const roles = new Int8Array(fields.length);
  const index = new Int32Array(13).fill(-1);
  let known = 0;
  for (let i = 0; i < fields.length; i++) {
    const role = HEADER_NAMES[normalized[i]!] ?? Role.Ignore;
    if (role !== Role.Ignore) known++;
    if (role !== Role.Ignore && index[role] === -1) {
      index[role] = i;
      roles[i] = role;
    }
  }
  if (known === 0 && normalized[0] !== '') {
    // No header: time, open, high, low, close[, volume] by position.
    if (fields.length < 5)
      throw new DataValidationError(source, 1, null, 'no header and fewer than 5 fields');
    const positional = [Role.Time, Role.Open, Role.High, Role.Low, Role.Close, Role.Volume];
    roles.fill(Role.Ignore);
    index.fill(-1);
    for (let i = 0; i < Math.min(6, fields.length); i++) {
      roles[i] = positional[i]!;
      index[positional[i]!] = i;
    }
    return { roles, index, header: [], hasHeader: false };
  }
  // A lone "date" or "time" column is the timestamp; both together are combined.
  if (index[Role.Time] === -1) {
    if (index[Role.Date] !== -1 && index[Role.TimeOfDay] === -1) {
      index[Role.Time] = index[Role.Date]!;
      roles[index[Role.Date]!] = Role.Time;
      index[Role.Date] = -1;
    } else if (index[Role.Date] === -1 && index[Role.TimeOfDay] !== -1) {
      index[Role.Time] = index[Role.TimeOfDay]!;
      roles[index[Role.TimeOfDay]!] = Role.Time;
      index[Role.TimeOfDay] = -1;
    } else if (index[Role.Date] === -1 && roles[0] === Role.Ignore) {
      // Unnamed (or unknown) first column: pandas' index.
      index[Role.Time] = 0;
      roles[0] = Role.Time;
    }
  } else if (index[Role.Date] !== -1 || index[Role.TimeOfDay] !== -1) {
    // A full timestamp column wins; stray date/time columns are ignored.
    if (index[Role.Date] !== -1) roles[index[Role.Date]!] = Role.Ignore;
    if (index[Role.TimeOfDay] !== -1) roles[index[Role.TimeOfDay]!] = Role.Ignore;
    index[Role.Date] = -1;
    index[Role.TimeOfDay] = -1;
  }
  const required: [Role, string][] = [
    [Role.Open, 'open'],
    [Role.High, 'high'],
    [Role.Low, 'low'],
    [Role.Close, 'close'],
  ];
  if (index[Role.Time] === -1 && index[Role.Date] === -1) {
    throw new DataValidationError(
      source,
      1,
      null,
      `header has no date/time column (found: ${fields.join(', ')})`,
    );
  }
  for (const [role, name] of required) {
    if (index[role] === -1) {
      throw new DataValidationError(
        source,
        1,
        null,
        `header has no "${name}" column (found: ${fields.join(', ')})`,
      );
    }
  }
  return { roles, index, header: fields, hasHeader: true };
}

// ---------------------------------------------------------------------------------------------------------
// Field scanning without regular expressions or per-field strings

const POW10 = new Float64Array(23).map((_, i) => 10 ** i);

/**
 * Parses text[a, b) as a decimal number; NaN when it is not one. Plain decimals with up to 15 significant
 * digits are computed as integer / 10^k, which is exact-then-rounded like Number(); anything else (exponents,
 * long mantissas, "Infinity") falls back to Number(). A leading '$' is skipped.
 */
export function parseDecimal(s: string, a: number, b: number): number {
  while (a < b && s.charCodeAt(a) === 32) a++;
  while (b > a && s.charCodeAt(b - 1) === 32) b--;
  if (a === b) return NaN;
  let i = a;
  let ch = s.charCodeAt(i);
  let negative = false;
  if (ch === 45) {
    negative = true;
    i++;
  } else if (ch === 43) i++;
  if (i < b && s.charCodeAt(i) === 36) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  let dot = false;
  for (; i < b; i++) {
    ch = s.charCodeAt(i);
    const d = ch - 48;
    if (d >= 0 && d <= 9) {
      if (digits > 0 || d !== 0) digits++;
      mantissa = mantissa * 10 + d;
      if (dot) fraction++;
    } else if (ch === 46 && !dot) {
      dot = true;
    } else {
      return slowNumber(s, a, b);
    }
  }
  if (i === a || (dot && i - a === 1)) return NaN;
  if (digits > 15 || fraction > 22) return slowNumber(s, a, b);
  const value = fraction === 0 ? mantissa : mantissa / POW10[fraction]!;
  return negative ? -value : value;
}

function slowNumber(s: string, a: number, b: number): number {
  let text = s.slice(a, b);
  if (text.startsWith('$')) text = text.slice(1);
  const value = Number(text);
  return text.trim() === '' ? NaN : value;
}

function digitsValue(s: string, a: number, n: number): number {
  let value = 0;
  for (let i = a; i < a + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function countDigits(s: string, a: number, b: number): number {
  let i = a;
  while (i < b) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    i++;
  }
  return i - a;
}

/** Set by parseTimestamp: whether the last value was a plain date. */
let lastWasDateOnly = false;

/**
 * Parses text[a, b) as a timestamp (see the module comment for the rules); NaN when unreadable.
 * `naiveNewYork` makes date-times without an offset New York wall-clock time instead of UTC.
 */
export function parseTimestamp(s: string, a: number, b: number, naiveNewYork = false): number {
  while (a < b && s.charCodeAt(a) === 32) a++;
  while (b > a && s.charCodeAt(b - 1) === 32) b--;
  lastWasDateOnly = false;
  if (a === b) return NaN;
  const lead = countDigits(s, a, b);
  let year: number;
  let month: number;
  let day: number;
  let p: number;
  const next = a + lead < b ? s.charCodeAt(a + lead) : 0;
  if (lead === 4 && (next === 45 || next === 47)) {
    // YYYY-MM-DD or YYYY/MM/DD (month and day may have one digit)
    year = digitsValue(s, a, 4);
    p = a + 5;
    const monthDigits = countDigits(s, p, b);
    if (monthDigits < 1 || monthDigits > 2 || s.charCodeAt(p + monthDigits) !== next) return NaN;
    month = digitsValue(s, p, monthDigits);
    p += monthDigits + 1;
    const dayDigits = countDigits(s, p, b);
    if (dayDigits < 1 || dayDigits > 2) return NaN;
    day = digitsValue(s, p, dayDigits);
    p += dayDigits;
  } else if ((lead === 1 || lead === 2) && next === 47) {
    // MM/DD/YYYY (US order)
    month = digitsValue(s, a, lead);
    p = a + lead + 1;
    const dayDigits = countDigits(s, p, b);
    if (dayDigits < 1 || dayDigits > 2 || s.charCodeAt(p + dayDigits) !== 47) return NaN;
    day = digitsValue(s, p, dayDigits);
    p += dayDigits + 1;
    if (countDigits(s, p, b) !== 4) return NaN;
    year = digitsValue(s, p, 4);
    p += 4;
  } else if (lead === 8 && (next === 0 || next === 84 || next === 32) && isPlausibleCompactDate(s, a)) {
    // YYYYMMDD
    year = digitsValue(s, a, 4);
    month = digitsValue(s, a + 4, 2);
    day = digitsValue(s, a + 6, 2);
    p = a + 8;
  } else {
    const value = parseDecimal(s, a, b);
    if (!Number.isFinite(value)) return NaN;
    const magnitude = Math.abs(value);
    if (magnitude < 1e11) return Math.round(value * 1000);
    if (magnitude < 1e14) return Math.round(value);
    if (magnitude < 1e17) return Math.round(value / 1000);
    return Math.round(value / 1e6);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  const days = daysFromCivil(year, month, day);
  if (p === b) {
    lastWasDateOnly = true;
    return etWallTimeToUtc(days, 0);
  }
  const separator = s.charCodeAt(p);
  if (separator !== 84 && separator !== 116 && separator !== 32) return NaN;
  p++;
  while (p < b && s.charCodeAt(p) === 32) p++;
  const hourDigits = countDigits(s, p, b);
  if (hourDigits < 1 || hourDigits > 2 || s.charCodeAt(p + hourDigits) !== 58) return NaN;
  let hour = digitsValue(s, p, hourDigits);
  p += hourDigits + 1;
  if (countDigits(s, p, b) !== 2) return NaN;
  const minute = digitsValue(s, p, 2);
  p += 2;
  let second = 0;
  let millis = 0;
  if (p < b && s.charCodeAt(p) === 58) {
    if (countDigits(s, p + 1, b) !== 2) return NaN;
    second = digitsValue(s, p + 1, 2);
    p += 3;
    if (p < b && (s.charCodeAt(p) === 46 || s.charCodeAt(p) === 44)) {
      const fractionDigits = countDigits(s, p + 1, b);
      if (fractionDigits === 0) return NaN;
      const used = Math.min(fractionDigits, 3);
      millis = digitsValue(s, p + 1, used) * (used === 1 ? 100 : used === 2 ? 10 : 1);
      p += 1 + fractionDigits;
    }
  }
  while (p < b && s.charCodeAt(p) === 32) p++;
  // 12-hour clock suffix
  if (p + 1 < b && (s.charCodeAt(p + 1) === 77 || s.charCodeAt(p + 1) === 109)) {
    const ap = s.charCodeAt(p) | 32;
    if ((ap === 97 || ap === 112) && hour >= 1 && hour <= 12) {
      hour = (hour % 12) + (ap === 112 ? 12 : 0);
      p += 2;
      while (p < b && s.charCodeAt(p) === 32) p++;
    }
  }
  if (hour > 23 || minute > 59 || second > 60) return NaN;
  const wall = hour * HOUR_MS + minute * MINUTE_MS + second * 1000 + millis;
  if (p === b) {
    return naiveNewYork ? etWallTimeToUtc(days, wall / MINUTE_MS) : days * DAY_MS + wall;
  }
  const zone = s.charCodeAt(p);
  let offset = 0;
  if (zone === 90 || zone === 122) {
    p++;
  } else if (zone === 43 || zone === 45) {
    const hh = countDigits(s, p + 1, b);
    if (hh !== 2 && hh !== 4) return NaN;
    let offsetMinutes = digitsValue(s, p + 1, 2) * 60;
    if (hh === 4) {
      offsetMinutes += digitsValue(s, p + 3, 2);
      p += 5;
    } else {
      p += 3;
      if (p < b && s.charCodeAt(p) === 58) {
        if (countDigits(s, p + 1, b) !== 2) return NaN;
        offsetMinutes += digitsValue(s, p + 1, 2);
        p += 3;
      }
    }
    offset = (zone === 45 ? -offsetMinutes : offsetMinutes) * MINUTE_MS;
  } else if (b - p === 3) {
    const z = s.slice(p, b).toUpperCase();
    if (z !== 'UTC' && z !== 'GMT') return NaN;
    p = b;
  }
  if (p !== b) return NaN;
  return days * DAY_MS + wall - offset;
}

function isPlausibleCompactDate(s: string, a: number): boolean {
  const year = digitsValue(s, a, 4);
  const month = digitsValue(s, a + 4, 2);
  const day = digitsValue(s, a + 6, 2);
  return (
    year >= 1800 && year <= 2200 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  );
}

// ---------------------------------------------------------------------------------------------------------
// The reader

function detectDelimiter(headerLine: string): number {
  if (headerLine.includes(',')) return 44;
  if (headerLine.includes('\t')) return 9;
  if (headerLine.includes(';')) return 59;
  return 44;
}

/**
 * Splits s[a, b) into fields (start/end offsets, quotes stripped). Returns the field count, which may
 * exceed `capacity` (only the first `capacity` offsets are stored).
 */
function splitFields(
  s: string,
  a: number,
  b: number,
  delimiter: string,
  starts: Int32Array,
  ends: Int32Array,
  capacity: number,
): number {
  let count = 0;
  let p = a;
  for (;;) {
    let fieldStart = p;
    let fieldEnd: number;
    let stop: number;
    if (p < b && s.charCodeAt(p) === 34) {
      let q = s.indexOf('"', p + 1);
      while (q !== -1 && q + 1 < b && s.charCodeAt(q + 1) === 34) q = s.indexOf('"', q + 2);
      if (q === -1 || q >= b) q = b;
      fieldStart = p + 1;
      fieldEnd = q;
      stop = s.indexOf(delimiter, q);
      if (stop === -1 || stop > b) stop = b;
    } else {
      stop = s.indexOf(delimiter, p);
      if (stop === -1 || stop > b) stop = b;
      fieldEnd = stop;
    }
    if (count < capacity) {
      starts[count] = fieldStart;
      ends[count] = fieldEnd;
    }
    count++;
    if (stop >= b) return count;
    p = stop + 1;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The fast row path: one pass over a line's characters for the shapes machine-written files use (plain
// decimals, ISO date-times with Z or a ±HH:MM offset). Each scanner reads only a strict subset of what
// parseDecimal / parseTimestamp read, gives the same value for it, and otherwise reports "not mine"
// (scanStop = -1), so the reader falls back to the general path and its messages.

/** Set by the scanners: where the field they read stopped (the delimiter or line end), or -1. */
let scanStop = -1;

/**
 * Reads [-]digits[.digits] at s[a..] up to the first other character, with parseDecimal's arithmetic
 * (at most 15 significant digits and 22 decimals; anything longer is left to parseDecimal).
 */
function scanDecimal(s: string, a: number, end: number): number {
  let i = a;
  let negative = false;
  if (i < end && s.charCodeAt(i) === 45) {
    negative = true;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let seen = 0;
  let fraction = 0;
  let dot = false;
  for (; i < end; i++) {
    const ch = s.charCodeAt(i);
    const d = ch - 48;
    if (d >= 0 && d <= 9) {
      if (digits > 0 || d !== 0) digits++;
      mantissa = mantissa * 10 + d;
      seen++;
      if (dot) fraction++;
    } else if (ch === 46 && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (seen === 0 || digits > 15 || fraction > 22) {
    scanStop = -1;
    return NaN;
  }
  scanStop = i;
  const value = fraction === 0 ? mantissa : mantissa / POW10[fraction]!;
  return negative ? -value : value;
}

function twoDigits(s: string, i: number): number {
  const hi = s.charCodeAt(i) - 48;
  const lo = s.charCodeAt(i + 1) - 48;
  return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : -1;
}

/** The last date the ISO scanner converted (a file's rows share dates), as YYYYMMDD and day number. */
let scannedDateKey = -1;
let scannedDays = 0;

/**
 * Reads YYYY-MM-DD(T| )HH:MM[:SS] followed by Z, ±HH:MM or nothing (UTC; with `naiveNewYork` that case
 * is left to parseTimestamp), the value parseTimestamp gives these shapes.
 */
function scanIsoTime(s: string, a: number, end: number, naiveNewYork: boolean): number {
  scanStop = -1;
  if (end - a < 16) return NaN;
  const y1 = twoDigits(s, a);
  const y2 = twoDigits(s, a + 2);
  const month = twoDigits(s, a + 5);
  const day = twoDigits(s, a + 8);
  const separator = s.charCodeAt(a + 10);
  if (
    y1 < 0 ||
    y2 < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    s.charCodeAt(a + 4) !== 45 ||
    s.charCodeAt(a + 7) !== 45 ||
    (separator !== 84 && separator !== 116 && separator !== 32) ||
    s.charCodeAt(a + 13) !== 58
  ) {
    return NaN;
  }
  const year = y1 * 100 + y2;
  const key = year * 10000 + month * 100 + day;
  if (key !== scannedDateKey) {
    if (day > daysInMonth(year, month)) return NaN;
    scannedDateKey = key;
    scannedDays = daysFromCivil(year, month, day);
  }
  const hour = twoDigits(s, a + 11);
  const minute = twoDigits(s, a + 14);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return NaN;
  let p = a + 16;
  let second = 0;
  if (p < end && s.charCodeAt(p) === 58) {
    if (p + 3 > end) return NaN;
    second = twoDigits(s, p + 1);
    if (second < 0 || second > 60) return NaN;
    p += 3;
  }
  let offset = 0;
  const zone = p < end ? s.charCodeAt(p) : -1;
  if (zone === 90 || zone === 122) {
    p++;
  } else if (zone === 43 || zone === 45) {
    if (p + 6 > end || s.charCodeAt(p + 3) !== 58) return NaN;
    const hh = twoDigits(s, p + 1);
    const mm = twoDigits(s, p + 4);
    if (hh < 0 || mm < 0) return NaN;
    offset = (zone === 45 ? -(hh * 60 + mm) : hh * 60 + mm) * MINUTE_MS;
    p += 6;
  } else if (naiveNewYork) {
    return NaN;
  }
  scanStop = p;
  return scannedDays * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * 1000 - offset;
}

/** What the fast row path does with each field. */
const enum FastField {
  Skip = 0,
  Time = 1,
  Number = 2,
  /** A number that may be empty (NaN), like optionalNumber. */
  Optional = 3,
}

function growTo(column: Float64Array, n: number): Float64Array {
  return column.length === n ? column : column.slice(0, n);
}

function readCsv(text: string, options: CsvImportOptions, validate: boolean): RawCsvRows {
  const source = options.source;
  const naiveNewYork = options.naiveTimeZone === 'America/New_York';
  const length = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let lineNumber = 0;

  // First non-empty line: the header (or the first row of a header-less file).
  let headerLine = '';
  let headerLineNumber = 0;
  let headerStart = 0;
  while (pos < length) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = length;
    let end = eol;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    lineNumber++;
    const line = text.slice(pos, end);
    if (line.trim() !== '') {
      headerLine = line;
      headerLineNumber = lineNumber;
      headerStart = pos;
      pos = eol + 1;
      break;
    }
    pos = eol + 1;
  }
  if (headerLineNumber === 0) throw new DataValidationError(source, null, null, 'the file is empty');
  const delimiterCode = detectDelimiter(headerLine);
  const delimiter = String.fromCharCode(delimiterCode);
  const headerCapacity = 64;
  const starts = new Int32Array(headerCapacity + 1);
  const ends = new Int32Array(headerCapacity + 1);
  const headerCount = splitFields(headerLine, 0, headerLine.length, delimiter, starts, ends, headerCapacity);
  if (headerCount > headerCapacity)
    throw new DataValidationError(source, headerLineNumber, null, 'too many columns');
  const headerFields: string[] = [];
  for (let i = 0; i < headerCount; i++) headerFields.push(headerLine.slice(starts[i], ends[i]).trim());
  let plan: ColumnPlan;
  try {
    plan = planColumns(headerFields, source);
  } catch (error) {
    if (error instanceof DataValidationError && error.line === 1 && headerLineNumber !== 1) {
      throw new DataValidationError(source, headerLineNumber, error.column, error.detail);
    }
    throw error;
  }
  const label = (role: Role, fallback: string): string => {
    const i = plan.index[role]!;
    return i === -1 ? fallback : plan.hasHeader ? headerFields[i] || fallback : fallback;
  };
  const timeIndex = plan.index[Role.Time] !== -1 ? plan.index[Role.Time]! : plan.index[Role.Date]!;
  const timeOfDayIndex = plan.index[Role.Time] !== -1 ? -1 : plan.index[Role.TimeOfDay]!;
  const iOpen = plan.index[Role.Open]!;
  const iHigh = plan.index[Role.High]!;
  const iLow = plan.index[Role.Low]!;
  const iClose = plan.index[Role.Close]!;
  const iVolume = plan.index[Role.Volume]!;
  const iAdj = plan.index[Role.AdjClose]!;
  const iVwap = plan.index[Role.Vwap]!;
  const iTrades = plan.index[Role.TradeCount]!;
  const iSymbol = plan.index[Role.Symbol]!;
  const names = {
    t: label(Role.Time, label(Role.Date, 'time')),
    o: label(Role.Open, 'open'),
    h: label(Role.High, 'high'),
    l: label(Role.Low, 'low'),
    c: label(Role.Close, 'close'),
    v: iVolume === -1 ? null : label(Role.Volume, 'volume'),
  };
  const timeOfDayName = label(Role.TimeOfDay, 'time');
  const labels = { ...names, v: names.v ?? 'volume' };

  // Capacity: the lines after the header (+1 for a header-less first row), exact unless there are blank
  // lines, so the columns usually need no trimming copy at the end.
  let capacity = plan.hasHeader ? 0 : 1;
  for (let p = text.indexOf('\n', pos); p !== -1; p = text.indexOf('\n', p + 1)) capacity++;
  if (pos < length && text.charCodeAt(length - 1) !== 10) capacity++;
  const t = new Float64Array(capacity);
  const o = new Float64Array(capacity);
  const h = new Float64Array(capacity);
  const l = new Float64Array(capacity);
  const c = new Float64Array(capacity);
  const v = new Float64Array(capacity);
  const adj = iAdj === -1 ? null : new Float64Array(capacity);
  const vwap = iVwap === -1 ? null : new Float64Array(capacity);
  const trades = iTrades === -1 ? null : new Float64Array(capacity);
  const lines = new Int32Array(capacity);
  let n = 0;
  let dateOnly = true;
  let fileSymbol: string | undefined;
  let fileSymbolLine = 0;

  const fail = (line: number, column: string | null, detail: string): never => {
    throw new DataValidationError(source, line, column, detail);
  };
  const cell = (i: number): string => text.slice(starts[i], ends[i]).trim();
  const number = (i: number, line: number, column: string): number => {
    const value = parseDecimal(text, starts[i]!, ends[i]!);
    if (Number.isNaN(value)) {
      const raw = cell(i);
      fail(line, column, raw === '' ? 'empty value' : `"${raw}" is not a number`);
    }
    return value;
  };
  const optionalNumber = (i: number, line: number, column: string): number => {
    const value = parseDecimal(text, starts[i]!, ends[i]!);
    if (Number.isNaN(value) && cell(i) !== '') fail(line, column, `"${cell(i)}" is not a number`);
    return value;
  };

  // A header-less file's first line is data: re-read it.
  if (!plan.hasHeader) {
    if (Number.isNaN(parseTimestamp(headerLine, starts[0]!, ends[0]!))) {
      fail(
        headerLineNumber,
        null,
        `no open/high/low/close columns in the header (found: ${headerFields.join(', ')})`,
      );
    }
    pos = headerStart;
  }
  let currentLine = plan.hasHeader ? headerLineNumber : headerLineNumber - 1;

  // The fast row path's plan: the same field indices as the general path, so both read the same cells.
  const fastFields = new Uint8Array(headerCount);
  const fastValues = new Float64Array(headerCount);
  const fastPath = timeOfDayIndex === -1;
  if (fastPath) {
    fastFields[timeIndex] = FastField.Time;
    for (const i of [iOpen, iHigh, iLow, iClose, iVolume]) if (i !== -1) fastFields[i] = FastField.Number;
    for (const i of [iAdj, iVwap, iTrades]) if (i !== -1) fastFields[i] = FastField.Optional;
  }

  while (pos < length) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = length;
    let end = eol;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    currentLine++;
    const lineStart = pos;
    pos = eol + 1;
    if (end === lineStart) continue;

    // Fast path: every field of the line read in one pass, or `fast` stays false and the general path
    // below reads the line again (and names the problem, if there is one).
    let fast = false;
    if (fastPath) {
      let p = lineStart;
      for (let j = 0; ; j++) {
        const kind = fastFields[j]!;
        let value = NaN;
        let stop: number;
        if (
          kind === FastField.Number ||
          (kind === FastField.Optional && p < end && text.charCodeAt(p) !== delimiterCode)
        ) {
          value = scanDecimal(text, p, end);
          stop = scanStop;
        } else if (kind === FastField.Time) {
          value = scanIsoTime(text, p, end, naiveNewYork);
          stop = scanStop;
          if (stop === -1 || (stop !== end && text.charCodeAt(stop) !== delimiterCode)) {
            // Another timestamp shape (a date, epoch numbers, a fraction of a second): the general reader.
            if (text.charCodeAt(p) === 34) break;
            stop = text.indexOf(delimiter, p);
            if (stop === -1 || stop > end) stop = end;
            value = parseTimestamp(text, p, stop, naiveNewYork);
            if (Number.isNaN(value)) break;
            if (!lastWasDateOnly) dateOnly = false;
          } else {
            dateOnly = false;
          }
        } else if (kind === FastField.Optional) {
          stop = p;
        } else {
          if (p < end && text.charCodeAt(p) === 34) break;
          stop = text.indexOf(delimiter, p);
          if (stop === -1 || stop > end) stop = end;
        }
        if (stop === -1) break;
        starts[j] = p;
        ends[j] = stop;
        fastValues[j] = value;
        if (stop === end) {
          fast = j === headerCount - 1;
          break;
        }
        if (text.charCodeAt(stop) !== delimiterCode || j === headerCount - 1) break;
        p = stop + 1;
      }
    }

    let time: number;
    let open: number;
    let high: number;
    let low: number;
    let close: number;
    let volume: number;
    if (fast) {
      time = fastValues[timeIndex]!;
      open = fastValues[iOpen]!;
      high = fastValues[iHigh]!;
      low = fastValues[iLow]!;
      close = fastValues[iClose]!;
      volume = iVolume === -1 ? 0 : fastValues[iVolume]!;
    } else {
      const count = splitFields(text, lineStart, end, delimiter, starts, ends, headerCapacity);
      if (count !== headerCount) {
        if (count === 1 && text.slice(lineStart, end).trim() === '') continue;
        fail(currentLine, null, `expected ${headerCount} fields, found ${count}`);
      }
      if (timeOfDayIndex === -1) {
        time = parseTimestamp(text, starts[timeIndex]!, ends[timeIndex]!, naiveNewYork);
        if (Number.isNaN(time)) fail(currentLine, names.t, `cannot read "${cell(timeIndex)}" as a date/time`);
        if (!lastWasDateOnly) dateOnly = false;
      } else {
        const combined = `${cell(timeIndex)} ${cell(timeOfDayIndex)}`;
        time = parseTimestamp(combined, 0, combined.length, naiveNewYork);
        if (Number.isNaN(time))
          fail(currentLine, `${names.t}" + "${timeOfDayName}`, `cannot read "${combined}" as a date/time`);
        dateOnly = false;
      }
      open = number(iOpen, currentLine, names.o);
      high = number(iHigh, currentLine, names.h);
      low = number(iLow, currentLine, names.l);
      close = number(iClose, currentLine, names.c);
      volume = iVolume === -1 ? 0 : number(iVolume, currentLine, names.v ?? 'volume');
    }

    if (iSymbol !== -1) {
      const a = starts[iSymbol]!;
      const b = ends[iSymbol]!;
      if (fileSymbol === undefined) {
        fileSymbol = cell(iSymbol);
        fileSymbolLine = currentLine;
        if (options.symbol !== undefined && fileSymbol.toUpperCase() !== options.symbol.toUpperCase()) {
          fail(currentLine, headerFields[iSymbol]!, `the file holds ${fileSymbol}, not ${options.symbol}`);
        }
      } else if (b - a !== fileSymbol.length || !text.startsWith(fileSymbol, a)) {
        if (cell(iSymbol) !== fileSymbol) {
          fail(
            currentLine,
            headerFields[iSymbol]!,
            `more than one symbol in the file (${fileSymbol} at line ${fileSymbolLine}, ${cell(iSymbol)} here); import one symbol per file`,
          );
        }
      }
    }

    if (validate) {
      const problem =
        barProblem(time, open, high, low, close, volume) ?? (n > 0 ? orderProblem(time, t[n - 1]!) : null);
      if (problem !== null) {
        throw barProblemError(
          problem,
          { t: time, o: open, h: high, l: low, c: close, v: volume },
          { source, line: currentLine },
          { time: cell(timeIndex), previous: `line ${lines[n - 1]}` },
          labels,
        );
      }
    }
    t[n] = time;
    o[n] = open;
    h[n] = high;
    l[n] = low;
    c[n] = close;
    v[n] = volume;
    if (adj !== null) {
      const value = fast ? fastValues[iAdj]! : optionalNumber(iAdj, currentLine, headerFields[iAdj]!);
      if (validate && !(value > 0) && !Number.isNaN(value)) {
        fail(currentLine, headerFields[iAdj]!, `adjusted close ${value} is not a positive price`);
      }
      adj[n] = value;
    }
    if (vwap !== null)
      vwap[n] = fast ? fastValues[iVwap]! : optionalNumber(iVwap, currentLine, headerFields[iVwap]!);
    if (trades !== null) {
      const value = fast
        ? fastValues[iTrades]!
        : optionalNumber(iTrades, currentLine, headerFields[iTrades]!);
      if (validate && value < 0)
        fail(currentLine, headerFields[iTrades]!, `trade count ${value} is negative`);
      trades[n] = value;
    }
    lines[n] = currentLine;
    n++;
  }
  if (n === 0) throw new DataValidationError(source, null, null, 'the file has no data rows');

  const bars: Bars = {
    t: growTo(t, n),
    o: growTo(o, n),
    h: growTo(h, n),
    l: growTo(l, n),
    c: growTo(c, n),
    v: growTo(v, n),
  };
  const extra: BarsExtra = {};
  if (vwap !== null) extra.vwap = growTo(vwap, n);
  if (trades !== null) extra.tradeCount = growTo(trades, n);
  let adjusted = false;
  if (adj !== null) {
    extra.adjClose = growTo(adj, n);
    if (options.adjust === true) {
      adjustWithAdjClose(bars, extra.adjClose);
      adjusted = true;
    }
  }
  const spacing = inferTimeframe(bars.t);
  const result: RawCsvRows = {
    bars,
    extra,
    inferredTimeframe: spacing.timeframe,
    spacing,
    layout: {
      header: plan.hasHeader ? headerFields : [],
      columns: names,
      dateOnly,
      volumeMissing: iVolume === -1,
      adjusted,
    },
    lineNumbers: lines.length === n ? lines : lines.slice(0, n),
  };
  if (fileSymbol !== undefined) result.fileSymbol = fileSymbol;
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

// ---------------------------------------------------------------------------------------------------------
// Timeframe inference

const INTRADAY: readonly [Timeframe, number][] = [
  ['1m', MINUTE_MS],
  ['5m', 5 * MINUTE_MS],
  ['15m', 15 * MINUTE_MS],
  ['1h', HOUR_MS],
];

/**
 * Guesses the bar size from the median spacing of (sorted) timestamps, using at most the first 100,000
 * gaps. Gaps from missing bars, nights and weekends are longer than the bar, so the median is the bar
 * length as long as most consecutive bars are adjacent: true for intraday data with sparse extended hours
 * (SPY_1min), daily data (weekends and DST days shift few gaps), and month-end monthly data ('1mo', null
 * timeframe: Regimen stores no monthly timeframe, so callers choose what to do with it).
 */
export function inferTimeframe(t: Float64Array): SpacingGuess {
  const gapCount = Math.min(t.length - 1, 100_000);
  if (gapCount < 1) return { timeframe: null, label: 'irregular', medianSpacingMs: NaN };
  const gaps = new Float64Array(gapCount);
  let m = 0;
  for (let i = 0; i < gapCount; i++) {
    const gap = t[i + 1]! - t[i]!;
    if (gap > 0) gaps[m++] = gap;
  }
  if (m === 0) return { timeframe: null, label: 'irregular', medianSpacingMs: NaN };
  const median = medianOf(gaps.subarray(0, m));
  for (const [timeframe, ms] of INTRADAY) {
    if (Math.abs(median - ms) <= ms * 0.02) return { timeframe, label: timeframe, medianSpacingMs: median };
  }
  const day = DAY_MS;
  if (median >= 0.8 * day && median <= 4 * day)
    return { timeframe: '1d', label: '1d', medianSpacingMs: median };
  if (median >= 6 * day && median <= 8 * day)
    return { timeframe: null, label: '1w', medianSpacingMs: median };
  if (median >= 27 * day && median <= 32 * day)
    return { timeframe: null, label: '1mo', medianSpacingMs: median };
  if (median >= 88 * day && median <= 93 * day)
    return { timeframe: null, label: '3mo', medianSpacingMs: median };
  if (median < day && median % MINUTE_MS === 0) {
    const minutes = median / MINUTE_MS;
    const label = minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
    return { timeframe: null, label, medianSpacingMs: median };
  }
  return { timeframe: null, label: 'irregular', medianSpacingMs: median };
}

// ---------------------------------------------------------------------------------------------------------
// Export

export interface CsvExportOptions {
  /** 'iso' (default): UTC ISO-8601 with Z; 'epochMs': epoch milliseconds; 'date': the New York session date. */
  time?: 'iso' | 'epochMs' | 'date';
}

function pad2(x: number): string {
  return x < 10 ? `0${x}` : String(x);
}

function formatIso(t: number): string {
  const days = Math.floor(t / DAY_MS);
  const key = dateKeyFromDays(days);
  const ms = t - days * DAY_MS;
  const hh = Math.floor(ms / HOUR_MS);
  const mm = Math.floor((ms % HOUR_MS) / MINUTE_MS);
  const ss = Math.floor((ms % MINUTE_MS) / 1000);
  const frac = ms % 1000;
  const date = formatDateKey(key);
  const seconds = frac === 0 ? pad2(ss) : `${pad2(ss)}.${String(frac).padStart(3, '0')}`;
  return `${date}T${pad2(hh)}:${pad2(mm)}:${seconds}Z`;
}

function formatNewYorkDate(t: number): string {
  return formatDateKey(etDateKey(t));
}

/**
 * Writes bars (and any extra columns) as CSV with the header timestamp,open,high,low,close,volume
 * [,vwap][,trade_count]; numbers use the shortest text that reads back to the same double, so
 * parseBarsCsv(formatBarsCsv(bars)) returns equal bars.
 */
export function formatBarsCsv(bars: Bars, extra?: BarsExtra, options?: CsvExportOptions): string {
  const mode = options?.time ?? 'iso';
  const vwap = extra?.vwap;
  const trades = extra?.tradeCount;
  let header = 'timestamp,open,high,low,close,volume';
  if (vwap !== undefined) header += ',vwap';
  if (trades !== undefined) header += ',trade_count';
  const out: string[] = [header];
  const { t, o, h, l, c, v } = bars;
  for (let i = 0; i < t.length; i++) {
    const time =
      mode === 'epochMs' ? String(t[i]) : mode === 'date' ? formatNewYorkDate(t[i]!) : formatIso(t[i]!);
    let row = `${time},${o[i]},${h[i]},${l[i]},${c[i]},${v[i]}`;
    if (vwap !== undefined) row += `,${Number.isNaN(vwap[i]!) ? '' : vwap[i]}`;
    if (trades !== undefined) row += `,${Number.isNaN(trades[i]!) ? '' : trades[i]}`;
    out.push(row);
  }
  out.push('');
  return out.join('\n');
}
