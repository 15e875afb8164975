import type { BACKTEST_CHANNELS } from '../../../shared/backtestChannels.ts';
import type { DomainHandlers } from '../../../shared/contract.ts';
import type { StrategyProblem } from '../../../shared/userStrategy.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import type { EventBus } from '../events.ts';
import type { JobContext } from '../jobs.ts';
import { BacktestService } from './backtestService.ts';
import { runRobustness } from './robustness.ts';
import { listStrategies } from './strategyCatalog.ts';
import type { UserStrategyLoad } from './userStrategyFiles.ts';

/** The strategy catalogue (the user's strategy files' problems with it) and single backtests (run on the pool, as jobs with progress). */
export function createBacktestHandlers(deps: {
  readonly bars: BarsRepository;
  readonly pool: ComputePool;
  readonly jobs: JobContext;
  readonly events: EventBus;
  /** The data folder's strategy files as last loaded (with those left out, and why), and a reload. */
  readonly strategyFiles: {
    readonly current: () => Promise<UserStrategyLoad>;
    readonly reload: () => Promise<UserStrategyLoad>;
  };
  /** The Settings' risk-free rate, annual percent. */
  readonly riskFreePercent: () => number;
}): DomainHandlers<typeof BACKTEST_CHANNELS> {
  const backtests = new BacktestService(deps.bars, deps.pool, deps.jobs, deps.riskFreePercent);
  return {
    'strategies:list': async () => {
      await deps.strategyFiles.current();
      return listStrategies();
    },
    'strategies:problems': async () => problemsOf(await deps.strategyFiles.current()),
    'strategies:reload': async () => {
      const problems = problemsOf(await deps.strategyFiles.reload());
      const state = { strategies: listStrategies(), problems };
      deps.events.emit('strategies:changed', state);
      return state;
    },
    'backtest:run': (request) => backtests.run(request),
    'backtest:robustness': async (request) => runRobustness(request),
  };
}

function problemsOf(load: UserStrategyLoad): StrategyProblem[] {
  return load.problems.map((problem) => ({ ...problem }));
}
