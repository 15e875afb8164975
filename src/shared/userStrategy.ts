/**
 * What a user's strategy file (the data folder's strategies/*.ts) must export, checked before anything
 * runs it: the same definition the built-ins are (core/strategy-api's StrategyDefinition), its parameter
 * specs and constraints as data, and `create`. A problem is named by where it is in the export
 * (`params.1.default`) and the file.
 */
import { z } from 'zod';
import { constraintViolation } from '../core/strategy-api/constraints.ts';
import type { StrategyDefinition } from '../core/strategy-api/types.ts';
import { paramConstraintSchema } from './schemas.ts';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const paramSpecSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,39}$/, 'must be an identifier (letters, digits, _)'),
    type: z.enum(['int', 'float']),
    min: finite,
    max: finite,
    limits: z.strictObject({ min: finite, max: finite }),
    step: finite.refine((step) => step > 0, 'must be positive'),
    default: finite,
    description: z.string().min(1, 'must say what the parameter is'),
    interpolable: z.boolean().optional(),
  })
  .superRefine((spec, ctx) => {
    const problem = (path: string, message: string): void => {
      ctx.addIssue({ code: 'custom', path: [path], message });
    };
    if (spec.limits.min > spec.limits.max) problem('limits', 'min must not exceed max');
    if (spec.min > spec.max) problem('max', `must not be below min (${spec.min})`);
    if (spec.min < spec.limits.min || spec.max > spec.limits.max)
      problem('limits', `the search range [${spec.min}, ${spec.max}] must lie within the limits`);
    if (spec.default < spec.limits.min || spec.default > spec.limits.max)
      problem('default', `${spec.default} is outside the limits [${spec.limits.min}, ${spec.limits.max}]`);
    if (spec.type === 'int')
      for (const key of ['min', 'max', 'step', 'default'] as const)
        if (!Number.isInteger(spec[key])) problem(key, `must be an integer for an int parameter`);
  });

type Create = StrategyDefinition['create'];

const userStrategyFields = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and dashes (at most 40)'),
  version: z.string().regex(/^[A-Za-z0-9._-]{1,20}$/, 'must be 1-20 letters, digits, dots or dashes'),
  description: z.string().min(1, 'must say what the strategy does'),
  params: z.array(paramSpecSchema).max(50),
  constraints: z.array(paramConstraintSchema).default([]),
  convention: z.enum(['regimen', 'backtesting.py']).default('regimen'),
};

/** Each parameter named once; each constraint between parameters, and kept by the defaults. */
function checkParams(
  definition: Pick<z.infer<z.ZodObject<typeof userStrategyFields>>, 'params' | 'constraints'>,
  ctx: z.RefinementCtx,
): void {
  const names = definition.params.map((spec) => spec.name);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i)
      ctx.addIssue({ code: 'custom', path: ['params', i, 'name'], message: `${name} is named twice` });
  });
  const defaults = Object.fromEntries(definition.params.map((spec) => [spec.name, spec.default]));
  definition.constraints.forEach((constraint, i) => {
    for (const side of ['left', 'right'] as const)
      if (!names.includes(constraint[side]))
        ctx.addIssue({
          code: 'custom',
          path: ['constraints', i, side],
          message: `${constraint[side]} is not a parameter (${names.join(', ') || 'none'})`,
        });
    const violation = constraintViolation(constraint, defaults);
    if (violation !== null)
      ctx.addIssue({
        code: 'custom',
        path: ['constraints', i],
        message: `the defaults break it: ${violation}`,
      });
  });
}

/** The export of a strategy file; a user strategy follows the 'regimen' conventions unless it says so. */
export const userStrategySchema = z
  .strictObject({
    ...userStrategyFields,
    create: z.custom<Create>(
      (value) => typeof value === 'function',
      'must be a function (params) => Strategy',
    ),
  })
  .superRefine(checkParams);

/**
 * A checked file's definition as data, without `create`: what the thread that ran the file sends back to
 * main, which never runs a user's code itself (its version carries the file's hash).
 */
export const userStrategyInfoSchema = z
  .strictObject({
    ...userStrategyFields,
    version: z.string().regex(/^[A-Za-z0-9._-]{1,20}\+[0-9a-f]{8}$/, 'must be VERSION+HASH'),
    sourceHash: z.string().regex(/^[0-9a-f]{64}$/, "must be the file's SHA-256"),
  })
  .superRefine(checkParams);

export type UserStrategyInfo = z.infer<typeof userStrategyInfoSchema>;

/** The first problem of a failed check as one line: where in the export, then what. */
export function userStrategyIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length === 0 ? 'the export' : issue.path.map(String).join('.');
  return `${where}: ${issue.message}`;
}

/** A strategy file that could not be loaded: the file (relative to the data folder), where, and why. */
export interface StrategyProblem {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** A problem as the CLI prints it and a compiler would: `strategies/x.ts:3:7: message`. */
export function strategyProblemText(problem: StrategyProblem): string {
  const at =
    problem.line === undefined
      ? ''
      : `:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`;
  return `${problem.file}${at}: ${problem.message}`;
}
