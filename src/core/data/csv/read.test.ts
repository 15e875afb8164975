import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { etDateKey, etMinuteOfDay, isTradingDay, sessionOf } from '../calendar.ts';
import { DataValidationError } from '../validate.ts';
import { parseBarsCsv, parseBarsCsvRows } from './read.ts';
import { parseDecimal, parseTimestamp } from './scan.ts';
import { sharedDataFile } from '../../../../test/support/sharedData.ts';

const googFile = sharedDataFile('GOOG.csv');
const readShared = (name: string): string => readFileSync(sharedDataFile(name).path, 'utf8');

const iso = (t: number): string => new Date(t).toISOString();

function errorOf(text: string, source = 'planted.csv'): DataValidationError {
  try {
    parseBarsCsv(text, { source });
  } catch (error) {
    if (error instanceof DataValidationError) return error;
    throw error;
  }
  throw new Error('expected a DataValidationError');
}

describe.skipIf(!googFile.present)(`shared data files parse as they are${googFile.skipReason}`, () => {
  it('GOOG.csv: daily, unnamed date column, every date an NYSE session', () => {
    const { bars, inferredTimeframe, layout } = parseBarsCsv(readShared('GOOG.csv'), { source: 'GOOG.csv' });
    expect(bars.t.length).toBe(2148);
    expect(inferredTimeframe).toBe('1d');
    expect(layout.dateOnly).toBe(true);
    expect(etDateKey(bars.t[0]!)).toBe(20040819);
    expect(etDateKey(bars.t[2147]!)).toBe(20130301);
    expect([bars.o[0], bars.h[0], bars.l[0], bars.c[0], bars.v[0]]).toEqual([
      100, 104.06, 95.96, 100.34, 22351900,
    ]);
    for (let i = 0; i < bars.t.length; i++) expect(isTradingDay(etDateKey(bars.t[i]!))).toBe(true);
  });

  it('EURUSD.csv: hourly naive date-times read as UTC', () => {
    const { bars, inferredTimeframe } = parseBarsCsv(readShared('EURUSD.csv'), { source: 'EURUSD.csv' });
    expect(bars.t.length).toBe(5000);
    expect(inferredTimeframe).toBe('1h');
    expect(iso(bars.t[0]!)).toBe('2017-04-19T09:00:00.000Z');
    expect(bars.c[0]).toBe(1.07219);
  });

  it('BTCUSD.csv: monthly, the 1mo timeframe', () => {
    const { bars, inferredTimeframe, spacing } = parseBarsCsv(readShared('BTCUSD.csv'), {
      source: 'BTCUSD.csv',
    });
    expect(bars.t.length).toBe(156);
    expect(inferredTimeframe).toBe('1mo');
    expect(spacing.label).toBe('1mo');
    expect(bars.v[0]).toBe(2012.25343589);
    expect(etDateKey(bars.t[155]!)).toBe(20241231);
  });

  it('SPY_1min.csv: offsets, vwap and transactions, 390 regular-session bars a day', () => {
    const { bars, extra, inferredTimeframe } = parseBarsCsv(readShared('SPY_1min.csv'), {
      source: 'SPY_1min.csv',
    });
    expect(bars.t.length).toBe(49720);
    expect(inferredTimeframe).toBe('1m');
    expect(iso(bars.t[0]!)).toBe('2024-02-20T09:00:00.000Z');
    expect(extra.vwap?.[0]).toBe(498.3398);
    expect(extra.tradeCount?.[0]).toBe(72);
    const perDay = new Map<number, number>();
    for (let i = 0; i < bars.t.length; i++) {
      const session = sessionOf(bars.t[i]!);
      if (session !== null) perDay.set(session.dateKey, (perDay.get(session.dateKey) ?? 0) + 1);
    }
    expect(perDay.size).toBe(63);
    expect([...perDay.values()].every((count) => count === 390)).toBe(true);
    // The DST switch (2024-03-10) moves the UTC time of the open, not the New York one.
    const firstRegular = (dateKey: number): number => {
      for (let i = 0; i < bars.t.length; i++) {
        if (etDateKey(bars.t[i]!) === dateKey && sessionOf(bars.t[i]!) !== null) return bars.t[i]!;
      }
      return NaN;
    };
    expect(iso(firstRegular(20240308))).toBe('2024-03-08T14:30:00.000Z');
    expect(iso(firstRegular(20240311))).toBe('2024-03-11T13:30:00.000Z');
  });
});

