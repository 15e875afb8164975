/**
 * A study of several symbols on real daily bars (GOOG, ORCL, NVDA from ../shared/data): each trial's
 * per-symbol metrics are the single-symbol backtests of its parameters, and the study optimises their
 * combination. And what is refused before anything is stored.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBarsCsv } from '../../src/core/data/csv/read.ts';
import { runBacktest } from '../../src/core/engine/index.ts';
import { computeEquityMetrics, computeMetrics } from '../../src/core/metrics/index.ts';
import { getStrategy } from '../../src/core/strategy/index.ts';
import { requestSchemas } from '../../src/shared/contract.ts';
import type { OptimizeStartInput } from '../../src/shared/optimizeContract.ts';
import { studyRecords } from '../../src/main/services/optimize/studyRecords.ts';
import { sharedDataFile } from '../support/sharedData.ts';
import { optimizeHarness, type OptimizeHarness } from '../support/studies.ts';

const SYMBOLS = ['GOOG', 'ORCL', 'NVDA'] as const;
const files = SYMBOLS.map((s) => sharedDataFile(`${s}.csv`));
const absent = files.find((f) => !f.present);
const skipReason = absent?.skipReason ?? '';
const START = Date.UTC(2006, 0, 1);
const END = Date.UTC(2013, 0, 1);

/** The three symbols' daily bars in the harness's cache, read from the shared files. */
async function cacheSymbols(h: OptimizeHarness): Promise<void> {
  for (const [i, symbol] of SYMBOLS.entries()) {
    const path = files[i]!.path;
    const { bars } = parseBarsCsv(readFileSync(path, 'utf8'), { source: basename(path) });
    await h.bars.write(symbol, '1d', bars, 'test');
  }
}

function request(data: Record<string, unknown>, extra: Partial<OptimizeStartInput> = {}) {
  return requestSchemas['optimize:start'].input.parse({
    strategy: 'sma-cross',
    data: { timeframes: ['1d'], start: START, end: END, ...data },
    space: ['fast=5:15:5', 'slow=20:60:20'],
    constraints: ['fast<slow'],
    sampler: 'grid',
    objectives: [{ metric: 'sharpeRatio' }],
    trials: 100,
    seed: 1,
    ...extra,
  });
}

