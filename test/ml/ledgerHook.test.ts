/**
 * Issue 12 item 3: every finished trial and every walk-forward window (train and test) reaches the
 * results ledger with its features and outcomes, and the learner learns the test windows, in the
 * background of the run that produced them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyntheticMarket, DEFAULT_SYNTHETIC_SYMBOLS } from '../../src/core/data/synthetic.ts';
import { firstIndexAtOrAfter, sliceBars } from '../../src/core/data/bars.ts';
import type { Features } from '../../src/core/ml/base.ts';
import { candidateDescriber } from '../../src/core/ml/learner/recommend.ts';
import { backfillLedger } from '../../src/main/ml/backfill.ts';
import { createLedgerRecorder, LedgerLearner } from '../../src/main/ml/ledgerLearner.ts';
import { JobRegistry } from '../../src/main/services/jobs.ts';
import { createOptimizeHandlers } from '../../src/main/services/optimize/handlers.ts';
import { OptimizeService } from '../../src/main/services/optimize/optimizeService.ts';
import { studyRecords } from '../../src/main/services/optimize/studyRecords.ts';
import { LedgerRepository } from '../../src/main/store/ledgerRepository.ts';
import { WalkForwardRepository } from '../../src/main/store/walkForwardRepository.ts';
import { getStrategy } from '../../src/core/strategy/index.ts';
import { requestSchemas } from '../../src/shared/contract.ts';
import { storeFileWindows } from '../support/fileWalkForward.ts';
import { optimizeHarness, runWalkForward, type OptimizeHarness } from '../support/studies.ts';

const SYMBOL = 'SYNX';
let h: OptimizeHarness;

/** Two months of SYNX 1-minute bars in the harness's cache. */
async function writeMarket(harness: OptimizeHarness): Promise<void> {
  const market = createSyntheticMarket({
    seed: 7,
    start: Date.UTC(2024, 0, 2),
    end: Date.UTC(2024, 2, 1),
    symbols: DEFAULT_SYNTHETIC_SYMBOLS.filter((s) => s.symbol === SYMBOL),
  });
  await harness.bars.write(SYMBOL, '1m', market.generate(0).bars, 'test');
}

/** The walk-forward run both tests record: three trials a window over SYNX's hours. */
function walkForwardRequest() {
  return requestSchemas['walkforward:run'].input.parse({
    strategy: 'sma-cross',
    data: { symbol: SYMBOL, timeframe: '1h' },
    objectives: [{ metric: 'sharpeRatio' }],
    trials: 3,
    seed: 5,
    windows: { train: 14, test: 7, step: 7 },
  });
}

/** The 16-point grid study both tests record. */
function gridStudyRequest() {
  return requestSchemas['optimize:start'].input.parse({
    strategy: 'sma-cross',
    data: { symbol: SYMBOL, timeframes: ['1h'] },
    space: ['fast=5:20:5', 'slow=30:60:10'],
    sampler: 'grid',
    objectives: [{ metric: 'sharpeRatio' }],
    trials: 16,
    seed: 3,
  });
}

beforeAll(async () => {
  h = await optimizeHarness(1);
  await writeMarket(h);
});
afterAll(async () => h?.close());

