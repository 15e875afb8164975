import { afterAll, beforeAll, expect, it } from 'vitest';
import { HistoricalFetcher } from '../../src/main/marketdata/fetcher.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { Database } from '../../src/main/store/database.ts';
import { FakeAlpaca } from '../fake-alpaca/server.ts';
import { fakeClient } from './helpers.ts';

const START = Date.UTC(2024, 5, 20); // spans Juneteenth and the July 3 early close
const END = Date.UTC(2024, 6, 10);

let fake: FakeAlpaca;
beforeAll(async () => {
  fake = await FakeAlpaca.start();
});
afterAll(async () => fake.close());

it.each([
  ['5Min', '5m'],
  ['15Min', '15m'],
  ['1Hour', '1h'],
  ['1Day', '1d'],
] as const)('DuckDB resampling of cached 1Min equals the fake Alpaca %s bars', async (alpacaTf, cacheTf) => {
  const db = await Database.open(':memory:');
  const client = fakeClient(fake);
  await new HistoricalFetcher(db, client).fetch({
    symbols: ['ALFA'],
    timeframe: '1Min',
    start: START,
    end: END,
  });
  const resampled = await new BarsRepository(db).read('ALFA', cacheTf, { start: START, end: END });
  const served = [];
  for await (const page of client.iterateBars({
    symbols: ['ALFA'],
    timeframe: alpacaTf,
    start: START,
    end: END,
    adjustment: 'raw',
    feed: 'iex',
  })) {
    const data = page.symbols.get('ALFA');
    if (data)
      for (let i = 0; i < data.bars.t.length; i++)
        served.push(
          data.bars.t[i]!,
          data.bars.o[i]!,
          data.bars.h[i]!,
          data.bars.l[i]!,
          data.bars.c[i]!,
          data.bars.v[i]!,
        );
  }
  const ours = [];
  for (let i = 0; i < resampled.t.length; i++)
    ours.push(
      resampled.t[i]!,
      resampled.o[i]!,
      resampled.h[i]!,
      resampled.l[i]!,
      resampled.c[i]!,
      resampled.v[i]!,
    );
  expect(resampled.t.length).toBeGreaterThan(10);
  expect(ours).toEqual(served);
  db.close();
});
