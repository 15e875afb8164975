import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataValidationError } from '../../src/core/data/validate.ts';
import { exportBars } from '../../src/main/marketdata/exporter.ts';
import { importBarsFile, symbolFromFileName } from '../../src/main/marketdata/importer.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { throwawayDatabase } from '../support/throwawayDatabase.ts';

const SHARED = join(import.meta.dirname, '../../../shared/data');
const FILES: [string, string, string, number][] = [
  ['GOOG.csv', 'GOOG', '1d', 2148],
  ['EURUSD.csv', 'EURUSD', '1h', 5000],
  ['BTCUSD.csv', 'BTCUSD', '1mo', 156],
  ['SPY_1min.csv', 'SPY', '1m', 49720],
];

const store = throwawayDatabase();

describe.skipIf(!existsSync(SHARED))(`the shared data files import unchanged (from ${SHARED})`, () => {
  it.each(FILES)('%s', async (file, symbol, timeframe, rows) => {
    const result = await importBarsFile(store.db, join(SHARED, file));
    expect(result).toMatchObject({ symbol, timeframe, bars: rows, format: 'csv' });
    const listed = (await new BarsRepository(store.db).list()).find((d) => d.symbol === symbol);
    expect(listed).toMatchObject({ timeframe, bars: rows, source: `import:${file}` });
  });
});
it.skipIf(existsSync(SHARED))('shared data files are absent: their import tests are skipped', () => {
  expect(existsSync(SHARED)).toBe(false);
});

describe('import refuses a malformed file whole', () => {
  it('CSV: names line and column, stores nothing, keeps existing bars', async () => {
    const good = join(store.dir, 'ZZZ.csv');
    writeFileSync(
      good,
      'timestamp,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,12,10,11,200\n',
    );
    await importBarsFile(store.db, good);
    const bad = join(store.dir, 'ZZZ_bad.csv');
    writeFileSync(
      bad,
      'timestamp,open,high,low,close,volume\n2024-01-04,10,11,9,10.5,100\n2024-01-05,10.5,9.9,10,11,200\n2024-01-08,1,2,1,1,1\n',
    );
    const error = await importBarsFile(store.db, bad).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataValidationError);
    expect((error as DataValidationError).line).toBe(3);
    expect((error as DataValidationError).message).toMatch(/ZZZ_bad\.csv line 3, column "high"/);
    const bars = await new BarsRepository(store.db).read('ZZZ', '1d');
    expect(Array.from(bars.c)).toEqual([10.5, 11]);
  });

  it('CSV: a refusal in a later part stores nothing, and no staging file is left beside the database', async () => {
    const path = join(store.dir, 'LATE.csv');
    const rows = Array.from({ length: 400 }, (_, i) => `${2_000_000_000 + i * 60},10,11,9,10.5,${100 + i}`);
    rows[350] = `${2_000_000_000 + 350 * 60},10,11,9,-10.5,100`;
    writeFileSync(path, `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`);
    const error = await importBarsFile(store.db, path, { partBytes: 2048 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as DataValidationError).line).toBe(352);
    expect(await new BarsRepository(store.db).storedTimeframes('LATE')).toEqual([]);
    expect(readdirSync(store.dir).filter((name) => name.startsWith('.import-'))).toEqual([]);
    // The same file, good, stores every row.
    rows[350] = `${2_000_000_000 + 350 * 60},10,11,9,10.5,100`;
    writeFileSync(path, `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`);
    expect((await importBarsFile(store.db, path, { partBytes: 2048 })).bars).toBe(400);
    expect(readdirSync(store.dir).filter((name) => name.startsWith('.import-'))).toEqual([]);
  });

  it('Parquet: names row and column, stores nothing', async () => {
    const path = join(store.dir, 'QQQ.parquet');
    await store.db.run(
      `COPY (SELECT TIMESTAMPTZ '2024-01-02 14:30:00+00' + INTERVAL (i) MINUTE AS "timestamp", 100.0 AS "Open",
              CASE WHEN i = 41 THEN 'NaN'::DOUBLE ELSE 101.0 END AS "High", 99.0 AS "Low", 100.5 AS "Close", 10.0 AS "Volume"
            FROM range(100) r(i)) TO '${path}' (FORMAT parquet)`,
    );
    const error = await importBarsFile(store.db, path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataValidationError);
    expect((error as Error).message).toMatch(
      /QQQ\.parquet row 42, column "High": high NaN is not a positive price/,
    );
    expect(await new BarsRepository(store.db).storedTimeframes('QQQ')).toEqual([]);
  });

  it('an unknown file type or a missing file is refused by name', async () => {
    await expect(importBarsFile(store.db, join(store.dir, 'nope.csv'))).rejects.toThrow(
      /nope\.csv: no such file/,
    );
    const json = join(store.dir, 'x.json');
    writeFileSync(json, '{}');
    await expect(importBarsFile(store.db, json)).rejects.toThrow(/unknown file type/);
  });
});

