/**
 * One session setting for every timeframe, in studies and walk-forward runs too (issue 10 item 4): the
 * request's session reaches the bar cache for each timeframe the search reads, regular hours unless
 * extended is asked for.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requestSchemas } from '../../src/shared/contract.ts';
import { extendedMinutes } from '../support/extendedMinutes.ts';
import { optimizeHarness, runWalkForward, type OptimizeHarness } from '../support/studies.ts';

const SYMBOL = 'SESS';
let h: OptimizeHarness;

beforeAll(async () => {
  h = await optimizeHarness(1);
  await h.bars.write(SYMBOL, '1m', extendedMinutes(), 'test');
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const search = {
  strategy: 'sma-cross',
  space: ['fast=2:4:1', 'slow=6:9:1'],
  constraints: ['fast<slow'],
  sampler: 'random',
  objectives: [{ metric: 'finalEquity' }],
  trials: 2,
};

describe('the session of a search', () => {
  it('matters for 1-minute bars of an equity (the fixture has extended hours)', async () => {
    const regular = await h.bars.read(SYMBOL, '1m', { session: 'regular' });
    const extended = await h.bars.read(SYMBOL, '1m', { session: 'extended' });
    expect([regular.t.length, extended.t.length]).toEqual([3 * 390, 3 * 960]);
  });

  it('optimize:start reads every timeframe on the session asked for, regular when none is', async () => {
    const reads = vi.spyOn(h.bars, 'read');
    const start = (session?: 'extended') =>
      h.service.start(
        requestSchemas['optimize:start'].input.parse({
          ...search,
          data: { symbol: SYMBOL, timeframes: ['1m', '15m'], ...(session ? { session } : {}) },
        }),
      );
    await start('extended');
    expect(reads.mock.calls.map(([, timeframe, range]) => [timeframe, range?.session])).toEqual([
      ['1m', 'extended'],
      ['15m', 'extended'],
    ]);
    reads.mockClear();
    await start();
    expect(reads.mock.calls.map(([, timeframe, range]) => [timeframe, range?.session])).toEqual([
      ['1m', 'regular'],
      ['15m', 'regular'],
    ]);
    reads.mockRestore();
  });

  it('walkforward:run reads its bars on the session asked for', async () => {
    const reads = vi.spyOn(h.bars, 'read');
    const request = requestSchemas['walkforward:run'].input.parse({
      ...search,
      data: { symbol: SYMBOL, timeframe: '5m', session: 'extended' },
      // Longer than the data: the run stops once the bars are read, which is all this test needs.
      windows: { unit: 'bars', train: 100_000, test: 10, step: 10 },
    });
    const run = runWalkForward(h, request, { windows: null });
    await expect(run).rejects.toThrow();
    expect(reads.mock.calls.map(([, timeframe, range]) => [timeframe, range?.session])).toEqual([
      ['5m', 'extended'],
    ]);
    reads.mockRestore();
  });
});
