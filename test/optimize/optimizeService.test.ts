import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseBarsCsv } from '../../src/core/data/csv/read.ts';
import { runBacktest } from '../../src/core/engine/index.ts';
import { getStrategy } from '../../src/core/strategy/index.ts';
import { computeMetrics, deflatedSharpeRatio } from '../../src/core/metrics/index.ts';
import { parseSpace, type TrialRecord } from '../../src/core/optimize/index.ts';
import { requestSchemas } from '../../src/shared/contract.ts';
import type { NewStudy } from '../../src/main/services/optimize/studySetup.ts';
import type { OptimizeProgressEvent, OptimizeTrialEvent } from '../../src/shared/optimizeContract.ts';
import { sharedDataFile } from '../support/sharedData.ts';
import {
  optimizeHarness,
  runWalkForward,
  smaCrossDefinition,
  writeDemoSymbol,
  type OptimizeHarness,
} from '../support/studies.ts';
import { JobRegistry } from '../../src/main/services/jobs.ts';
import type { JobProgress } from '../../src/shared/contract.ts';
import { WalkForwardRepository } from '../../src/main/store/walkForwardRepository.ts';
import { studyRecords } from '../../src/main/services/optimize/studyRecords.ts';

const goog = sharedDataFile('GOOG.csv');
const spy = sharedDataFile('SPY_1min.csv');

function smaStudy(overrides: Partial<NewStudy> & { trials?: number } = {}): NewStudy {
  const { trials = 1000, ...rest } = overrides;
  return {
    name: 'test',
    definition: smaCrossDefinition({ kind: 'file', path: goog.path }, ['native'], trials),
    space: parseSpace(['fast=5:25:5', 'slow=10:65:5'], ['fast<slow']),
    sampler: { kind: 'grid' },
    objectives: [{ metric: 'finalEquity', direction: 'maximize' }],
    seed: 7,
    minTrades: 0,
    ...rest,
  };
}

const strip = (
  t: TrialRecord | { number: number; params: unknown; status: string; values: unknown; metrics: unknown },
) => ({
  number: t.number,
  params: t.params,
  status: t.status,
  values: t.values,
  metrics: t.metrics,
});

