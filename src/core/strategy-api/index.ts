/** The contract between a strategy and whatever runs it (the backtest engine, the live bot). */
export { OrderType, Sizing, type Direction, type OrderPort } from './order-port.ts';
export { defaultParams, entrySignalNames, validateParams, withDefaults } from './params.ts';
export {
  findStrategy,
  resolveStrategyDefinition,
  withRefParams,
  resolveStrategyRef,
  strategyRef,
  type ResolvedStrategy,
  type StrategyRef,
} from './ref.ts';
export type {
  Convention,
  IndicatorPlot,
  ParamConstraint,
  ParamSpec,
  Strategy,
  StrategyContext,
  StrategyDefinition,
  StrategyOptions,
  StrategyParams,
} from './types.ts';
