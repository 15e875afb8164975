/**
 * What travels between a coordinator and remote workers over Redis, versioned and checked on both ends:
 * a chunk of a study's trials (numbers and parameters, the strategy as a StrategyRef, the backtest options as
 * data, the datasets by content fingerprint) and each trial's result. Nothing else crosses: no
 * credentials, no paths, no bars (those are fetched once by fingerprint, see main/compute/remote).
 */
import { z } from 'zod';
import { strategyRefSchema } from './schemas.ts';
import { commissionSpecSchema, slippageSpecSchema } from './costs.ts';

/** Bumped whenever a payload or a result changes shape; part of the queue name (engine hash). */
export const COMPUTE_PROTOCOL_VERSION = 3;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** BacktestOptions as data: cost models travel as specs only (a model object is code, it cannot cross). */
export const remoteBacktestOptionsSchema = z
  .object({
    cash: finite.optional(),
    commission: commissionSpecSchema.optional(),
    slippage: slippageSpecSchema.optional(),
    fillAt: z.enum(['next-open', 'close']).optional(),
    fractional: z.boolean().optional(),
    longOnly: z.boolean().optional(),
    closeAtEnd: z.boolean().optional(),
    // Infinity is a legitimate cap ("none"); JSON cannot carry it, so it is left out instead.
    maxLeverage: finite.optional(),
    maxPositionValue: finite.optional(),
    maxVolumeShare: finite.optional(),
    convention: z.enum(['regimen', 'backtesting.py']).optional(),
  })
  .strict();

export type RemoteBacktestOptions = z.infer<typeof remoteBacktestOptionsSchema>;

const fingerprint = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 dataset fingerprint');

/** A chunk of trials: the unit of work of the queue (one BullMQ job). */
export const trialChunkSchema = z
  .object({
    version: z.literal(COMPUTE_PROTOCOL_VERSION),
    /** The study (or walk-forward window) the trials belong to: names the hash their results go to. */
    studyKey: z.string().min(1).max(200),
    /** One dataset per timeframe of the study, by content fingerprint, in the study's timeframe order. */
    datasets: z.array(fingerprint).min(1),
    /** The strategy at the coordinator's version; a worker without that version refuses the chunk. */
    strategy: strategyRefSchema,
    options: remoteBacktestOptionsSchema,
    trials: z
      .array(z.object({ number: z.number().int().min(0), params: z.record(z.string(), finite) }).strict())
      .min(1),
    /** A trial still running after this long is stopped and recorded as failed. */
    trialTimeLimitMs: z.number().int().positive(),
    /** Also return each trial's per-period returns on the first dataset (the study's PBO analysis). */
    periodReturns: z.boolean().optional(),
    /** Also return each trial's equity curve on the first dataset (a walk-forward window's backtest). */
    equity: z.boolean().optional(),
    /**
     * The user's strategy file the ref names, compiled (main/compute/userStrategies' source): a worker
     * has no copy of the coordinator's data folder, so the code travels with the trials.
     */
    userStrategy: z
      .strictObject({
        file: z.string().min(1).max(200),
        code: z.string().min(1).max(1_000_000),
        mappings: z.string().max(1_000_000),
        hash: z.string().regex(/^[0-9a-f]{8}$/),
      })
      .optional(),
  })
  .strict();

export type TrialChunk = z.infer<typeof trialChunkSchema>;

/**
 * Metric values as JSON: NaN and the infinities are legitimate metric values (a ratio over zero trades)
 * that JSON would turn into null, so they travel as strings and come back as the same numbers.
 */
const metricValue = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);

const remoteOutcomeSchema = z.discriminatedUnion('ok', [
  z
    .object({
      ok: z.literal(true),
      metrics: z.record(z.string(), metricValue),
      returns: z.array(metricValue).optional(),
      equity: z.array(metricValue).optional(),
    })
    .strict(),
  z.object({ ok: z.literal(false), error: z.string() }).strict(),
]);

/** One trial's result as a worker stores it: one outcome per dataset of the chunk, in its order. */
export const trialResultSchema = z.array(remoteOutcomeSchema).min(1);

export type RemoteOutcome =
  | {
      readonly ok: true;
      readonly metrics: Readonly<Record<string, number>>;
      readonly returns?: ArrayLike<number>;
      readonly equity?: ArrayLike<number>;
    }
  | { readonly ok: false; readonly error: string };

const encodeNumber = (v: number): number | string => (Number.isFinite(v) ? v : String(v));
const decodeNumber = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

export function encodeTrialResult(outcomes: readonly RemoteOutcome[]): string {
  return JSON.stringify(
    outcomes.map((o) =>
      o.ok
        ? {
            ok: true,
            metrics: Object.fromEntries(Object.entries(o.metrics).map(([k, v]) => [k, encodeNumber(v)])),
            ...(o.returns === undefined ? {} : { returns: Array.from(o.returns, encodeNumber) }),
            ...(o.equity === undefined ? {} : { equity: Array.from(o.equity, encodeNumber) }),
          }
        : { ok: false, error: o.error },
    ),
  );
}

/** Parses a stored result; a malformed one is an error naming the trial it was stored for. */
export function decodeTrialResult(text: string, trial: number): RemoteOutcome[] {
  let parsed: z.infer<typeof trialResultSchema>;
  try {
    parsed = trialResultSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new Error(
      `result of trial ${trial} is malformed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parsed.map((o) =>
    o.ok
      ? {
          ok: true,
          metrics: Object.fromEntries(Object.entries(o.metrics).map(([k, v]) => [k, decodeNumber(v)])),
          ...(o.returns === undefined ? {} : { returns: Float64Array.from(o.returns, decodeNumber) }),
          ...(o.equity === undefined ? {} : { equity: Float64Array.from(o.equity, decodeNumber) }),
        }
      : o,
  );
}

/** What each worker process announces (refreshed every few seconds, gone when it stops). */
export const workerInfoSchema = z
  .object({
    id: z.string(),
    host: z.string(),
    pid: z.number().int(),
    concurrency: z.number().int().positive(),
    cores: z.number().int().positive(),
    startedAt: z.number(),
    trialsDone: z.number().int().min(0),
    /** Trials per second over the last heartbeat interval. */
    trialsPerSecond: z.number().min(0),
  })
  .strict();

export type WorkerInfo = z.infer<typeof workerInfoSchema>;