describe.skipIf(!goog.present)(`optimize service on GOOG.csv${goog.skipReason}`, () => {
  // On the pool's threads even where a study this small would run in-process: these test the pool.
  const POOL = { inProcessBelow: 0 };
  let h: OptimizeHarness;
  beforeAll(async () => {
    h = await optimizeHarness(2, POOL);
  });
  afterAll(async () => h.close());

  it('a grid of sma-cross reproduces runBacktest trial by trial, with events, report and persistence', async () => {
    const trialEvents: OptimizeTrialEvent[] = [];
    const progress: OptimizeProgressEvent[] = [];
    h.events.subscribe((channel, payload) => {
      if (channel === 'optimize:trial') trialEvents.push(payload as OptimizeTrialEvent);
      if (channel === 'optimize:progress') progress.push(payload as OptimizeProgressEvent);
    });
    const id = await h.service.create(smaStudy());
    const transaction = vi.spyOn(h.db, 'transaction');
    await h.service.resume(id);
    const detail = await h.service.wait(id);
    const writes = transaction.mock.calls.length;
    transaction.mockRestore();
    expect(detail.summary.state).toBe('complete');
    // The document when it starts and when it ends, and two writes per batch (running, then finished) in
    // 4 batches of at most 13 (13 batches of 4 before: 28 writes).
    expect(writes).toBe(10);
    // fast 5..25 step 5 and slow 10..65 step 5 with fast < slow: 50 points.
    expect(detail.trials).toHaveLength(50);
    expect(detail.summary.trialsTotal).toBe(50);

    const { bars } = parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: basename(goog.path) });
    const seen = new Set<string>();
    for (const trial of detail.trials) {
      expect(trial.status).toBe('complete');
      const params = trial.params as Record<string, number>;
      expect(params['fast']!).toBeLessThan(params['slow']!);
      seen.add(`${params['fast']}/${params['slow']}`);
      const run = runBacktest(bars, getStrategy('sma-cross'), params, {
        cash: 10_000,
        commission: { kind: 'percent', rate: 0.002 },
      });
      const metrics = computeMetrics({
        t: bars.t,
        equity: run.equity,
        initialCash: 10_000,
        returnsFrom: run.options.returnsFrom,
        trades: run.trades,
      });
      expect(trial.metrics['finalEquity']).toBe(metrics.finalEquity);
      expect(trial.metrics['numTrades']).toBe(metrics.numTrades);
      expect(trial.metrics['sharpeRatio']).toBe(
        Number.isFinite(metrics.sharpeRatio) ? metrics.sharpeRatio : null,
      );
      expect(trial.values).toEqual([metrics.finalEquity]);
    }
    expect(seen.size).toBe(50);

    const best = detail.trials.reduce((a, b) => (b.values![0]! > a.values![0]! ? b : a));
    expect(detail.best?.number).toBe(best.number);
    // Every finished trial was announced once, and the last progress event says complete.
    const announced = trialEvents
      .filter((e) => e.studyId === id)
      .flatMap((e) => e.trials.map((t) => t.number));
    expect([...announced].sort((a, b) => a - b)).toEqual(detail.trials.map((t) => t.number));
    const last = progress.filter((p) => p.studyId === id).at(-1)!;
    expect(last.state).toBe('complete');
    expect(last.done).toBe(50);

    const o = detail.overfitting!;
    expect(o.deflatedSharpe.trials).toBe(50);
    expect(o.deflatedSharpe.deflatedSharpe).toBeGreaterThanOrEqual(0);
    expect(o.deflatedSharpe.deflatedSharpe).toBeLessThanOrEqual(1);
    expect(o.pbo).not.toBeNull();
    expect(o.pbo!.trialsUsed).toBe(50);
    expect(o.pbo!.pbo).toBeGreaterThanOrEqual(0);
    expect(o.pbo!.pbo).toBeLessThanOrEqual(1);
    expect(o.sensitivity!.perParam.map((p) => p.name)).toEqual(['fast', 'slow']);
    expect(o.sensitivity!.missing).toBe(0);

    // The stored study reads back the same (what optimize:get serves after a restart).
    const listed = await h.service.list();
    expect(listed.find((s) => s.id === id)?.state).toBe('complete');
    const again = await h.service.get(id);
    expect(again.trials.map(strip)).toEqual(detail.trials.map(strip));
    expect(again.overfitting).toEqual(detail.overfitting);

    const approval = await h.service.approve({
      studyId: id,
      params: best.params as Record<string, number>,
      trialNumber: best.number,
    });
    expect(approval.approved.params['fast']).toBe(best.params['fast']);
    expect((await h.service.get(id, { offset: 0, limit: 0 })).approved?.params).toEqual(
      approval.approved.params,
    );
    await expect(
      h.service.approve({ studyId: id, params: { fast: 999, slow: 1000 }, trialNumber: best.number }),
    ).rejects.toThrow(/differs from trial/);
  });

  it('seeded TPE and GA studies give identical trials with 1 and 2 workers', async () => {
    const one = await optimizeHarness(1, POOL);
    try {
      for (const kind of ['tpe', 'ga'] as const) {
        const study = smaStudy({
          sampler: kind === 'ga' ? { kind, populationSize: 6 } : { kind, batchSize: 4, startupTrials: 4 },
          trials: 18,
          seed: 1234,
          space: parseSpace(['fast=2:40', 'slow=5:120'], ['fast<slow']),
          objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
          minTrades: 3,
        });
        const idA = await one.service.create(study);
        await one.service.resume(idA);
        const a = await one.service.wait(idA);
        const idB = await h.service.create(study);
        await h.service.resume(idB);
        const b = await h.service.wait(idB);
        expect(a.trials).toHaveLength(18);
        expect(b.trials.map(strip)).toEqual(a.trials.map(strip));
        expect(b.best?.number).toBe(a.best?.number);
      }
    } finally {
      await one.close();
    }
  });

  it('a small study runs on this thread, trial for trial as on the pool, and starts no worker', async () => {
    const here = await optimizeHarness(2);
    const started = vi.spyOn(here.pool, 'run');
    try {
      const studies = [
        smaStudy(),
        smaStudy({
          sampler: { kind: 'tpe', batchSize: 4, startupTrials: 4 },
          trials: 18,
          seed: 99,
          space: parseSpace(['fast=2:40', 'slow=5:120'], ['fast<slow']),
          objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
          minTrades: 3,
        }),
      ];
      for (const study of studies) {
        const idHere = await here.service.create(study);
        await here.service.resume(idHere);
        const inProcess = await here.service.wait(idHere);
        const idPool = await h.service.create(study);
        await h.service.resume(idPool);
        const onPool = await h.service.wait(idPool);
        expect(inProcess.summary.state).toBe('complete');
        expect(inProcess.trials.map(strip)).toEqual(onPool.trials.map(strip));
        expect(inProcess.best?.number).toBe(onPool.best?.number);
        expect(inProcess.overfitting).toEqual(onPool.overfitting);
      }
      expect(started).not.toHaveBeenCalled();
    } finally {
      await here.close();
    }
  });

  it('cancel keeps finished trials and resume completes the study without re-running them', async () => {
    const id = await h.service.create(
      smaStudy({
        sampler: { kind: 'random' },
        trials: 120,
        space: parseSpace(['fast=2:40', 'slow=5:200'], ['fast<slow']),
      }),
    );
    let cancelAt: Promise<unknown> | undefined;
    const unsubscribe = h.events.subscribe((channel, payload) => {
      if (
        channel === 'optimize:trial' &&
        (payload as OptimizeTrialEvent).studyId === id &&
        cancelAt === undefined
      )
        cancelAt = h.service.cancel(id);
    });
    await h.service.resume(id);
    const stopped = await h.service.wait(id);
    unsubscribe();
    await cancelAt;
    expect(stopped.summary.state).toBe('cancelled');
    const finished = stopped.trials.filter((t) => t.status !== 'running');
    expect(finished.length).toBeGreaterThan(0);
    expect(finished.length).toBeLessThan(120);
    expect((await h.service.resume(id)).alreadyComplete).toBe(false);
    const done = await h.service.wait(id);
    expect(done.summary.state).toBe('complete');
    expect(done.trials.map((t) => t.number)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    for (const t of finished) {
      const after = done.trials[t.number]!;
      // Same record, same finish time: it was not run again.
      expect(after.finishedAt).toBe(t.finishedAt);
      expect(strip(after)).toEqual(strip(t));
    }

    // Resumed once more, the complete study says so and is not run or touched: no event, same record.
    const records = studyRecords(h.db);
    const before = await records.get(id);
    const events: string[] = [];
    const listen = h.events.subscribe((channel) => events.push(channel));
    const again = await h.service.resume(id);
    listen();
    expect(again).toEqual({ studyId: id, seed: 7, total: 120, alreadyComplete: true });
    expect(h.service.isRunning(id)).toBe(false);
    expect(events).toEqual([]);
    expect(await records.get(id)).toEqual(before);
  });

  it.skipIf(!spy.present)(
    `multi-timeframe scoring on SPY 1m/5m/15m keeps per-timeframe metrics${spy.skipReason}`,
    async () => {
      const base = smaStudy().definition;
      const id = await h.service.create(
        smaStudy({
          definition: {
            ...base,
            source: { kind: 'file', path: spy.path },
            timeframes: ['1m', '5m', '15m'],
            start: Date.parse('2024-03-04T00:00:00Z'),
            end: Date.parse('2024-03-16T00:00:00Z'),
            trials: 6,
          },
          sampler: { kind: 'random' },
          objectives: [{ metric: 'totalReturn', direction: 'maximize' }],
        }),
      );
      await h.service.resume(id);
      const detail = await h.service.wait(id);
      expect(detail.trials).toHaveLength(6);
      for (const t of detail.trials) {
        const perTimeframe = ['1m', '5m', '15m'].map((tf) => t.metrics[`totalReturn@${tf}`]!);
        for (const v of perTimeframe) expect(typeof v).toBe('number');
        expect(t.metrics['totalReturn']).toBe(Math.min(...perTimeframe));
        expect(t.metrics['numTrades']).toBe(
          Math.min(...['1m', '5m', '15m'].map((tf) => t.metrics[`numTrades@${tf}`]!)),
        );
      }
    },
  );
});

