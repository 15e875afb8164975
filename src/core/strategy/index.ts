/** The concrete strategies and their registry, with the strategy API a caller needs to run one. */
export {
  STRATEGIES,
  STRATEGY_NAMES,
  getStrategy,
  isStrategyName,
  isUserStrategy,
  registerUserStrategy,
  replaceUserStrategies,
  strategyCatalogue,
  resolveStrategy,
  resolveStrategyDefinition,
  type StrategyName,
} from './registry.ts';
export {
  defaultParams,
  withDefaults,
  validateParams,
  strategyRef,
  withRefParams,
  type ResolvedStrategy,
  type StrategyRef,
  type ParamConstraint,
  type ParamSpec,
  type Strategy,
  type StrategyContext,
  type StrategyDefinition,
  type StrategyParams,
} from '../strategy-api/index.ts';
export {
  CONFLUENCE_ATR_PERIOD,
  CONFLUENCE_MFI_PERIOD,
  CONFLUENCE_REWARD_RISK,
  CONFLUENCE_STOP_ATR,
  CONFLUENCE_WEIGHTS,
} from './confluence.ts';
