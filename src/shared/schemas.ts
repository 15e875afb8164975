/** Schema pieces every part of the contract uses, defined once. */
import { z } from 'zod';
import { TIMEFRAMES } from '../core/data/bars.ts';
import { TIME_RANGE } from '../core/data/validate.ts';
import { CONSTRAINT_KINDS } from '../core/strategy-api/constraints.ts';
import type { StrategyRef } from '../core/strategy-api/ref.ts';

/** What a symbol may be, wherever it comes from: a request, a file's name or a file's symbol column. */
export const SYMBOL_PATTERN = /^[A-Za-z0-9.\-_/]{1,24}$/;
export const SYMBOL_RULE = 'a symbol is 1-24 letters, digits or . - _ /';
export const symbolSchema = z.string().regex(SYMBOL_PATTERN, SYMBOL_RULE);
/** The timeframes the app resamples to (stored data may hold others: see dataContract.ts). */
export const timeframeSchema = z.enum(TIMEFRAMES);
/** A file's bars as they are, whatever their resolution (a cache source has no such timeframe). */
export const NATIVE_TIMEFRAME = 'native';
export const jobIdSchema = z.string().min(1).max(64);
/** JSON has no NaN or Infinity: undefined metrics travel as null. */
export const metricValue = z.number().nullable();

const TIME_HINT = `must be epoch milliseconds ${TIME_RANGE.text}`;

/** An instant in epoch ms within the range the app stores bars for (and DuckDB can hold). */
export const epochMsSchema = z
  .number({ error: TIME_HINT })
  .min(TIME_RANGE.min, TIME_HINT)
  .lt(TIME_RANGE.max, TIME_HINT);

/** An `end` at or before `start` selects nothing: refused on `end` wherever a request carries both. */
export function endAfterStart(range: { start?: number | undefined; end?: number | undefined }): boolean {
  return range.start === undefined || range.end === undefined || range.end > range.start;
}
export const END_AFTER_START = { message: 'must be after start', path: ['end'] };

/** Starting cash: a cent-free amount a backtest can carry without losing precision or meaning. */
export const cashSchema = z
  .number()
  .min(1, 'must be at least 1')
  .max(1e12, 'must be at most 1,000,000,000,000')
  .default(10_000);

/** Which minutes derived timeframes are built from: the regular session (default) or the whole trading day. */
export const sessionSchema = z.enum(['regular', 'extended']);

/**
 * core's StrategyRef as data: what a study records and a worker (local or remote) resolves. The version
 * may be empty (a stored study whose strategy this build does not know): resolving it is then refused.
 */
export const strategyRefSchema = z
  .object({
    name: z.string().min(1).max(100),
    version: z.string().max(100),
    params: z.record(z.string(), z.number().refine(Number.isFinite, 'must be a finite number')),
  })
  .strict() satisfies z.ZodType<StrategyRef>;

/**
 * A file on the machine the services run on. Absolute only: a relative path would be resolved against
 * the server's working directory, which the user cannot see from the UI.
 */
export function localPath(extensions: readonly string[]) {
  return z
    .string()
    .min(1, 'a file path is required')
    .max(4096, 'a path is at most 4096 characters')
    .refine((path) => !path.includes('\0'), 'a path cannot contain a NUL character')
    .refine(
      (path) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(path),
      'must be an absolute path (e.g. /home/me/data/SPY.csv or C:\\data\\SPY.csv)',
    )
    .refine(
      (path) => extensions.some((ext) => path.toLowerCase().endsWith(ext)),
      `must name a ${extensions.join(', ')} file`,
    );
}

/** A rule between two parameters of a strategy (core's ParamConstraint: a valid set has left < right). */
export const paramConstraintSchema = z.strictObject({
  kind: z.enum(CONSTRAINT_KINDS),
  left: z.string(),
  right: z.string(),
});
