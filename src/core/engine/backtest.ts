import type { Bars } from '../data/bars.ts';
import { DEFAULT_CACHE_BYTES, IndicatorCache } from '../indicators/cache.ts';
import { validateParams } from '../strategy-api/params.ts';
import type { IndicatorPlot, Strategy, StrategyDefinition, StrategyParams } from '../strategy-api/types.ts';
import { Broker, type OpenTrade } from './broker.ts';
import { resolveOptions, type BacktestOptions, type ResolvedBacktestOptions } from './options.ts';
import { copyTradeLog } from './trade-log.ts';
import { ExitReason, type TradeLog } from './types.ts';

/** `BacktestRun.wipedOutIndex` of a run whose equity never fell to 0. */
export const NOT_WIPED_OUT = -1;

/** Bars plus their indicator cache: prepare once per dataset, run many trials against it. */
export interface PreparedDataset {
  readonly bars: Bars;
  readonly indicators: IndicatorCache;
}

export function prepareDataset(bars: Bars, cacheBytes = DEFAULT_CACHE_BYTES): PreparedDataset {
  return { bars, indicators: new IndicatorCache(bars, cacheBytes) };
}

/**
 * Buffers one backtest needs (equity per bar, the broker with its order book and trade log), reused
 * run after run by one optimizer worker so a trial allocates almost nothing. A run's result aliases
 * these buffers: it stays valid until the workspace's next run.
 */
export class BacktestWorkspace {
  equity: Float64Array;
  positions: Float64Array | null = null;
  cash: Float64Array | null = null;
  readonly broker = new Broker();

  constructor(length = 0) {
    this.equity = new Float64Array(length);
  }

  /** Makes the per-bar buffers fit `length` bars (reallocating only when they must grow or shrink). */
  fit(length: number, recordPositions: boolean): void {
    if (this.equity.length !== length) this.equity = new Float64Array(length);
    if (recordPositions) {
      if (this.positions?.length !== length) this.positions = new Float64Array(length);
      if (this.cash?.length !== length) this.cash = new Float64Array(length);
    } else {
      this.positions = null;
      this.cash = null;
    }
  }
}

export interface BacktestRun {
  readonly strategy: string;
  readonly params: StrategyParams;
  /** Cash + position marked at each bar's close (the start cash before the strategy's first bar). */
  readonly equity: Float64Array;
  /** Units held at each bar's close (with `recordPositions`). */
  readonly positions: Float64Array | null;
  /** Cash at each bar's close (with `recordPositions`); equity[i] = cash[i] + positions[i] x close[i]. */
  readonly cash: Float64Array | null;
  /** Closed trades; a position still open at the end is not in it (unless `closeAtEnd`). */
  readonly trades: TradeLog;
  /** The position still held after the last bar, marked to its close (null when flat or `closeAtEnd`). */
  readonly openTrade: OpenTrade | null;
  readonly finalEquity: number;
  readonly finalCash: number;
  /** Units still held after the last bar (0 with `closeAtEnd`). */
  readonly finalPosition: number;
  /** First bar the strategy saw (its warm-up, or the options' tradeFrom, ends there). */
  readonly startIndex: number;
  /**
   * The bar whose close found the equity at or below 0 (NOT_WIPED_OUT, -1, when it never did): the run
   * closed every position there and stopped, equity 0 from that bar on (see `wipeOut`).
   */
  readonly wipedOutIndex: number;
  readonly filledOrders: number;
  /** Financing charged over the run (margin interest and stock borrow fees; see FinancingSpec). */
  readonly financingPaid: number;
  /** Orders that came to size zero (no cash, caps, long-only) and were dropped. */
  readonly rejectedOrders: number;
  readonly options: ResolvedBacktestOptions;
}

/**
 * The hot loop, in a function of its own: small, with every path exercised on each call, so V8 keeps
 * one optimised version across trials (inside the larger `simulate`, code after the loop lacked type
 * feedback and deoptimised it at the end of every run, making the next run start interpreted).
 */
function barLoop(
  broker: Broker,
  strategy: Strategy,
  close: Float64Array,
  equity: Float64Array,
  start: number,
  n: number,
  fillAtClose: boolean,
): number {
  for (let i = start; i < n; i++) {
    if (broker.financed) broker.accrueFinancing(i);
    if (broker.pendingCount > 0) broker.processOpen(i);
    if (broker.units !== 0) broker.checkExits(i);
    if (broker.cash + broker.units * close[i] <= 0) return i;
    strategy.onBar(i);
    if (fillAtClose && broker.pendingCount > 0) broker.processClose(i);
    equity[i] = broker.cash + broker.units * close[i];
  }
  return NOT_WIPED_OUT;
}