describe('layouts', () => {
  it('reads Yahoo with Adj Close, keeping Close unless asked to adjust', () => {
    const text =
      'Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,10,12,9,11,5.5,100\n2024-01-03,11,11,10,10,5,200\n';
    const kept = parseBarsCsv(text, { source: 'y.csv' });
    expect(Array.from(kept.bars.c)).toEqual([11, 10]);
    expect(Array.from(kept.extra.adjClose ?? [])).toEqual([5.5, 5]);
    const adjusted = parseBarsCsv(text, { source: 'y.csv', adjust: true });
    expect(adjusted.layout.adjusted).toBe(true);
    expect(Array.from(adjusted.bars.c)).toEqual([5.5, 5]);
    expect(Array.from(adjusted.bars.h)).toEqual([6, 5.5]);
    expect(Array.from(adjusted.bars.v)).toEqual([100, 200]);
  });

  it('reads Alpaca t/o/h/l/c/v/n/vw with a symbol column', () => {
    const text =
      'symbol,t,o,h,l,c,v,n,vw\nAAPL,2024-01-03T14:30:00Z,184.2,185,184,184.5,1000,12,184.4\n' +
      'AAPL,2024-01-03T14:31:00Z,184.5,184.6,184.1,184.2,800,9,184.3\n';
    const result = parseBarsCsv(text, { source: 'a.csv', symbol: 'aapl' });
    expect(result.fileSymbol).toBe('AAPL');
    expect(Array.from(result.extra.vwap ?? [])).toEqual([184.4, 184.3]);
    expect(Array.from(result.extra.tradeCount ?? [])).toEqual([12, 9]);
    expect(() => parseBarsCsv(text, { source: 'a.csv', symbol: 'MSFT' })).toThrow(/holds AAPL, not MSFT/);
    const mixed = text + 'MSFT,2024-01-03T14:32:00Z,1,1,1,1,1,1,1\n';
    expect(() => parseBarsCsv(mixed, { source: 'a.csv' })).toThrow(
      /line 4, column "symbol": more than one symbol/,
    );
  });

  it('reads separate date and time columns, semicolons, quotes, CRLF, a BOM and no volume', () => {
    const text =
      '\ufeff"Date";"Time";"Open";"High";"Low";"Close"\r\n2024-01-03;09:30;1;2;0.5;1.5\r\n2024-01-03;09:31;1.5;2;1;1\r\n';
    const result = parseBarsCsv(text, { source: 'q.csv', naiveTimeZone: 'America/New_York' });
    expect(iso(result.bars.t[0]!)).toBe('2024-01-03T14:30:00.000Z');
    expect(etMinuteOfDay(result.bars.t[1]!)).toBe(571);
    expect(result.layout.volumeMissing).toBe(true);
    expect(Array.from(result.bars.v)).toEqual([0, 0]);
  });

  it('reads a file without a header by position', () => {
    const result = parseBarsCsv('2024-01-02,10,12,9,11,100\n2024-01-03,11,11,10,10,200\n', {
      source: 'n.csv',
    });
    expect(result.layout.header).toEqual([]);
    expect(Array.from(result.bars.c)).toEqual([11, 10]);
    expect(() => parseBarsCsv('Fecha,Apertura,Maximo,Minimo,Cierre\n', { source: 'es.csv' })).toThrow(
      /es\.csv line 1: no open\/high\/low\/close columns/,
    );
  });
});

