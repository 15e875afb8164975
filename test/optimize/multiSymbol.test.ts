/**
 * A study of several symbols on real daily bars (GOOG, ORCL, NVDA from ../shared/data): each trial's
 * per-symbol metrics are the single-symbol backtests of its parameters, and the study optimises their
 * combination. And what is refused before anything is stored.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBarsCsv } from '../../src/core/data/csv/read.ts';
import { firstIndexAtOrAfter } from '../../src/core/data/bars.ts';
import { computeEquityMetrics, type Metrics } from '../../src/core/metrics/index.ts';
import { requestSchemas } from '../../src/shared/contract.ts';
import type { OptimizeStartInput } from '../../src/shared/optimizeContract.ts';
import { studyRecords, type StudyDefinition } from '../../src/main/services/optimize/studyRecords.ts';
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

/**
 * A backtest of `params` on `symbol` from START to END as a backtest from that start runs (and a study's
 * trials do): the strategy warms up on the cached bars before START and trades, and is scored, from its
 * first bar on. Its bars' times and equity from START on beside its metrics.
 */
async function backtestFromStart(
  h: OptimizeHarness,
  definition: StudyDefinition,
  symbol: string,
  params: Record<string, number>,
): Promise<{ metrics: Metrics; t: Float64Array; equity: Float64Array }> {
  const bars = await h.bars.read(symbol, '1d', { end: END, session: 'regular' });
  const from = firstIndexAtOrAfter(bars.t, START);
  const { metrics, equity } = await h.pool.run({
    kind: 'backtest',
    dataset: { id: `${symbol}:before-start`, bars },
    strategy: { ...definition.strategy, params: { ...definition.strategy.params, ...params } },
    options: { ...definition.options, tradeFrom: from },
  });
  // The output's equity starts at the run's first traded bar (tradeFrom).
  return { metrics, t: bars.t.subarray(from), equity };
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
      const { definition } = (await studyRecords(h.db).get(started.studyId)).data;
      for (const trial of detail.trials) {
        expect(trial.status).toBe('complete');
        let weighted = 0;
        for (const symbol of SYMBOLS) {
          const { metrics: m } = await backtestFromStart(
            h,
            definition,
            symbol,
            trial.params as Record<string, number>,
          );
          expect(trial.metrics[`finalEquity@${symbol}`]).toBeCloseTo(m.finalEquity, 6);
          expect(trial.metrics[`numTrades@${symbol}`]).toBe(m.numTrades);
          expect(trial.metrics[`sharpeRatio@${symbol}`]).toBeCloseTo(m.sharpeRatio, 9);
          weighted += weights[symbol] * m.sharpeRatio;
        }
        expect(trial.metrics['sharpeRatio']).toBeCloseTo(weighted, 9);
        expect(trial.values![0]).toBeCloseTo(weighted, 9);
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
      const { definition } = (await studyRecords(h.db).get(started.studyId)).data;
      const params = detail.best!.params as Record<string, number>;
      const sharpes: number[] = [];
      for (const [i, symbol] of SYMBOLS.entries()) {
        const { t, equity } = await backtestFromStart(h, definition, symbol, params);
        let cut = 0;
        while (t[cut]! < holdout.from) cut++;
        const out = computeEquityMetrics(t.subarray(cut - 1), equity.subarray(cut - 1));
        const slice = holdout.slices![i]!;
        expect(slice).toMatchObject({ symbol, bars: t.length - cut, searchedBars: cut });
        expect(slice.outOfSample['totalReturn']).toBeCloseTo(out.totalReturn, 9);
        expect(holdout.outOfSample[`totalReturn@${symbol}`]).toBeCloseTo(out.totalReturn, 9);
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
