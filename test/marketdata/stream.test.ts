import { afterAll, beforeAll, expect, it } from 'vitest';
import { DataValidationError } from '../../src/core/data/validate.ts';
import { AlpacaCredentials } from '../../src/main/marketdata/credentials.ts';
import { HistoricalFetcher } from '../../src/main/marketdata/fetcher.ts';
import { LiveBarStream, type LiveBar } from '../../src/main/marketdata/liveStream.ts';
import { MarketDataService } from '../../src/main/marketdata/service.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { Database } from '../../src/main/store/database.ts';
import { FakeAlpaca } from '../fake-alpaca/server.ts';
import { expectedBars, fakeClient } from './helpers.ts';

let fake: FakeAlpaca;
beforeAll(async () => {
  fake = await FakeAlpaca.start();
});
afterAll(async () => fake.close());

const until = async (condition: () => boolean, ms = 5_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

it('stores and emits streamed bars, reconnects after a drop, and back-fills the gap over REST', async () => {
  const db = await Database.open(':memory:');
  const bars: LiveBar[] = [];
  const states: string[] = [];
  const stream = new LiveBarStream(db, {
    credentials: new AlpacaCredentials(fake.keyId, fake.secretKey, 'explicit'),
    symbols: ['SYNX'],
    baseUrl: fake.streamUrl,
    fetcher: new HistoricalFetcher(db, fakeClient(fake)),
    reconnectBaseMs: 50,
    onBar: (b) => bars.push(b),
    onStatus: (s) => states.push(s.state),
  });
  await stream.start();
  const minutes = expectedBars(fake, 'SYNX', '1Min', Date.UTC(2024, 3, 2), Date.UTC(2024, 3, 3)).t;
  for (let i = 0; i < 5; i++) fake.publishBar('SYNX', minutes[i]!);
  await until(() => bars.length === 5);
  fake.dropStreamClients();
  await until(() => states.includes('reconnecting'));
  // Minutes 5..9 happen while the client is away.
  for (let i = 5; i < 10; i++) fake.publishBar('SYNX', minutes[i]!);
  await until(() => states.filter((s) => s === 'live').length === 2 && fake.subscribers('SYNX') === 1);
  for (let i = 10; i < 13; i++) fake.publishBar('SYNX', minutes[i]!);
  fake.publishBar('SYNX', minutes[12]!); // a repeat is ignored
  await until(() => bars.length === 13);
  await stream.stop();
  expect(bars.map((b) => b.t)).toEqual(Array.from(minutes.subarray(0, 13)));
  expect(bars.filter((b) => b.backfilled).map((b) => b.t)).toEqual(Array.from(minutes.subarray(5, 10)));
  expect(stream.reconnectCount).toBe(1);
  const stored = await new BarsRepository(db).read('SYNX', '1m');
  expect(Array.from(stored.t)).toEqual(Array.from(minutes.subarray(0, 13)));
  const want = expectedBars(fake, 'SYNX', '1Min', minutes[0]!, minutes[13]!);
  expect(Array.from(stored.c)).toEqual(Array.from(want.c));
  db.close();
});

it("back-fills the minutes between a sync's REST catch-up and the stream's first bar", async () => {
  const db = await Database.open(':memory:');
  const service = new MarketDataService(db, {
    credentials: new AlpacaCredentials(fake.keyId, fake.secretKey, 'explicit'),
    dataBaseUrl: fake.url,
    streamBaseUrl: fake.streamUrl,
    backoffBaseMs: 20,
  });
  const minutes = expectedBars(fake, 'SYNC', '1Min', Date.UTC(2024, 3, 2), Date.UTC(2024, 3, 3)).t;
  // The catch-up ends at the last minute known final; minutes 5 and 6 close before the stream subscribes.
  await service.fetch({ symbols: ['SYNC'], timeframe: '1Min', start: minutes[0]!, end: minutes[5]! });
  const bars: LiveBar[] = [];
  const stream = await service.syncStream({ symbols: ['SYNC'], onBar: (b) => bars.push(b) });
  await stream.start();
  fake.publishBar('SYNC', minutes[7]!);
  fake.publishBar('SYNC', minutes[8]!);
  await until(() => bars.length === 4);
  await stream.stop();
  expect(bars.map((b) => [b.t, b.backfilled])).toEqual([
    [minutes[5], true],
    [minutes[6], true],
    [minutes[7], false],
    [minutes[8], false],
  ]);
  const stored = await new BarsRepository(db).read('SYNC', '1m');
  expect(Array.from(stored.t)).toEqual(Array.from(minutes.subarray(0, 9)));
  db.close();
});

it('reports a bad stream bar by symbol, time and field, and never stores it', async () => {
  const db = await Database.open(':memory:');
  const bars: LiveBar[] = [];
  const errors: Error[] = [];
  const stream = new LiveBarStream(db, {
    credentials: new AlpacaCredentials(fake.keyId, fake.secretKey, 'explicit'),
    symbols: ['SYNX'],
    baseUrl: fake.streamUrl,
    onBar: (b) => bars.push(b),
    onError: (e) => errors.push(e),
  });
  await stream.start();
  const minutes = expectedBars(fake, 'SYNX', '1Min', Date.UTC(2024, 3, 2), Date.UTC(2024, 3, 3)).t;
  fake.publishBar('SYNX', minutes[0]!);
  fake.publishBar('SYNX', minutes[1]!, { h: 0.5 });
  fake.publishBar('SYNX', minutes[2]!);
  await until(() => bars.length === 2);
  await stream.stop();
  expect(bars.map((b) => b.t)).toEqual([minutes[0], minutes[2]]);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(DataValidationError);
  expect((errors[0] as DataValidationError).problem).toBe('high-below-open-close');
  expect(errors[0]!.message).toMatch(
    new RegExp(
      `^Alpaca stream SYNX bar ${new Date(minutes[1]!).toISOString().replace('.000Z', 'Z')}, column "high": high 0.5 is below`,
    ),
  );
  const stored = await new BarsRepository(db).read('SYNX', '1m');
  expect(Array.from(stored.t)).toEqual([minutes[0], minutes[2]]);
  db.close();
});

it('stops at once when the stream refuses the keys', async () => {
  const db = await Database.open(':memory:');
  const stream = new LiveBarStream(db, {
    credentials: new AlpacaCredentials('WRONGKEY', 'WRONGSECRET-xyz', 'explicit'),
    symbols: ['SYNX'],
    baseUrl: fake.streamUrl,
    reconnectBaseMs: 50,
  });
  const error = await stream.start().then(
    () => null,
    (e: unknown) => e,
  );
  expect(String(error)).toMatch(/refused the API keys on the bars stream/);
  expect(String(error)).not.toContain('WRONGSECRET');
  const connections = fake.streamConnections;
  await new Promise((r) => setTimeout(r, 200));
  expect(fake.streamConnections).toBe(connections);
  await stream.stop();
  db.close();
});