describe('malformed files are refused with line and column', () => {
  const header = ',Open,High,Low,Close,Volume\n';
  const good = [
    '2024-01-02,10,11,9,10.5,100',
    '2024-01-03,10.5,11,10,10.8,100',
    '2024-01-04,10.8,11,10.2,10.4,100',
  ];
  const withLine = (index: number, line: string): string => {
    const lines = [...good];
    lines.splice(index, 0, line);
    return header + lines.join('\n') + '\n';
  };
  const cases: [string, string, RegExp][] = [
    [
      'high below the close',
      '2024-01-05,10,10.2,9.9,10.5,100',
      /line 4, column "High": high 10.2 is below max\(open, close\) 10.5$/,
    ],
    [
      'low above the open',
      '2024-01-05,10,10.6,10.1,10.5,100',
      /line 4, column "Low": low 10.1 is above min\(open, close\) 10$/,
    ],
    ['zero price', '2024-01-05,0,10.6,0,10.5,100', /line 4, column "Open": open 0 is not a positive price/],
    [
      'negative price',
      '2024-01-05,10,10.6,-1,10.5,100',
      /line 4, column "Low": low -1 is not a positive price/,
    ],
    [
      'infinite price',
      '2024-01-05,10,Infinity,10,10.5,100',
      /line 4, column "High": high Infinity is not a positive/,
    ],
    ['text price', '2024-01-05,10,abc,10,10.5,100', /line 4, column "High": "abc" is not a number/],
    ['empty close', '2024-01-05,10,10.6,10,,100', /line 4, column "Close": empty value/],
    ['negative volume', '2024-01-05,10,10.6,10,10.5,-5', /line 4, column "Volume": volume -5 is negative/],
    ['missing field', '2024-01-05,10,10.6,10,10.5', /line 4: expected 6 fields, found 5/],
    ['extra field', '2024-01-05,10,10.6,10,10.5,1,2', /line 4: expected 6 fields, found 7/],
    [
      'bad date',
      '2024-01-35,10,10.6,10,10.5,5',
      /line 4, column "time": cannot read "2024-01-35" as a date\/time/,
    ],
    [
      'duplicate',
      '2024-01-04,10,10.6,10,10.5,5',
      /line 5, column "time": timestamp 2024-01-04 repeats line 4/,
    ],
    [
      'unsorted',
      '2024-01-01,10,10.6,10,10.5,5',
      /line 4, column "time": timestamp 2024-01-01 is earlier than line 3/,
    ],
  ];
  for (const [name, line, pattern] of cases) {
    it(name, () => {
      const index = name === 'duplicate' ? 3 : 2;
      const error = errorOf(withLine(index, line), 'GOOG.csv');
      expect(error.message.startsWith('GOOG.csv line ')).toBe(true);
      expect(error.message).toMatch(pattern);
      expect(error.source).toBe('GOOG.csv');
    });
  }

  it('reports the first problem in file order and counts blank lines', () => {
    const text = header + good[0] + '\n\n' + '2024-01-03,10,9,9,9,1\n' + '2024-01-04,x,1,1,1,1\n';
    const error = errorOf(text);
    expect(error.line).toBe(4);
    expect(error.column).toBe('High');
  });

  it('rejects headers without the needed columns, and empty files', () => {
    expect(errorOf('date,open,high,close\n2024-01-02,1,1,1\n').message).toMatch(
      /line 1: header has no "low" column/,
    );
    expect(errorOf('').message).toBe('planted.csv: the file is empty');
    expect(errorOf(header).message).toBe('planted.csv: the file has no data rows');
  });

  it('refuses a binary file as such, without quoting its bytes', () => {
    const parquet = 'PAR1\u0015\u0000\u0015\uFFFD,\u0002\n' + header + good[0];
    expect(errorOf(parquet).message).toBe('planted.csv: a Parquet file, not CSV text');
    expect(errorOf('\n\u0001\u0000\uFFFD\u0007,x\n' + good[0]).message).toBe(
      'planted.csv line 2: binary data (a NUL byte), not CSV text',
    );
  });

  it('refuses date-times with and without an offset in one file, even where they stay in order', () => {
    const head = 'datetime,open,high,low,close,volume\n';
    // The second day without offsets, read as UTC, sits five hours early but still after the first day.
    const text =
      head +
      '2024-02-20 15:59:00-05:00,10,11,9,10,1\n' +
      '2024-02-21 04:00:00,10,11,9,10,1\n' +
      '2024-02-21 04:01:00,10,11,9,10,1\n';
    expect(errorOf(text).message).toBe(
      'planted.csv line 3, column "datetime": "2024-02-21 04:00:00" has no UTC offset while line 2\'s time ' +
        'has one: mixed time zones (write every time with its offset, or every one without)',
    );
    const reversed = head + '2024-02-20 09:30:00,10,11,9,10,1\n' + '2024-02-20T14:31:00Z,10,11,9,10,1\n';
    expect(errorOf(reversed).message).toContain(
      '"2024-02-20T14:31:00Z" has a UTC offset while line 2\'s time has none: mixed time zones',
    );
    // Offsets that differ (daylight saving) are one way of writing times; dates and epochs are neither.
    const seasons = head + '2024-03-08T09:30:00-05:00,10,11,9,10,1\n2024-03-11T09:30:00-04:00,10,11,9,10,1\n';
    expect(parseBarsCsv(seasons, { source: 'dst.csv' }).bars.t.length).toBe(2);
  });

  it('keeps unsorted and inconsistent rows when reading raw rows', () => {
    const text = header + '2024-01-03,10,9,9,9,1\n2024-01-02,10,11,9,10,1\n2024-01-02,10,11,9,10,1\n';
    const raw = parseBarsCsvRows(text, { source: 'raw.csv' });
    expect(raw.bars.t.length).toBe(3);
    expect(Array.from(raw.lineNumbers)).toEqual([2, 3, 4]);
    expect(raw.bars.t[0]).toBeGreaterThan(raw.bars.t[1]!);
  });
});

