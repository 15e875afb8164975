/**
 * The rules between strategy parameters, in one place: core checks parameter sets with them and the
 * renderer checks its forms with them (this module imports no code, so the page may bundle it).
 */
import type { ParamConstraint } from './types.ts';

/** Every kind of constraint; the contract's schema is built from this list. */
export const CONSTRAINT_KINDS = ['less-than'] as const satisfies readonly ParamConstraint['kind'][];

/** Why `values` break the constraint, or null when they keep it (or a side has no value yet). */
export function constraintViolation(
  constraint: ParamConstraint,
  values: Readonly<Record<string, number | undefined>>,
): string | null {
  const left = values[constraint.left];
  const right = values[constraint.right];
  if (left === undefined || right === undefined) return null;
  switch (constraint.kind) {
    case 'less-than':
      return left < right
        ? null
        : `parameter ${constraint.left} (${left}) must be less than ${constraint.right} (${right})`;
  }
}

/** Whether some values within the ranges keep the constraint (a search space with none is empty). */
export function constraintSatisfiable(
  constraint: ParamConstraint,
  ranges: Readonly<Record<string, { readonly low: number; readonly high: number } | undefined>>,
): boolean {
  const left = ranges[constraint.left];
  const right = ranges[constraint.right];
  if (left === undefined || right === undefined) return true;
  switch (constraint.kind) {
    case 'less-than':
      return left.low < right.high;
  }
}

/** The constraint as the optimizer's constraint text ("fast<slow"), as search requests carry it. */
export function constraintSource(constraint: ParamConstraint): string {
  switch (constraint.kind) {
    case 'less-than':
      return `${constraint.left}<${constraint.right}`;
  }
}

/** The constraint as people read it ("fast < slow"). */
export function constraintText(constraint: ParamConstraint): string {
  switch (constraint.kind) {
    case 'less-than':
      return `${constraint.left} < ${constraint.right}`;
  }
}
