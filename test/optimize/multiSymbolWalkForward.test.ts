/**
 * Walk-forward on several symbols (issue 15 item 10) on real daily bars (GOOG, ORCL from ../shared/data):
 * each window's train study scores sets on both symbols with the study's aggregation, windows are cut on
 * the dates both cover, and each window's per-symbol out-of-sample figures are a single-symbol backtest
 * of the window's set on that symbol. And what is refused before anything is stored.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { firstIndexAtOrAfter, sliceBars, sliceBarsByTime } from '../../src/core/data/bars.ts';
import { parseBarsCsv } from '../../src/core/data/csv/read.ts';
import { runBacktest } from '../../src/core/engine/index.ts';
import { computeEquityMetrics } from '../../src/core/metrics/metrics.ts';
import { getStrategy } from '../../src/core/strategy/index.ts';
import { resolveCosts } from '../../src/main/services/costs.ts';
import { searchCostsOf } from '../../src/main/services/optimize/studySetup.ts';
import { WalkForwardRepository } from '../../src/main/store/walkForwardRepository.ts';
import { requestSchemas } from '../../src/shared/contract.ts';
import { sharedDataFile } from '../support/sharedData.ts';
import { optimizeHarness, runWalkForward, type OptimizeHarness } from '../support/studies.ts';

const SYMBOLS = ['GOOG', 'ORCL'] as const;
const files = SYMBOLS.map((s) => sharedDataFile(`${s}.csv`));
const absent = files.find((f) => !f.present);
const skipReason = absent?.skipReason ?? '';
const START = Date.UTC(2010, 0, 1);
const END = Date.UTC(2012, 0, 1);

/** GOOG and ORCL daily bars in the harness's cache; ORCL's from `orclFrom` on (other dates than GOOG's). */
async function cacheSymbols(h: OptimizeHarness, orclFrom: number | null = null): Promise<void> {
  for (const [i, symbol] of SYMBOLS.entries()) {
    const path = files[i]!.path;
    const { bars } = parseBarsCsv(readFileSync(path, 'utf8'), { source: basename(path) });
    await h.bars.write(
      symbol,
      '1d',
      symbol === 'ORCL' ? sliceBarsByTime(bars, orclFrom, null) : bars,
      'test',
    );
  }
}

function request(data: Record<string, unknown>) {
  return requestSchemas['walkforward:run'].input.parse({
    strategy: 'sma-cross',
    data: { timeframe: '1d', start: START, end: END, ...data },
    space: ['fast=5:15:5', 'slow=20:60:20'],
    constraints: ['fast<slow'],
    sampler: 'grid',
    objectives: [{ metric: 'sharpeRatio' }],
    trials: 9,
    seed: 1,
    windows: { train: 365, test: 120, step: 120 },
  });
}

const run = (h: OptimizeHarness, req: ReturnType<typeof request>) => runWalkForward(h, req);

let h: OptimizeHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe(`walk-forward on GOOG and ORCL daily${skipReason}`, () => {
  it.skipIf(absent !== undefined)(
    "each window's per-symbol out-of-sample figures are a single-symbol backtest of its set; the run's are the symbols' combined",
    async () => {
      h = await optimizeHarness(1);
      await cacheSymbols(h);
      const req = request({ symbols: [...SYMBOLS], aggregation: 'mean' });
      const result = await run(h, req);
      expect(result.symbol).toBe('GOOG+ORCL');
      expect(result.windows.length).toBeGreaterThanOrEqual(2);
      expect(result.symbols?.map((s) => s.symbol)).toEqual([...SYMBOLS]);
      const bars = await Promise.all(
        SYMBOLS.map((s) => h!.bars.read(s, '1d', { start: START, end: END, session: 'regular' })),
      );
      for (const w of result.windows) {
        const params = w.params as Record<string, number>;
        const returns: number[] = [];
        for (const [i, symbol] of SYMBOLS.entries()) {
          // Run from the train window's first bar (indicators warmed up), trading from the test window's
          // first (no position carried in from the train window), the test bars' equity kept.
          const t = bars[i]!.t;
          const {
            models: { commission, slippage },
          } = await resolveCosts(searchCostsOf(req), { kind: 'cache', symbol }, h.bars, t);
          const from = firstIndexAtOrAfter(t, w.train.startTime);
          const testStart = firstIndexAtOrAfter(t, w.test.startTime);
          const testEnd = firstIndexAtOrAfter(t, w.test.endTime);
          const equity = runBacktest(sliceBars(bars[i]!, from, testEnd), getStrategy('sma-cross'), params, {
            cash: 10_000,
            commission,
            slippage,
            tradeFrom: testStart - from,
          }).equity.slice(testStart - from);
          const m = computeEquityMetrics(t.slice(testStart, testEnd), equity);
          // A window without a trade has no Sharpe ratio: reported as null.
          expect(w.outOfSample[`sharpeRatio@${symbol}`]).toBe(
            Number.isFinite(m.sharpeRatio) ? m.sharpeRatio : null,
          );
          expect(w.outOfSample[`totalReturn@${symbol}`]).toBe(m.totalReturn);
          expect(w.outOfSample[`maxDrawdown@${symbol}`]).toBe(m.maxDrawdown);
          returns.push(m.totalReturn);
        }
        expect(w.outOfSample['totalReturn']).toBeCloseTo((returns[0]! + returns[1]!) / 2, 12);
      }
      // The run's figure is the symbols' stitched figures combined; each one's is kept.
      const [goog, orcl] = result.symbols!;
      expect(result.outOfSample['totalReturn@GOOG']).toBe(goog!.outOfSample['totalReturn']);
      expect(result.outOfSample['totalReturn']).toBeCloseTo(
        (goog!.outOfSample['totalReturn']! + orcl!.outOfSample['totalReturn']!) / 2,
        12,
      );
      // The windows are kept for the run, as a single symbol's are.
      expect(await new WalkForwardRepository(h.db).windowsOfRun(result.runId)).toHaveLength(
        result.windows.length,
      );
    },
  );

  it.skipIf(absent !== undefined)(
    'cuts windows on the dates both symbols cover, and refuses an unknown symbol or dates that barely overlap, storing nothing',
    async () => {
      h = await optimizeHarness(1);
      // ORCL from mid-2011 only: its bars line up with GOOG's from there on.
      await cacheSymbols(h, Date.UTC(2011, 5, 1));
      const refusal = async (req: ReturnType<typeof request>) => {
        const error = (await run(h!, req).then(
          () => null,
          (e: unknown) => e,
        )) as { message: string; field?: string } | null;
        expect(error).not.toBeNull();
        return { message: error!.message, field: error!.field };
      };
      expect(await refusal(request({ symbols: ['GOOG', 'NOPE'] }))).toEqual({
        message: expect.stringContaining('NOPE'),
        field: 'data.symbols.1',
      });
      // Seven months shared: not one window of a year's training.
      expect(await refusal(request({ symbols: [...SYMBOLS] }))).toEqual({
        message: expect.stringMatching(/too short.*GOOG, ORCL all cover: 2011-06-01 to 2011-12-30/),
        field: 'windows',
      });
      expect(await new WalkForwardRepository(h.db).allWindows()).toEqual([]);
      // A shorter train fits in the shared dates: every window starts after ORCL's first bar.
      const result = await run(h, {
        ...request({ symbols: [...SYMBOLS] }),
        windows: { mode: 'rolling', unit: 'days', train: 90, test: 30, step: 30 },
      });
      expect(result.windows[0]!.train.startTime).toBeGreaterThanOrEqual(Date.UTC(2011, 5, 1));
    },
  );
});
