import { validateParams } from './params.ts';
import type { StrategyDefinition, StrategyParams } from './types.ts';

/**
 * A strategy as plain data: what a study stores, a remote worker receives, the learner proposes and the
 * live bot runs. Resolving it against a build's catalogue gives the definition to run.
 */
export interface StrategyRef {
  readonly name: string;
  readonly version: string;
  readonly params: StrategyParams;
}

export interface ResolvedStrategy {
  readonly definition: StrategyDefinition;
  readonly params: StrategyParams;
}

/** The ref of `definition` with `params` (for storing or sending what is about to run). */
export function strategyRef(definition: StrategyDefinition, params: StrategyParams): StrategyRef {
  return { name: definition.name, version: definition.version, params: { ...params } };
}

/** `ref` with `params` over its own: one parameter set of a study whose ref holds the shared ones. */
export function withRefParams(ref: StrategyRef, params: StrategyParams): StrategyRef {
  return { ...ref, params: { ...ref.params, ...params } };
}

/** The definition called `name` in `catalogue`; a RangeError listing the known names otherwise. */
export function findStrategy(
  name: string,
  catalogue: Readonly<Record<string, StrategyDefinition>>,
): StrategyDefinition {
  if (typeof name !== 'string' || !Object.hasOwn(catalogue, name)) {
    throw new RangeError(
      `unknown strategy ${JSON.stringify(name)}; valid strategies: ${Object.keys(catalogue).join(', ')}`,
    );
  }
  return catalogue[name];
}

/**
 * The definition `ref` names in `catalogue` at its version, parameters not checked: for a ref whose
 * parameters are completed elsewhere (a study's, whose trials bring their own). Throws a RangeError
 * naming an unknown name (listing the known ones) or a version this build does not have.
 */
export function resolveStrategyDefinition(
  ref: Pick<StrategyRef, 'name' | 'version'>,
  catalogue: Readonly<Record<string, StrategyDefinition>>,
): StrategyDefinition {
  const definition = findStrategy(ref.name, catalogue);
  if (ref.version !== definition.version) {
    throw new RangeError(
      `strategy ${definition.name}: version ${JSON.stringify(ref.version)} requested, ` +
        `this build has version ${JSON.stringify(definition.version)}`,
    );
  }
  return definition;
}

/**
 * The definition `ref` names in `catalogue`, with its parameters checked. Throws a RangeError naming what
 * is wrong: an unknown name (listing the known ones), a version this build does not have, or a parameter
 * (see validateParams). A ref is input from elsewhere (a file, a worker, the bot), so its shape is
 * checked too.
 */
export function resolveStrategyRef(
  ref: StrategyRef,
  catalogue: Readonly<Record<string, StrategyDefinition>>,
): ResolvedStrategy {
  const definition = resolveStrategyDefinition(ref, catalogue);
  if (typeof ref.params !== 'object' || ref.params === null) {
    throw new RangeError(`strategy ${definition.name}: params must be an object of numbers`);
  }
  return { definition, params: validateParams(definition, ref.params) };
}
