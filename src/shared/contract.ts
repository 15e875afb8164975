/**
 * The one contract between the renderer and the services, served over Electron IPC in the app and over
 * HTTP + WebSocket by `regimen serve`. Every request and event has a zod schema: the renderer and the
 * HTTP API are untrusted input, so main validates every payload here before a handler sees it.
 */
import { z } from 'zod';
import type { EventChannel, RequestChannel } from './channels.ts';
import { CONSTRAINT_KINDS } from '../core/strategy-api/constraints.ts';
import {
  OptimizeApproveRequest,
  OptimizeApproveResult,
  OptimizeCancelResult,
  OptimizeDeleteResult,
  OptimizeGetRequest,
  OptimizeProgressEvent,
  OptimizeResumeResult,
  OptimizeStartRequest,
  OptimizeStartResult,
  OptimizeTrialEvent,
  StudyDetail,
  StudyRef,
  StudySummary,
  WalkForwardRequest,
  WalkForwardResult,
} from './optimizeContract.ts';
import {
  DataExportRequest,
  DataExportResult,
  DataFetchRequest,
  DataFetchResult,
  DataImportRequest,
  DataImportResult,
  DataQualityRequest,
  DataQualityResult,
  DatasetCoverage,
  DatasetInfo,
  KeysStatus,
  SaveKeysRequest,
} from './dataContract.ts';
import {
  cashSchema,
  END_AFTER_START,
  endAfterStart,
  epochMsSchema,
  jobIdSchema,
  metricValue,
  symbolSchema,
  timeframeSchema,
} from './schemas.ts';

export { EVENT_CHANNELS, REQUEST_CHANNELS, type EventChannel, type RequestChannel } from './channels.ts';
export * from './optimizeContract.ts';
export * from './dataContract.ts';

export const AppInfo = z.object({
  version: z.string(),
  /** 'cli': a command that opened the data folder itself (no app or server owned it). */
  host: z.enum(['electron', 'http', 'cli']),
  dataDir: z.string(),
  demo: z.boolean(),
});

/** Which minutes derived timeframes are built from: the regular session (default) or the whole trading day. */
const sessionSchema = z.enum(['regular', 'extended']);

export const BarsQuery = z
  .strictObject({
    symbol: symbolSchema,
    timeframe: timeframeSchema,
    start: epochMsSchema.optional(),
    end: epochMsSchema.optional(),
    limit: z.number().int().positive().max(200_000).optional(),
    session: sessionSchema.optional(),
  })
  .refine(endAfterStart, END_AFTER_START);

export const BarsPayload = z.object({
  symbol: z.string(),
  timeframe: timeframeSchema,
  t: z.array(z.number()),
  o: z.array(z.number()),
  h: z.array(z.number()),
  l: z.array(z.number()),
  c: z.array(z.number()),
  v: z.array(z.number()),
});

export const ParamSpec = z.object({
  name: z.string(),
  type: z.enum(['int', 'float']),
  /** The default search range. */
  min: z.number(),
  max: z.number(),
  /** What any backtest accepts (wider than the search range). */
  limits: z.object({ min: z.number(), max: z.number() }),
  step: z.number().optional(),
  default: z.number(),
  description: z.string(),
});

export const StrategyInfo = z.object({
  name: z.string(),
  description: z.string(),
  params: z.array(ParamSpec),
  /** Rules between parameters (a valid set has left < right), so forms can check them before a run. */
  constraints: z.array(z.object({ kind: z.enum(CONSTRAINT_KINDS), left: z.string(), right: z.string() })),
});

export const BacktestRequest = z
  .strictObject({
    jobId: jobIdSchema.optional(),
    symbol: symbolSchema,
    timeframe: timeframeSchema,
    strategy: z.string().min(1),
    params: z.record(z.string(), z.number().finite()),
    cash: cashSchema,
    commission: z.number().min(0).max(0.1).default(0),
    /** Close a position still open after the last bar (at its close) so it counts as a closed trade. */
    closeAtEnd: z.boolean().default(false),
    start: epochMsSchema.optional(),
    end: epochMsSchema.optional(),
    session: sessionSchema.optional(),
  })
  .refine(endAfterStart, END_AFTER_START);

/** A trade of a backtest; the last may be the position still open (exitReason OPEN_TRADE_REASON). */
export const TradeRow = z.object({
  entryTime: z.number(),
  exitTime: z.number(),
  entryPrice: z.number(),
  exitPrice: z.number(),
  size: z.number(),
  pnl: z.number(),
  returnPct: z.number(),
  exitReason: z.string(),
});