describe("a timeframe given with the file is checked against the bars' spacing", () => {
  const csv = (name: string, stepMs: number, rows = 30): string => {
    const path = join(store.dir, name);
    const start = Date.UTC(2024, 0, 2, 14, 30);
    const lines = Array.from({ length: rows }, (_, i) => `${(start + i * stepMs) / 1000},10,11,9,10.5,100`);
    writeFileSync(path, `timestamp,open,high,low,close,volume\n${lines.join('\n')}\n`);
    return path;
  };
  const DAY = 86_400_000;

  it('refuses day bars as 7m or 1m and minute bars as 1d, naming the file and the spacing, storing nothing', async () => {
    const days = csv('DAYS.csv', DAY);
    for (const timeframe of ['7m', '1m', '1h'])
      await expect(importBarsFile(store.db, days, { timeframe })).rejects.toThrow(
        `DAYS.csv: its bars are 1d apart, so they are not ${timeframe} bars: give 1d or leave the timeframe to the file`,
      );
    const minutes = csv('MINUTES.csv', 60_000);
    await expect(importBarsFile(store.db, minutes, { timeframe: '1d' })).rejects.toThrow(
      'MINUTES.csv: its bars are 1m apart, so they are not 1d bars',
    );
    await expect(importBarsFile(store.db, minutes, { timeframe: '5m' })).rejects.toThrow(/not 5m bars/);
    const stored = (await new BarsRepository(store.db).list()).map((d) => d.symbol);
    expect(stored).not.toContain('DAYS');
    expect(stored).not.toContain('MINUTES');
  });

  it('takes the timeframe the bars have, and sparser intraday bars under a shorter one', async () => {
    expect(await importBarsFile(store.db, csv('DAYS.csv', DAY), { timeframe: '1d' })).toMatchObject({
      timeframe: '1d',
    });
    // A thinly traded symbol's minute bars, two minutes apart, are still minute bars.
    expect(
      await importBarsFile(store.db, csv('THIN.csv', 120_000), { symbol: 'THIN', timeframe: '1m' }),
    ).toMatchObject({ timeframe: '1m', bars: 30 });
  });
});

it('symbols come from file names', () => {
  expect(symbolFromFileName('/x/SPY_1min.csv')).toBe('SPY');
  expect(symbolFromFileName('brk.b.parquet')).toBe('BRK.B');
});

it('exports a cached range to Parquet and CSV that import back to the same bars', async () => {
  const source = join(store.dir, 'RT.csv');
  const lines = ['timestamp,open,high,low,close,volume,vwap,trade_count'];
  for (let i = 0; i < 500; i++) {
    const t = new Date(Date.UTC(2024, 2, 4, 14, 30) + i * 60_000).toISOString();
    const p = 100 + Math.sin(i / 7) * 3;
    lines.push(
      `${t},${p.toFixed(2)},${(p + 0.5).toFixed(2)},${(p - 0.5).toFixed(2)},${(p + 0.1).toFixed(2)},${100 + i},${p.toFixed(3)},${i + 1}`,
    );
  }
  writeFileSync(source, `${lines.join('\n')}\n`);
  await importBarsFile(store.db, source);
  const repo = new BarsRepository(store.db);
  for (const [format, timeframe] of [
    ['parquet', '1m'],
    ['csv', '1m'],
    ['parquet', '15m'],
    ['csv', '1h'],
  ] as const) {
    const out = join(store.dir, `export-${timeframe}.${format}`);
    const written = await exportBars(store.db, { symbol: 'RT', timeframe, format, out });
    const original = await repo.read('RT', timeframe);
    expect(written.bars).toBe(original.t.length);
    const symbol = `RT${format === 'csv' ? 'C' : 'P'}${timeframe.toUpperCase()}`;
    const back = await importBarsFile(store.db, out, { symbol });
    expect(back.timeframe).toBe(timeframe);
    const read = await repo.read(symbol, timeframe);
    for (const f of ['t', 'o', 'h', 'l', 'c', 'v'] as const)
      expect(Array.from(read[f])).toEqual(Array.from(original[f]));
  }
});

it('two Parquet imports at once each store their own file', async () => {
  const paths = [1, 2].map((k) => join(store.dir, `PAR${k}.parquet`));
  for (const [k, path] of paths.entries()) {
    await store.db.run(
      `COPY (SELECT TIMESTAMPTZ '2024-01-02 14:30:00+00' + INTERVAL (i) MINUTE AS "timestamp", ${k + 1}00.0 AS "Open",
              ${k + 1}01.0 AS "High", ${k + 1}00.0 AS "Low", ${k + 1}00.5 AS "Close", 10.0 AS "Volume"
            FROM range(${(k + 1) * 50}) r(i)) TO '${path}' (FORMAT parquet)`,
    );
  }
  const results = await Promise.all(paths.map((path) => importBarsFile(store.db, path)));
  expect(results.map((r) => [r.symbol, r.bars])).toEqual([
    ['PAR1', 50],
    ['PAR2', 100],
  ]);
  const repo = new BarsRepository(store.db);
  for (const [symbol, bars, open] of [
    ['PAR1', 50, 100],
    ['PAR2', 100, 200],
  ] as const) {
    const read = await repo.read(symbol, '1m');
    expect(read.t.length).toBe(bars);
    expect(new Set(read.o)).toEqual(new Set([open]));
  }
});

it('a Parquet path is taken literally: a name with glob characters imports alone', async () => {
  const folder = join(store.dir, 'globs');
  mkdirSync(folder);
  const write = async (name: string, bars: number, open: number): Promise<string> => {
    const path = join(folder, name);
    await store.db.run(
      `COPY (SELECT TIMESTAMPTZ '2024-01-02 14:30:00+00' + INTERVAL (i) MINUTE AS "timestamp", ${open} AS "Open",
              ${open + 1} AS "High", ${open} AS "Low", ${open} AS "Close", 10.0 AS "Volume"
            FROM range(${bars}) r(i)) TO '${path}' (FORMAT parquet)`,
    );
    return path;
  };
  const star = await write('*.parquet', 30, 100);
  const bracket = await write('odd[1]?.parquet', 40, 200);
  await write('other.parquet', 70, 300);
  const repo = new BarsRepository(store.db);
  for (const [path, symbol, bars, open] of [
    [star, 'STAR', 30, 100],
    [bracket, 'ODD', 40, 200],
  ] as const) {
    expect((await importBarsFile(store.db, path, { symbol })).bars).toBe(bars);
    expect(new Set((await repo.read(symbol, '1m')).o)).toEqual(new Set([open]));
  }
});
