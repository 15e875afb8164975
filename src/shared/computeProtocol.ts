/**
 * What travels between a coordinator and remote workers over Redis, versioned and checked on both ends:
 * a chunk of a study's trials (numbers and parameters, the strategy as a StrategyRef, the backtest options as
 * data, the datasets by content fingerprint, and for a per-regime study the regime schedule of each
 * dataset) and each trial's result. Nothing else crosses: no credentials, no paths, no bars (those are
 * fetched once by fingerprint, see main/compute/remote).
 */
import { z } from 'zod';
import { regimeScoreOf, type RegimeRunScores } from '../core/regime/perRegime.ts';
import { strategyRefSchema } from './schemas.ts';
import { commissionSpecSchema, financingSpecSchema, slippageSpecSchema } from './costs.ts';

/**
 * Bumped whenever a payload or a result changes shape; part of the queue name (engine hash). 4: chunks
 * that score trials per regime (regimeSchedules in, each outcome's regimes out). 5: the study's risk-free
 * rate travels with its chunks. 6: a user strategy's hash is its source's full SHA-256 (64 hex digits,
 * was 8), so a version-5 worker refuses the whole chunk by version instead of each user-strategy chunk
 * by a hash that does not parse. 7: a study warming up before its range sends each dataset's first bar of
 * the range (`tradeFrom`), which a version-6 worker would score from the first bar of the warm-up. 8: the
 * options carry the financing rates (`financing`), which a version-7 worker would drop.
 */
export const COMPUTE_PROTOCOL_VERSION = 8;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** BacktestOptions as data: cost models travel as specs only (a model object is code, it cannot cross). */
export const remoteBacktestOptionsSchema = z
  .object({
    cash: finite.optional(),
    commission: commissionSpecSchema.optional(),
    slippage: slippageSpecSchema.optional(),
    financing: financingSpecSchema.optional(),
    fillAt: z.enum(['next-open', 'close']).optional(),
    fractional: z.boolean().optional(),
    longOnly: z.boolean().optional(),
    closeAtEnd: z.boolean().optional(),
    // Infinity is a legitimate cap ("none"); JSON cannot carry it, so it is left out instead.
    maxLeverage: finite.optional(),
    maxPositionValue: finite.optional(),
    maxVolumeShare: finite.optional(),
    convention: z.enum(['regimen', 'backtesting.py']).optional(),
    // A walk-forward test window's run warms on its train bars and trades from its first bar.
    tradeFrom: z.number().int().nonnegative().optional(),
  })
  .strict();

export type RemoteBacktestOptions = z.infer<typeof remoteBacktestOptionsSchema>;

/**
 * A regime schedule (the regime in force after each bar's close, -1 for none yet) run-length encoded as
 * [label, bars] pairs: a schedule holds each regime for at least its minimum dwell, so a million bars
 * take a few thousand pairs instead of a million numbers.
 */
const regimeScheduleSchema = z.array(
  z.tuple([z.number().int().min(-1).max(127), z.number().int().positive()]),
);

export function encodeSchedule(schedule: Int8Array): [number, number][] {
  const runs: [number, number][] = [];
  for (const label of schedule) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[0] === label) last[1]++;
    else runs.push([label, 1]);
  }
  return runs;
}

