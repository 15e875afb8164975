import type { Timeframe } from '../../../core/data/bars.ts';
import {
  COST_STRESS_BPS,
  costOptions,
  resolveOptions,
  type BacktestOptions,
  type CostSettings,
} from '../../../core/engine/index.ts';
import type { CostStressRow } from '../../../shared/costs.ts';
import { strategyRef, validateParams, type StrategyDefinition } from '../../../core/strategy/index.ts';
import type { BacktestRequest, BacktestResult } from '../../../shared/contract.ts';
import { InputError } from '../../../shared/errors.ts';
import type { ComputePool } from '../../compute/pool.ts';
import type { DatasetRef } from '../../compute/tasks.ts';
import { loadWarmedDataset } from '../../marketdata/barsSource.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
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
      const costs = await costSettingsFor(
        request.costs,
        { kind: 'cache', symbol: request.symbol },
        this.repo,
      );
      const options = (stressBps: number): BacktestOptions => ({
        cash: request.cash,
        ...costOptions(request.commission, costs, (request.slippageBps ?? 0) + stressBps),
        closeAtEnd: request.closeAtEnd,
      });
      const ref = strategyRef(strategy, request.params);
      const { dataset, from } = await loadWarmedDataset(
        { kind: 'cache', symbol: request.symbol },
        request.timeframe,
        { start: request.start, end: request.end, session: request.session },
        this.repo,
        async (warming) =>
          (
            await this.pool.run({
              kind: 'strategy-start',
              dataset: warming,
              strategy: ref,
              options: options(0),
            })
          ).startIndex,
      );
      progress('backtesting', 1);
      const benchmark =
        request.benchmark === undefined || request.benchmark === request.symbol
          ? { label: `${request.symbol} buy & hold`, values: dataset.bars.c.subarray(from) }
          : await this.benchmark(request, dataset.bars.t.subarray(from));
      const result = await backtestReport(this.pool, {
        symbol: request.symbol,
        timeframe: request.timeframe,
        strategy,
        params: request.params,
        dataset,
        from,
        options,
        riskFreeRate: (request.riskFreePercent ?? this.riskFreePercent()) / 100,
        costs,
        benchmark,
      });
      progress('done', 3);
      return result;
    });
  }
}

/** What a full backtest report is made of: the bars, the strategy and its parameters, the engine's options. */
export interface BacktestReportInput {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly strategy: StrategyDefinition;
  readonly params: Record<string, number>;
  readonly dataset: DatasetRef;
  /**
   * The dataset's first bar the report covers (default 0): the bars before it only warm the strategy's
   * indicators (options.tradeFrom), and trades, equity, metrics and benchmark start at it.
   */
  readonly from?: number;
  /** The run's options with this many basis points more slippage on every fill (the cost stress). */
  readonly options: (stressBps: number) => BacktestOptions;
  /** Annual risk-free rate Sharpe and Sortino are measured against (absent: 0, as a study scores). */
  readonly riskFreeRate?: number;
  /** The cost settings the options came from, as the report states them. */
  readonly costs: CostSettings;
  /** The tear sheet's benchmark: closes at the dataset's bars from `from` on. */
  readonly benchmark: { readonly label: string; readonly values: Float64Array };
}

/**
 * One backtest on the pool with everything a report shows: trades, equity, the strategy's indicators,
 * the cost stress and the tear sheet. A backtest request and a study's trial (optimize:trial-backtest)
 * both end here, so a trial's tear sheet is made exactly as a backtest's.
 */
export async function backtestReport(pool: ComputePool, input: BacktestReportInput): Promise<BacktestResult> {
  const { dataset, strategy, params, options, from = 0 } = input;
  const run = (stressBps: number, plots: boolean) =>
    pool.run({
      kind: 'backtest',
      dataset,
      strategy: strategyRef(strategy, params),
      options: { ...options(stressBps), tradeFrom: from },
      ...(input.riskFreeRate === undefined ? {} : { riskFreeRate: input.riskFreeRate }),
      // Made by the strategy's own instance, which only a worker may run (a user's code); once.
      ...(plots ? { plots } : {}),
    });
  // The stressed runs are queued with the run itself, so the pool's workers share them.
  const outputs = await Promise.all(COST_STRESS_BPS.map((bps, k) => run(bps, k === 0)));
  const output = outputs[0]!;
  const costStress: CostStressRow[] = outputs.map((o, k) => ({
    bps: COST_STRESS_BPS[k]!,
    finalEquity: finiteOrNull(o.metrics.finalEquity),
    totalReturn: finiteOrNull(o.metrics.totalReturn),
    sharpeRatio: finiteOrNull(o.metrics.sharpeRatio),
    maxDrawdown: finiteOrNull(o.metrics.maxDrawdown),
  }));
  const plots = output.plots!;
  // The engine's own default when the options name none (a study's stored options may not).
  const cash = resolveOptions(options(0), 'regimen').cash;
  // The worker's output is over these bars only (see BacktestOutput).
  const t = dataset.bars.t.subarray(from);
  return {
    symbol: input.symbol,
    timeframe: input.timeframe,
    strategy: strategy.name,
    params,
    bars: t.length,
    metrics: Object.fromEntries(
      Object.entries(output.metrics).map(([key, value]) => [key, finiteOrNull(value)]),
    ),
    equity: thinEquityCurve(t, output.equity, cash),
    trades: output.trades,
    indicators: indicatorPayload(t, plots),
    range: backtestRange(t, plots),
    wipedOutAt: output.wipedOutAt,
    financingPaid: output.financingPaid,
    costs: input.costs,
    costStress,
    tearSheet: backtestTearSheet(t, output.equity, cash, input.benchmark, input.riskFreeRate),
    elapsedMs: output.elapsedMs,
  };
}