describe('optimize:start from the contract, on cached demo bars', () => {
  it('resolves the request (spec strings, default directions, cache data) and runs the study', async () => {
    const h = await optimizeHarness(2);
    try {
      const { service } = h;
      const series = await writeDemoSymbol(h.bars, 1);
      const request = requestSchemas['optimize:start'].input.parse({
        strategy: 'sma-cross',
        data: {
          symbol: series.symbol,
          timeframes: ['15m'],
          start: Date.UTC(2023, 0, 1),
          end: Date.UTC(2023, 3, 1),
        },
        space: ['fast=5:20:5', 'slow=20:60:10'],
        constraints: ['fast<slow'],
        sampler: 'nsga2',
        objectives: [{ metric: 'sharpeRatio' }, { metric: 'maxDrawdown' }],
        trials: 16,
        seed: 3,
      });
      const started = await service.start(request);
      expect(started.seed).toBe(3);
      const detail = await service.wait(started.studyId);
      expect(detail.summary.state).toBe('complete');
      expect(detail.summary.mode).toBe('pareto');
      expect(detail.summary.objectives.map((o) => o.direction)).toEqual(['maximize', 'minimize']);
      expect(detail.trials).toHaveLength(16);
      expect(detail.paretoFront.length).toBeGreaterThan(0);
      expect(detail.hypervolume).not.toBeNull();
      // maxDrawdown is compared by magnitude: the objective value is |maxDrawdown|.
      for (const t of detail.trials) expect(t.values![1]).toBe(Math.abs(t.metrics['maxDrawdown']!));
      const unknown = requestSchemas['optimize:start'].input.parse({
        ...request,
        data: { symbol: 'NOPE', timeframes: ['1m'] },
      });
      await expect(service.start(unknown)).rejects.toThrow(/NOPE/);
      // A refused start stores nothing: the list holds the one study that ran.
      expect((await service.list()).map((s) => s.id)).toEqual([started.studyId]);
    } finally {
      await h.close();
    }
  });
});

