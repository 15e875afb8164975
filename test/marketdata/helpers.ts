import { firstIndexAtOrAfter } from '../../src/core/data/bars.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlpacaBarsClient, type AlpacaClientOptions } from '../../src/main/marketdata/alpacaClient.ts';
import { AlpacaCredentials } from '../../src/main/marketdata/credentials.ts';
import type { FakeAlpaca } from '../fake-alpaca/server.ts';
import type { FakeTimeframe } from '../fake-alpaca/data.ts';

export function tempDir(prefix = 'regimen-md-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A client on the fake with test-scale timings (fast backoff, short timeout, generous rate). */
export function fakeClient(fake: FakeAlpaca, options: Partial<AlpacaClientOptions> = {}): AlpacaBarsClient {
  return new AlpacaBarsClient({
    credentials: new AlpacaCredentials(fake.keyId, fake.secretKey, 'explicit'),
    baseUrl: fake.url,
    requestsPerMinute: 60_000,
    maxInFlight: 4,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    timeoutMs: 5_000,
    ...options,
  });
}

/** Bars the fake serves for a symbol in [start, end): the expected content of the cache. */
export function expectedBars(
  fake: FakeAlpaca,
  symbol: string,
  timeframe: FakeTimeframe,
  start: number,
  end: number,
) {
  const series = fake.market.series(symbol, timeframe);
  const a = firstIndexAtOrAfter(series.bars.t, start);
  const b = firstIndexAtOrAfter(series.bars.t, end);
  return {
    t: series.bars.t.subarray(a, b),
    o: series.bars.o.subarray(a, b),
    h: series.bars.h.subarray(a, b),
    l: series.bars.l.subarray(a, b),
    c: series.bars.c.subarray(a, b),
    v: series.bars.v.subarray(a, b),
  };
}
