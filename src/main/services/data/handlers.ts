import { basename } from 'node:path';
import { QUALITY_PROBLEM_KINDS } from '../../../core/data/quality.ts';
import type {
  DataQualityReport,
  DataSyncState,
  DataSyncStopped,
  DomainHandlers,
  KeysStatus,
} from '../../../shared/contract.ts';
import type { DATA_CHANNELS } from '../../../shared/dataChannels.ts';
import {
  clearAlpacaCredentials,
  environmentCredentials,
  saveAlpacaCredentials,
  savedCredentials,
} from '../../marketdata/credentials.ts';
import type { MarketDataService } from '../../marketdata/service.ts';
import type { BarsRepository } from '../../store/barsRepository.ts';
import { SESSION_ONLY_NOTE, type SecretStore } from '../../secrets/secretStore.ts';
import { writeDemoMarket } from '../demoMarket.ts';
import type { EventBus } from '../events.ts';
import {
  CANCELLED,
  cancelAsOutcome,
  JobCancelledError,
  runJob,
  type JobContext,
  type JobRegistry,
} from '../jobs.ts';
import { barsToPayload, finiteOrNull } from '../payloads.ts';
import { secretScrubber } from '../scrub.ts';

/** Omit over each member of a union (a sync state without its job id). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface DataHandlersDeps {
  readonly bars: BarsRepository;
  readonly marketData: MarketDataService;
  readonly secrets: SecretStore;
  readonly events: EventBus;
  /** Where running jobs can be reached by `job:cancel`. */
  readonly jobs: JobRegistry;
  /** Where APCA_API_KEY_ID / APCA_API_SECRET_KEY are read (process.env outside tests). */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The market-data and settings channels: cached bars, coverage, quality, import / fetch / export, keys.
 *
 * `data:import` and `data:export` take a path on the machine the services run on. That is fine here
 * because every caller is the user themself: the Electron window is the app's own page behind a
 * channel allowlist, and `regimen serve` listens on 127.0.0.1 only and refuses every request without its
 * per-launch token. The services already run with the user's rights, so a path reaches nothing the user
 * could not open anyway; the contract still limits paths to absolute ones with a bars-file extension,
 * and an export never replaces a file unless asked to.
 *
 * Keys travel one way: `settings:save-keys` stores them in the secret store, and no answer, event or error
 * message carries them back (errors pass through `scrub`, which removes every known key value).
 */
