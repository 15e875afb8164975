/**
 * The compare set (issue 15 item 5): pins keep what they stand for in the database and are derived again
 * when read, a trial through the study's own replay (its curve ends where its stored metrics say), a
 * backtest through the Backtest view's service; a pin survives a new service on the same database, a
 * deleted study's trial says so, and bad pins are refused naming what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { createCompareHandlers } from '../../src/main/services/compare/handlers.ts';
import { requestSchemas, type RequestChannel, type RequestInput } from '../../src/shared/contract.ts';
import { MAX_PINS } from '../../src/shared/compareChoices.ts';
import { ConflictError, NotFoundError } from '../../src/shared/errors.ts';
import { CompareService } from '../../src/main/services/compare/compareService.ts';
import { studyRecords, type StudyRecords } from '../../src/main/services/optimize/studyRecords.ts';
import { ComparePinsRepository } from '../../src/main/store/comparePinsRepository.ts';
import { PinSource } from '../../src/shared/compareContract.ts';
import { WalkForwardRepository } from '../../src/main/store/walkForwardRepository.ts';
import {
  optimizeHarness,
  runWalkForward,
  writeDemoSymbol,
  type OptimizeHarness,
} from '../support/studies.ts';

type CompareDeps = ConstructorParameters<typeof CompareService>[0];

/** The compare channels as main registers them, on the harness's database, bars, pool and events. */
const compareHandlers = (h: OptimizeHarness) =>
  createCompareHandlers({ db: h.db, bars: h.bars, pool: h.pool, jobs: { events: h.events } });

/** A compare service on the harness's database; what a test does not give refuses to be called. */
function compareService(h: OptimizeHarness, given: Partial<CompareDeps>): CompareService {
  const refuse = (what: string) => () => Promise.reject(new Error(`no ${what} in this test`));
  return new CompareService({
    pins: new ComparePinsRepository(h.db, PinSource),
    studies: studyRecords(h.db),
    bars: h.bars,
    executor: h.pool,
    backtest: refuse('backtest'),
    walkForward: { windows: refuse('walk-forward'), replay: refuse('walk-forward') },
    ...given,
  });
}