export const BacktestResult = z.object({
  symbol: z.string(),
  timeframe: timeframeSchema,
  strategy: z.string(),
  params: z.record(z.string(), z.number()),
  bars: z.number(),
  metrics: z.record(z.string(), metricValue),
  /** The equity curve, thinned for display (every bar's value is kept inside the engine). */
  equity: z.object({ t: z.array(z.number()), value: z.array(z.number()), drawdown: z.array(z.number()) }),
  trades: z.array(TradeRow),
  elapsedMs: z.number(),
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
 * Asks a running `data:fetch`, `walkforward:run` or study (by its study id) to stop; false when no such
 * job is running.
 */
export const JobCancelRequest = z.strictObject({ jobId: jobIdSchema });
export const JobCancelResult = z.object({ cancelled: z.boolean() });
/**
 * What a cancellable job's request answers once `job:cancel` stopped it: a normal outcome the caller
 * asked for, not a failure (its `job:done` says `error: 'cancelled'` as before).
 */
export const JobCancelled = z.object({ jobId: jobIdSchema, cancelled: z.literal(true) });

const empty = z.strictObject({});

/** Every request: channel -> input and output schema. */
export const requestSchemas = {
  'app:info': { input: empty, output: AppInfo },
  'data:list': { input: empty, output: z.array(DatasetInfo) },
  'bars:get': { input: BarsQuery, output: BarsPayload },
  'strategies:list': { input: empty, output: z.array(StrategyInfo) },
  'backtest:run': { input: BacktestRequest, output: BacktestResult },
  'optimize:start': { input: OptimizeStartRequest, output: OptimizeStartResult },
  'optimize:resume': { input: StudyRef, output: OptimizeResumeResult },
  'optimize:cancel': { input: StudyRef, output: OptimizeCancelResult },
  'optimize:list': { input: empty, output: z.array(StudySummary) },
  'optimize:get': { input: OptimizeGetRequest, output: StudyDetail },
  'optimize:approve': { input: OptimizeApproveRequest, output: OptimizeApproveResult },
  'optimize:delete': { input: StudyRef, output: OptimizeDeleteResult },
  'walkforward:run': { input: WalkForwardRequest, output: z.union([WalkForwardResult, JobCancelled]) },
  'job:cancel': { input: JobCancelRequest, output: JobCancelResult },
  'data:coverage': { input: empty, output: z.array(DatasetCoverage) },
  'data:quality': { input: DataQualityRequest, output: DataQualityResult },
  'data:import': { input: DataImportRequest, output: DataImportResult },
  'data:fetch': { input: DataFetchRequest, output: z.union([DataFetchResult, JobCancelled]) },
  'data:export': { input: DataExportRequest, output: DataExportResult },
  'settings:keys-status': { input: empty, output: KeysStatus },
  'settings:save-keys': { input: SaveKeysRequest, output: KeysStatus },
  'settings:clear-keys': { input: empty, output: KeysStatus },
} as const satisfies Record<RequestChannel, { input: z.ZodType; output: z.ZodType }>;

/** Every event main pushes to the renderer: channel -> payload schema. */
export const eventSchemas = {
  'job:progress': JobProgress,
  'job:done': JobDone,
  'optimize:trial': OptimizeTrialEvent,
  'optimize:progress': OptimizeProgressEvent,
} as const satisfies Record<EventChannel, z.ZodType>;

export type RequestInput<K extends RequestChannel> = z.input<(typeof requestSchemas)[K]['input']>;
export type RequestOutput<K extends RequestChannel> = z.output<(typeof requestSchemas)[K]['output']>;
export type EventPayload<K extends EventChannel> = z.output<(typeof eventSchemas)[K]>;

/** What main implements: one handler per request channel, receiving the validated input. */
export type Requests = {
  [K in RequestChannel]: (req: z.output<(typeof requestSchemas)[K]['input']>) => Promise<RequestOutput<K>>;
};

export function isRequestChannel(channel: string): channel is RequestChannel {
  return Object.hasOwn(requestSchemas, channel);
}

export type BacktestRequest = z.output<typeof BacktestRequest>;
export type BacktestResult = z.output<typeof BacktestResult>;
export type StrategyInfo = z.output<typeof StrategyInfo>;
export type BarsPayload = z.output<typeof BarsPayload>;
export type JobProgress = z.output<typeof JobProgress>;
export type AppInfo = z.output<typeof AppInfo>;
export type JobCancelled = z.output<typeof JobCancelled>;
