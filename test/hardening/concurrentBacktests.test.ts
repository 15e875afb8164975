/**
 * Issue 9's figure for item 1 (fixed in 6ad623d), end to end: 200 backtests on a derived timeframe (1m
 * bars read as 1h) sent at once to the HTTP host, on a fresh cache so their session loading overlaps, all
 * answered and each equal to the same request run alone afterwards (each of the 20 distinct requests once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_START, HOST_SYMBOL, startServiceHost, type ServiceHost } from '../support/serviceHost.ts';

let h: ServiceHost;
beforeAll(async () => {
  h = await startServiceHost();
});
afterAll(async () => h?.close());

const DAY = 86_400_000;
const COUNT = 200;
/** Distinct ranges among the requests: request k is range k % RANGES. */
const RANGES = 20;

/** Ranges that start on different days, so concurrent reads need different sessions loaded. */
const request = (k: number) => ({
  symbol: HOST_SYMBOL,
  timeframe: '1h',
  strategy: 'sma-cross',
  params: { fast: 3, slow: 8 },
  start: HOST_START + (k % RANGES) * DAY,
  end: HOST_START + (10 + (k % RANGES)) * DAY,
});

/** What must not depend on concurrency: bars read, every metric, the equity curve and the trades. */
const essence = (body: unknown) => {
  const { bars, metrics, equity, trades } = body as Record<string, unknown>;
  return { bars, metrics, equity, trades };
};

describe('200 concurrent backtests on a derived timeframe', () => {
  it('are all answered, each equal to its serial result', async () => {
    const concurrent = await Promise.all(
      Array.from({ length: COUNT }, (_, k) => h.post('backtest:run', request(k))),
    );
    expect(concurrent.map((a) => a.status)).toEqual(Array(COUNT).fill(200));
    // Each distinct request run alone once: the ten concurrent copies of it must all equal that answer.
    const serial = [];
    for (let r = 0; r < RANGES; r++) {
      const alone = await h.post('backtest:run', request(r));
      expect(alone.status).toBe(200);
      serial.push(essence(alone.body));
    }
    for (let k = 0; k < COUNT; k++)
      expect(essence(concurrent[k]!.body), `request ${k}`).toEqual(serial[k % RANGES]);
    expect((concurrent[0]!.body as { bars: number }).bars).toBeGreaterThan(40);
  }, 120_000);
});
