import type { Bars } from '../data/bars.ts';
import type { Broker } from '../engine/broker.ts';
import type { Convention, ResolvedBacktestOptions } from '../engine/options.ts';
import type { IndicatorCache } from '../indicators/cache.ts';

/** What a strategy instance sees: the bars, the dataset's shared indicator cache and the account. */
export interface StrategyContext {
  readonly bars: Bars;
  readonly indicators: IndicatorCache;
  readonly broker: Broker;
  readonly options: ResolvedBacktestOptions;
}

/**
 * One strategy instance runs one backtest. `init` fetches its indicator arrays (from the cache, so trials
 * sharing a period share the array) and returns the first bar `onBar` needs; `onBar(i)` runs at bar i's
 * close, reads arrays at indices <= i only, and submits orders to the broker. `onBar` must not allocate.
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
