/**
 * Issue 9 items 7 and 8: what a file brings is checked like what a user types. A file's own symbol
 * column passes the symbol rule, and timestamps must lie between 1900 and 2200 (an epoch in the wrong
 * unit reads as year 5138 or year 1); either refusal is a 400 naming the file, and stores nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceHost, type ServiceHost } from '../support/serviceHost.ts';

let h: ServiceHost;
beforeAll(async () => {
  h = await startServiceHost();
});
afterAll(async () => h?.close());

const HEADER = 'timestamp,symbol,open,high,low,close,volume';
const rows = (symbol: string, times: readonly string[]): string =>
  [HEADER, ...times.map((t) => `${t},${symbol},10,11,9,10,100`)].join('\n') + '\n';

async function refusal(path: string): Promise<{ message: string; field?: string }> {
  const answer = await h.post('data:import', { path });
  expect(answer.status).toBe(400);
  return (answer.body as { error: { message: string; field?: string } }).error;
}

async function storedSymbols(): Promise<string[]> {
  const answer = await h.post('data:list', {});
  return (answer.body as { symbol: string }[]).map((d) => d.symbol);
}

describe("a file's own symbol column", () => {
  const days = ['2024-01-02', '2024-01-03', '2024-01-04'];
  it.each([
    ['a spreadsheet formula', `"=cmd|' /C calc'!A0"`],
    ['an HTML tag', '<img src=x onerror=alert(1)>'],
    ['5,000 characters', 'A'.repeat(5_000)],
  ])('holding %s is refused, naming the file and column, and nothing is stored', async (name, symbol) => {
    const path = join(h.dataDir, `bars-${name.replace(/\W/g, '')}.csv`);
    writeFileSync(path, rows(symbol, days));
    const error = await refusal(path);
    expect(error.field).toBe('path');
    expect(error.message).toMatch(/bars-\w+\.csv, column "symbol": .* is not a symbol: a symbol is 1-24/);
    // Quoted and cut: the cell never comes back whole.
    expect(error.message.length).toBeLessThan(300);
    expect(await storedSymbols()).toEqual(['SYNX']);
  });

  it('holding a good symbol still imports as that symbol', async () => {
    const path = join(h.dataDir, 'good.csv');
    writeFileSync(path, rows('brk.b', days));
    const answer = await h.post('data:import', { path });
    expect(answer.status).toBe(200);
    expect((answer.body as { symbol: string }).symbol).toBe('BRK.B');
  });
});

describe('timestamps outside 1900..2200', () => {
  it.each([
    // Milliseconds read as such reach year 5138; an ISO year 1 is a typo of the century.
    ['epoch milliseconds of year 5138', ['99999999990000', '99999999991000', '99999999992000'], 'line 2'],
    ['year 1', ['0001-01-02', '0001-01-03', '0001-01-04'], 'line 2'],
    ['one row in 2201 after good ones', ['2024-01-02', '2024-01-03', '2201-01-04'], 'line 4'],
  ])('%s: refused, naming the line and the range', async (name, times, line) => {
    const path = join(h.dataDir, `TIME${name.replace(/\W/g, '')}.csv`);
    writeFileSync(path, rows('TIMEX', times));
    const error = await refusal(path);
    expect(error.field).toBe('path');
    expect(error.message).toContain(`${line}, column "timestamp"`);
    expect(error.message).toContain('is not between 1900-01-01 and 2200-01-01');
    expect(await storedSymbols()).not.toContain('TIMEX');
  });

  it('in Parquet (checked in SQL from the same rule): year 8307 refused', async () => {
    const path = join(h.dataDir, 'FAR.parquet');
    await h.services.db.run(
      `COPY (SELECT * FROM (VALUES (TIMESTAMP '2024-01-02', 10.0, 11.0, 9.0, 10.0, 100.0),
              (TIMESTAMP '8307-01-02', 10.0, 11.0, 9.0, 10.0, 100.0)) AS b(timestamp, open, high, low, close, volume))
       TO '${path}' (FORMAT parquet)`,
    );
    const error = await refusal(path);
    expect(error.message).toMatch(
      /FAR\.parquet row 2, column "timestamp": .*8307.* is not between 1900-01-01/,
    );
    expect(await storedSymbols()).not.toContain('FAR');
  });
});
