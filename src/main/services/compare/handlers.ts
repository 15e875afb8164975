import type { COMPARE_CHANNELS } from '../../../shared/compareChannels.ts';
import { PinSource } from '../../../shared/compareContract.ts';
import type { DomainHandlers } from '../../../shared/contract.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import { ComparePinsRepository } from '../../store/comparePinsRepository.ts';
import type { Database } from '../../store/database.ts';
import { BacktestService } from '../backtest/backtestService.ts';
import type { JobContext } from '../jobs.ts';
import { studyRecords } from '../optimize/studyRecords.ts';
import { replayWalkForward, walkForwardJobFrom } from '../optimize/walkForwardService.ts';
import { WalkForwardRepository } from '../../store/walkForwardRepository.ts';
import { CompareService } from './compareService.ts';

/** The compare set's requests: pins stored in the database, each derived again when the set is read. */
export function createCompareHandlers(deps: {
  readonly db: Database;
  readonly bars: BarsRepository;
  readonly pool: ComputePool;
  readonly jobs: JobContext;
  /** The Settings' risk-free rate (annual percent): kept in a pin whose request names none. */
  readonly riskFreePercent?: () => number;
}): DomainHandlers<typeof COMPARE_CHANNELS> {
  const backtests = new BacktestService(deps.bars, deps.pool, deps.jobs);
  const windows = new WalkForwardRepository(deps.db);
  const service = new CompareService({
    pins: new ComparePinsRepository(deps.db, PinSource),
    studies: studyRecords(deps.db),
    bars: deps.bars,
    executor: deps.pool,
    backtest: (request) => backtests.run(request),
    walkForward: {
      windows: (runId) => windows.windowsOfRun(runId),
      replay: (request, stored) =>
        replayWalkForward(walkForwardJobFrom(request), stored, { pool: deps.pool, bars: deps.bars }),
    },
    ...(deps.riskFreePercent === undefined ? {} : { riskFreePercent: deps.riskFreePercent }),
  });
  return {
    'compare:pin': (request) => service.pin(request),
    'compare:list': () => service.list(),
    'compare:unpin': ({ pinId }) => service.unpin(pinId),
    'compare:clear': () => service.clear(),
  };
}