describe('the results ledger behind studies and walk-forward runs', () => {
  it('records both halves of every window with features and outcomes, and the learner learns the test halves', async () => {
    const warnings: string[] = [];
    const recorder = createLedgerRecorder(h.db, (message) => warnings.push(message));
    const result = await runWalkForward(h, walkForwardRequest(), { windows: null, ledger: recorder });
    await recorder.flush();
    expect(warnings).toEqual([]);
    const ledger = new LedgerRepository(h.db);
    const [entry] = await ledger.learnableSince('sma-cross', 0, 1);
    const rows = await ledger.entriesOf(entry!.sourceId);
    expect(rows).toHaveLength(2 * result.windows.length);
    for (const window of result.windows) {
      const test = rows.find((r) => r.kind === 'window-test' && r.item === window.index)!;
      const train = rows.find((r) => r.kind === 'window-train' && r.item === window.index)!;
      expect(test.outcomes).toEqual(window.outOfSample);
      expect(train.outcomes).toEqual(window.inSample);
      expect(test.score).toBe(window.outOfSample['sharpeRatio']);
      expect(test.startTime).toBe(window.test.startTime);
      expect(test.params).toEqual(window.params);
      // θ scaled by the space, the market before the window, θ's train metrics as its past.
      expect(test.features['past.has']).toBe(1);
      expect(test.features['past.sharpe']).toBeCloseTo(
        Math.max(-10, Math.min(10, window.inSample['sharpeRatio'] ?? 0)),
        12,
      );
      expect(train.features['past.has']).toBe(0);
      expect(test.features['param.fast']).toBeGreaterThanOrEqual(0);
      expect(test.features['param.fast']).toBeLessThanOrEqual(1);
      expect(Object.keys(test.features).some((k) => k.startsWith('regime.trend.'))).toBe(true);
      expect(Object.keys(test.features).some((k) => k.startsWith('time.'))).toBe(true);
    }
    const learned = await new LedgerLearner(ledger).load('sma-cross');
    expect(learned.version).toBeGreaterThanOrEqual(1);
    expect(learned.ledgerSeq).toBe(Math.max(...rows.filter((r) => r.score !== null).map((r) => r.seq)));
    expect(learned.learner.count).toBe(
      rows.filter((r) => r.kind === 'window-test' && r.score !== null).length,
    );
  });

  it("records a study's finished trials once each, with their metrics", async () => {
    const warnings: string[] = [];
    const recorder = createLedgerRecorder(h.db, (message) => warnings.push(message));
    const service = new OptimizeService({
      studies: studyRecords(h.db),
      bars: h.bars,
      pool: h.pool,
      events: h.events,
      ledger: recorder,
    });
    const started = await service.start(gridStudyRequest());
    const detail = await service.wait(started.studyId);
    await service.close();
    expect(warnings).toEqual([]);
    const rows = await new LedgerRepository(h.db).entriesOf(started.studyId);
    const complete = detail.trials.filter((t) => t.status === 'complete');
    expect(rows.map((r) => r.item)).toEqual(complete.map((t) => t.number));
    for (const row of rows) {
      const trial = complete.find((t) => t.number === row.item)!;
      expect(row).toMatchObject({ kind: 'trial', symbol: SYMBOL, timeframe: '1h', strategy: 'sma-cross' });
      expect(row.params).toEqual(trial.params);
      expect(row.outcomes).toEqual(trial.metrics);
      // Scaled by the strategy's declared range (slow: 3 to 500), whatever range the study searched.
      expect(row.features['param.slow']).toBeCloseTo(((trial.params['slow'] as number) - 3) / 497, 12);
    }
  });
});

