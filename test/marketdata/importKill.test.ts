import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { importBarsFile, removeStaleStaging } from '../../src/main/marketdata/importer.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { Database } from '../../src/main/store/database.ts';
import { databasePath } from '../../src/main/paths.ts';
import { parseCsvFilePart } from '../../src/main/compute/csvPart.ts';
import { tempDir } from './helpers.ts';
import { testServices } from '../support/serviceHost.ts';

const T0 = Date.UTC(2020, 0, 1);

/** Minute bars of KILL from T0 as CSV: `rows` of them, closes offset by `shift` to tell two files apart. */
function minuteCsv(path: string, rows: number, shift: number): void {
  const lines = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < rows; i++) {
    const p = 100 + (i % 50) + shift;
    lines.push(`${new Date(T0 + i * 60_000).toISOString()},${p},${p + 1},${p - 1},${p + 0.5},${100 + i}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const staging = (folder: string): string[] => readdirSync(folder).filter((n) => n.startsWith('.import-'));

let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => dir?.remove());

it('an import killed during its load stores nothing, keeps the bars before it, and its staging goes at the next start', async () => {
  dir = tempDir('regimen-import-kill-');
  const dataDir = join(dir.path, 'data');
  // The bars before: 1,000 minutes of KILL, which the killed import would have replaced.
  const before = join(dir.path, 'KILL_before.csv');
  minuteCsv(before, 1_000, 0);
  const db = await Database.open(databasePath(dataDir));
  await importBarsFile(db, before);
  const kept = await new BarsRepository(db).read('KILL', '1m');
  db.close();

  // 150,000 rows: DuckDB's load of them lasts far longer than the kill takes to land once the child says
  // the load starts (a commit first would show as bars stored, failing the test rather than passing it).
  const big = join(dir.path, 'KILL_big.csv');
  minuteCsv(big, 150_000, 1_000);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'importKillChild.ts'), dataDir, big],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the import never reached its load: ${stderr}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.split('\n').includes('store')) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  expect(await exited).toBe('SIGKILL');
  expect(stdout).not.toContain('stored');
  // The staging file the load was reading is left behind by the kill...
  expect(staging(dataDir)).toHaveLength(1);

  // ...and the next start removes it; nothing of the killed import is stored, the bars before are intact.
  const services = await testServices(dataDir);
  try {
    expect(staging(dataDir)).toEqual([]);
    const after = await services.bars.read('KILL', '1m');
    expect(Array.from(after.t)).toEqual(Array.from(kept.t));
    expect(Array.from(after.c)).toEqual(Array.from(kept.c));
    expect(Array.from(after.v)).toEqual(Array.from(kept.v));
  } finally {
    await services.close();
  }
}, 120_000);

it('removes only left-over staging folders: not an import under way, a file, a link or another name', async () => {
  dir = tempDir('regimen-import-stale-');
  const folder = dir.path;
  const db = await Database.open(join(folder, 'regimen.duckdb'));
  try {
    mkdirSync(join(folder, '.import-Ab12Cd'));
    writeFileSync(join(folder, '.import-Ab12Cd', 'bars.csv'), '1,2,3\n');
    writeFileSync(join(folder, '.import-file01'), 'not a folder');
    mkdirSync(join(folder, 'elsewhere'));
    symlinkSync(join(folder, 'elsewhere'), join(folder, '.import-link01'));
    mkdirSync(join(folder, '.import-notours-at-all'));
    const others = ['.import-file01', '.import-link01', '.import-notours-at-all'];
    // Import A stops in its first part (after its staging folder is made) until released.
    const slow = join(folder, 'SLOW.csv');
    minuteCsv(slow, 10, 0);
    let reached!: () => void;
    const inPart = new Promise<void>((resolve) => (reached = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const first = importBarsFile(db, slow, {
      parsePart: async (input) => {
        // The zone's look at the file asks for times; the parts themselves do not.
        if (!input.withTimes) {
          reached();
          await released;
        }
        return parseCsvFilePart(input);
      },
    });
    await inPart;
    const underWay = staging(folder).filter((name) => !others.includes(name));
    expect(underWay).toHaveLength(1);
    expect(underWay).not.toContain('.import-Ab12Cd');
    // Import B, started meanwhile, sweeps: A's folder stays.
    const quick = join(folder, 'QUICK.csv');
    minuteCsv(quick, 10, 5);
    await importBarsFile(db, quick);
    expect(staging(folder).sort()).toEqual([...underWay, ...others].sort());
    release();
    expect((await first).bars).toBe(10);
    expect(staging(folder).sort()).toEqual(others);
    expect(await removeStaleStaging(db)).toEqual([]);
  } finally {
    db.close();
  }
});
