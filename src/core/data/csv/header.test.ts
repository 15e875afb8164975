import { describe, expect, it } from 'vitest';
import { DataValidationError } from '../validate.ts';
import { detectDelimiter, planColumns, Role } from './header.ts';

const roleIndex = (fields: string[]): Record<string, number> => {
  const plan = planColumns(fields, 'h.csv');
  const out: Record<string, number> = {};
  for (const [name, role] of [
    ['time', Role.Time],
    ['date', Role.Date],
    ['timeOfDay', Role.TimeOfDay],
    ['open', Role.Open],
    ['close', Role.Close],
    ['volume', Role.Volume],
    ['adjClose', Role.AdjClose],
    ['vwap', Role.Vwap],
    ['trades', Role.TradeCount],
    ['symbol', Role.Symbol],
  ] as const) {
    if (plan.index[role] !== -1) out[name] = plan.index[role]!;
  }
  return out;
};

describe('planColumns', () => {
  it('matches names ignoring case, spaces and punctuation', () => {
    expect(roleIndex(['Date', 'Open', 'High', 'Low', 'Close/Last', 'Adj Close', 'Vol.'])).toEqual({
      time: 0,
      open: 1,
      close: 4,
      adjClose: 5,
      volume: 6,
    });
    expect(roleIndex(['t', 'o', 'h', 'l', 'c', 'v', 'vw', 'n', 'S'])).toEqual({
      time: 0,
      open: 1,
      close: 4,
      volume: 5,
      vwap: 6,
      trades: 7,
      symbol: 8,
    });
  });

  it('combines separate date and time columns, and a full timestamp wins over them', () => {
    expect(roleIndex(['Date', 'Time', 'Open', 'High', 'Low', 'Close'])).toMatchObject({
      date: 0,
      timeOfDay: 1,
    });
    const plan = planColumns(['timestamp', 'date', 'open', 'high', 'low', 'close'], 'h.csv');
    expect([plan.index[Role.Time], plan.index[Role.Date], plan.roles[1]]).toEqual([0, -1, Role.Ignore]);
  });

  it("takes an unnamed first column as pandas' index, and a file without a header by position", () => {
    expect(roleIndex(['', 'Open', 'High', 'Low', 'Close'])).toMatchObject({ time: 0 });
    const plan = planColumns(['2024-01-02', '1', '2', '0.5', '1.5', '10'], 'h.csv');
    expect(plan.hasHeader).toBe(false);
    expect([plan.index[Role.Time], plan.index[Role.Close], plan.index[Role.Volume]]).toEqual([0, 4, 5]);
  });

  it('names the missing column', () => {
    expect(() => planColumns(['date', 'open', 'high', 'close'], 'h.csv')).toThrow(
      new DataValidationError(
        'h.csv',
        1,
        null,
        'header has no "low" column (found: date, open, high, close)',
      ),
    );
  });

  // A pandas index column has no name: "found: , Open, High" read as a stray comma.
  it('names an unnamed column as unnamed among the ones it found', () => {
    expect(() => planColumns(['', 'Open', 'High', 'Low'], 'h.csv')).toThrow(
      'header has no "close" column (found: (unnamed), Open, High, Low)',
    );
  });
});

it('detects the delimiter from the header line', () => {
  expect(detectDelimiter('a,b;c')).toBe(44);
  expect(detectDelimiter('a\tb')).toBe(9);
  expect(detectDelimiter('a;b')).toBe(59);
});
