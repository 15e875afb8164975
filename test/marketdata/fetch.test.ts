import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AlpacaAuthError } from '../../src/main/marketdata/alpacaClient.ts';
import { HistoricalFetcher } from '../../src/main/marketdata/fetcher.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { Database } from '../../src/main/store/database.ts';
import { FakeAlpaca } from '../fake-alpaca/server.ts';
import { expectedBars, fakeClient, tempDir } from './helpers.ts';

const START = Date.UTC(2024, 0, 2);
const END = Date.UTC(2024, 1, 1);
const SYMBOLS = ['AAPL', 'MSFT'];

let fake: FakeAlpaca;
beforeAll(async () => {
  fake = await FakeAlpaca.start({ keyId: 'PKTESTKEYID0001', secretKey: 'sEcReT-value-never-logged-42' });
});
afterAll(async () => fake.close());
afterEach(() => {
  fake.requests.length = 0;
  fake.delayMs = 0;
});

async function freshDb(): Promise<Database> {
  return Database.open(':memory:');
}

async function expectComplete(db: Database, symbols = SYMBOLS, start = START, end = END): Promise<void> {
  const repo = new BarsRepository(db);
  for (const symbol of symbols) {
    const want = expectedBars(fake, symbol, '1Min', start, end);
    const got = await repo.read(symbol, '1m', { start, end });
    expect(got.t.length).toBe(want.t.length);
    expect(Array.from(got.t)).toEqual(Array.from(want.t));
    expect(Array.from(got.c)).toEqual(Array.from(want.c));
    const [row] = await db.all<{ n: number; d: number }>(
      'SELECT count(*)::INTEGER AS n, count(DISTINCT ts)::INTEGER AS d FROM bars WHERE symbol = $symbol',
      { symbol },
    );
    expect(row!.n).toBe(row!.d);
  }
}

