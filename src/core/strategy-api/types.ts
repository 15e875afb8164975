import type { Bars } from '../data/bars.ts';
import type { IndicatorCache } from '../indicators/cache.ts';
import type { OrderPort } from './order-port.ts';

/**
 * Which tool's conventions a run follows where tools differ.
 * - 'regimen': a trade still open at the end is closed (with `closeAtEnd`) at the last bar's close, where
 *   equity is marked; all-in sizing uses the whole equity.
 * - 'backtesting.py': reproduces kernc/backtesting.py (see sma-cross's doc): `closeAtEnd` closes at the
 *   last bar's open, all-in sizing uses 1 - 2.22e-16 of the equity (its default `size`), and sma-cross
 *   uses its strict crossover. Only the defaults change: options given explicitly still win.
 */
export type Convention = 'regimen' | 'backtesting.py';

/**
 * The run's settings a strategy's decisions may depend on. The cost models, caps and fill rules stay
 * with whoever executes the orders.
 */
export interface StrategyOptions {
  readonly convention: Convention;
  /** Never hold a short position: a strategy skips its short entries. */
  readonly longOnly: boolean;
  /** Share of equity an all-in order commits. */
  readonly allInFraction: number;
}

/** What a strategy instance sees: the bars, the dataset's shared indicator cache and its order port. */
export interface StrategyContext {
  readonly bars: Bars;
  readonly indicators: IndicatorCache;
  readonly orders: OrderPort;
  readonly options: StrategyOptions;
}

/**
 * One strategy instance runs one backtest. `init` fetches its indicator arrays (from the cache, so trials
 * sharing a period share the array) and returns the first bar `onBar` needs; `onBar(i)` runs at bar i's
 * close, reads arrays at indices <= i only, and submits orders through its port. `onBar` must not allocate.
 */
export interface Strategy {
  init(context: StrategyContext): number;
  onBar(i: number): void;
}

/** One tunable parameter, as data: the optimizer builds its search space and the UI its form from it. */
export interface ParamSpec {
  readonly name: string;
  readonly type: 'int' | 'float';
  readonly min: number;
  readonly max: number;
  /** Grid step (and the UI's increment); ints must also be integers. */
  readonly step: number;
  readonly default: number;
  readonly description: string;
}

/** A relation between two parameters that valid parameter sets satisfy: `left` < `right`. */
export interface ParamConstraint {
  readonly kind: 'less-than';
  readonly left: string;
  readonly right: string;
}

export type StrategyParams = Readonly<Record<string, number>>;

export interface StrategyDefinition {
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  readonly constraints: readonly ParamConstraint[];
  /** Conventions the strategy runs under unless the options say otherwise. */
  readonly convention: Convention;
  /** Builds an instance from parameters already checked by `validateParams`. */
  create(params: StrategyParams): Strategy;
}