let h: OptimizeHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe(`a study of several symbols on GOOG, ORCL and NVDA daily${skipReason}`, () => {
  it.skipIf(absent !== undefined)(
    'scores each trial on every symbol, per-symbol metrics equal to single-symbol backtests, combined by weight',
    async () => {
      h = await optimizeHarness(1);
      await cacheSymbols(h);
      const weights = { GOOG: 0.5, ORCL: 0.3, NVDA: 0.2 };
      const started = await h.service.start(
        request({ symbols: [...SYMBOLS], aggregation: 'weighted', symbolWeights: weights }),
      );
      const detail = await h.service.wait(started.studyId);
      expect(detail.summary.state).toBe('complete');
      expect(detail.summary.symbols).toEqual([...SYMBOLS]);
      expect(detail.config.slices.map((s) => s.key)).toEqual([...SYMBOLS]);
      expect(detail.config.symbolWeights).toEqual(weights);
      // fast 5, 10, 15 x slow 20, 40, 60: 9 trials.
      expect(detail.trials).toHaveLength(9);
      const { options } = (await studyRecords(h.db).get(started.studyId)).data.definition;
      const bars = await Promise.all(
        SYMBOLS.map((s) => h!.bars.read(s, '1d', { start: START, end: END, session: 'regular' })),
      );
      for (const trial of detail.trials) {
        expect(trial.status).toBe('complete');
        const params = trial.params as Record<string, number>;
        let weighted = 0;
        for (const [i, symbol] of SYMBOLS.entries()) {
          const run = runBacktest(bars[i]!, getStrategy('sma-cross'), params, options);
          const m = computeMetrics({
            t: bars[i]!.t,
            equity: run.equity,
            initialCash: 10_000,
            returnsFrom: run.options.returnsFrom,
            trades: run.trades,
          });
          expect(trial.metrics[`finalEquity@${symbol}`]).toBe(m.finalEquity);
          expect(trial.metrics[`numTrades@${symbol}`]).toBe(m.numTrades);
          expect(trial.metrics[`sharpeRatio@${symbol}`]).toBe(m.sharpeRatio);
          weighted += weights[symbol] * m.sharpeRatio;
        }
        expect(trial.metrics['sharpeRatio']).toBeCloseTo(weighted, 12);
        expect(trial.values![0]).toBeCloseTo(weighted, 12);
      }
      // The persisted study reads back the same per-symbol metrics.
      const again = await h.service.get(started.studyId);
      expect(again.trials.map((t) => t.metrics)).toEqual(detail.trials.map((t) => t.metrics));
    },
  );

  it.skipIf(absent !== undefined)(
    "holds out every symbol from the same time, each one's figures its own backtest's, combined as the trials'",
    async () => {
      h = await optimizeHarness(1);
      await cacheSymbols(h);
      const started = await h.service.start(
        request({ symbols: [...SYMBOLS], aggregation: 'worst', holdout: { fraction: 0.25 } }),
      );
      const detail = await h.service.wait(started.studyId);
      expect(detail.summary.state).toBe('complete');
      const holdout = detail.holdout!;
      expect(holdout.slices?.map((s) => s.label)).toEqual([...SYMBOLS]);
      const { options } = (await studyRecords(h.db).get(started.studyId)).data.definition;
      const params = detail.best!.params as Record<string, number>;
      const sharpes: number[] = [];
      for (const [i, symbol] of SYMBOLS.entries()) {
        const bars = await h.bars.read(symbol, '1d', { start: START, end: END, session: 'regular' });
        const { equity } = runBacktest(bars, getStrategy('sma-cross'), params, options);
        let cut = 0;
        while (bars.t[cut]! < holdout.from) cut++;
        const out = computeEquityMetrics(bars.t.subarray(cut - 1), equity.subarray(cut - 1));
        const slice = holdout.slices![i]!;
        expect(slice).toMatchObject({ symbol, bars: bars.t.length - cut, searchedBars: cut });
        expect(slice.outOfSample['totalReturn']).toBe(out.totalReturn);
        expect(holdout.outOfSample[`totalReturn@${symbol}`]).toBe(out.totalReturn);
        sharpes.push(out.sharpeRatio);
      }
      // Worst: the objective's combined figure is the lowest of the three.
      expect(holdout.outOfSample['sharpeRatio']).toBe(Math.min(...sharpes));
    },
  );

  it.skipIf(absent !== undefined)(
    'under worst the score is the lowest Sharpe ratio and the fewest trades of the three',
    async () => {
      h = await optimizeHarness(1);
      await cacheSymbols(h);
      const started = await h.service.start(request({ symbols: [...SYMBOLS], aggregation: 'worst' }));
      const detail = await h.service.wait(started.studyId);
      expect(detail.trials).toHaveLength(9);
      for (const t of detail.trials) {
        const at = (metric: string) => SYMBOLS.map((s) => t.metrics[`${metric}@${s}`]!);
        expect(t.metrics['sharpeRatio']).toBe(Math.min(...at('sharpeRatio')));
        expect(t.metrics['numTrades']).toBe(Math.min(...at('numTrades')));
        expect(t.metrics['totalReturn']).toBeCloseTo(at('totalReturn').reduce((a, b) => a + b, 0) / 3, 12);
      }
    },
  );

  it.skipIf(absent !== undefined)(
    'refuses a symbol with no bars, a timeframe not cached, weights that do not match, storing nothing',
    async () => {
      h = await optimizeHarness(1);
      await cacheSymbols(h);
      const refusal = async (req: ReturnType<typeof request>) => {
        const error = (await h!.service.start(req).then(
          () => null,
          (e: unknown) => e,
        )) as { message: string; field?: string } | null;
        expect(error).not.toBeNull();
        return { message: error!.message, field: error!.field };
      };
      expect(await refusal(request({ symbols: ['GOOG', 'NOPE', 'NVDA'] }))).toEqual({
        message: expect.stringContaining('NOPE'),
        field: 'data.symbols.1',
      });
      // Daily bars are cached; hourly ones cannot be made of them.
      expect(await refusal(request({ symbols: ['GOOG', 'ORCL'], timeframes: ['1h'] }))).toEqual({
        message: expect.stringMatching(/GOOG.*1h/),
        field: 'data.timeframe',
      });
      expect(
        await refusal(
          request({ symbols: ['GOOG', 'ORCL'], aggregation: 'weighted', symbolWeights: { GOOG: 1 } }),
        ),
      ).toEqual({ message: expect.stringContaining('none for ORCL'), field: 'data.symbolWeights' });
      expect(
        await refusal(
          request({
            symbols: ['GOOG', 'ORCL'],
            aggregation: 'weighted',
            symbolWeights: { GOOG: 1, ORCL: 1, NVDA: 1 },
          }),
        ),
      ).toEqual({ message: expect.stringContaining('NVDA'), field: 'data.symbolWeights.NVDA' });
      expect(await refusal(request({ symbols: ['GOOG', 'ORCL', 'GOOG'] }))).toEqual({
        message: 'GOOG is listed twice',
        field: 'data.symbols.2',
      });
      // Zero and negative weights are refused by the contract, naming the symbol's weight.
      for (const bad of [0, -0.5]) {
        const parsed = requestSchemas['optimize:start'].input.safeParse({
          ...request({ symbols: ['GOOG', 'ORCL'] }),
          data: {
            symbols: ['GOOG', 'ORCL'],
            timeframes: ['1d'],
            aggregation: 'weighted',
            symbolWeights: { GOOG: 1, ORCL: bad },
          },
        });
        expect(parsed.success).toBe(false);
        expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual(['data.symbolWeights.ORCL']);
      }
      // ... and by the service for a study made without the contract (the CLI's own process).
      expect(
        await refusal({
          ...request({ symbols: ['GOOG', 'ORCL'] }),
          data: {
            ...request({ symbols: ['GOOG', 'ORCL'] }).data,
            aggregation: 'weighted',
            symbolWeights: { GOOG: 1, ORCL: 0 },
          },
        } as ReturnType<typeof request>),
      ).toEqual({
        message: expect.stringContaining('ORCL must be above 0'),
        field: 'data.symbolWeights.ORCL',
      });
      const both = requestSchemas['optimize:start'].input.safeParse({
        ...request({ symbol: 'GOOG' }),
        data: { symbol: 'GOOG', symbols: ['ORCL'], timeframes: ['1d'] },
      });
      expect(both.error!.issues.map((i) => i.path.join('.'))).toEqual(['data.symbol']);
      expect(await h.service.list()).toEqual([]);
    },
  );

  const forex = sharedDataFile('EURUSD.csv');
  it.skipIf(absent !== undefined || !forex.present)(
    `refuses symbols of two asset classes (their costs would differ), naming the odd one${forex.skipReason}`,
    async () => {
      h = await optimizeHarness(1);
      await cacheSymbols(h);
      const { bars } = parseBarsCsv(readFileSync(forex.path, 'utf8'), { source: 'EURUSD.csv' });
      await h.bars.write('EURUSD', '1h', bars, 'test');
      const error = (await h.service
        .start(request({ symbols: ['GOOG', 'ORCL', 'EURUSD'], start: undefined, end: undefined }))
        .then(
          () => null,
          (e: unknown) => e,
        )) as { message: string; field?: string } | null;
      expect(error).toMatchObject({
        message: expect.stringMatching(/^EURUSD is fx and GOOG is \w+: .*one asset class/),
        field: 'data.symbols.2',
      });
      expect(await h.service.list()).toEqual([]);
    },
  );
});
