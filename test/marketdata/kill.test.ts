import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HistoricalFetcher } from '../../src/main/marketdata/fetcher.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { Database } from '../../src/main/store/database.ts';
import { FakeAlpaca } from '../fake-alpaca/server.ts';
import { expectedBars, fakeClient, tempDir } from './helpers.ts';

const START = Date.UTC(2024, 0, 2);
const END = Date.UTC(2024, 2, 1);
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA'];

let fake: FakeAlpaca;
beforeAll(async () => {
  fake = await FakeAlpaca.start({ delayMs: 120 });
});
afterAll(async () => fake.close());

it('a fetch killed with SIGKILL resumes where it stopped: nothing lost, nothing duplicated', async () => {
  const dir = tempDir();
  const dbPath = join(dir.path, 'regimen.duckdb');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'fetchChild.ts'),
      dbPath,
      fake.url,
      SYMBOLS.join(','),
      String(START),
      String(END),
    ],
    {
      env: { ...process.env, APCA_API_KEY_ID: fake.keyId, APCA_API_SECRET_KEY: fake.secretKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  // Kill once a few pages are committed (progress lines report stored bars) and more are in flight.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child made no progress: ${stderr}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      const lines = d.toString().trim().split('\n');
      if (lines.some((line) => Number(line) >= 6_000)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  const requestsBefore = fake.requests.length;

  const db = await Database.open(dbPath);
  const [partial] = await db.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM bars');
  const total = SYMBOLS.reduce((sum, s) => sum + expectedBars(fake, s, '1Min', START, END).t.length, 0);
  expect(partial!.n).toBeGreaterThanOrEqual(6_000);
  expect(partial!.n).toBeLessThan(total);
  fake.delayMs = 0;
  const resumed = await new HistoricalFetcher(db, fakeClient(fake, { pageLimit: 2_000 })).fetch({
    symbols: SYMBOLS,
    timeframe: '1Min',
    start: START,
    end: END,
  });
  // The resumed run asked for less than everything again.
  expect(resumed.bars).toBeLessThan(total);
  expect(resumed.bars + partial!.n).toBeGreaterThanOrEqual(total);
  expect(
    fake.requests.slice(requestsBefore).every((r) => r.pageToken !== null || Date.parse(r.start!) >= START),
  ).toBe(true);
  const repo = new BarsRepository(db);
  for (const symbol of SYMBOLS) {
    const want = expectedBars(fake, symbol, '1Min', START, END);
    const got = await repo.read(symbol, '1m');
    expect(Array.from(got.t)).toEqual(Array.from(want.t));
    expect(Array.from(got.v)).toEqual(Array.from(want.v));
  }
  const [dupes] = await db.all<{ n: number; d: number }>(
    'SELECT count(*)::INTEGER AS n, count(DISTINCT (symbol, ts))::INTEGER AS d FROM bars',
  );
  expect(dupes!.n).toBe(total);
  expect(dupes!.d).toBe(total);
  db.close();
  dir.remove();
});