export function createDataHandlers(deps: DataHandlersDeps): DomainHandlers<typeof DATA_CHANNELS> {
  const { bars, marketData, secrets, events, jobs, env } = deps;

  const scrub = secretScrubber(env, secrets);

  const guarded = async <T>(work: () => Promise<T>, extra: readonly string[] = []): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw await scrub(error, extra);
    }
  };

  const jobContext: JobContext = { events, jobs, scrub: (error) => scrub(error) };

  const keysStatus = async (): Promise<KeysStatus> => {
    let source: KeysStatus['alpaca']['source'] = 'none';
    if (environmentCredentials(env)) source = 'environment';
    else if (await savedCredentials(secrets)) source = secrets.kind;
    return {
      alpaca: { configured: source !== 'none', source, dataBaseUrl: marketData.dataBaseUrl },
      keychain: secrets.kind === 'keychain' ? 'os' : 'memory',
      ...(secrets.kind === 'memory' ? { note: SESSION_ONLY_NOTE } : {}),
    };
  };

  return {
    'data:list': () => bars.list(),
    'data:delete': async ({ symbol }) => ({ symbol, bars: await bars.deleteSymbol(symbol.toUpperCase()) }),
    'data:rename': async ({ symbol, to }) => ({
      symbol: to.toUpperCase(),
      bars: await bars.renameSymbol(symbol.toUpperCase(), to.toUpperCase()),
    }),
    'bars:get': async (query) =>
      barsToPayload(query.symbol, query.timeframe, await bars.read(query.symbol, query.timeframe, query)),
    'data:coverage': () =>
      guarded(async () =>
        (await marketData.list()).map((d) => ({
          symbol: d.symbol,
          timeframe: d.timeframe,
          bars: d.bars,
          start: d.start,
          end: d.end,
          source: d.source,
          calendar: d.calendar,
          coverage: d.coverage.map((c) => ({ ...c })),
        })),
      ),

    'data:quality': (request) =>
      guarded(async () => {
        const result = await marketData.quality({
          symbol: request.symbol,
          repair: request.repair,
          ...(request.timeframe ? { timeframe: request.timeframe } : {}),
        });
        const r = result.report;
        const totalProblems = QUALITY_PROBLEM_KINDS.reduce((sum, kind) => sum + r.counts[kind], 0);
        const problems = r.problems.slice(0, request.limit);
        const report: DataQualityReport = {
          symbol: r.symbol,
          timeframe: r.timeframe ?? request.timeframe ?? null,
          rows: r.rows,
          uniqueBars: r.uniqueBars,
          firstT: finiteOrNull(r.firstT),
          lastT: finiteOrNull(r.lastT),
          calendar: r.calendar,
          expectedFor: r.expectedFor,
          expectedBars: r.expectedBars,
          presentBars: r.presentBars,
          missingBars: r.missingBars,
          coverage: finiteOrNull(r.coverage),
          outsideRegularHours: r.outsideRegularHours,
          counts: { ...r.counts },
          score: finiteOrNull(r.score),
          problems: problems.map((p) => ({
            kind: p.kind,
            t: p.t,
            message: p.message,
            ...(p.endT !== undefined ? { endT: p.endT } : {}),
            ...(p.row !== undefined ? { row: p.row } : {}),
            ...(p.count !== undefined ? { count: p.count } : {}),
          })),
          totalProblems,
          truncated: problems.length < totalProblems,
        };
        return result.repair
          ? {
              report,
              repair: { ...result.repair, closedMarketTimes: [...result.repair.closedMarketTimes] },
            }
          : { report };
      }),

    'data:import': (request) =>
      // An import is one transaction: nothing to stop halfway, so it is not cancellable.
      runJob(jobContext, { jobId: request.jobId, stage: 'import', cancellable: false }, async (job) => {
        const file = basename(request.path);
        job.progress(0, 1, { message: `waiting to read ${file}` });
        let size = 1;
        const result = await marketData.importFile(request.path, {
          ...(request.symbol ? { symbol: request.symbol.toUpperCase() } : {}),
          ...(request.timeframe ? { timeframe: request.timeframe } : {}),
          ...(request.naiveTimeZone ? { naiveTimeZone: request.naiveTimeZone } : {}),
          ...(request.calendar ? { calendar: request.calendar } : {}),
          onProgress: (read, total) => {
            size = Math.max(1, total);
            // Reading ends just before the last part is stored: the final event says when all is.
            if (read < total) job.progress(read, size, { message: `reading ${file}` });
          },
        });
        job.progress(size, size, {
          message: `${result.bars.toLocaleString('en-US')} bars stored as ${result.symbol} ${result.timeframe}`,
        });
        return { ...result };
      }),

    'data:fetch': (request) =>
      cancelAsOutcome(
        runJob(jobContext, { jobId: request.jobId, stage: 'fetch', cancellable: true }, async (job) => {
          const summary = await marketData.fetch({
            signal: job.signal,
            symbols: request.symbols,
            timeframe: request.timeframe,
            start: request.start,
            end: request.end,
            ...(request.adjustment ? { adjustment: request.adjustment } : {}),
            ...(request.feed ? { feed: request.feed } : {}),
            onProgress: (p) =>
              job.progress(p.done, p.total, {
                message: p.message ?? `${p.bars.toLocaleString('en-US')} bars stored`,
              }),
          });
          // The fetcher's last report may have been throttled away; the final count always goes out.
          job.progress(1, 1, { message: `${summary.bars.toLocaleString('en-US')} bars stored` });
          return { ...summary, symbols: [...summary.symbols] };
        }),
      ),

    'data:sync': async (request) => {
      const { jobId, symbols, since } = request;
      const feed = request.feed ?? 'iex';
      let reached: DataSyncStopped['reached'] = 'catch-up';
      let fetched: DataSyncStopped['fetched'] = null;
      let streamed = 0;
      const state = (payload: DistributiveOmit<DataSyncState, 'jobId'>): void =>
        events.emit('data:sync-state', { jobId, ...payload });
      try {
        await runJob(jobContext, { jobId, stage: 'catch-up', cancellable: true }, async (job) => {
          const summary = await marketData.fetch({
            signal: job.signal,
            symbols,
            timeframe: '1Min',
            start: since,
            end: Date.now(),
            feed,
            onProgress: (p) =>
              job.progress(p.done, p.total, {
                message: p.message ?? `${p.bars.toLocaleString('en-US')} bars stored`,
              }),
          });
          job.throwIfCancelled();
          fetched = { ...summary, symbols: [...summary.symbols] };
          state({ state: 'caught-up', fetched });
          reached = 'connecting';
          const stream = await marketData.syncStream({
            symbols,
            feed,
            onBar: (bar) => {
              streamed++;
              events.emit('data:sync-bar', { jobId, ...bar });
            },
            onStatus: (s) => {
              if (s.state === 'connecting')
                state({ state: 'connecting', attempt: s.attempt, url: stream.url });
              else if (s.state === 'live') state({ state: 'live', symbols: [...s.symbols] });
              else if (s.state === 'reconnecting')
                state({ state: 'reconnecting', inMs: s.inMs, reason: s.reason });
              else state({ state: 'stopped', reason: s.error ?? (job.signal.aborted ? CANCELLED : 'ended') });
            },
            // The stream's messages already leave the keys out; scrubbed again as every message is.
            onError: (error) =>
              void scrub(error).then((clean) => state({ state: 'problem', message: clean.message })),
          });
          // The sync runs until job:cancel (or keys refused on the stream, which start() rejects with).
          // A cancel may have come while the stream was being made: the signal is aborted already then.
          const cancelled = new Promise<void>((resolve) => {
            if (job.signal.aborted) resolve();
            else job.signal.addEventListener('abort', () => resolve(), { once: true });
          });
          try {
            await Promise.race([stream.start().then(() => (reached = 'live')), cancelled]);
            await cancelled;
          } finally {
            await stream.stop();
          }
          job.throwIfCancelled();
        });
      } catch (error) {
        if (!(error instanceof JobCancelledError)) throw error;
      }
      return { jobId, cancelled: true as const, reached, fetched, streamed };
    },

    'data:demo': ({ jobId }) =>
      runJob(jobContext, { jobId, stage: 'demo market', cancellable: false }, (job) =>
        writeDemoMarket(bars, (symbol, done, total) => job.progress(done, total, { message: symbol })),
      ),

    'data:export': (request) =>
      guarded(async () => {
        const range = {
          ...(request.start !== undefined ? { start: request.start } : {}),
          ...(request.end !== undefined ? { end: request.end } : {}),
        };
        return {
          ...(await marketData.export({
            symbol: request.symbol.toUpperCase(),
            timeframe: request.timeframe,
            format: request.format,
            out: request.path,
            range,
            overwrite: request.overwrite,
          })),
        };
      }),

    'settings:keys-status': () => guarded(keysStatus),

    'settings:save-keys': (request) =>
      guarded(async () => {
        await saveAlpacaCredentials(secrets, request.keyId, request.secret);
        marketData.forgetCredentials();
        return keysStatus();
      }, [request.keyId, request.secret]),

    'settings:clear-keys': () =>
      guarded(async () => {
        await clearAlpacaCredentials(secrets);
        marketData.forgetCredentials();
        return keysStatus();
      }),
  };
}
