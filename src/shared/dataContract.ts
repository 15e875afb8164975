/**
 * The market-data and settings part of the contract: what the cache holds (coverage), its quality
 * report, import, fetch from Alpaca and export, and the Alpaca keys' status. Kept apart from contract.ts
 * so these schemas can evolve without touching the shared map beyond its entries.
 *
 * Keys go one way only: `settings:save-keys` carries them to main, and nothing main sends back (answers,
 * events, error messages) ever contains them; the status says whether keys are configured and where from.
 */
import { z } from 'zod';
import { FETCH_ADJUSTMENTS, FETCH_FEEDS, FETCH_TIMEFRAMES } from './fetchChoices.ts';
import { TIME_RANGE } from '../core/data/validate.ts';
import { ASSET_CALENDARS } from '../core/data/assetCalendar.ts';
import { NAIVE_TIME_ZONES } from '../core/data/naiveTimeZone.ts';
import { JobCancelled } from './appContract.ts';
import type { DATA_CHANNELS } from './dataChannels.ts';
import type { DomainContract } from './domain.ts';
import {
  END_AFTER_START,
  endAfterStart,
  epochMsSchema,
  jobIdSchema,
  localPath,
  sessionSchema,
  symbolSchema,
  timeframeSchema,
} from './schemas.ts';

/** Stored timeframes include what an import inferred (e.g. 1mo), not just the five the app resamples. */
const storedTimeframeSchema = z
  .string()
  .regex(/^[0-9]{1,3}(m|h|d|w|mo)$/, 'a timeframe such as 1m, 5m, 15m, 1h, 1d (or 1w, 1mo for imports)');

/** Epoch ms, or an ISO date (midnight UTC) or date-time with an offset. */
const INSTANT_HINT = 'must be epoch milliseconds or an ISO date / date-time';
const instantSchema = z.union([z.number(), z.string()], { error: INSTANT_HINT }).transform((value, ctx) => {
  const t =
    typeof value === 'number'
      ? value
      : /^\d{4}-\d{2}-\d{2}$/.test(value)
        ? Date.parse(`${value}T00:00:00Z`)
        : Date.parse(value);
  if (!Number.isFinite(t)) {
    ctx.addIssue({ code: 'custom', message: INSTANT_HINT });
    return z.NEVER;
  }
  if (t < TIME_RANGE.min || t >= TIME_RANGE.max) {
    ctx.addIssue({ code: 'custom', message: `must be ${TIME_RANGE.text}` });
    return z.NEVER;
  }
  return t;
});

// ---- bars ----------------------------------------------------------------------------------------------

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

// ---- coverage ----------------------------------------------------------------------------------------

export const CoverageRange = z.object({
  adjustment: z.string(),
  feed: z.string(),
  start: z.number(),
  end: z.number(),
});

/** One stored symbol and timeframe: its bars, span and where they came from (`data:list`). */
export const DatasetInfo = z.object({
  symbol: z.string(),
  timeframe: z.string(),
  bars: z.number(),
  start: z.number(),
  end: z.number(),
  source: z.string(),
  /** The symbol's market calendar: stored with it, or inferred from its bars for older datasets. */
  calendar: z.enum(ASSET_CALENDARS),
});

/** A dataset with the ranges fetched from Alpaca (none for imports). */
export const DatasetCoverage = DatasetInfo.extend({ coverage: z.array(CoverageRange) });

// ---- quality -----------------------------------------------------------------------------------------

export const DataQualityRequest = z.strictObject({
  symbol: symbolSchema,
  /** Defaults to the finest timeframe stored for the symbol. */
  timeframe: storedTimeframeSchema.optional(),
  /** Drops unusable bars and records the gaps; never adds a bar. */
  repair: z.boolean().default(false),
  /** Problems listed at most (the counts stay complete). */
  limit: z.number().int().min(1).max(5_000).default(500),
});

export const DataQualityProblem = z.object({
  kind: z.string(),
  /** Time of the bar, or the start of the run or gap (epoch ms). */
  t: z.number(),
  /** End of a run or gap (exclusive for gaps). */
  endT: z.number().optional(),
  row: z.number().optional(),
  count: z.number().optional(),
  message: z.string(),
});

