export {
  STRATEGIES,
  STRATEGY_NAMES,
  getStrategy,
  isStrategyName,
  defaultParams,
  withDefaults,
  validateParams,
  type StrategyName,
} from './registry.ts';
export type {
  ParamConstraint,
  ParamSpec,
  Strategy,
  StrategyContext,
  StrategyDefinition,
  StrategyParams,
} from './types.ts';
export {
  CONFLUENCE_ATR_PERIOD,
  CONFLUENCE_MFI_PERIOD,
  CONFLUENCE_REWARD_RISK,
  CONFLUENCE_STOP_ATR,
  CONFLUENCE_WEIGHTS,
} from './confluence.ts';