describe('the fast row path reads what the general readers read', () => {
  // Cells of every shape, common and not: the reader's one-pass path takes the common ones and hands the
  // rest to parseTimestamp / parseDecimal, so each cell must come back as those functions read it alone.
  const times = [
    '2024-03-01T14:30:00Z',
    '2024-03-01t14:30:00z',
    '2024-03-01 14:30:00',
    '2024-03-01T14:30',
    '2024-03-01T14:30Z',
    '2024-03-01T09:30:00-05:00',
    '2024-03-01T20:00:00+05:30',
    '2024-03-01T09:30:00-0500',
    '2024-03-01T14:30:00.25Z',
    '2024-03-01T14:30:00 UTC',
    '2024-02-29T23:59:60Z',
    '2024-03-01',
    '20240301',
    '3/1/2024 9:30 AM',
    '1709303400000',
    '1709303400',
    ' 2024-03-01T14:30:00Z ',
    '"2024-03-01T14:30:00Z"',
  ];
  const numbers = [
    '420',
    '420.5',
    '0.000123',
    '-3.25',
    '000123.4500',
    '.5',
    '5.',
    '1e3',
    '$5',
    '+7',
    ' 8 ',
    '"9"',
  ];
  const longNumbers = ['0.12345678901234567890', '1234567890123456789', '123456789012345.6'];
  const optional = ['', '12.5', ' ', '7'];
  const cellValue = (cell: string): string => (cell.startsWith('"') ? cell.slice(1, -1) : cell);
  let seed = 12345;
  const pick = <T>(items: readonly T[]): T => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return items[seed % items.length]!;
  };

  for (const naiveTimeZone of ['UTC', 'America/New_York'] as const) {
    it(`cell by cell, naive times as ${naiveTimeZone}`, () => {
      const rows: string[][] = [];
      for (let i = 0; i < 600; i++) {
        // Every other row only in the shapes the one-pass path takes; the others mixed.
        const common = i % 2 === 0;
        const row = [pick(common ? times.slice(0, 7) : times)];
        for (let k = 0; k < 5; k++) {
          row.push(common ? pick(numbers.slice(0, 7)) : i % 7 === 1 ? pick(longNumbers) : pick(numbers));
        }
        row.push(pick(common ? ['', '12.5'] : optional), pick(common ? ['', '7'] : optional));
        rows.push(row);
      }
      const eol = naiveTimeZone === 'UTC' ? '\n' : '\r\n';
      const text =
        'timestamp,open,high,low,close,volume,vwap,trade_count' +
        eol +
        rows.map((row) => row.join(',')).join(eol);
      const raw = parseBarsCsvRows(text, { source: 'shapes.csv', naiveTimeZone });
      const columns = [raw.bars.o, raw.bars.h, raw.bars.l, raw.bars.c, raw.bars.v];
      const naiveNewYork = naiveTimeZone === 'America/New_York';
      rows.forEach((row, i) => {
        const time = cellValue(row[0]!);
        expect(raw.bars.t[i], row[0]).toBe(parseTimestamp(time, 0, time.length, naiveNewYork));
        for (let k = 0; k < 5; k++) {
          const cell = cellValue(row[k + 1]!);
          expect(columns[k]![i], row[k + 1]).toBe(parseDecimal(cell, 0, cell.length));
        }
        for (const [k, column] of [
          [6, raw.extra.vwap],
          [7, raw.extra.tradeCount],
        ] as const) {
          const cell = row[k]!;
          expect(column?.[i], cell).toBe(parseDecimal(cell, 0, cell.length));
        }
      });
      expect(Array.from(raw.lineNumbers)).toEqual(rows.map((_, i) => i + 2));
    });
  }

  it('names the line and column of a problem in machine-written rows', () => {
    const good = (minute: number): string => `2024-03-01T14:${minute}:00Z,10,11,9,10.5,100`;
    const rows = [good(30), good(31), good(32)];
    const file = (bad: string): string => ['timestamp,open,high,low,close,volume', ...rows, bad].join('\n');
    expect(errorOf(file('2024-03-01T14:33:00Z,10,1.2.3,9,10,1')).message).toBe(
      'planted.csv line 5, column "high": "1.2.3" is not a number',
    );
    expect(errorOf(file('2024-03-01T14:33:00Z,10,11,9,,1')).message).toBe(
      'planted.csv line 5, column "close": empty value',
    );
    expect(errorOf(file('2024-03-01T14:33:00Z,10,11,9,10')).message).toBe(
      'planted.csv line 5: expected 6 fields, found 5',
    );
    expect(errorOf(file('2024-03-01T14:33:00Z,10,11,9,10,1,')).message).toBe(
      'planted.csv line 5: expected 6 fields, found 7',
    );
    expect(errorOf(file('2024-03-01T25:33:00Z,10,11,9,10,1')).message).toBe(
      'planted.csv line 5, column "timestamp": cannot read "2024-03-01T25:33:00Z" as a date/time',
    );
    expect(errorOf(file('2024-03-01T14:32:00Z,10,11,9,10,1')).message).toBe(
      'planted.csv line 5, column "timestamp": timestamp 2024-03-01T14:32:00Z repeats line 4',
    );
    expect(errorOf(file('2024-03-01T14:33:00Z,10,9,9.5,10,1')).message).toBe(
      'planted.csv line 5, column "high": high 9 is below max(open, close) 10',
    );
  });
});
