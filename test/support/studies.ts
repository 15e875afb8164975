import { ComputePool } from '../../src/main/compute/pool.ts';
import { createLedgerRecorder } from '../../src/main/ml/ledgerLearner.ts';
import { EventBus } from '../../src/main/services/events.ts';
import { poolEvaluators, type PoolEvaluatorOptions } from '../../src/main/services/optimize/evaluator.ts';
import { OptimizeService } from '../../src/main/services/optimize/optimizeService.ts';
import { studyRecords, type StudyDefinition } from '../../src/main/services/optimize/studyRecords.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { Database } from '../../src/main/store/database.ts';
import { studyStrategyRef } from '../../src/main/services/backtest/strategyCatalog.ts';
import { createSyntheticMarket, type SyntheticSeries } from '../../src/core/data/synthetic.ts';
import { DEMO_MARKET } from '../../src/main/services/demoMarket.ts';
import { JobRegistry } from '../../src/main/services/jobs.ts';
import {
  runWalkForwardJob,
  walkForwardJobFrom,
  type WalkForwardDeps,
} from '../../src/main/services/optimize/walkForwardService.ts';
import { WalkForwardRepository } from '../../src/main/store/walkForwardRepository.ts';
import type { WalkForwardRequest } from '../../src/shared/optimizeContract.ts';

/** The optimizer as main runs it, on an in-memory database: for the service tests and the study bench. */
export interface OptimizeHarness {
  db: Database;
  bars: BarsRepository;
  pool: ComputePool;
  events: EventBus;
  service: OptimizeService;
  close(): Promise<void>;
}

/**
 * `evaluators` replaces the default choice of where trials run (`{ inProcessBelow: 0 }`: always on the
 * pool's threads, for tests of the pool itself); `ledger` records every trial in the results ledger
 * and lets the learner learn it, as the app does.
 */
export async function optimizeHarness(
  threads: number,
  evaluators?: PoolEvaluatorOptions,
  ledger = false,
): Promise<OptimizeHarness> {
  const db = await Database.open(':memory:');
  const bars = new BarsRepository(db);
  const pool = new ComputePool(threads);
  const events = new EventBus();
  const service = new OptimizeService({
    studies: studyRecords(db),
    bars,
    pool,
    events,
    ...(evaluators === undefined ? {} : { compute: poolEvaluators(pool, evaluators) }),
    ...(ledger ? { ledger: createLedgerRecorder(db, (message) => console.warn(message)) } : {}),
  });
  return {
    db,
    bars,
    pool,
    events,
    service,
    close: async () => {
      await service.close();
      await pool.close();
      db.close();
    },
  };
}

/** An sma-cross study over all the bars: $10,000, 0.2% commission, the worst timeframe counts. */
export function smaCrossDefinition(
  source: StudyDefinition['source'],
  timeframes: readonly string[],
  trials: number,
): StudyDefinition {
  return {
    strategy: studyStrategyRef('sma-cross'),
    source,
    timeframes,
    start: null,
    end: null,
    aggregation: 'worst',
    options: { cash: 10_000, commission: { kind: 'percent', rate: 0.002 } },
    preferPlateau: false,
    trials,
  };
}

/** Writes the demo market's symbol at `index` (its 1m bars, source "demo") into `bars`; returns it. */
export async function writeDemoSymbol(bars: BarsRepository, index: number): Promise<SyntheticSeries> {
  const series = createSyntheticMarket(DEMO_MARKET).generate(index);
  await bars.write(series.symbol, '1m', series.bars, 'demo');
  return series;
}

/**
 * A walk-forward request run as main runs it, on the harness's pool, bars and events: windows stored in
 * its database and a job registry of its own, unless `deps` says otherwise.
 */
export function runWalkForward(
  h: OptimizeHarness,
  request: WalkForwardRequest,
  deps: Partial<WalkForwardDeps> = {},
): ReturnType<typeof runWalkForwardJob> {
  return runWalkForwardJob(walkForwardJobFrom(request), {
    pool: h.pool,
    bars: h.bars,
    windows: new WalkForwardRepository(h.db),
    events: h.events,
    jobs: new JobRegistry(),
    ...deps,
  });
}
