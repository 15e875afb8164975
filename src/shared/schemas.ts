/** Schema pieces every part of the contract uses, defined once. */
import { z } from 'zod';
import { TIMEFRAMES } from '../core/data/bars.ts';

export const symbolSchema = z
  .string()
  .regex(/^[A-Za-z0-9.\-_/]{1,24}$/, 'a symbol is 1-24 letters, digits or . - _ /');
/** The timeframes the app resamples to (stored data may hold others: see dataContract.ts). */
export const timeframeSchema = z.enum(TIMEFRAMES);
export const jobIdSchema = z.string().min(1).max(64);
/** JSON has no NaN or Infinity: undefined metrics travel as null. */
export const metricValue = z.number().nullable();