describe('the compare set', () => {
  it('pins a trial and a backtest, derives both again on read, survives a restart and unpins', async () => {
    const h = await optimizeHarness(1);
    try {
      const series = await writeDemoSymbol(h.bars, 1);
      const data = { symbol: series.symbol, start: Date.UTC(2023, 0, 1), end: Date.UTC(2023, 3, 1) };
      const started = await h.service.start(
        requestSchemas['optimize:start'].input.parse({
          name: 'Q1',
          strategy: 'sma-cross',
          data: { ...data, timeframes: ['1h'] },
          space: ['fast=5:20:5', 'slow=20:60:10'],
          constraints: ['fast<slow'],
          sampler: 'grid',
          objectives: [{ metric: 'sharpeRatio' }],
          trials: 6,
          seed: 3,
        }),
      );
      const detail = await h.service.wait(started.studyId);
      // The winner: its deflated Sharpe is the one the study's report gives.
      const trial = detail.best!;
      const deflated = detail.overfitting!.deflatedSharpe.deflatedSharpe;
      expect(deflated).not.toBeNull();

      const open = () => {
        const handlers = compareHandlers(h);
        return <K extends RequestChannel & `compare:${string}`>(channel: K, input: RequestInput<K>) =>
          (handlers[channel] as (request: unknown) => Promise<unknown>)(
            requestSchemas[channel].input.parse(input),
          );
      };
      const call = open();
      const trialPin = (await call('compare:pin', {
        source: { kind: 'trial', studyId: started.studyId, trial: trial.number },
      })) as { id: string; label: string };
      expect(trialPin.label).toBe(`Q1 #${trial.number}`);
      const backtest = {
        kind: 'backtest' as const,
        request: { ...data, timeframe: '1h' as const, strategy: 'sma-cross', params: { fast: 10, slow: 30 } },
      };
      const backtestPin = (await call('compare:pin', {
        source: { ...backtest, request: { ...backtest.request, jobId: 'j1' } },
      })) as {
        id: string;
      };
      // The same backtest under another job id is the same pin.
      expect(((await call('compare:pin', { source: backtest })) as { id: string }).id).toBe(backtestPin.id);

      await expect(
        call('compare:pin', { source: { kind: 'trial', studyId: started.studyId, trial: 999 } }),
      ).rejects.toThrow(NotFoundError);
      await expect(
        call('compare:pin', { source: { kind: 'trial', studyId: 'nope', trial: 0 } }),
      ).rejects.toThrow('no study with id "nope"');
      // A backtest that does not run is refused when pinned, naming why, and nothing is stored.
      await expect(
        call('compare:pin', { source: { ...backtest, request: { ...backtest.request, symbol: 'NOPE' } } }),
      ).rejects.toMatchObject({
        kind: 'not-found',
        message: expect.stringMatching(/^No bars stored for symbol "NOPE": nothing of NOPE is cached/),
        field: 'source.request.symbol',
      });
      await expect(
        call('compare:pin', {
          source: { ...backtest, request: { ...backtest.request, params: { fast: 10 } } },
        }),
      ).rejects.toThrow('strategy sma-cross: missing parameter slow');
      expect(((await call('compare:list', {})) as unknown[]).length).toBe(2);

      // Another service on the same database (a restart) reads the same pins and derives them again.
      const again = open();
      const listed = (await again('compare:list', {})) as Array<{
        id: string;
        result: {
          ok: boolean;
          equity: { value: number[] };
          metrics: Record<string, number | null>;
          timeframe: string;
        };
      }>;
      expect(listed.map((p) => p.id)).toEqual([trialPin.id, backtestPin.id]);
      const [fromTrial, fromBacktest] = listed.map((p) => p.result);
      expect(fromTrial!.ok && fromBacktest!.ok).toBe(true);
      // The replayed curve ends at the final equity the trial stored: the same run, not a copy of it.
      expect(fromTrial!.equity.value.at(-1)).toBeCloseTo(trial.metrics['finalEquity']!, 6);
      expect(fromTrial!.metrics['sharpeRatio']).toBe(trial.metrics['sharpeRatio']);
      // Among the study's trials, as the study's report measures it (the trial's own run has it NaN).
      expect(trial.metrics['deflatedSharpe']).toBeNull();
      expect(fromTrial!.metrics['deflatedSharpe']).toBe(deflated);
      expect(fromBacktest!.equity.value.at(-1)).toBeCloseTo(fromBacktest!.metrics['finalEquity']!, 6);
      expect(fromTrial!.timeframe).toBe('1h');

      // A deleted study leaves its pin saying why it has no figures.
      await h.service.delete(started.studyId);
      const afterDelete = (await again('compare:list', {})) as Array<{
        result: { ok: boolean; error?: string };
      }>;
      expect(afterDelete[0]!.result).toEqual({ ok: false, error: `study ${started.studyId} was deleted` });

      expect(await again('compare:unpin', { pinId: trialPin.id })).toEqual({
        pinId: trialPin.id,
        removed: true,
      });
      await expect(again('compare:unpin', { pinId: trialPin.id })).rejects.toThrow(NotFoundError);
      for (let fast = 2; fast < 2 + MAX_PINS - 1; fast++)
        await again('compare:pin', {
          source: { ...backtest, request: { ...backtest.request, params: { fast, slow: 40 } } },
        });
      await expect(
        again('compare:pin', {
          source: { ...backtest, request: { ...backtest.request, params: { fast: 1, slow: 40 } } },
        }),
      ).rejects.toThrow(ConflictError);
      expect(await again('compare:clear', {})).toEqual({ removed: MAX_PINS });
      expect(await again('compare:list', {})).toEqual([]);
    } finally {
      await h.close();
    }
  }, 60_000);

  it('a trial of a several-symbol study names the symbols it was scored on and whose curve is drawn', async () => {
    const h = await optimizeHarness(1);
    try {
      const [a, b] = [await writeDemoSymbol(h.bars, 1), await writeDemoSymbol(h.bars, 2)];
      const started = await h.service.start(
        requestSchemas['optimize:start'].input.parse({
          name: 'two',
          strategy: 'sma-cross',
          data: {
            symbols: [a.symbol, b.symbol],
            start: Date.UTC(2023, 0, 1),
            end: Date.UTC(2023, 2, 1),
            timeframes: ['1h'],
            aggregation: 'worst',
          },
          space: ['fast=5:10:5', 'slow=20:30:10'],
          sampler: 'grid',
          objectives: [{ metric: 'sharpeRatio' }],
          trials: 4,
          seed: 3,
        }),
      );
      const trial = (await h.service.wait(started.studyId)).trials.find((t) => t.status === 'complete')!;
      const handlers = compareHandlers(h);
      await handlers['compare:pin'](
        requestSchemas['compare:pin'].input.parse({
          source: { kind: 'trial', studyId: started.studyId, trial: trial.number },
        }),
      );
      const [pin] = (await handlers['compare:list']({})) as Array<{ result: { notes: string[] } }>;
      expect(pin!.result.notes).toContain(
        `the study scored ${a.symbol}+${b.symbol} together (worst); the curve is ${a.symbol}'s`,
      );
    } finally {
      await h.close();
    }
  }, 60_000);

  it('a study deleted while its pin is read says it was deleted, not that its trial is missing', async () => {
    const h = await optimizeHarness(1);
    try {
      const series = await writeDemoSymbol(h.bars, 1);
      const started = await h.service.start(
        requestSchemas['optimize:start'].input.parse({
          name: 'raced',
          strategy: 'sma-cross',
          data: {
            symbol: series.symbol,
            start: Date.UTC(2023, 0, 1),
            end: Date.UTC(2023, 1, 1),
            timeframes: ['1h'],
          },
          space: ['fast=5:10:5', 'slow=20:30:10'],
          sampler: 'grid',
          objectives: [{ metric: 'sharpeRatio' }],
          trials: 4,
          seed: 3,
        }),
      );
      const trial = (await h.service.wait(started.studyId)).trials.find((t) => t.status === 'complete')!;
      const real = studyRecords(h.db);
      // The delete lands exactly between reading the study and reading its trials.
      const racing: StudyRecords = Object.assign(Object.create(real) as StudyRecords, {
        get: async (id: string) => {
          const study = await real.get(id);
          await real.delete(id);
          return study;
        },
      });
      const service = compareService(h, { studies: racing });
      await compareService(h, { studies: real }).pin({
        source: { kind: 'trial', studyId: started.studyId, trial: trial.number },
      });
      const [pin] = await service.list();
      expect(pin!.result).toEqual({ ok: false, error: `study ${started.studyId} was deleted` });
    } finally {
      await h.close();
    }
  }, 60_000);

  it('derives several pins at once (a bounded few), each answered in pinning order', async () => {
    const h = await optimizeHarness(1);
    try {
      let running = 0;
      let most = 0;
      const service = compareService(h, {
        backtest: async (request) => {
          running++;
          most = Math.max(most, running);
          // Later pins finish first: the answers must still come in pinning order.
          await new Promise((resolve) => setTimeout(resolve, 20 - request.params['fast']!));
          running--;
          const fast = request.params['fast']!;
          return {
            symbol: request.symbol,
            timeframe: request.timeframe,
            strategy: request.strategy,
            params: request.params,
            equity: { t: [0, 1], value: [10_000, 10_000 + fast] },
            metrics: { finalEquity: 10_000 + fast },
          } as unknown as Awaited<ReturnType<CompareDeps['backtest']>>;
        },
      });
      const request = { symbol: 'X', timeframe: '1d' as const, strategy: 'sma-cross', cash: 10_000 };
      for (let fast = 1; fast <= MAX_PINS; fast++)
        await service.pin({
          label: `f${fast}`,
          source: PinSource.parse({ kind: 'backtest', request: { ...request, params: { fast, slow: 40 } } }),
        });
      const listed = await service.list();
      expect(listed.map((p) => p.label)).toEqual(Array.from({ length: MAX_PINS }, (_, i) => `f${i + 1}`));
      expect(listed.map((p) => (p.result.ok ? p.result.equity.value.at(-1) : null))).toEqual(
        Array.from({ length: MAX_PINS }, (_, i) => 10_001 + i),
      );
      expect(most).toBe(3);
    } finally {
      await h.close();
    }
  });

  it('pins a walk-forward run: its stitched out-of-sample curve and metrics derived again, a deleted run says so', async () => {
    const h = await optimizeHarness(1);
    try {
      const series = await writeDemoSymbol(h.bars, 1);
      const request = requestSchemas['walkforward:run'].input.parse({
        jobId: 'wf-pin',
        strategy: 'sma-cross',
        data: {
          symbol: series.symbol,
          timeframe: '1h',
          start: Date.UTC(2023, 0, 1),
          end: Date.UTC(2023, 4, 1),
        },
        space: ['fast=5:10:5', 'slow=20:30:10'],
        sampler: 'grid',
        objectives: [{ metric: 'sharpeRatio' }],
        trials: 4,
        seed: 5,
        riskFreePercent: 4,
        windows: { train: 30, test: 20, step: 20 },
      });
      const run = await runWalkForward(h, request);
      expect(run.windows.length).toBeGreaterThan(2);
      const handlers = compareHandlers(h);
      const pin = (source: unknown) =>
        handlers['compare:pin'](requestSchemas['compare:pin'].input.parse({ source }));
      await expect(pin({ kind: 'walkforward', runId: 'no-such-run', request })).rejects.toThrow(
        'no walk-forward run with id "no-such-run"',
      );
      const pinned = await pin({ kind: 'walkforward', runId: run.runId, request });
      expect(pinned.label).toBe(`sma-cross ${series.symbol} 1h walk-forward`);

      const [listed] = await handlers['compare:list']({});
      const result = listed!.result;
      if (!result.ok) throw new Error(result.error);
      // The same windows' parameters on the same test bars: the run's own curve and out-of-sample figures.
      expect(result.equity).toEqual(run.equity);
      expect(result.metrics).toEqual(run.outOfSample);
      expect(result.cash).toBe(run.equity.value[0]);
      expect(result.notes[0]).toContain(`${run.windows.length} windows stitched`);
      expect(result.notes[1]).toBe('each train window ended 0 days before its test window (purge)');

      // A run stored by the 24-hour cutter: its times were the nominal ones (an hour, a day before its
      // first bar); with the same bar ranges it is the same run, with other ranges it says why it is not.
      const restore = async (edit: (test: { start: number; startTime: number }) => object) => {
        for (const stored of await new WalkForwardRepository(h.db).windowsOfRun(run.runId))
          await h.db.run(
            'UPDATE walkforward_windows SET test = $test WHERE run_id = $id AND window_index = $index',
            { id: run.runId, index: stored.window.index, test: JSON.stringify(edit(stored.window.test)) },
          );
      };
      await restore((test) => ({ ...test, startTime: test.startTime - 3_600_000 }));
      const [nominal] = await handlers['compare:list']({});
      expect(nominal!.result.ok && nominal!.result.metrics).toEqual(run.outOfSample);
      await restore((test) => ({ ...test, start: test.start + 1 }));
      const [recut] = await handlers['compare:list']({});
      expect(recut!.result).toEqual({
        ok: false,
        error: `walk-forward run ${run.runId} was cut in 24-hour steps from its first bar, before windows began where the market's day begins: run it again to replay it`,
      });

      // A run stored before runs had a purge (its request names none) traded its test runs from the train
      // window's first bar: it replays so, and says it (the pin's own request is the stored one).
      await restore((test) => ({ ...test, start: test.start - 1 }));
      expect(request.windows.purge).toBeUndefined();
      await h.db.run('UPDATE walkforward_windows SET request = $request WHERE run_id = $id', {
        id: run.runId,
        request: JSON.stringify(request),
      });
      await handlers['compare:unpin']({ pinId: pinned.id });
      await pin({ kind: 'walkforward', runId: run.runId });
      const [legacy] = await handlers['compare:list']({});
      if (!legacy!.result.ok) throw new Error(legacy!.result.error);
      expect(legacy!.result.notes[1]).toBe(
        "run before walk-forward had a purge: each test run traded from its train window's first bar",
      );
      expect(legacy!.result.metrics).not.toEqual(run.outOfSample);

      await h.db.run('DELETE FROM walkforward_windows WHERE run_id = $id', { id: run.runId });
      const [gone] = await handlers['compare:list']({});
      expect(gone!.result).toEqual({ ok: false, error: `walk-forward run ${run.runId} was deleted` });
    } finally {
      await h.close();
    }
  }, 60_000);

  it('pins a several-symbol walk-forward run by its id: the combined curve and metrics it returned, metric@SYM too', async () => {
    const h = await optimizeHarness(1);
    try {
      const [a, b] = [await writeDemoSymbol(h.bars, 1), await writeDemoSymbol(h.bars, 2)];
      const request = requestSchemas['walkforward:run'].input.parse({
        strategy: 'sma-cross',
        data: {
          symbols: [a.symbol, b.symbol],
          aggregation: 'mean',
          timeframe: '1h',
          start: Date.UTC(2023, 0, 1),
          end: Date.UTC(2023, 3, 1),
        },
        space: ['fast=5:10:5', 'slow=20:30:10'],
        sampler: 'grid',
        objectives: [{ metric: 'sharpeRatio' }],
        trials: 4,
        seed: 5,
        riskFreePercent: 3,
        windows: { train: 30, test: 20, step: 20 },
      });
      const run = await runWalkForward(h, request);
      expect(run.windows.length).toBeGreaterThan(1);
      expect(run.symbols?.map((s) => s.symbol)).toEqual([a.symbol, b.symbol]);
      const handlers = compareHandlers(h);
      // By its id alone, as `regimen compare add --walk-forward` asks: the request stored with its windows.
      const pinned = await handlers['compare:pin'](
        requestSchemas['compare:pin'].input.parse({ source: { kind: 'walkforward', runId: run.runId } }),
      );
      expect(pinned.label).toBe(`sma-cross ${a.symbol}+${b.symbol} 1h walk-forward`);
      expect(pinned.source.kind === 'walkforward' && pinned.source.request.seed).toBe(5);

      const [listed] = await handlers['compare:list']({});
      const result = listed!.result;
      if (!result.ok) throw new Error(result.error);
      expect(result.symbol).toBe(`${a.symbol}+${b.symbol}`);
      expect(result.equity).toEqual(run.equity);
      expect(result.metrics).toEqual(run.outOfSample);
      // The combined figures and each symbol's own, as the run reported them.
      for (const one of run.symbols!)
        expect(result.metrics[`sharpeRatio@${one.symbol}`]).toBe(one.outOfSample['sharpeRatio']);
      expect(result.metrics['sharpeRatio']).not.toBe(run.symbols![0]!.outOfSample['sharpeRatio']);

      // The second symbol's bars change (one regular-hours minute's high in the run's range): the pin says so, not other figures.
      const bars = { ...b.bars, h: Float64Array.from(b.bars.h) };
      const inRange = b.bars.t.findIndex((t) => t >= Date.UTC(2023, 1, 1, 16));
      bars.h[inRange] = b.bars.h[inRange]! * 1.5;
      await h.bars.write(b.symbol, '1m', bars, 'demo');
      const [changed] = await handlers['compare:list']({});
      expect(changed!.result).toEqual({
        ok: false,
        error: `the bars of ${a.symbol}+${b.symbol} 1h changed since walk-forward run ${run.runId}: its windows cannot be replayed`,
      });
    } finally {
      await h.close();
    }
  }, 60_000);

  it('a walk-forward run stored without its request cannot be pinned by its id alone, and says why', async () => {
    const h = await optimizeHarness(1);
    try {
      const windows = new WalkForwardRepository(h.db);
      const range = { start: 0, end: 10, startTime: 0, endTime: 10 };
      await windows.saveWindow(
        {
          runId: 'old-run',
          jobId: 'j',
          datasetId: 'd',
          symbol: 'GOOG',
          timeframe: '1d',
          strategy: 'sma-cross',
          strategyVersion: '1',
          seed: 1,
        },
        { index: 0, train: range, test: range, params: {}, inSample: {}, outOfSample: {} },
        1,
      );
      const handlers = compareHandlers(h);
      await expect(
        handlers['compare:pin'](
          requestSchemas['compare:pin'].input.parse({ source: { kind: 'walkforward', runId: 'old-run' } }),
        ),
      ).rejects.toThrow(
        'walk-forward run old-run was stored before runs kept their request: run it again to pin it',
      );
      expect(await handlers['compare:list']({})).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