/** `barLoop` that also records units and cash per bar. */
function recordingBarLoop(
  broker: Broker,
  strategy: Strategy,
  close: Float64Array,
  equity: Float64Array,
  positions: Float64Array,
  cash: Float64Array,
  start: number,
  n: number,
  fillAtClose: boolean,
): number {
  for (let i = start; i < n; i++) {
    if (broker.financed) broker.accrueFinancing(i);
    if (broker.pendingCount > 0) broker.processOpen(i);
    if (broker.units !== 0) broker.checkExits(i);
    if (broker.cash + broker.units * close[i] <= 0) return i;
    strategy.onBar(i);
    if (fillAtClose && broker.pendingCount > 0) broker.processClose(i);
    const units = broker.units;
    equity[i] = broker.cash + units * close[i];
    positions[i] = units;
    cash[i] = broker.cash;
  }
  return NOT_WIPED_OUT;
}

/** The bar range's wipe-out bar (see `wipeOut`), or NOT_WIPED_OUT when the equity stayed above 0. */
function runBars(
  broker: Broker,
  strategy: Strategy,
  close: Float64Array,
  equity: Float64Array,
  positions: Float64Array | null,
  cash: Float64Array | null,
  from: number,
  to: number,
  fillAtClose: boolean,
): number {
  return positions !== null && cash !== null
    ? recordingBarLoop(broker, strategy, close, equity, positions, cash, from, to, fillAtClose)
    : barLoop(broker, strategy, close, equity, from, to, fillAtClose);
}

/**
 * The account is gone at bar i (its equity marked at the close fell to or below 0, a short through a gap
 * say): as backtesting.py's broker does when it raises _OutOfMoneyError, every position closes at that
 * close, the cash is 0 and the equity stays 0 to the end, so no return is measured over a base of the
 * wrong sign (NVDA's sma-cross 112/221 read a Sharpe of +0.36 at -124 % when the run went on). The trade
 * keeps its whole loss, which a gap can make larger than the account; the shortfall is not carried.
 */
function wipeOut(
  broker: Broker,
  close: Float64Array,
  equity: Float64Array,
  positions: Float64Array | null,
  cash: Float64Array | null,
  i: number,
): void {
  broker.exitAll(i, close[i], false, ExitReason.WipedOut);
  broker.cash = 0;
  equity.fill(0, i);
  positions?.fill(0, i);
  cash?.fill(0, i);
}

/**
 * The bar loop. Per bar: resting orders at the open, protective exits inside the bar, the strategy at the
 * close (and market fills at that close with fill-at-close), then equity marked at the close. Nothing in
 * the loop allocates; the strategy reads indices <= i only, so there is no look-ahead by construction.
 */
function simulate(
  bars: Bars,
  definition: StrategyDefinition,
  params: StrategyParams,
  options: ResolvedBacktestOptions,
  indicators: IndicatorCache,
  workspace: BacktestWorkspace,
  changes: readonly ParamChange[],
): BacktestRun {
  const n = bars.c.length;
  workspace.fit(n, options.recordPositions);
  const { equity, positions, cash: cashByBar, broker } = workspace;
  broker.reset(bars, options);
  const strategy = definition.create(params);
  const start = Math.max(options.tradeFrom, strategy.init({ bars, indicators, orders: broker, options }));
  const close = bars.c;
  const fillAtClose = options.fillAtClose;
  const initialCash = options.cash;
  const warm = Math.min(start, n);
  equity.fill(initialCash, 0, warm);
  if (positions !== null && cashByBar !== null) {
    positions.fill(0, 0, warm);
    cashByBar.fill(initialCash, 0, warm);
  }
  // A parameter change splits the loop at its bar, so runs without one pay nothing for the feature.
  let from = start;
  let wipedOutIndex = NOT_WIPED_OUT;
  for (const change of changes) {
    const to = Math.min(Math.max(change.fromBar, from), n);
    wipedOutIndex = runBars(broker, strategy, close, equity, positions, cashByBar, from, to, fillAtClose);
    if (wipedOutIndex !== NOT_WIPED_OUT) break;
    strategy.reparameterize(change.params);
    from = to;
  }
  if (wipedOutIndex === NOT_WIPED_OUT) {
    wipedOutIndex = runBars(broker, strategy, close, equity, positions, cashByBar, from, n, fillAtClose);
  }
  if (wipedOutIndex !== NOT_WIPED_OUT) {
    wipeOut(broker, close, equity, positions, cashByBar, wipedOutIndex);
  } else if (options.closeAtEnd && n > 0 && broker.units !== 0) {
    const last = n - 1;
    const price = options.closeAtEndPrice === 'open' ? bars.o[last] : close[last];
    broker.exitAll(last, price, true, ExitReason.EndOfData);
    equity[last] = broker.cash + broker.units * close[last];
    if (positions !== null && cashByBar !== null) {
      positions[last] = broker.units;
      cashByBar[last] = broker.cash;
    }
  }
  broker.cancelAll();
  return {
    openTrade: n > 0 ? broker.openTrade(n - 1) : null,
    strategy: definition.name,
    params,
    equity,
    positions,
    cash: cashByBar,
    trades: broker.trades,
    finalEquity: n > 0 ? equity[n - 1] : initialCash,
    finalCash: broker.cash,
    finalPosition: broker.units,
    startIndex: start,
    wipedOutIndex,
    filledOrders: broker.filledOrders,
    financingPaid: broker.financingPaid,
    rejectedOrders: broker.rejectedOrders,
    options,
  };
}

