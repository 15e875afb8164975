import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyntheticMarket } from '../../src/core/data/synthetic.ts';
import { ComputePool } from '../../src/main/compute/pool.ts';
import { DEMO_MARKET } from '../../src/main/services/demoMarket.ts';
import { EventBus } from '../../src/main/services/events.ts';
import { JobRegistry } from '../../src/main/services/jobs.ts';
import { OptimizeService } from '../../src/main/services/optimize/optimizeService.ts';
import { studyRecords, type StudyRecords } from '../../src/main/services/optimize/studyRecords.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { Database } from '../../src/main/store/database.ts';
import { barsPerYear, studyByRegime } from '../../src/core/regime/compare.ts';
import { AXIS_LABELS, allocateRegimeOutput, createDetector } from '../../src/core/regime/index.ts';
import { candidateScores, scoreRunByRegime, selectRegimeSets } from '../../src/core/regime/perRegime.ts';
import { regimeSchedule } from '../../src/core/regime/switched.ts';
import { runBacktest } from '../../src/core/engine/backtest.ts';
import { aggregateSlices } from '../../src/core/optimize/index.ts';
import { naturalObjective } from '../../src/core/optimize/objectives.ts';
import { STRATEGIES } from '../../src/core/strategy/index.ts';
import { requestSchemas, type OptimizeProgressEvent } from '../../src/shared/contract.ts';
import { RequestError } from '../../src/shared/errors.ts';