export const DataQualityReport = z.object({
  symbol: z.string(),
  timeframe: z.string().nullable(),
  rows: z.number(),
  uniqueBars: z.number(),
  firstT: z.number().nullable(),
  lastT: z.number().nullable(),
  /** The calendar the bars were judged by (the symbol's). */
  calendar: z.enum(ASSET_CALENDARS),
  /** What the expected bars are, in words: which session, calendar or periods they are counted by. */
  expectedFor: z.string(),
  expectedBars: z.number(),
  presentBars: z.number(),
  missingBars: z.number(),
  coverage: z.number().nullable(),
  outsideRegularHours: z.number(),
  /** Problems of each kind, complete even when the list is cut. */
  counts: z.record(z.string(), z.number()),
  /** 0..1; null when there is nothing to score. */
  score: z.number().nullable(),
  problems: z.array(DataQualityProblem),
  /** Problems found in all; `problems` holds the first `limit` of them. */
  totalProblems: z.number(),
  truncated: z.boolean(),
});

export const DataQualityResult = z.object({
  report: DataQualityReport,
  repair: z
    .object({
      droppedBars: z.number(),
      gapsMarked: z.number(),
      /** Of the dropped bars, those from when the symbol's market is closed (an FX weekend). */
      closedMarketBars: z.number(),
      /** The times of the first of them (at most 50), in order. */
      closedMarketTimes: z.array(z.number()),
    })
    .optional(),
});

// ---- import / fetch / export -------------------------------------------------------------------------

export const DataImportRequest = z.strictObject({
  jobId: jobIdSchema.optional(),
  path: localPath(['.csv', '.parquet', '.pq']),
  /** Defaults to the file's symbol column, else the file name. */
  symbol: symbolSchema.optional(),
  /** Defaults to what the timestamps' spacing shows. */
  timeframe: storedTimeframeSchema.optional(),
  /** Zone of date-times written without an offset; inferred from the bars when absent. */
  naiveTimeZone: z.enum(NAIVE_TIME_ZONES).optional(),
  /** The symbol's market calendar; inferred from the timestamps when absent. */
  calendar: z.enum(ASSET_CALENDARS).optional(),
});

export const DataImportResult = z.object({
  file: z.string(),
  format: z.enum(['csv', 'parquet']),
  symbol: z.string(),
  timeframe: z.string(),
  bars: z.number(),
  start: z.number(),
  end: z.number(),
  elapsedMs: z.number(),
  calendar: z.enum(ASSET_CALENDARS),
  calendarInferred: z.boolean(),
  /**
   * Crypto day, week or month bars: stamped at 00:00 UTC of their dates; `replaced` stored bars of the
   * same dates at another hour (00:00 New York, from an import before) gave way. Null for other bars.
   */
  utcDays: z.object({ replaced: z.number() }).nullable(),
  /** How date-times without an offset were read: the zone, whether chosen or inferred, and on what. */
  timeZone: z.object({
    zone: z.enum(NAIVE_TIME_ZONES),
    source: z.enum(['chosen', 'inferred', 'default', 'not-needed']),
    basis: z.string(),
  }),
});

/** Symbols a fetch or a sync asks for: upper-cased, each once. */
const fetchSymbols = (what: string) =>
  z
    .array(symbolSchema)
    .min(1, 'give at least one symbol')
    .max(200, `at most 200 symbols per ${what}`)
    .transform((symbols) => [...new Set(symbols.map((s) => s.toUpperCase()))]);

export const DataFetchRequest = z
  .strictObject({
    jobId: jobIdSchema.optional(),
    symbols: fetchSymbols('fetch'),
    timeframe: z.enum(FETCH_TIMEFRAMES),
    /** Inclusive start. */
    start: instantSchema,
    /** Exclusive end (clipped to the last closed bar). */
    end: instantSchema,
    adjustment: z.enum(FETCH_ADJUSTMENTS).optional(),
    feed: z.enum(FETCH_FEEDS).optional(),
  })
  .refine(endAfterStart, END_AFTER_START);

export const DataFetchResult = z.object({
  symbols: z.array(z.string()),
  timeframe: z.string(),
  /** Missing ranges asked for (0 when the cache already had everything). */
  requests: z.number(),
  pages: z.number(),
  bars: z.number(),
  elapsedMs: z.number(),
});

