/**
 * The host itself and the job lifecycle every long request shares: progress and done events, and the
 * one cancel channel (its names: appChannels.ts).
 */
import { z } from 'zod';
import type { APP_CHANNELS } from './appChannels.ts';
import type { DomainContract } from './domain.ts';
import { jobIdSchema } from './schemas.ts';

export const AppInfo = z.object({
  version: z.string(),
  /** 'cli': a command that opened the data folder itself (no app or server owned it). */
  host: z.enum(['electron', 'http', 'cli']),
  dataDir: z.string(),
  demo: z.boolean(),
  /**
   * While a first start generates the demo market: symbols stored of the total (other requests wait
   * until it is done); null otherwise.
   */
  preparing: z.object({ done: z.number().int().min(0), total: z.number().int().min(0) }).nullable(),
});

export const JobProgress = z.object({
  jobId: jobIdSchema,
  stage: z.string(),
  done: z.number(),
  total: z.number(),
  message: z.string().optional(),
});

export const JobDone = z.object({
  jobId: jobIdSchema,
  ok: z.boolean(),
  error: z.string().optional(),
});

/**
 * Stops a running job of any kind: `data:fetch`, `walkforward:run`, a study (by its study id), a
 * per-regime study or a regime comparison. Answers once the job has stopped (a study's finished trials are
 * stored by then); false when no such job is running.
 */
export const JobCancelRequest = z.strictObject({ jobId: jobIdSchema });
export const JobCancelResult = z.object({ cancelled: z.boolean() });
/**
 * What a cancellable job's request answers once `job:cancel` stopped it: a normal outcome the caller
 * asked for, not a failure (its `job:done` says `error: 'cancelled'` as before).
 */
export const JobCancelled = z.object({ jobId: jobIdSchema, cancelled: z.literal(true) });

const empty = z.strictObject({});

export const appContract = {
  requests: {
    'app:info': { input: empty, output: AppInfo, refused: 'App information not read' },
    'job:cancel': { input: JobCancelRequest, output: JobCancelResult, refused: 'Job not cancelled' },
  },
  events: {
    'job:progress': JobProgress,
    'job:done': JobDone,
  },
} as const satisfies DomainContract<typeof APP_CHANNELS>;

export type JobProgress = z.output<typeof JobProgress>;
export type AppInfo = z.output<typeof AppInfo>;
export type JobCancelled = z.output<typeof JobCancelled>;