/** Study records as stored, listed, paged and deleted, on the demo market's cached bars. */
describe('study records', () => {
  let db: Database;
  let pool: ComputePool;
  let events: EventBus;
  let records: StudyRecords;
  const jobs = new JobRegistry();
  let service: OptimizeService;
  let symbol: string;
  let trialReads = 0;

  beforeAll(async () => {
    db = await Database.open(':memory:');
    const bars = new BarsRepository(db);
    const series = createSyntheticMarket(DEMO_MARKET).generate(1);
    symbol = series.symbol;
    await bars.write(series.symbol, '1m', series.bars, 'demo');
    pool = new ComputePool(2);
    events = new EventBus();
    records = studyRecords(db);
    const loadTrials = records.loadTrials.bind(records);
    records.loadTrials = (studyId) => {
      trialReads++;
      return loadTrials(studyId);
    };
    service = new OptimizeService({ studies: records, bars, pool, events, jobs });
  });
  afterAll(async () => {
    await service.close();
    await pool.close();
    db.close();
  });

  const request = (overrides: Record<string, unknown> = {}) =>
    requestSchemas['optimize:start'].input.parse({
      strategy: 'sma-cross',
      data: { symbol, timeframes: ['15m'], start: Date.UTC(2023, 0, 1), end: Date.UTC(2023, 3, 1) },
      space: ['fast=5:20:5', 'slow=20:60:10'],
      constraints: ['fast<slow'],
      sampler: 'random',
      objectives: [{ metric: 'sharpeRatio' }],
      trials: 16,
      seed: 3,
      ...overrides,
    });
  const studyRows = async () =>
    (await db.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM studies'))[0]!.n;

  it('refuses a start that cannot run without storing anything', async () => {
    await expect(service.start(request({ data: { symbol: 'NOPE', timeframes: ['1m'] } }))).rejects.toThrow(
      RequestError,
    );
    await expect(
      service.start(request({ space: ['fast=50:60:5', 'slow=5:10:5'], sampler: 'grid' })),
    ).rejects.toThrow(/no point satisfying the constraints/);
    expect(await studyRows()).toBe(0);
    expect(await service.list()).toEqual([]);
  });

  it('announces the end with the final detail, lists from the rows and pages the trials', async () => {
    const progress: OptimizeProgressEvent[] = [];
    const unsubscribe = events.subscribe((channel, payload) => {
      if (channel === 'optimize:progress') progress.push(payload as OptimizeProgressEvent);
    });
    const { studyId } = await service.start(request());
    const waited = await service.wait(studyId);
    unsubscribe();

    const terminal = progress.filter((p) => p.studyId === studyId).at(-1)!;
    expect(terminal.state).toBe('complete');
    expect(terminal.detail?.summary.state).toBe('complete');
    expect(terminal.detail?.overfitting).toEqual(waited.overfitting);
    expect(terminal.detail?.best).toEqual(waited.best);
    expect(terminal.detail?.trials).toEqual([]);
    expect(terminal.detail?.trialsPage.total).toBe(16);

    trialReads = 0;
    const [listed] = await service.list();
    expect(trialReads).toBe(0);
    expect(listed).toEqual(waited.summary);

    const page = await service.get(studyId, { offset: 5, limit: 4 });
    expect(page.trials.map((t) => t.number)).toEqual([5, 6, 7, 8]);
    expect(page.trialsPage).toEqual({ offset: 5, limit: 4, total: 16 });
    expect(page.trials).toEqual(waited.trials.slice(5, 9));
    const defaults = requestSchemas['optimize:get'].input.parse({ studyId });
    expect([defaults.offset, defaults.limit]).toEqual([0, 1_000]);
    expect(() => requestSchemas['optimize:get'].input.parse({ studyId, limit: 5_001 })).toThrow(/limit/);
  });

  it('computes the progress of a study stored before rows had it once, then reads the row', async () => {
    const [study] = await service.list();
    await db.run('UPDATE studies SET progress = NULL');
    trialReads = 0;
    expect((await service.list())[0]).toEqual(study);
    expect(trialReads).toBe(1);
    expect((await service.list())[0]).toEqual(study);
    expect(trialReads).toBe(1);
  });

  it('reads a study stored with a bare strategy name as a ref, and refuses to resume another version', async () => {
    const [study] = await service.list();
    const [row] = await db.all<{ data: string }>('SELECT data::VARCHAR AS data FROM studies WHERE id = $id', {
      id: study!.id,
    });
    const stored = JSON.parse(row!.data) as { definition: Record<string, unknown> };
    const write = (data: unknown) =>
      db.run('UPDATE studies SET data = $data WHERE id = $id', { id: study!.id, data: JSON.stringify(data) });
    // A version-1 document, as studies were stored before refs.
    await write({ ...stored, version: 1, definition: { ...stored.definition, strategy: 'sma-cross' } });
    expect((await records.get(study!.id)).data.definition.strategy).toEqual({
      name: 'sma-cross',
      version: STRATEGIES['sma-cross'].version,
      params: {},
    });
    expect((await service.list())[0]).toEqual(study);

    const other = { name: 'sma-cross', version: 'older', params: {} };
    await write({ ...stored, state: 'cancelled', definition: { ...stored.definition, strategy: other } });
    await expect(service.resume(study!.id)).rejects.toThrow(
      /cannot be resumed: strategy sma-cross: version "older" requested, this build has version/,
    );
    await write(stored);
  });

  it('deletes a stopped study with its trials and refuses to delete a running one', async () => {
    const [kept] = await service.list();
    const { studyId } = await service.start(request({ trials: 2_000, space: ['fast=2:40', 'slow=5:200'] }));
    await expect(service.delete(studyId)).rejects.toThrow(/is running: cancel it before deleting it/);
    // A running study is a job like any other: job:cancel stops it, its finished trials kept.
    expect(jobs.cancel(studyId)).toBe(true);
    expect((await service.wait(studyId)).summary.state).toBe('cancelled');
    expect(jobs.cancel(studyId)).toBe(false);
    expect(await service.delete(studyId)).toEqual({ studyId, deleted: true });
    expect((await service.list()).map((s) => s.id)).toEqual([kept!.id]);
    expect(await records.loadTrials(studyId)).toEqual([]);
    await expect(service.get(studyId)).rejects.toMatchObject({ status: 404 });
    await expect(service.delete(studyId)).rejects.toMatchObject({ status: 404 });
    expect((await records.loadTrials(kept!.id)).length).toBe(16);
  });
  it("scores a per-regime study's trials per regime by its objective when it completes and stores the sets with it", async () => {
    expect(() => request({ perRegime: { detector: 'rules', settings: { jumpPenalty: 5 } } })).toThrow(
      /perRegime\.settings\.jumpPenalty|applies to the jump detector only/,
    );
    const range = { start: Date.UTC(2023, 0, 1), end: Date.UTC(2024, 0, 1) };
    const { studyId } = await service.start(
      request({
        data: { symbol, timeframes: ['15m'], ...range },
        // Not the Sharpe ratio: the global set and each regime's are judged by the study's own objective.
        objectives: [{ metric: 'maxDrawdown' }],
        perRegime: { detector: 'rules', minTrades: 3 },
      }),
    );
    const detail = await service.wait(studyId);
    expect(detail.summary.state).toBe('complete');
    expect(detail.perRegime?.settings).toEqual({
      detector: 'rules',
      axis: 'volatility',
      minTrades: 3,
      minDwell: 5,
    });
    expect(detail.perRegime?.error).toBeNull();
    const result = detail.perRegime!.result!;

    // Core's per-regime study over the same bars, costs and trials (those that could win, once each).
    const bars = await new BarsRepository(db).read(symbol, '15m', { ...range, session: 'regular' });
    const seen = new Map<string, Record<string, number>>();
    const winner = detail.best!.params as Record<string, number>;
    seen.set(JSON.stringify(winner), winner);
    for (const t of detail.trials)
      if (t.status === 'complete' && t.feasible && !seen.has(JSON.stringify(t.params)))
        seen.set(JSON.stringify(t.params), t.params as Record<string, number>);
    const candidates = [...seen.values()];
    const options = {
      definition: STRATEGIES['sma-cross'],
      candidates,
      createDetector: () => createDetector('rules', '15m'),
      axis: 'volatility',
      backtest: (await records.get(studyId)).data.definition.options,
      minTrades: 3,
      minDwell: 5,
    } as const;
    const objective = { objectives: [naturalObjective('maxDrawdown')], mode: 'single' } as const;
    const expected = studyByRegime(bars, { ...options, objective, global: 0 });
    expect(result.bars).toBe(bars.t.length);
    // The global set is the study's winner (the shallowest drawdown), not the best Sharpe ratio's trial.
    expect(result.global.params).toEqual(winner);
    expect(studyByRegime(bars, options).global.params).not.toEqual(winner);
    expect(result.regimes.map((r) => [r.label, r.params, r.fellBack, r.reason])).toEqual(
      expected.regimes.map((r) => [AXIS_LABELS.volatility[r.regime], r.params, r.fellBack, r.reason]),
    );
    expect(result.trialCount).toBe(candidates.length * 4);
    // At least one regime chose a set of its own here: the comparison above is not only of fallbacks.
    expect(result.regimes.some((r) => !r.fellBack)).toBe(true);
    // Stored with the study: read back from its row as the study list and view read it.
    expect((await service.get(studyId, { offset: 0, limit: 0 })).perRegime).toEqual(detail.perRegime);

    // A study stored before per-regime studies (document version 2) reads without sets.
    const [row] = await db.all<{ data: string }>('SELECT data::VARCHAR AS data FROM studies WHERE id = $id', {
      id: studyId,
    });
    const stored = JSON.parse(row!.data) as Record<string, unknown>;
    delete stored['regimeSets'];
    const definition = { ...(stored['definition'] as Record<string, unknown>) };
    delete definition['perRegime'];
    await db.run('UPDATE studies SET data = $data WHERE id = $id', {
      id: studyId,
      data: JSON.stringify({ ...stored, version: 2, definition }),
    });
    const old = await service.get(studyId, { offset: 0, limit: 0 });
    expect(old.perRegime).toBeNull();
    expect(old.best).toEqual(detail.best);
    expect((await records.get(studyId)).data.version).toBe(3);
  });

  it('scores a multi-timeframe per-regime study on every timeframe, combined as the study combines them', async () => {
    const range = { start: Date.UTC(2023, 0, 1), end: Date.UTC(2023, 6, 1) };
    const timeframes = ['15m', '1h'] as const;
    const { studyId } = await service.start(
      request({
        data: { symbol, timeframes, aggregation: 'worst', ...range },
        perRegime: { detector: 'rules', minTrades: 3 },
      }),
    );
    const detail = await service.wait(studyId);
    expect(detail.perRegime?.error).toBeNull();
    const result = detail.perRegime!.result!;
    expect(result.timeframes).toEqual(timeframes);

    // Core on each timeframe's bars, labelled by the detector on its own bars, combined by the worst.
    const seen = new Map<string, Record<string, number>>();
    const winner = detail.best!.params as Record<string, number>;
    seen.set(JSON.stringify(winner), winner);
    for (const t of detail.trials)
      if (t.status === 'complete' && t.feasible && !seen.has(JSON.stringify(t.params)))
        seen.set(JSON.stringify(t.params), t.params as Record<string, number>);
    const candidates = [...seen.values()];
    const backtest = (await records.get(studyId)).data.definition.options;
    const objective = { objectives: [naturalObjective('sharpeRatio')], mode: 'single' } as const;
    const runs = await Promise.all(
      timeframes.map(async (timeframe) => {
        const bars = await new BarsRepository(db).read(symbol, timeframe, { ...range, session: 'regular' });
        const detector = createDetector('rules', timeframe);
        const out = allocateRegimeOutput(detector.inputs, bars.t.length);
        detector.label(bars, out);
        const schedule = regimeSchedule(out.volatility.label, 5);
        return candidates.map((params) =>
          scoreRunByRegime(
            runBacktest(bars, STRATEGIES['sma-cross'], params, backtest),
            bars.t,
            schedule,
            { periodsPerYear: barsPerYear(bars.t) },
            true,
          ),
        );
      }),
    );
    const selection = (perTimeframe: (typeof runs)[number][]) =>
      selectRegimeSets(
        candidates.map((params, i) =>
          candidateScores(
            params,
            perTimeframe.map((r) => r[i]!),
            objective,
            (metrics, tradeCount) =>
              aggregateSlices(Object.fromEntries(metrics.map((m, d) => [timeframes[d], m])), {
                aggregation: 'worst',
                objectives: objective.objectives,
                tradeCountMetric: tradeCount,
              }).metrics,
          ),
        ),
        { minTrades: 3, objective, global: 0 },
      );
    const shown = (s: ReturnType<typeof selection>) =>
      s.regimes.map((r) => [
        AXIS_LABELS.volatility[r.regime],
        r.params,
        r.fellBack,
        r.reason,
        r.score.trades,
      ]);
    const expected = selection(runs);
    expect(result.regimes.map((r) => [r.label, r.params, r.fellBack, r.reason, r.score.trades])).toEqual(
      shown(expected),
    );
    expect(result.global.score.sharpeRatio).toBe(expected.global.all.sharpeRatio);
    // The first timeframe alone chooses otherwise: the 1h bars changed the outcome.
    expect(shown(selection([runs[0]!]))).not.toEqual(shown(expected));
  });
});
