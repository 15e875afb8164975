import type { StrategyDefinition, StrategyParams } from './types.ts';
import { constraintViolation } from './constraints.ts';

/** The default value of every parameter. */
export function defaultParams(definition: StrategyDefinition): Record<string, number> {
  const params: Record<string, number> = {};
  for (const spec of definition.params) params[spec.name] = spec.default;
  return params;
}

/** `params` with missing parameters taken from their defaults (for callers that allow omitting them). */
export function withDefaults(definition: StrategyDefinition, params: StrategyParams): Record<string, number> {
  return { ...defaultParams(definition), ...params };
}

/**
 * Checks a parameter set against its strategy's specs and constraints; throws a RangeError naming the
 * strategy and the offending parameter (unknown, missing, not a finite number, not an integer, outside its limits, or breaking a constraint; the search range does not apply). Returns the params for chaining.
 */
export function validateParams(definition: StrategyDefinition, params: StrategyParams): StrategyParams {
  const where = `strategy ${definition.name}`;
  const known = definition.params.map((spec) => spec.name);
  for (const name of Object.keys(params)) {
    if (!known.includes(name)) {
      const valid = known.length > 0 ? known.join(', ') : 'none';
      throw new RangeError(`${where}: unknown parameter ${JSON.stringify(name)} (valid: ${valid})`);
    }
  }
  for (const spec of definition.params) {
    const value = params[spec.name];
    if (value === undefined) throw new RangeError(`${where}: missing parameter ${spec.name}`);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RangeError(`${where}: parameter ${spec.name} must be a finite number, got ${String(value)}`);
    }
    if (spec.type === 'int' && !Number.isInteger(value)) {
      throw new RangeError(`${where}: parameter ${spec.name} must be an integer, got ${value}`);
    }
    if (value < spec.limits.min || value > spec.limits.max) {
      throw new RangeError(
        `${where}: parameter ${spec.name} = ${value} is outside [${spec.limits.min}, ${spec.limits.max}]`,
      );
    }
  }
  for (const constraint of definition.constraints) {
    const violation = constraintViolation(constraint, params);
    if (violation !== null) throw new RangeError(`${where}: ${violation}`);
  }
  return params;
}

/** The names of the signals set in an entry's recorded mask (see OrderPort.recordEntryReason). */
export function entrySignalNames(definition: StrategyDefinition, mask: number): string[] {
  const names = definition.signals ?? [];
  return names.filter((_, k) => (mask & (1 << k)) !== 0);
}
