import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allocateBars, type Bars } from '../../core/data/bars.ts';
import { BarsRepository } from './barsRepository.ts';
import { Database } from './database.ts';

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

  it('is idempotent: writing the same bars twice keeps one row per key', async () => {
    const bars = minuteBars(100);
    await repo.write('TEST', '1m', bars, 'test');
    await repo.write('TEST', '1m', bars, 'test');
    expect(await repo.list()).toEqual([
      { symbol: 'TEST', timeframe: '1m', bars: 100, start: bars.t[0], end: bars.t[99], source: 'test' },
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

  it('names the symbol when nothing is stored', async () => {
    await expect(repo.read('NOPE', '1m')).rejects.toThrow('No bars stored for symbol "NOPE"');
  });
});