/** The schedule of `bars` bars a chunk carries; one of another length is an error naming both. */
export function decodeSchedule(runs: readonly (readonly [number, number])[], bars: number): Int8Array {
  const length = runs.reduce((sum, [, count]) => sum + count, 0);
  if (length !== bars) throw new Error(`a regime schedule of ${length} bars for a dataset of ${bars} bars`);
  const schedule = new Int8Array(bars);
  let i = 0;
  for (const [label, count] of runs) {
    schedule.fill(label, i, i + count);
    i += count;
  }
  return schedule;
}

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
    /**
     * Each dataset's first bar of the study's range, in `datasets`' order (a study warming its trials up
     * on the bars before its range): every trial trades and is scored from it, as options.tradeFrom.
     */
    tradeFrom: z.array(z.number().int().nonnegative()).min(1).optional(),
    trials: z
      .array(z.object({ number: z.number().int().min(0), params: z.record(z.string(), finite) }).strict())
      .min(1),
    /**
     * The annual risk-free rate the study measures Sharpe and Sortino against (Settings): a worker left
     * at 0 would score the same trial differently from the coordinator's pool.
     */
    riskFreeRate: finite.min(0).max(0.2).optional(),
    /** A trial still running after this long is stopped and recorded as failed. */
    trialTimeLimitMs: z.number().int().positive(),
    /** Also return each trial's per-period returns on the first dataset (the study's PBO analysis). */
    periodReturns: z.boolean().optional(),
    /** Also return each trial's equity curve on the first dataset (a walk-forward window's backtest). */
    equity: z.boolean().optional(),
    /**
     * Score each trial per regime instead (a per-regime study's scoring, where its trials ran): one
     * schedule per dataset, in order; each outcome then carries `regimes`, its metrics those over all bars.
     */
    regimeSchedules: z.array(regimeScheduleSchema).min(1).optional(),
    /**
     * The user's strategy file the ref names, compiled (main/compute/userStrategies' source): a worker
     * has no copy of the coordinator's data folder, so the code travels with the trials.
     */
    userStrategy: z
      .strictObject({
        file: z.string().min(1).max(200),
        code: z.string().min(1).max(1_000_000),
        mappings: z.string().max(1_000_000),
        hash: z.string().regex(/^[0-9a-f]{64}$/),
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

const metricRecord = z.record(z.string(), metricValue);

/** A trial's per-regime scores on one dataset (core's RegimeRunScores): a few numbers per regime. */
const regimeRunSchema = z.strictObject({
  startIndex: z.number().int().min(0),
  scores: z.array(
    z.strictObject({
      bars: metricValue,
      sharpeRatio: metricValue,
      totalReturn: metricValue,
      trades: metricValue,
      winRate: metricValue,
    }),
  ),
  metrics: z.array(metricRecord).optional(),
});

const remoteOutcomeSchema = z.discriminatedUnion('ok', [
  z
    .object({
      ok: z.literal(true),
      metrics: metricRecord,
      returns: z.array(metricValue).optional(),
      equity: z.array(metricValue).optional(),
      regimes: regimeRunSchema.optional(),
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
      readonly regimes?: RegimeRunScores;
    }
  | { readonly ok: false; readonly error: string };

const encodeNumber = (v: number): number | string => (Number.isFinite(v) ? v : String(v));
const decodeNumber = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
const encodeRecord = (r: Readonly<Record<string, number>>): Record<string, number | string> =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, encodeNumber(v)]));
const decodeRecord = (r: Readonly<Record<string, number | string>>): Record<string, number> =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, decodeNumber(v)]));

function encodeRegimes(run: RegimeRunScores): object {
  return {
    startIndex: run.startIndex,
    scores: run.scores.map((score) => encodeRecord({ ...score })),
    ...(run.metrics === undefined ? {} : { metrics: run.metrics.map(encodeRecord) }),
  };
}

function decodeRegimes(run: z.output<typeof regimeRunSchema>): RegimeRunScores {
  return {
    startIndex: run.startIndex,
    scores: run.scores.map((score) => regimeScoreOf(decodeRecord(score))),
    ...(run.metrics === undefined ? {} : { metrics: run.metrics.map(decodeRecord) }),
  };
}

export function encodeTrialResult(outcomes: readonly RemoteOutcome[]): string {
  return JSON.stringify(
    outcomes.map((o) =>
      o.ok
        ? {
            ok: true,
            metrics: encodeRecord(o.metrics),
            ...(o.returns === undefined ? {} : { returns: Array.from(o.returns, encodeNumber) }),
            ...(o.equity === undefined ? {} : { equity: Array.from(o.equity, encodeNumber) }),
            ...(o.regimes === undefined ? {} : { regimes: encodeRegimes(o.regimes) }),
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
          metrics: decodeRecord(o.metrics),
          ...(o.returns === undefined ? {} : { returns: Float64Array.from(o.returns, decodeNumber) }),
          ...(o.equity === undefined ? {} : { equity: Float64Array.from(o.equity, decodeNumber) }),
          ...(o.regimes === undefined ? {} : { regimes: decodeRegimes(o.regimes) }),
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
