/**
 * Header recognition: which column of a bars file holds which field (names are matched case-insensitively,
 * ignoring spaces and punctuation; see read.ts's module comment for the layouts), or the positional plan
 * of a file without a header.
 */
import { DataValidationError } from '../validate.ts';

/** What a column holds. */
export const enum Role {
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

export interface ColumnPlan {
  roles: Int8Array;
  /** Field index of each role, -1 when absent. */
  index: Int32Array;
  header: string[];
  hasHeader: boolean;
}

export function planColumns(fields: string[], source: string): ColumnPlan {
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
      `header has no date/time column (found: ${headerFieldList(fields)})`,
    );
  }
  for (const [role, name] of required) {
    if (index[role] === -1) {
      throw new DataValidationError(
        source,
        1,
        null,
        `header has no "${name}" column (found: ${headerFieldList(fields)})`,
      );
    }
  }
  return { roles, index, header: fields, hasHeader: true };
}

/** The delimiter the header line uses: a comma, else a tab, else a semicolon. */
export function detectDelimiter(headerLine: string): number {
  if (headerLine.includes(',')) return 44;
  if (headerLine.includes('\t')) return 9;
  if (headerLine.includes(';')) return 59;
  return 44;
}

/**
 * A header's column names for a message. A pandas index column has no name, which read as a stray comma
 * ("found: , Open, High"): it is named as unnamed.
 */
export function headerFieldList(fields: readonly string[]): string {
  return fields.map((field) => (field === '' ? '(unnamed)' : field)).join(', ');
}