describe('ledger backfill', () => {
  it('records the trials and windows stored before the ledger existed, once however often it runs', async () => {
    const b = await optimizeHarness(1);
    try {
      await writeMarket(b);
      // Stored with no ledger hook, as before migration 7.
      const result = await runWalkForward(b, walkForwardRequest());
      const started = await b.service.start(gridStudyRequest());
      const detail = await b.service.wait(started.studyId);
      const complete = detail.trials.filter((t) => t.status === 'complete').length;

      const first = await backfillLedger(b.db);
      expect(first).toMatchObject({
        studies: 1,
        trials: complete,
        windows: result.windows.length,
        skipped: [],
      });
      expect(first.added).toBe(complete + 2 * result.windows.length);
      expect(first.learned).toBe(result.windows.filter((w) => w.outOfSample['sharpeRatio'] !== null).length);
      const again = await backfillLedger(b.db);
      expect(again.added).toBe(0);
      expect(again.learned).toBe(first.learned);
    } finally {
      await b.close();
    }
  });

  it('gives a recommendation candidate the standing features of the ledger row of the same set and window', async () => {
    const warnings: string[] = [];
    const recorder = createLedgerRecorder(h.db, (message) => warnings.push(message));
    // Two runs over the same hours: each window's population holds both runs' earlier windows.
    // Fast averages, so every test window trades and is scored.
    const space = ['fast=2:6', 'slow=8:20'];
    for (const seed of [21, 22])
      await runWalkForward(h, { ...walkForwardRequest(), space, seed }, { windows: null, ledger: recorder });
    await recorder.flush();
    expect(warnings).toEqual([]);
    const ledger = new LedgerRepository(h.db);
    const population = await ledger.referencePopulation(
      // The runs read regular hours (the request's default): their rows are filed under that session.
      { symbol: SYMBOL, timeframe: '1h', strategy: 'sma-cross', session: 'regular' },
      Number.MAX_SAFE_INTEGER,
      1000,
    );
    // The last run's last window: every row its population holds had arrived when it was recorded.
    const learnable = await ledger.learnableSince('sma-cross', 0);
    const row = learnable.filter((r) => r.sourceId === learnable.at(-1)!.sourceId).at(-1)!;
    // Each run's rows carry the session its bars kept to, and make the population of that session.
    expect(population.length).toBeGreaterThan(0);
    expect(new Set((await ledger.entriesOf(row.sourceId)).map((e) => e.session))).toEqual(
      new Set(['regular']),
    );
    const bars = await h.bars.read(SYMBOL, '1h');
    const opens = bars.t.indexOf(row.startTime!);
    const { describe } = candidateDescriber(sliceBars(bars, 0, opens), {
      strategy: 'sma-cross',
      timeframe: '1h',
      windowBars: 7,
      population,
    });
    const candidate = describe(row.params);
    const standing = (f: Features): Features =>
      Object.fromEntries(
        Object.entries(f).filter(([name]) => ['past.z', 'past.zMean', 'past.neighbourZ'].includes(name)),
      );
    expect(Object.keys(standing(row.features))).toHaveLength(3);
    expect(standing(candidate)).toEqual(standing(row.features));
    expect(row.features['past.neighbourZ']).not.toBe(0);
    // The market at the window's start is the same point-in-time reading on both sides.
    for (const name of Object.keys(row.features).filter((n) => n.startsWith('regime.')))
      expect(candidate[name], name).toBeCloseTo(row.features[name]!, 12);
  });

  it('learns a window stored with a holiday as its start at the first bar after it, and says when the bars are gone', async () => {
    const b = await optimizeHarness(1);
    try {
      await writeMarket(b);
      const bars = await b.bars.read(SYMBOL, '1h');
      // As runs cut every 24 hours from the first bar stored them: 09:30 New York (winter) on each day,
      // the test window's first day Presidents' Day 2024-02-19, when the exchange is closed.
      const at = (day: number): number => Date.UTC(2024, 1, day, 14, 30);
      const range = (from: number, to: number) => ({
        start: firstIndexAtOrAfter(bars.t, from),
        end: firstIndexAtOrAfter(bars.t, to),
        startTime: from,
        endTime: to,
      });
      const store = (runId: string, test: ReturnType<typeof range>) =>
        new WalkForwardRepository(b.db).saveWindow(
          {
            runId,
            jobId: `${runId}-job`,
            datasetId: 'synx',
            symbol: SYMBOL,
            timeframe: '1h',
            strategy: 'sma-cross',
            strategyVersion: getStrategy('sma-cross').version,
            seed: 1,
          },
          {
            index: 0,
            train: range(at(5), at(19)),
            test,
            params: { fast: 5, slow: 20 },
            inSample: { sharpeRatio: 1 },
            outOfSample: { sharpeRatio: 0.5 },
          },
          1,
        );
      const test = range(at(19), at(26));
      // The sessions of 2024-02-20 to 02-23, seven hourly bars each.
      expect(test.end - test.start).toBe(4 * 7);
      await store('holiday-run', test);
      // A test window holding more bars than the cache has between its times (its bars are gone).
      await store('gone-run', { ...test, end: test.end + 400 });

      const report = await backfillLedger(b.db);
      expect(report.skipped).toEqual([
        'walk-forward run gone-run window 0: the cached bars no longer hold the 428 bars of its test window (2024-02-19T14:30:00.000Z to 2024-02-26T14:30:00.000Z)',
      ]);
      expect(report.windows).toBe(1);
      const rows = await new LedgerRepository(b.db).entriesOf('holiday-run');
      const row = rows.find((r) => r.kind === 'window-test')!;
      // The ledger names the window's first bar: the next session's, 2024-02-20 09:30 New York.
      expect(row.startTime).toBe(Date.UTC(2024, 1, 20, 14, 30));
      expect(bars.t.indexOf(row.startTime!)).toBe(test.start);
    } finally {
      await b.close();
    }
  });

  it('remembers a window it cannot backfill (a run on a file) and why, so a restart does not try it again', async () => {
    const b = await optimizeHarness(1);
    try {
      await storeFileWindows(b.db, 'file-run', 'SPY_1min.csv', 1);
      const ledger = new LedgerRepository(b.db);
      expect(await ledger.missesStoredResults()).toBe(true);
      // A start: the window looks missing, the backfill cannot record it and remembers why.
      const restart = () =>
        createOptimizeHandlers({
          db: b.db,
          bars: b.bars,
          pool: b.pool,
          jobs: { events: b.events, jobs: new JobRegistry() },
        });
      await restart().service.close();
      expect(await ledger.count()).toBe(0);
      expect(await ledger.missesStoredResults()).toBe(false);
      const remembered = await b.db.all<{ reason: string }>('SELECT reason FROM learner_backfill_skips');
      expect(remembered).toEqual([{ reason: 'no cached native bars of SPY_1min.csv' }]);
      // The next start finds nothing missing; an explicit backfill still tries it and says why it could not.
      await restart().service.close();
      expect((await backfillLedger(b.db)).skipped).toEqual([
        'walk-forward run file-run window 0: no cached native bars of SPY_1min.csv',
      ]);
    } finally {
      await b.close();
    }
  });

  it('says in one line why a run of several symbols is not learned', async () => {
    const b = await optimizeHarness(1);
    try {
      await storeFileWindows(b.db, 'pair-run', 'GOOG+ORCL', 2);
      const reason =
        "a run of several symbols (GOOG, ORCL) is not learned: its windows were scored on them together and the ledger learns one symbol's market";
      expect((await backfillLedger(b.db)).skipped).toEqual([
        `walk-forward run pair-run window 0: ${reason}`,
        `walk-forward run pair-run window 1: ${reason}`,
      ]);
    } finally {
      await b.close();
    }
  });

  it('ends a study before its ledger drains; a restart after a kill mid-queue records each trial once', async () => {
    const warnings: string[] = [];
    // No idle drain: what the ledger holds when the study ends is only what the study waited for.
    const recorder = createLedgerRecorder(h.db, (message) => warnings.push(message), { idleMs: Infinity });
    const service = new OptimizeService({
      studies: studyRecords(h.db),
      bars: h.bars,
      pool: h.pool,
      events: h.events,
      ledger: recorder,
    });
    let queuedAtEnd = -1;
    const stop = h.events.subscribe((channel, payload) => {
      if (channel === 'optimize:progress' && 'state' in payload && payload.state === 'complete')
        queuedAtEnd = recorder.pending;
    });
    const ledger = new LedgerRepository(h.db);
    try {
      const started = await service.start({ ...gridStudyRequest(), seed: 11 });
      const detail = await service.wait(started.studyId);
      expect(detail.summary.state).toBe('complete');
      expect(queuedAtEnd).toBeGreaterThan(0);
      expect(await ledger.entriesOf(started.studyId)).toEqual([]);
      // The process dies here with the queue; the restart finds the stored trials the ledger misses.
      const complete = detail.trials.filter((t) => t.status === 'complete').map((t) => t.number);
      const restarted = createOptimizeHandlers({
        db: h.db,
        bars: h.bars,
        pool: h.pool,
        jobs: { events: h.events, jobs: new JobRegistry() },
      });
      await restarted.service.close();
      expect((await ledger.entriesOf(started.studyId)).map((r) => r.item)).toEqual(complete);
      // The dead process's queue, had it drained after all, adds nothing twice.
      await recorder.flush();
      expect((await ledger.entriesOf(started.studyId)).map((r) => r.item)).toEqual(complete);
      expect(warnings).toEqual([]);
    } finally {
      stop();
      await service.close();
    }
  });
});