/**
 * Live sync (`data:sync`): the 1-minute bars from `since` are fetched (a catch-up, reported as
 * `job:progress`), then the Alpaca bars stream stores each closed bar as it arrives (`data:sync-bar`),
 * its connection told by `data:sync-state`. It runs until `job:cancel` stops it; the request answers then.
 */
export const DataSyncRequest = z.strictObject({
  jobId: jobIdSchema,
  symbols: fetchSymbols('sync'),
  /** Where the catch-up starts; the stream takes over at the present. */
  since: instantSchema,
  feed: z.enum(FETCH_FEEDS).optional(),
});

/** How far a sync got before it was stopped. */
export const SYNC_STAGES = ['catch-up', 'connecting', 'live'] as const;

/** What a sync answers once stopped: a cancelled job, with what it did. */
export const DataSyncStopped = JobCancelled.extend({
  /** 'catch-up': stopped while fetching; 'connecting': the stream never went live; 'live': it did. */
  reached: z.enum(SYNC_STAGES),
  /** The catch-up's summary (null when it was stopped before it ended). */
  fetched: DataFetchResult.nullable(),
  /** Bars the stream stored. */
  streamed: z.number().int().min(0),
});

/** One bar the stream stored (after it was stored). */
export const DataSyncBar = z.object({
  jobId: jobIdSchema,
  symbol: z.string(),
  t: z.number(),
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number(),
  /** Fetched over REST to fill the minutes the stream missed while reconnecting. */
  backfilled: z.boolean(),
});

/** The sync's catch-up end and the stream's connection, as they change. */
export const DataSyncState = z.discriminatedUnion('state', [
  z.object({ jobId: jobIdSchema, state: z.literal('caught-up'), fetched: DataFetchResult }),
  z.object({ jobId: jobIdSchema, state: z.literal('connecting'), attempt: z.number(), url: z.string() }),
  z.object({ jobId: jobIdSchema, state: z.literal('live'), symbols: z.array(z.string()) }),
  z.object({ jobId: jobIdSchema, state: z.literal('reconnecting'), inMs: z.number(), reason: z.string() }),
  /** A problem the stream reports and goes on after (an unreachable host, a bad bar skipped). */
  z.object({ jobId: jobIdSchema, state: z.literal('problem'), message: z.string() }),
  z.object({ jobId: jobIdSchema, state: z.literal('stopped'), reason: z.string() }),
]);

/**
 * The Alpaca client waits before asking again (a 429, a 5xx, no answer). The client is shared by every
 * fetch and sync of the process, and a 429 pauses them all, so the event names no job. No key or URL.
 */
export const DataAlpacaRetry = z.object({
  reason: z.enum(['rate-limited', 'server-error', 'network']),
  /** Which retry this is, from 1, of at most `limit` for this reason. */
  attempt: z.number().int().positive(),
  limit: z.number().int().positive(),
  delayMs: z.number().nonnegative(),
  /** The HTTP status answered (429, 5xx); absent when nothing answered. */
  status: z.number().int().optional(),
});

/** What to export, without where to: a download's request (the host names the file) and a save's base. */
const DataExportFields = z.strictObject({
  symbol: symbolSchema,
  timeframe: timeframeSchema,
  format: z.enum(['csv', 'parquet']),
  start: instantSchema.optional(),
  end: instantSchema.optional(),
});

/** An export the page receives as a file (`regimen serve`'s download of `data:export`, see httpSession.ts). */
export const DataExportDownloadRequest = DataExportFields.refine(endAfterStart, END_AFTER_START);

export const DataExportRequest = DataExportFields.extend({
  path: localPath(['.csv', '.parquet']),
  /** Replace an existing file; refused otherwise. */
  overwrite: z.boolean().default(false),
})
  .refine(endAfterStart, END_AFTER_START)
  .refine((request) => request.path.toLowerCase().endsWith(`.${request.format}`), {
    message: 'the file extension must match the format',
    path: ['path'],
  });

export const DataExportResult = z.object({
  path: z.string(),
  format: z.enum(['csv', 'parquet']),
  bars: z.number(),
});

// ---- settings ----------------------------------------------------------------------------------------

export const KeysStatus = z.object({
  alpaca: z.object({
    configured: z.boolean(),
    /**
     * Where the keys in use come from; the environment wins over saved keys. 'memory': saved while no OS
     * keychain answered, so they last for this session only.
     */
    source: z.enum(['keychain', 'memory', 'environment', 'none']),
    /** The market-data host fetches go to (a fake server in demos and tests). */
    dataBaseUrl: z.string(),
  }),
  /** 'memory' when no OS keychain answered: saved keys last until the services stop. */
  keychain: z.enum(['os', 'memory']),
  /** Why saved keys will not outlive the session, and how to give keys instead (memory store only). */
  note: z.string().optional(),
});

