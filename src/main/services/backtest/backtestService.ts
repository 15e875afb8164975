import type { Timeframe } from '../../../core/data/bars.ts';
import { commissionSpecFromRate, type BacktestOptions } from '../../../core/engine/index.ts';
import { strategyRef, validateParams } from '../../../core/strategy/index.ts';
import type { BacktestRequest, BacktestResult } from '../../../shared/contract.ts';
import { InputError } from '../../../shared/errors.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { DatasetRef } from '../../compute/tasks.ts';
import { loadDataset } from '../../marketdata/barsSource.ts';
import type { BarsRange, BarsRepository } from '../../store/barsRepository.ts';
import { thinEquityCurve } from '../equityCurve.ts';
import { runJob, type JobContext } from '../jobs.ts';
import { finiteOrNull } from '../payloads.ts';
import { getStrategyOrThrow } from './strategyCatalog.ts';

/**
 * Backtests from the UI. Bars are read from the cache on every run (tens of milliseconds even for two
 * years of 1-minute bars) into shared memory, and their dataset id is a fingerprint of the bars, so a
 * worker reuses its prepared dataset and indicators while the data is unchanged and never after a
 * fetch, import or repair has changed it.
 */
export class BacktestService {
  constructor(
    private readonly repo: BarsRepository,
    private readonly pool: ComputePool,
    private readonly jobs: JobContext,
  ) {}

  async dataset(symbol: string, timeframe: Timeframe, range: BarsRange): Promise<DatasetRef> {
    const { id, bars } = await loadDataset({ kind: 'cache', symbol }, timeframe, range, this.repo);
    return { id, bars };
  }

  async run(request: BacktestRequest): Promise<BacktestResult> {
    return runJob(this.jobs, { jobId: request.jobId, stage: 'backtest', cancellable: false }, async (job) => {
      const progress = (stage: string, done: number): void => job.progress(done, 3, { stage });
      // Checked here, before any work, so a bad parameter is reported by name rather than from a worker.
      const strategy = getStrategyOrThrow(request.strategy);
      try {
        validateParams(strategy, request.params);
      } catch (error) {
        throw new InputError(error instanceof Error ? error.message : String(error), 'params');
      }
      progress('loading bars', 0);
      const dataset = await this.dataset(request.symbol, request.timeframe, {
        start: request.start,
        end: request.end,
        session: request.session,
      });
      progress('backtesting', 1);
      const options: BacktestOptions = {
        cash: request.cash,
        commission: commissionSpecFromRate(request.commission),
        closeAtEnd: request.closeAtEnd,
      };
      const output = await this.pool.run({
        kind: 'backtest',
        dataset,
        strategy: strategyRef(strategy, request.params),
        options,
      });
      progress('done', 3);
      return {
        symbol: request.symbol,
        timeframe: request.timeframe,
        strategy: request.strategy,
        params: request.params,
        bars: dataset.bars.t.length,
        metrics: Object.fromEntries(
          Object.entries(output.metrics).map(([key, value]) => [key, finiteOrNull(value)]),
        ),
        equity: thinEquityCurve(dataset.bars.t, output.equity, request.cash),
        trades: output.trades,
        elapsedMs: output.elapsedMs,
      };
    });
  }
}
