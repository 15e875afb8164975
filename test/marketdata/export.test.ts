import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/main/cli/main.ts';
import { exportBars } from '../../src/main/marketdata/exporter.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { Database } from '../../src/main/store/database.ts';
import { captureIO } from '../support/captureIO.ts';
import { tempDir } from './helpers.ts';

const dir = tempDir('regimen-export-');
const dbPath = join(dir.path, 'regimen.duckdb');
const BARS = 60_000;

beforeAll(async () => {
  const db = await Database.open(dbPath);
  const t = new Float64Array(BARS);
  const price = new Float64Array(BARS);
  for (let i = 0; i < BARS; i++) {
    t[i] = Date.UTC(2024, 0, 2) + i * 60_000;
    price[i] = 100 + Math.sin(i / 50);
  }
  const high = price.map((p) => p + 0.5);
  const low = price.map((p) => p - 0.5);
  await new BarsRepository(db).write(
    'KILL',
    '1m',
    { t, o: price, h: high, l: low, c: price, v: price },
    'test',
  );
  db.close();
});
afterAll(() => dir.remove());

const partials = (): string[] => readdirSync(dir.path).filter((name) => name.endsWith('.partial'));

describe('export', () => {
  it('never writes through a symbolic link, even when asked to overwrite', async () => {
    const db = await Database.open(dbPath);
    try {
      const victim = join(dir.path, 'victim.txt');
      writeFileSync(victim, 'keep me');
      const planted = join(dir.path, 'planted.csv');
      symlinkSync(victim, planted);
      const dangling = join(dir.path, 'dangling.parquet');
      const absent = join(dir.path, 'created-through-link.txt');
      symlinkSync(absent, dangling);
      const range = { start: Date.UTC(2024, 0, 2), end: Date.UTC(2024, 0, 3) };
      await expect(
        exportBars(db, {
          symbol: 'KILL',
          timeframe: '1m',
          format: 'csv',
          out: planted,
          range,
          overwrite: true,
        }),
      ).rejects.toThrow(/planted\.csv is a symbolic link/);
      await expect(
        exportBars(db, { symbol: 'KILL', timeframe: '1m', format: 'parquet', out: dangling, range }),
      ).rejects.toThrow(/dangling\.parquet is a symbolic link/);
      expect(readFileSync(victim, 'utf8')).toBe('keep me');
      expect(existsSync(absent)).toBe(false);
    } finally {
      db.close();
    }
  });

  it('replaces an existing file only when asked, leaving no temporary file behind', async () => {
    const db = await Database.open(dbPath);
    try {
      const out = join(dir.path, 'day.parquet');
      writeFileSync(out, 'previous export');
      const request = {
        symbol: 'KILL',
        timeframe: '1h',
        format: 'parquet',
        out,
        range: { start: Date.UTC(2024, 0, 2), end: Date.UTC(2024, 0, 5) },
      } as const;
      await expect(exportBars(db, request)).rejects.toThrow(/day\.parquet already exists/);
      expect(readFileSync(out, 'utf8')).toBe('previous export');
      const written = await exportBars(db, { ...request, overwrite: true });
      expect(written.bars).toBeGreaterThan(0);
      expect(readFileSync(out).subarray(0, 4).toString()).toBe('PAR1');
      expect(partials()).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('a reader or a kill never finds the file cut short while exports replace it', async () => {
    const out = join(dir.path, 'killed.csv');
    writeFileSync(out, 'the previous good export\n');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'exportChild.ts'), dbPath, out],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.on('exit', () => reject(new Error(`export child ended: ${stderr}`)));
    });
    // Watch the target through several exports, then kill the child the moment it changes again: every
    // size seen must be the old file's or a whole export's (a write in place shows a truncated file).
    const sizes = new Set<number>();
    const versions = new Set<number>();
    await new Promise<void>((resolve) => {
      const poll = (): void => {
        const now = statSync(out, { throwIfNoEntry: false });
        if (now) {
          sizes.add(now.size);
          versions.add(now.mtimeMs);
        }
        if (versions.size >= 3) {
          child.kill('SIGKILL');
          resolve();
        } else setImmediate(poll);
      };
      poll();
    });
    await exited;
    const text = readFileSync(out, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('timestamp,open,high,low,close,volume');
    expect(lines).toHaveLength(BARS + 1);
    expect([...sizes].sort()).toEqual(
      [Buffer.byteLength('the previous good export\n'), Buffer.byteLength(text)].sort(),
    );
  });

  it('the CLI refuses to replace a file unless given --overwrite', async () => {
    const out = join(dir.path, 'cli.csv');
    const args = ['data', 'export', '--symbol', 'KILL', '--format', 'csv', '--timeframe', '1d', '--out', out];
    const first = captureIO();
    expect(await main([...args, '--data-dir', dir.path], first)).toBe(0);
    writeFileSync(out, 'edited by hand');
    const second = captureIO();
    expect(await main([...args, '--data-dir', dir.path], second)).not.toBe(0);
    expect(second.stderr).toMatch(/cli\.csv already exists: choose another --out or pass --overwrite/);
    expect(readFileSync(out, 'utf8')).toBe('edited by hand');
    const third = captureIO();
    expect(await main([...args, '--overwrite', '--data-dir', dir.path], third)).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^timestamp,open/);
  });
});