const keyPart = (name: string) =>
  z
    .string()
    .trim()
    .min(1, `the ${name} is required`)
    .max(256, `the ${name} is at most 256 characters`)
    .regex(/^\S+$/, `the ${name} cannot contain spaces`);

export const SaveKeysRequest = z.strictObject({ keyId: keyPart('key ID'), secret: keyPart('secret key') });

const empty = z.strictObject({});

export const DataDeleteRequest = z.strictObject({ symbol: symbolSchema });
export const DataRenameRequest = z.strictObject({ symbol: symbolSchema, to: symbolSchema });
/** The symbol as it is now stored (the new name after a rename) and the bars affected. */
export const DataSymbolResult = z.object({ symbol: z.string(), bars: z.number() });

/**
 * Writes the embedded demo market into the cache (`regimen demo`), replacing the demo symbols' bars;
 * each symbol stored is one `job:progress` (its name is the message).
 */
export const DemoMarketRequest = z.strictObject({ jobId: jobIdSchema.optional() });
export const DemoMarketResult = z.object({
  symbols: z.array(z.string()),
  bars: z.number(),
  generateMs: z.number(),
  storeMs: z.number(),
});

export const dataContract = {
  requests: {
    'data:list': { input: empty, output: z.array(DatasetInfo), refused: 'Data sets not listed' },
    'bars:get': { input: BarsQuery, output: BarsPayload, refused: 'Bars not loaded' },
    'data:coverage': { input: empty, output: z.array(DatasetCoverage), refused: 'Data coverage not read' },
    'data:quality': {
      input: DataQualityRequest,
      output: DataQualityResult,
      refused: 'Data quality not checked',
    },
    'data:import': { input: DataImportRequest, output: DataImportResult, refused: 'Nothing imported' },
    'data:fetch': {
      input: DataFetchRequest,
      output: z.union([DataFetchResult, JobCancelled]),
      refused: 'Nothing fetched',
    },
    'data:sync': { input: DataSyncRequest, output: DataSyncStopped, refused: 'Data not synced' },
    'data:export': { input: DataExportRequest, output: DataExportResult, refused: 'Data not exported' },
    'data:delete': { input: DataDeleteRequest, output: DataSymbolResult, refused: 'Data not deleted' },
    'data:rename': { input: DataRenameRequest, output: DataSymbolResult, refused: 'Data not renamed' },
    'data:demo': { input: DemoMarketRequest, output: DemoMarketResult, refused: 'Demo market not generated' },
    'settings:keys-status': { input: empty, output: KeysStatus, refused: 'API key status not read' },
    'settings:save-keys': { input: SaveKeysRequest, output: KeysStatus, refused: 'API keys not saved' },
    'settings:clear-keys': { input: empty, output: KeysStatus, refused: 'API keys not cleared' },
  },
  events: {
    'data:sync-bar': DataSyncBar,
    'data:sync-state': DataSyncState,
    'data:alpaca-retry': DataAlpacaRetry,
  },
} as const satisfies DomainContract<typeof DATA_CHANNELS>;

export type BarsPayload = z.output<typeof BarsPayload>;
export type DatasetInfo = z.output<typeof DatasetInfo>;
export type DatasetCoverage = z.output<typeof DatasetCoverage>;
export type DataQualityReport = z.output<typeof DataQualityReport>;
export type DataQualityProblem = z.output<typeof DataQualityProblem>;
export type DataQualityResult = z.output<typeof DataQualityResult>;
export type DataImportResult = z.output<typeof DataImportResult>;
export type DataFetchResult = z.output<typeof DataFetchResult>;
export type DataExportResult = z.output<typeof DataExportResult>;
export type DataSyncStopped = z.output<typeof DataSyncStopped>;
export type DataSyncState = z.output<typeof DataSyncState>;
export type DataAlpacaRetry = z.output<typeof DataAlpacaRetry>;
export type KeysStatus = z.output<typeof KeysStatus>;
export type DemoMarketResult = z.output<typeof DemoMarketResult>;