/**
 * New parameters from bar `fromBar` on (a regime switch, an approved update): the strategy's
 * `reparameterize` runs after bar fromBar - 1 and before bar fromBar is processed, so orders resting from
 * the previous close fill as they were submitted and open positions keep their exits. A change at or
 * before the strategy's first bar applies from that bar.
 */
export interface ParamChange {
  readonly fromBar: number;
  readonly params: StrategyParams;
}

const NO_CHANGES: readonly ParamChange[] = [];

function validateChanges(definition: StrategyDefinition, changes: readonly ParamChange[]): void {
  let previous = -1;
  changes.forEach((change, k) => {
    if (!Number.isInteger(change.fromBar) || change.fromBar <= previous) {
      throw new RangeError(
        `parameter change ${k + 1}: fromBar must be an integer after the previous change's (${previous}), ` +
          `got ${change.fromBar}`,
      );
    }
    previous = change.fromBar;
    try {
      validateParams(definition, change.params);
    } catch (error) {
      throw new RangeError(
        `parameter change ${k + 1} (from bar ${change.fromBar}): ${(error as Error).message}`,
      );
    }
  });
}

/**
 * Lower-level entry for the optimizer: runs one trial against a prepared dataset (shared indicator
 * cache) in a reused workspace. The result aliases the workspace's buffers (see BacktestWorkspace).
 * Params (and those of each change) are validated, cheap next to the bar loop; an invalid set throws
 * naming the parameter.
 */
export function runPrepared(
  dataset: PreparedDataset,
  definition: StrategyDefinition,
  params: StrategyParams,
  options: BacktestOptions,
  workspace: BacktestWorkspace,
  changes: readonly ParamChange[] = NO_CHANGES,
): BacktestRun {
  validateParams(definition, params);
  validateChanges(definition, changes);
  const resolved = resolveOptions(options, definition.convention);
  return simulate(dataset.bars, definition, params, resolved, dataset.indicators, workspace, changes);
}

/**
 * One backtest of a strategy on bars, with buffers of its own (nothing aliases anything else).
 * For many trials on one dataset use prepareDataset + runPrepared with a BacktestWorkspace.
 */
export function runBacktest(
  bars: Bars,
  definition: StrategyDefinition,
  params: StrategyParams,
  options: BacktestOptions = {},
  changes: readonly ParamChange[] = NO_CHANGES,
): BacktestRun {
  const run = runPrepared(
    prepareDataset(bars),
    definition,
    params,
    options,
    new BacktestWorkspace(),
    changes,
  );
  return { ...run, trades: copyTradeLog(run.trades) };
}

/** What a strategy draws on a chart, and from which bar it trades. */
export interface StrategyPlots {
  readonly plots: readonly IndicatorPlot[];
  /** The first bar `onBar` sees: the bars before it are the indicators' warm-up. */
  readonly startIndex: number;
}

/**
 * The indicator arrays a strategy decides on (its `plots`) over a dataset: an instance set up exactly as
 * a run sets it up (same bars, cache, options), without running a bar, so the series are the strategy's
 * own values and not a second computation of them.
 */
export function strategyPlots(
  dataset: PreparedDataset,
  definition: StrategyDefinition,
  params: StrategyParams,
  options: BacktestOptions = {},
): StrategyPlots {
  validateParams(definition, params);
  const resolved = resolveOptions(options, definition.convention);
  const broker = new Broker();
  broker.reset(dataset.bars, resolved);
  const strategy = definition.create(params);
  const start = Math.max(
    resolved.tradeFrom,
    strategy.init({
      bars: dataset.bars,
      indicators: dataset.indicators,
      orders: broker,
      options: resolved,
    }),
  );
  return {
    plots: strategy.plots?.() ?? [],
    startIndex: Math.min(start, dataset.bars.c.length),
  };
}
