import { buyAndHold } from './buy-and-hold.ts';
import { confluence } from './confluence.ts';
import { smaCross } from './sma-cross.ts';
import {
  findStrategy,
  resolveStrategyDefinition as resolveDefinitionIn,
  resolveStrategyRef,
  type ResolvedStrategy,
  type StrategyRef,
} from '../strategy-api/ref.ts';
import type { StrategyDefinition } from '../strategy-api/types.ts';

/** Every strategy by name. Param specs are plain data for the optimizer's space and the UI's forms. */
export const STRATEGIES = {
  confluence,
  'sma-cross': smaCross,
  'buy-and-hold': buyAndHold,
} as const satisfies Record<string, StrategyDefinition>;

export type StrategyName = keyof typeof STRATEGIES;

export const STRATEGY_NAMES = Object.keys(STRATEGIES) as StrategyName[];

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(STRATEGIES, name);
}

export function getStrategy(name: string): StrategyDefinition {
  return findStrategy(name, STRATEGIES);
}

/** The definition a StrategyRef names in this build at its version, parameters not checked. */
export function resolveStrategyDefinition(ref: Pick<StrategyRef, 'name' | 'version'>): StrategyDefinition {
  return resolveDefinitionIn(ref, STRATEGIES);
}

/** The definition a StrategyRef names in this build, with its parameters validated (see resolveStrategyRef). */
export function resolveStrategy(ref: StrategyRef): ResolvedStrategy {
  return resolveStrategyRef(ref, STRATEGIES);
}
