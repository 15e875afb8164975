import {
  getStrategy,
  isStrategyName,
  strategyCatalogue,
  strategyRef,
  type StrategyDefinition,
  type StrategyRef,
} from '../../../core/strategy/index.ts';
import type { StrategyInfo } from '../../../shared/contract.ts';
import { NotFoundError } from '../../../shared/errors.ts';
import { userStrategySource } from '../../compute/userStrategies.ts';

/** The strategies and their parameter specs, as the UI's forms and the optimizer's spaces see them. */
export function listStrategies(): StrategyInfo[] {
  return Object.values(strategyCatalogue()).map((definition) => ({
    name: definition.name,
    version: definition.version,
    description: definition.description,
    params: definition.params.map((spec) => ({
      name: spec.name,
      type: spec.type,
      min: spec.min,
      max: spec.max,
      limits: { ...spec.limits },
      ...(spec.step === undefined ? {} : { step: spec.step }),
      default: spec.default,
      description: spec.description,
    })),
    constraints: definition.constraints.map(({ kind, left, right }) => ({ kind, left, right })),
    ...fileOf(definition.name),
  }));
}

/** A user strategy's file (relative to the data folder); nothing for a built-in. */
function fileOf(name: string): { file?: string } {
  const source = userStrategySource(name);
  return source === undefined ? {} : { file: source.file };
}

/** The strategy a request names; an unknown name is refused naming the request's `strategy` field. */
export function getStrategyOrThrow(name: string): StrategyDefinition {
  if (!isStrategyName(name))
    throw new NotFoundError(
      `strategy: unknown strategy ${JSON.stringify(name)} (strategies: ${Object.keys(strategyCatalogue()).join(', ')})`,
      'strategy',
    );
  return getStrategy(name);
}

/**
 * The ref a study or walk-forward records and its workers resolve: the strategy a request names, at
 * this build's version, with the parameters every trial shares (none: the search space holds them all).
 */
export function studyStrategyRef(name: string): StrategyRef {
  return strategyRef(getStrategyOrThrow(name), {});
}