describe('historical fetch against the fake Alpaca', () => {
  it('follows next_page_token over several symbols, then asks for nothing the second time', async () => {
    const db = await freshDb();
    const fetcher = new HistoricalFetcher(db, fakeClient(fake, { pageLimit: 2_000 }));
    const progress: number[] = [];
    const first = await fetcher.fetch({
      symbols: SYMBOLS,
      timeframe: '1Min',
      start: START,
      end: END,
      onProgress: (p) => progress.push(p.done / p.total),
    });
    expect(first.pages).toBeGreaterThan(5);
    expect(fake.requests.some((r) => r.pageToken !== null)).toBe(true);
    expect(fake.requests.every((r) => r.symbols.join(',') === 'AAPL,MSFT')).toBe(true);
    expect(progress.at(-1)).toBe(1);
    await expectComplete(db);
    fake.requests.length = 0;
    const second = await fetcher.fetch({ symbols: SYMBOLS, timeframe: '1Min', start: START, end: END });
    expect(second.requests).toBe(0);
    expect(fake.requests).toHaveLength(0);
    // A wider range asks only for the new part.
    const wider = await fetcher.fetch({
      symbols: SYMBOLS,
      timeframe: '1Min',
      start: START,
      end: Date.UTC(2024, 1, 8),
    });
    expect(wider.requests).toBe(1);
    expect(Date.parse(fake.requests[0]!.start!)).toBe(END);
    await expectComplete(db, SYMBOLS, START, Date.UTC(2024, 1, 8));
    db.close();
  });

  it('waits out a 429 for its Retry-After and loses nothing', async () => {
    const db = await freshDb();
    fake.failNext({ kind: '429', retryAfterSeconds: 1 });
    const fetcher = new HistoricalFetcher(db, fakeClient(fake));
    await fetcher.fetch({ symbols: SYMBOLS, timeframe: '1Min', start: START, end: END });
    const limited = fake.requests.findIndex((r) => r.status === 429);
    expect(limited).toBe(0);
    expect(fake.requests[1]!.at - fake.requests[0]!.at).toBeGreaterThanOrEqual(950);
    await expectComplete(db);
    db.close();
  });

  it('retries a 500, a connection cut mid-body and a hung request with backoff', async () => {
    const db = await freshDb();
    fake.failNext({ kind: '500' }, { kind: 'disconnect' }, { kind: 'hang' }, { kind: '500' });
    const client = fakeClient(fake, { timeoutMs: 400, maxInFlight: 1 });
    const fetcher = new HistoricalFetcher(db, client);
    await fetcher.fetch({ symbols: SYMBOLS, timeframe: '1Min', start: START, end: END });
    expect(fake.pendingFaults).toBe(0);
    expect(client.stats.serverErrors).toBe(2);
    expect(client.stats.networkErrors).toBe(2);
    await expectComplete(db);
    db.close();
  });

  it('gives up after too many 500s with a clear error, keeping the pages already stored', async () => {
    const db = await freshDb();
    const client = fakeClient(fake, { maxRetries: 2, pageLimit: 5_000, maxInFlight: 1 });
    const fetcher = new HistoricalFetcher(db, client);
    // First page succeeds, then the server fails for good.
    let calls = 0;
    const failing = async (): Promise<void> => {
      while (fake.requests.length < 1 && calls++ < 200) await new Promise((r) => setTimeout(r, 5));
      fake.failNext({ kind: '500' }, { kind: '500' }, { kind: '500' });
    };
    const run = fetcher.fetch({ symbols: ['AAPL'], timeframe: '1Min', start: START, end: END });
    await failing();
    await expect(run).rejects.toThrow(/failed after 3 attempts: HTTP 500/);
    const stored = await db.all<{ n: number }>(
      "SELECT count(*)::INTEGER AS n FROM bars WHERE symbol = 'AAPL'",
    );
    expect(stored[0]!.n).toBe(5_000);
    // Resume: only the rest is asked for, and the result is complete.
    fake.requests.length = 0;
    await fetcher.fetch({ symbols: ['AAPL'], timeframe: '1Min', start: START, end: END });
    expect(Date.parse(fake.requests[0]!.start!)).toBeGreaterThan(START);
    await expectComplete(db, ['AAPL']);
    db.close();
  });

  it('stops at once on 401 with a message that the keys were refused, never showing them', async () => {
    const dir = tempDir();
    const db = await Database.open(join(dir.path, 'regimen.duckdb'));
    fake.failNext({ kind: '401' });
    const fetcher = new HistoricalFetcher(db, fakeClient(fake));
    const error = await fetcher.fetch({ symbols: SYMBOLS, timeframe: '1Min', start: START, end: END }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AlpacaAuthError);
    const message = String((error as Error).message) + String((error as Error).stack);
    expect(message).toMatch(/refused the API keys/);
    expect(message).not.toContain(fake.keyId);
    expect(message).not.toContain(fake.secretKey);
    expect(fake.requests).toHaveLength(1);
    const [count] = await db.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM bars');
    expect(count!.n).toBe(0);
    // A successful fetch stores bars but no key material: scan the database file itself.
    await fetcher.fetch({ symbols: ['AAPL'], timeframe: '1Min', start: START, end: Date.UTC(2024, 0, 5) });
    await db.run('CHECKPOINT');
    db.close();
    const bytes = readFileSync(join(dir.path, 'regimen.duckdb')).toString('latin1');
    expect(bytes).not.toContain(fake.keyId);
    expect(bytes).not.toContain(fake.secretKey);
    dir.remove();
  });

  it('refuses keys on 403 too', async () => {
    const db = await freshDb();
    fake.failNext({ kind: '403' });
    const fetcher = new HistoricalFetcher(db, fakeClient(fake));
    await expect(
      fetcher.fetch({ symbols: ['AAPL'], timeframe: '1Min', start: START, end: END }),
    ).rejects.toThrow(/refused the API keys for this request \(HTTP 403/);
    db.close();
  });

  it('records coverage per adjustment: another adjustment is fetched again and replaces the bars', async () => {
    const db = await freshDb();
    const fetcher = new HistoricalFetcher(db, fakeClient(fake));
    const range = { symbols: ['AAPL'], timeframe: '1Min' as const, start: START, end: Date.UTC(2024, 0, 10) };
    await fetcher.fetch({ ...range, adjustment: 'raw' });
    fake.requests.length = 0;
    const again = await fetcher.fetch({ ...range, adjustment: 'all' });
    expect(again.requests).toBe(1);
    expect(fake.requests[0]!.adjustment).toBe('all');
    const rows = await fetcher.coverage.list('AAPL');
    expect(rows.map((r) => r.adjustment)).toEqual(['all']);
    await expectComplete(db, ['AAPL'], range.start, range.end);
    db.close();
  });
});

describe('an upstream answer echoing the keys', () => {
  // Characters JSON and URL encoding change, so each encoded form differs from the plain one.
  const keyId = 'PKECHO/KEY+0042';
  const secretKey = 'echo"secret\\with/slash&plus+=?end';
  const encodings = (value: string): string[] => [
    value,
    value.toUpperCase(),
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    Buffer.from(value).toString('base64').slice(0, -4),
  ];
  const basic = Buffer.from(`${keyId}:${secretKey}`).toString('base64');

  it('refuses the request naming the status, without any form of the keys', async () => {
    const echoing = await FakeAlpaca.start({ keyId, secretKey });
    try {
      const echo = [...encodings(keyId), ...encodings(secretKey), `Basic ${basic}`].join(' | ');
      echoing.failNext({ kind: 'echo', status: 422, message: `bad request, headers were ${echo}` });
      const error = await fakeClient(echoing)
        .getBarsPage({
          symbols: ['AAPL'],
          timeframe: '1Min',
          start: START,
          end: END,
          adjustment: 'raw',
          feed: 'iex',
        })
        .then(
          () => null,
          (e: unknown) => e as Error,
        );
      expect(error?.message).toMatch(/Alpaca rejected the bars request \(HTTP 422/);
      for (const form of [...encodings(keyId), ...encodings(secretKey), basic.slice(4, -4)]) {
        expect(error?.message).not.toContain(form);
      }
    } finally {
      await echoing.close();
    }
  });
});