describe('walk-forward cancel', () => {
  it('stops between windows with a "cancelled" error and job:done', async () => {
    const h = await optimizeHarness(2);
    try {
      const series = await writeDemoSymbol(h.bars, 0);
      const jobId = 'wf-cancel';
      const progress: JobProgress[] = [];
      const done: unknown[] = [];
      const jobs = new JobRegistry();
      // Cancelled once the first window is stored: a small study runs in-process, fast enough that a poll
      // from outside could find the whole run finished, and progress events are throttled (one per 100 ms),
      // so on a fast machine the first window's own event may never be sent.
      let cancelled: boolean | undefined;
      h.events.subscribe((channel, payload) => {
        if (channel === 'job:progress') progress.push(payload as JobProgress);
        if (channel === 'job:done') done.push(payload);
      });
      const request = requestSchemas['walkforward:run'].input.parse({
        jobId,
        strategy: 'sma-cross',
        data: {
          symbol: series.symbol,
          timeframe: '15m',
          start: Date.UTC(2023, 0, 1),
          end: Date.UTC(2024, 0, 1),
        },
        space: ['fast=5:20:5', 'slow=20:60:10'],
        constraints: ['fast<slow'],
        sampler: 'random',
        objectives: [{ metric: 'sharpeRatio' }],
        trials: 8,
        windows: { train: 60, test: 30, step: 30 },
      });
      const kept = new (class extends WalkForwardRepository {
        override async saveWindow(...args: Parameters<WalkForwardRepository['saveWindow']>): Promise<void> {
          await super.saveWindow(...args);
          cancelled ??= jobs.cancel(jobId);
        }
      })(h.db);
      const run = runWalkForward(h, request, { windows: kept, jobs }).then(
        () => 'finished',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      expect(await run).toBe('cancelled');
      expect(cancelled).toBe(true);
      expect(done).toEqual([{ jobId, ok: false, error: 'cancelled' }]);
      const last = progress.at(-1)!;
      expect(last.done).toBeLessThan(last.total);
      expect(jobs.cancel(jobId)).toBe(false);
      // The windows finished before the cancel stay stored: they are training data all the same.
      const stored = await kept.windowsOfJob(jobId);
      expect(stored.length).toBeGreaterThanOrEqual(1);
      expect(stored.length).toBeLessThan(last.total);
    } finally {
      await h.close();
    }
  });
});

describe('optimize contract', () => {
  it('accepts a minimal start request with defaults and names every bad field', () => {
    const ok = requestSchemas['optimize:start'].input.parse({
      strategy: 'sma-cross',
      data: { symbol: 'DEMO', timeframes: ['1m', '5m'] },
      objectives: [{ metric: 'sharpeRatio' }],
      trials: 10,
    });
    expect(ok.sampler).toBe('tpe');
    expect(ok.data.aggregation).toBe('worst');
    const bad = requestSchemas['optimize:start'].input.safeParse({
      strategy: 'sma-cross',
      data: { symbol: 'DEMO', timeframes: ['2m'] },
      objectives: [{ metric: 'sharpe ratio' }, { metric: 'maxDrawdown', direction: 'down' }],
      trials: 0,
      mode: 'pareto',
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining([
        'data.timeframes.0',
        'objectives.0.metric',
        'objectives.1.direction',
        'trials',
      ]),
    );
  });
});

const btc = sharedDataFile('BTCUSD.csv');

describe.skipIf(!btc.present)(`a study on monthly bars${btc.skipReason}`, () => {
  it("deflates the winner's Sharpe ratio with 12 periods a year, as its metrics were annualised", async () => {
    const h = await optimizeHarness(1);
    try {
      const id = await h.service.create({
        ...smaStudy({ trials: 12 }),
        definition: smaCrossDefinition({ kind: 'file', path: btc.path }, ['native'], 12),
        space: parseSpace(['fast=2:6:2', 'slow=8:14:2'], ['fast<slow']),
        objectives: [{ metric: 'sharpeRatio', direction: 'maximize' }],
      });
      await h.service.resume(id);
      const detail = await h.service.wait(id);
      const stats = detail.overfitting!.deflatedSharpe;
      const winner = detail.best!.metrics;
      const deflated = (periodsPerYear: number): number =>
        deflatedSharpeRatio({
          sharpe: winner['sharpeRatio']!,
          trials: stats.trials,
          sharpeVariance: stats.sharpeVariance!,
          n: winner['numPeriods']!,
          skew: winner['skewness']!,
          kurtosis: winner['kurtosis']!,
          periodsPerYear,
        });
      expect(stats.deflatedSharpe).toBeCloseTo(deflated(12), 9);
      expect(Math.abs(deflated(12) - deflated(252))).toBeGreaterThan(0.01);
    } finally {
      await h.close();
    }
  });
});
