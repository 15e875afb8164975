import type { Timeframe } from '../../../core/data/bars.ts';
import {
  COST_STRESS_BPS,
  costOptions,
  prepareDataset,
  strategyPlots,
  type BacktestOptions,
} from '../../../core/engine/index.ts';
import type { CostStressRow } from '../../../shared/costs.ts';
import { strategyRef, validateParams } from '../../../core/strategy/index.ts';
import type { BacktestRequest, BacktestResult } from '../../../shared/contract.ts';
import { InputError } from '../../../shared/errors.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { DatasetRef } from '../../compute/tasks.ts';
import { loadDataset } from '../../marketdata/barsSource.ts';
import type { BarsRange, BarsRepository } from '../../store/barsRepository.ts';
import { costSettingsFor } from '../costs.ts';
import { thinEquityCurve } from '../equityCurve.ts';
import { backtestTearSheet, closesAt } from '../tearSheet.ts';
import { runJob, type JobContext } from '../jobs.ts';
import { finiteOrNull } from '../payloads.ts';
import { getStrategyOrThrow } from './strategyCatalog.ts';
import { backtestRange, indicatorPayload } from './indicatorPayload.ts';

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
    /** The Settings' annual risk-free rate in percent, read on every run (it may change between runs). */
    private readonly riskFreePercent: () => number = () => 0,
  ) {}

  async dataset(symbol: string, timeframe: Timeframe, range: BarsRange): Promise<DatasetRef> {
    const { id, bars } = await loadDataset({ kind: 'cache', symbol }, timeframe, range, this.repo);
    return { id, bars };
  }

  /** Another symbol's closes over the backtest's bars (same timeframe, range and session). */
  private async benchmark(
    request: BacktestRequest,
    t: Float64Array,
  ): Promise<{ label: string; values: Float64Array }> {
    const symbol = request.benchmark!;
    const bars = await this.repo.read(symbol, request.timeframe, {
      start: request.start,
      end: request.end,
      session: request.session,
    });
    if (bars.t.length === 0)
      throw new InputError(
        `benchmark ${symbol} has no ${request.timeframe} bars in the backtest's range`,
        'benchmark',
      );
    return { label: `${symbol} buy & hold`, values: closesAt(t, bars) };
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
      const costs = await costSettingsFor(
        request.costs,
        { kind: 'cache', symbol: request.symbol },
        this.repo,
      );
      const options = (stressBps: number): BacktestOptions => ({
        cash: request.cash,
        ...costOptions(request.commission, costs, stressBps),
        closeAtEnd: request.closeAtEnd,
      });
      const run = (stressBps: number) =>
        this.pool.run({
          kind: 'backtest',
          dataset,
          strategy: strategyRef(strategy, request.params),
          options: options(stressBps),
          riskFreeRate: (request.riskFreePercent ?? this.riskFreePercent()) / 100,
        });
      // The stressed runs are queued with the run itself, so the pool's workers share them.
      const outputs = await Promise.all(COST_STRESS_BPS.map((bps) => run(bps)));
      const output = outputs[0]!;
      progress('done', 3);
      const costStress: CostStressRow[] = outputs.map((o, k) => ({
        bps: COST_STRESS_BPS[k]!,
        finalEquity: finiteOrNull(o.metrics.finalEquity),
        totalReturn: finiteOrNull(o.metrics.totalReturn),
        sharpeRatio: finiteOrNull(o.metrics.sharpeRatio),
        maxDrawdown: finiteOrNull(o.metrics.maxDrawdown),
      }));
      // Computed here from the strategy's own instance, not in the worker: three stressed runs need it once.
      const plots = strategyPlots(prepareDataset(dataset.bars), strategy, request.params, options(0));
      const benchmark =
        request.benchmark === undefined || request.benchmark === request.symbol
          ? { label: `${request.symbol} buy & hold`, values: dataset.bars.c }
          : await this.benchmark(request, dataset.bars.t);
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
        indicators: indicatorPayload(dataset.bars.t, plots),
        range: backtestRange(dataset.bars.t, plots),
        costs,
        costStress,
        tearSheet: backtestTearSheet(dataset.bars.t, output.equity, request.cash, benchmark),
        elapsedMs: output.elapsedMs,
      };
    });
  }
}
