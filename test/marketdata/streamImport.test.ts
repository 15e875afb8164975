import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBarsCsv } from '../../src/core/data/csv/read.ts';
import { importBarsFile, underLoadSettings } from '../../src/main/marketdata/importer.ts';
import { MarketDataService } from '../../src/main/marketdata/service.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { throwawayDatabase } from '../support/throwawayDatabase.ts';

const store = throwawayDatabase('regimen-stream-import-');

/** Minute bars as CSV lines (CRLF and blank lines mixed in, as real files have). */
function minuteLines(
  count: number,
  options: { header?: boolean; bad?: { line: number; kind: 'high' | 'repeat' } } = {},
) {
  const lines = options.header === false ? [] : ['timestamp,open,high,low,close,volume,vwap'];
  const t0 = Date.UTC(2024, 2, 4, 14, 30);
  for (let i = 0; i < count; i++) {
    const p = 100 + Math.sin(i / 9) * 4;
    let t = t0 + i * 60_000;
    let high = p + 0.5;
    const lineNumber = lines.length + 1;
    if (options.bad?.line === lineNumber && options.bad.kind === 'high') high = p - 1;
    if (options.bad?.line === lineNumber && options.bad.kind === 'repeat') t -= 60_000;
    const row = `${new Date(t).toISOString()},${p.toFixed(2)},${high.toFixed(2)},${(p - 0.5).toFixed(2)},${(p + 0.1).toFixed(2)},${100 + i},${p.toFixed(3)}`;
    lines.push(i % 97 === 5 ? `${row}\r` : row);
  }
  return `${lines.join('\n')}\n`;
}

describe('CSV import in parts', () => {
  it('stores exactly what one parse of the whole file gives, with or without a header', async () => {
    for (const header of [true, false]) {
      const text = minuteLines(3_000, { header });
      const path = join(store.dir, `PARTS${header ? 'H' : 'N'}.csv`);
      writeFileSync(path, text.replace('\n', '\n\n'));
      const result = await importBarsFile(store.db, path, { partBytes: 1_000 });
      const whole = parseBarsCsv(readFileSync(path, 'utf8'), { source: 'whole' });
      expect(result.bars).toBe(3_000);
      const stored = await new BarsRepository(store.db).read(result.symbol, '1m');
      for (const f of ['t', 'o', 'h', 'l', 'c', 'v'] as const) {
        expect(Array.from(stored[f])).toEqual(Array.from(whole.bars[f]));
      }
      expect(result).toMatchObject({ timeframe: '1m', start: whole.bars.t[0], end: whole.bars.t[2_999] });
    }
  });

  it("loads the staged rows under DuckDB's load settings and restores the database's after", async () => {
    const settings = async (): Promise<string> =>
      (
        await store.db.connection.runAndReadAll(
          "SELECT current_setting('memory_limit') || '/' || current_setting('threads')",
        )
      ).getRows()[0]![0] as string;
    const before = await settings();
    const seen: string[] = [];
    const run = store.db.run.bind(store.db);
    store.db.run = async (sql, params) => {
      // Inside the import's exclusive hold: asking the connection itself queues behind nothing.
      if (sql.includes('INSERT INTO bars')) seen.push(await settings());
      return run(sql, params);
    };
    try {
      const path = join(store.dir, 'LIMITED.csv');
      writeFileSync(path, minuteLines(500));
      expect((await importBarsFile(store.db, path, { partBytes: 4_000 })).bars).toBe(500);
    } finally {
      store.db.run = run;
    }
    expect(seen).toEqual(['48.0 MiB/1']);
    expect(await settings()).toBe(before);
  });

  it("loads again at the database's own settings when the load runs out of memory under its limit", async () => {
    // A primary-key index must fit in memory: 300,000 keys do not fit in 1 MiB.
    await store.db.run('CREATE TABLE keys_oom (k BIGINT PRIMARY KEY)');
    const load = () => store.db.run('INSERT INTO keys_oom SELECT range FROM range(300000)');
    const tight = { memory_limit: '1MiB', threads: '1' };
    await expect(store.db.withSettings(tight, load)).rejects.toThrow(/out of memory/i);
    expect(await store.db.all('SELECT count(*)::INTEGER AS n FROM keys_oom')).toEqual([{ n: 0 }]);
    await underLoadSettings(store.db, load, tight);
    expect(await store.db.all('SELECT count(*)::INTEGER AS n FROM keys_oom')).toEqual([{ n: 300_000 }]);
    await store.db.run('DROP TABLE keys_oom');
  });

  it('names the file line of a bad row in any part, at a cut or not, and stores nothing', async () => {
    // About 17 lines per part: lines 30 to 50 include rows on both sides of a cut.
    for (let line = 30; line <= 50; line++) {
      for (const kind of ['high', 'repeat'] as const) {
        const path = join(store.dir, 'BADPART.csv');
        writeFileSync(path, minuteLines(200, { bad: { line, kind } }));
        const error = await importBarsFile(store.db, path, { partBytes: 1_200 }).then(
          () => null,
          (e: unknown) => e as Error,
        );
        expect(error?.message, `${kind} at line ${line}`).toMatch(new RegExp(`^BADPART\\.csv line ${line},`));
        expect(await new BarsRepository(store.db).storedTimeframes('BADPART')).toEqual([]);
      }
    }
  });

  it('refuses times without an offset after times with one, in any part, at a cut or not', async () => {
    // Read as UTC, the rows without their Z are the very same times: only the check tells them apart.
    for (let line = 30; line <= 50; line += 4) {
      const path = join(store.dir, 'ZONES.csv');
      const lines = minuteLines(200).split('\n');
      writeFileSync(
        path,
        [...lines.slice(0, line - 1), ...lines.slice(line - 1).map((l) => l.replace('Z,', ','))].join('\n'),
      );
      const error = await importBarsFile(store.db, path, { partBytes: 1_200 }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message, `from line ${line}`).toMatch(
        new RegExp(
          `^ZONES\\.csv line ${line}, column "timestamp": ".*" has no UTC offset while line 2's time has one`,
        ),
      );
      expect(await new BarsRepository(store.db).storedTimeframes('ZONES')).toEqual([]);
    }
  });

  it('refuses a file over the size cap before reading it, saying how to proceed', async () => {
    const path = join(store.dir, 'HUGE.csv');
    writeFileSync(path, 'timestamp,open,high,low,close,volume\n');
    execFileSync('truncate', ['-s', '5G', path]); // sparse: no disk used
    await expect(importBarsFile(store.db, path)).rejects.toThrow(
      /HUGE\.csv is 5\.0 GB; files up to 4 GB are imported: split it/,
    );
  });

  it('runs imports one at a time, in the order asked', async () => {
    const service = new MarketDataService(store.db, {});
    const log: string[] = [];
    const files = ['QA', 'QB', 'QC'].map((symbol) => {
      const path = join(store.dir, `${symbol}.csv`);
      writeFileSync(path, minuteLines(2_000));
      return { symbol, path };
    });
    await Promise.all(
      files.map(({ symbol, path }) =>
        service
          .importFile(path, { partBytes: 4_000, onProgress: () => log.push(`${symbol} reads`) })
          .then(() => log.push(`${symbol} done`)),
      ),
    );
    const order = log.filter((entry, i) => entry !== log[i - 1]);
    expect(order).toEqual(['QA reads', 'QA done', 'QB reads', 'QB done', 'QC reads', 'QC done']);
  });
});
