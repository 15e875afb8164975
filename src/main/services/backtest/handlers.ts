import type { BACKTEST_CHANNELS } from '../../../shared/backtestChannels.ts';
import type { DomainHandlers } from '../../../shared/contract.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import type { JobContext } from '../jobs.ts';
import { BacktestService } from './backtestService.ts';
import { listStrategies } from './strategyCatalog.ts';

/** The strategy catalogue and single backtests (run on the pool, as jobs with progress). */
export function createBacktestHandlers(deps: {
  readonly bars: BarsRepository;
  readonly pool: ComputePool;
  readonly jobs: JobContext;
}): DomainHandlers<typeof BACKTEST_CHANNELS> {
  const backtests = new BacktestService(deps.bars, deps.pool, deps.jobs);
  return {
    'strategies:list': async () => listStrategies(),
    'backtest:run': (request) => backtests.run(request),
  };
}
