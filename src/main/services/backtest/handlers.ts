import type { BACKTEST_CHANNELS } from '../../../shared/backtestChannels.ts';
import type { DomainHandlers } from '../../../shared/contract.ts';
import type { StrategyProblem } from '../../../shared/userStrategy.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import type { JobContext } from '../jobs.ts';
import { BacktestService } from './backtestService.ts';
import { runRobustness } from './robustness.ts';
import { listStrategies } from './strategyCatalog.ts';

/** The strategy catalogue (the user's strategy files' problems with it) and single backtests (run on the pool, as jobs with progress). */
export function createBacktestHandlers(deps: {
  readonly bars: BarsRepository;
  readonly pool: ComputePool;
  readonly jobs: JobContext;
  /** The data folder's strategy files that were left out at start, and why. */
  readonly strategyProblems: readonly StrategyProblem[];
  /** The Settings' risk-free rate, annual percent. */
  readonly riskFreePercent: () => number;
}): DomainHandlers<typeof BACKTEST_CHANNELS> {
  const backtests = new BacktestService(deps.bars, deps.pool, deps.jobs, deps.riskFreePercent);
  return {
    'strategies:list': async () => listStrategies(),
    'strategies:problems': async () => deps.strategyProblems.map((problem) => ({ ...problem })),
    'backtest:run': (request) => backtests.run(request),
    'backtest:robustness': async (request) => runRobustness(request),
  };
}
