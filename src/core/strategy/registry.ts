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

/**
 * The user's own strategies (files in the data folder's strategies/), registered in each thread and
 * process that runs them: main (as data), every pool worker, a remote worker's sandbox. The built-ins
 * come first in the catalogue and a user strategy may never take a built-in's name, so a stored ref to a
 * built-in always runs the built-in.
 */
let userStrategies: Record<string, StrategyDefinition> = {};
let catalogue: Readonly<Record<string, StrategyDefinition>> = STRATEGIES;
/**
 * Every user strategy version this thread has registered, by `name@version`: after a file is edited and
 * reloaded, a study that started on the old version still resolves the version its ref names.
 */
const userVersions = new Map<string, StrategyDefinition>();

function refuseBuiltInName(definition: StrategyDefinition): void {
  if (Object.hasOwn(STRATEGIES, definition.name))
    throw new RangeError(
      `strategy name ${JSON.stringify(definition.name)} is a built-in strategy's: choose another name`,
    );
}

/** Adds (or replaces, after its file changed) a user strategy; a built-in's name is refused. */
export function registerUserStrategy(definition: StrategyDefinition): void {
  refuseBuiltInName(definition);
  userStrategies[definition.name] = definition;
  userVersions.set(`${definition.name}@${definition.version}`, definition);
  catalogue = { ...STRATEGIES, ...userStrategies };
}

/**
 * The user strategies become exactly `definitions` (a reload of the folder: a removed file's strategy
 * leaves the catalogue); the versions registered before still resolve by ref.
 */
export function replaceUserStrategies(definitions: readonly StrategyDefinition[]): void {
  definitions.forEach(refuseBuiltInName);
  userStrategies = {};
  for (const definition of definitions) registerUserStrategy(definition);
  catalogue = { ...STRATEGIES, ...userStrategies };
}

/** Whether `name` is a user strategy registered here (not a built-in). */
export function isUserStrategy(name: string): boolean {
  return Object.hasOwn(userStrategies, name);
}

/** Every strategy this thread can run by name: the built-ins, then the user's. */
export function strategyCatalogue(): Readonly<Record<string, StrategyDefinition>> {
  return catalogue;
}

export function isStrategyName(name: string): boolean {
  return Object.hasOwn(catalogue, name);
}

export function getStrategy(name: string): StrategyDefinition {
  return findStrategy(name, catalogue);
}

/** The definition a StrategyRef names in this build at its version, parameters not checked. */
export function resolveStrategyDefinition(ref: Pick<StrategyRef, 'name' | 'version'>): StrategyDefinition {
  return resolveDefinitionIn(ref, catalogueFor(ref));
}

/** The definition a StrategyRef names in this build, with its parameters validated (see resolveStrategyRef). */
export function resolveStrategy(ref: StrategyRef): ResolvedStrategy {
  return resolveStrategyRef(ref, catalogueFor(ref));
}

/** The catalogue with `ref`'s user strategy at the version it names, when this thread registered it. */
function catalogueFor(
  ref: Pick<StrategyRef, 'name' | 'version'>,
): Readonly<Record<string, StrategyDefinition>> {
  const version = userVersions.get(`${ref.name}@${ref.version}`);
  return version === undefined || catalogue[ref.name] === version
    ? catalogue
    : { ...catalogue, [ref.name]: version };
}
