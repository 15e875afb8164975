import type { z } from 'zod';
import { InputError } from './errors.ts';

interface Problem {
  field: string;
  message: string;
}

/** One problem per offending field; an unknown field is named by its own path, like any other. */
function problems(error: z.ZodError): Problem[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'unknown field' }));
    }
    return [{ field: issue.path.join('.'), message: issue.message }];
  });
}

export function describeIssues(error: z.ZodError): string {
  return problems(error)
    .map((problem) => `${problem.field || '(payload)'}: ${problem.message}`)
    .join('; ');
}

/**
 * Parses or throws an InputError that starts with `refused` (what did not happen, "Settings not saved")
 * and names every offending field (and carries the first one's path).
 */
export function parseOrRefuse<S extends z.ZodType>(schema: S, value: unknown, refused: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const field = problems(result.error)[0]?.field;
  throw new InputError(`${refused}: ${describeIssues(result.error)}`, field || undefined);
}

/** parseOrRefuse, the error starting "Invalid <where>" (a stored record, an upload). */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  return parseOrRefuse(schema, value, `Invalid ${where}`);
}
