import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allocateBars, type Bars } from '../../core/data/bars.ts';
import { BarsRepository } from './barsRepository.ts';
import { Database } from './database.ts';
import { MIGRATIONS } from './migrations.ts';

/** n one-minute bars from 09:30 ET on 2024-03-11 (a Monday just after the DST switch: 13:30 UTC). */
function minuteBars(n: number, startMs = Date.UTC(2024, 2, 11, 13, 30)): Bars {
  const bars = allocateBars(n);
  for (let i = 0; i < n; i++) {
    bars.t[i] = startMs + i * 60_000;
    bars.o[i] = 100 + i;
    bars.h[i] = 100.5 + i;
    bars.l[i] = 99.5 + i;
    bars.c[i] = 100.25 + i;
    bars.v[i] = 10 * (i + 1);
  }
  return bars;
}

describe('BarsRepository', () => {
  let dir: string;
  let db: Database;
  let repo: BarsRepository;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'regimen-store-'));
    db = await Database.open(join(dir, 'regimen.duckdb'));
    repo = new BarsRepository(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips bars exactly and survives reopening the file', async () => {
    const bars = minuteBars(5000);
    await repo.write('TEST', '1m', bars, 'test');
    db.close();
    db = await Database.open(join(dir, 'regimen.duckdb'));
    repo = new BarsRepository(db);
    const back = await repo.read('TEST', '1m');
    for (const field of ['t', 'o', 'h', 'l', 'c', 'v'] as const)
      expect(Array.from(back[field])).toEqual(Array.from(bars[field]));
    expect(back.t.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('infers a calendar from the stored timestamps, read as a column past one chunk', async () => {
    // Hourly bars around the clock on weekdays only (FX); the same every day (crypto); the session (equities).
    const hourly = (n: number, keep: (weekday: number) => boolean): Bars => {
      const times: number[] = [];
      for (let t = Date.UTC(2024, 0, 1); times.length < n; t += 3_600_000)
        if (keep(new Date(t).getUTCDay())) times.push(t);
      const bars = allocateBars(n);
      bars.t.set(times);
      bars.o.fill(1);
      bars.h.fill(1);
      bars.l.fill(1);
      bars.c.fill(1);
      return bars;
    };
    await repo.write(
      'EURUSD',
      '1h',
      hourly(5_000, (day) => day >= 1 && day <= 5),
      'test',
    );
    await repo.write(
      'BTCUSD',
      '1h',
      hourly(5_000, () => true),
      'test',
    );
    await repo.write('SPY', '1m', minuteBars(390), 'test');
    expect(await repo.calendarOf('EURUSD')).toEqual({ calendar: 'fx', inferred: true });
    expect(await repo.calendarOf('BTCUSD')).toEqual({ calendar: 'crypto', inferred: true });
    expect(await repo.calendarOf('SPY')).toEqual({ calendar: 'equities', inferred: true });
  });

  it('is idempotent: writing the same bars twice keeps one row per key', async () => {
    const bars = minuteBars(100);
    await repo.write('TEST', '1m', bars, 'test');
    await repo.write('TEST', '1m', bars, 'test');
    expect(await repo.list()).toEqual([
      {
        symbol: 'TEST',
        timeframe: '1m',
        bars: 100,
        start: bars.t[0],
        end: bars.t[99],
        source: 'test',
        calendar: 'equities',
      },
    ]);
  });

  it('resamples 1m to 5m and 1h buckets aligned to the 09:30 ET open', async () => {
    await repo.write('TEST', '1m', minuteBars(390), 'test');
    const five = await repo.read('TEST', '5m');
    expect(five.t.length).toBe(78);
    expect(five.t[0]).toBe(Date.UTC(2024, 2, 11, 13, 30));
    expect([five.o[0], five.h[0], five.l[0], five.c[0], five.v[0]]).toEqual([100, 104.5, 99.5, 104.25, 150]);
    const hour = await repo.read('TEST', '1h');
    expect(hour.t.length).toBe(7); // 6 full hours and the 15:30-16:00 half hour
    expect(hour.t[1]).toBe(Date.UTC(2024, 2, 11, 14, 30));
    const day = await repo.read('TEST', '1d');
    expect(Array.from(day.t)).toEqual([Date.UTC(2024, 2, 11, 4, 0)]); // midnight ET, EDT
    expect(day.c[0]).toBe(100.25 + 389);
  });

  it('drops extended-hours bars when resampling, and reads the last N bars with a limit', async () => {
    await repo.write('TEST', '1m', minuteBars(600, Date.UTC(2024, 2, 11, 12, 0)), 'test'); // from 08:00 ET
    const five = await repo.read('TEST', '5m');
    expect(five.t[0]).toBe(Date.UTC(2024, 2, 11, 13, 30));
    const last = await repo.read('TEST', '1m', { limit: 10 });
    expect(last.t.length).toBe(10);
    expect(last.t[9]).toBe(Date.UTC(2024, 2, 11, 12, 0) + 599 * 60_000);
  });

  /** Every stored row of a series, in key order. */
  const rows = (symbol: string): Promise<{ ts: number; open: number; vwap: number | null }[]> =>
    db.all(
      "SELECT ts::DOUBLE AS ts, open, vwap FROM bars WHERE symbol = $symbol AND timeframe = '1m' ORDER BY ts",
      { symbol },
    );
  const bumped = (bars: Bars, by: number): Bars => ({ ...bars, o: bars.o.map((x) => x + by) });

  it('keeps one row per key: a later write replaces the rows of the keys it brings, and only those', async () => {
    const first = minuteBars(100);
    await repo.write('TEST', '1m', first, 'test');
    // Overlaps bars 50..99 and adds 100..149, with other prices.
    const later = bumped(minuteBars(100, first.t[50]), 1000);
    await repo.write('TEST', '1m', later, 'test', { vwap: new Float64Array(100).fill(7) });
    // A sparse write over the same range (every other minute) replaces only its own keys.
    const sparse = allocateBars(25);
    for (let i = 0; i < 25; i++) {
      sparse.t[i] = first.t[2 * i]!;
      sparse.o[i] = sparse.h[i] = sparse.l[i] = sparse.c[i] = 5;
      sparse.v[i] = 1;
    }
    await repo.write('TEST', '1m', sparse, 'test');
    const stored = await rows('TEST');
    expect(stored.length).toBe(150);
    expect(new Set(stored.map((r) => r.ts)).size).toBe(150);
    for (let i = 0; i < 150; i++) {
      const expected = i < 50 && i % 2 === 0 ? 5 : i < 50 ? 100 + i : 1000 + 100 + (i - 50);
      expect(stored[i]!.open).toBe(expected);
      expect(stored[i]!.vwap).toBe(i >= 50 ? 7 : null);
    }
  });

  it('replaces within a multi-symbol batch without touching other symbols or timeframes', async () => {
    const bars = minuteBars(10);
    await repo.writeBatch('1m', 'test', [
      { symbol: 'AAA', bars },
      { symbol: 'BBB', bars },
    ]);
    await repo.write('AAA', '1d', bars, 'test');
    await repo.writeBatch('1m', 'test', [{ symbol: 'AAA', bars: bumped(bars, 1) }]);
    expect((await rows('AAA')).map((r) => r.open)).toEqual(Array.from(bars.o, (x) => x + 1));
    // The same symbol twice in one batch: the later entry wins.
    await repo.writeBatch('1m', 'test', [
      { symbol: 'AAA', bars: bumped(bars, 2) },
      { symbol: 'AAA', bars: bumped(bars, 3) },
    ]);
    expect((await rows('AAA')).map((r) => r.open)).toEqual(Array.from(bars.o, (x) => x + 3));
    expect((await rows('BBB')).map((r) => r.open)).toEqual(Array.from(bars.o));
    expect((await repo.read('AAA', '1d')).o).toEqual(bars.o);
  });

  it('stores timestamps on both sides of 1970 and trade counts exactly, NaN extras as NULL', async () => {
    const bars = minuteBars(4);
    bars.t.set([-(2 ** 40) - 1, -86_400_000, 0, 2 ** 52 + 2]);
    const tradeCount = Float64Array.of(2 ** 33 + 5, NaN, 0, 7);
    const vwap = Float64Array.of(1.5, 2.5, NaN, 4.5);
    await repo.write('OLD', '1d', bars, 'test', { tradeCount, vwap });
    const stored = await db.all<{ t: string; n: string | null; vwap: number | null }>(
      "SELECT ts::VARCHAR AS t, trade_count::VARCHAR AS n, vwap FROM bars WHERE symbol = 'OLD' ORDER BY ts",
    );
    expect(stored).toEqual([
      { t: String(-(2 ** 40) - 1), n: String(2 ** 33 + 5), vwap: 1.5 },
      { t: '-86400000', n: null, vwap: 2.5 },
      { t: '0', n: '0', vwap: null },
      { t: String(2 ** 52 + 2), n: '7', vwap: 4.5 },
    ]);
    expect(Array.from((await repo.read('OLD', '1d')).t)).toEqual(Array.from(bars.t));
  });

  it('refuses a write that repeats a timestamp, storing nothing of it', async () => {
    const bars = minuteBars(10);
    bars.t[7] = bars.t[3]!;
    await expect(repo.write('TEST', '1m', bars, 'test')).rejects.toThrow('occurs more than once');
    expect(await repo.list()).toEqual([]);
  });

  it('is atomic: a write that throws midway leaves the table as it was', async () => {
    const before = minuteBars(100);
    await repo.write('TEST', '1m', before, 'test');
    const snapshot = await rows('TEST');
    // Fails after the replaced rows were deleted and the new ones appended.
    await expect(
      repo.write('TEST', '1m', bumped(minuteBars(100, before.t[50]), 1000), 'other', undefined, {
        alsoInTransaction: () => Promise.reject(new Error('interrupted')),
      }),
    ).rejects.toThrow('interrupted');
    expect(await rows('TEST')).toEqual(snapshot);
    // Fails inside the append, after a first symbol's rows went in.
    const short = { ...minuteBars(5000, before.t[50]), c: new Float64Array(10) };
    await expect(
      repo.writeBatch('1m', 'test', [
        { symbol: 'NEW', bars: minuteBars(5000) },
        { symbol: 'TEST', bars: short },
      ]),
    ).rejects.toThrow('not as long as t');
    expect(await rows('TEST')).toEqual(snapshot);
    expect(await rows('NEW')).toEqual([]);
    expect((await repo.list()).map((d) => [d.symbol, d.source])).toEqual([['TEST', 'test']]);
    // The connection is usable afterwards.
    await repo.write('TEST', '1m', minuteBars(1, before.t[99]! + 60_000), 'test');
    expect((await rows('TEST')).length).toBe(101);
  });

  it('writes rows already in DuckDB with the same guarantees', async () => {
    await repo.write('TEST', '1m', minuteBars(10), 'test');
    const start = Date.UTC(2024, 2, 11, 13, 35);
    await db.run(
      `CREATE TEMP TABLE incoming AS SELECT ($start + i * 60000)::DOUBLE AS ts, 500.0 AS open, 501.0 AS high,
         499.0 AS low, 500.0 AS close, 1.0 AS volume, NULL::DOUBLE AS vwap, NULL::DOUBLE AS trade_count
       FROM range(10) t(i)`,
      { start },
    );
    await repo.writeFromTable('TEST', '1m', 'table', 'incoming');
    await repo.writeFromTable('TEST', '1m', 'table', 'incoming');
    expect((await rows('TEST')).map((r) => r.open)).toEqual([
      100,
      101,
      102,
      103,
      104,
      ...Array(10).fill(500),
    ]);
    await db.run('INSERT INTO incoming SELECT * FROM incoming LIMIT 1');
    await expect(repo.writeFromTable('TEST', '1m', 'table', 'incoming')).rejects.toThrow('more than once');
    expect((await rows('TEST')).length).toBe(15);
  });

  it('migrates a database whose bars had the key index, keeping every row', async () => {
    db.close();
    const path = join(dir, 'old.duckdb');
    const old = await Database.open(path);
    // Back to the schema of version 3, with rows written in no particular order.
    await old.run('DROP TABLE bars');
    await old.run(MIGRATIONS[0]!.statements[0]!);
    await old.run('DELETE FROM schema_migrations WHERE version >= 4');
    await old.run(
      `INSERT INTO bars SELECT CASE WHEN i % 2 = 0 THEN 'B' ELSE 'A' END, '1m', 1000000 - i * 60000, i, i + 1,
         i - 1, i, 10, NULL, NULL FROM range(1000) t(i)`,
    );
    old.close();
    db = await Database.open(path);
    repo = new BarsRepository(db);
    const [{ version } = { version: 0 }] = await db.all<{ version: number }>(
      'SELECT max(version) AS version FROM schema_migrations',
    );
    expect(version).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    const constraints = await db.all(
      "SELECT * FROM duckdb_constraints() WHERE table_name = 'bars' AND constraint_type = 'PRIMARY KEY'",
    );
    expect(constraints).toEqual([]);
    expect((await repo.list()).map((d) => d.bars)).toEqual([500, 500]);
    const a = await repo.read('A', '1m');
    expect(a.t[0]).toBe(1000000 - 999 * 60000);
    expect(Array.from(a.t).every((t, i) => i === 0 || t > a.t[i - 1]!)).toBe(true);
    await repo.write('A', '1m', a, 'again');
    expect((await repo.list()).map((d) => d.bars)).toEqual([500, 500]);
  });

  it('gives 50 concurrent mixed reads of derived timeframes exactly their serial answers', async () => {
    // Three symbols over different, partly overlapping weeks, so their session spans differ.
    const day = 24 * 3600_000;
    await repo.write('AAA', '1m', minuteBars(3000), 'test');
    await repo.write('BBB', '1m', minuteBars(3000, Date.UTC(2024, 2, 18, 13, 30)), 'test');
    await repo.write('CCC', '1m', minuteBars(6000, Date.UTC(2024, 0, 2, 14, 30)), 'test');
    const timeframes = ['5m', '15m', '1h', '1d', '1m'] as const;
    const reads = Array.from({ length: 50 }, (_, k) => ({
      symbol: ['AAA', 'BBB', 'CCC'][k % 3]!,
      timeframe: timeframes[k % timeframes.length]!,
      range: {
        start: k % 4 === 0 ? Date.UTC(2024, 2, 12) : undefined,
        end: k % 7 === 0 ? Date.UTC(2024, 2, 12) + 5 * day : undefined,
        session: k % 5 === 0 ? ('extended' as const) : undefined,
      },
    }));
    const serial: Bars[] = [];
    for (const r of reads) serial.push(await repo.read(r.symbol, r.timeframe, r.range));
    // A fresh repository too, as every service opens its own over the shared connection.
    const other = new BarsRepository(db);
    const concurrent = await Promise.all(
      reads.map((r, k) => (k % 2 ? other : repo).read(r.symbol, r.timeframe, r.range)),
    );
    expect(serial.some((bars) => bars.t.length > 0)).toBe(true);
    for (let k = 0; k < reads.length; k++) {
      for (const field of ['t', 'o', 'h', 'l', 'c', 'v'] as const)
        expect(Array.from(concurrent[k]![field]), `read ${k} ${field}`).toEqual(
          Array.from(serial[k]![field]),
        );
    }
  });

  it('names the symbol when nothing is stored', async () => {
    await expect(repo.read('NOPE', '1m')).rejects.toThrow('No bars stored for symbol "NOPE"');
  });
});
