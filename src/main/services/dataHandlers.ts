import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { QUALITY_PROBLEM_KINDS } from '../../core/data/quality.ts';
import type { DataQualityReport, KeysStatus, Requests } from '../../shared/contract.ts';
import { DataValidationError } from '../../core/data/validate.ts';
import { InputError, RequestError } from '../../shared/errors.ts';
import {
  clearAlpacaCredentials,
  environmentCredentials,
  redactSecrets,
  saveAlpacaCredentials,
  savedCredentials,
} from '../marketdata/credentials.ts';
import type { MarketDataService } from '../marketdata/service.ts';
import { SESSION_ONLY_NOTE, type SecretStore } from '../secrets/secretStore.ts';
import type { EventBus } from './events.ts';
import { cancelAsOutcome, JobCancelledError, type JobRegistry } from './jobs.ts';
import { finiteOrNull } from './payloads.ts';

export type DataChannel =
  | 'data:coverage'
  | 'data:quality'
  | 'data:import'
  | 'data:fetch'
  | 'data:export'
  | 'settings:keys-status'
  | 'settings:save-keys'
  | 'settings:clear-keys';

export interface DataHandlersDeps {
  readonly marketData: MarketDataService;
  readonly secrets: SecretStore;
  readonly events: EventBus;
  /** Where running jobs can be reached by `job:cancel`. */
  readonly jobs: JobRegistry;
  /** Where APCA_API_KEY_ID / APCA_API_SECRET_KEY are read (process.env outside tests). */
  readonly env: NodeJS.ProcessEnv;
}

/** Progress events of one job are at most this often (the last one always goes out). */
const PROGRESS_INTERVAL_MS = 100;

/**
 * The market-data and settings channels.
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
export function createDataHandlers(deps: DataHandlersDeps): Pick<Requests, DataChannel> {
  const { marketData, secrets, events, jobs, env } = deps;

  /** Every key value the services know of, to be removed from anything that leaves them. */
  const knownSecrets = async (extra: readonly string[]): Promise<string[]> => {
    const values = [...extra, ...(environmentCredentials(env)?.secrets ?? [])];
    try {
      values.push(...((await savedCredentials(secrets))?.secrets ?? []));
    } catch {
      // An unreadable keychain holds nothing this error could have picked up.
    }
    return values;
  };

  const scrub = async (error: unknown, extra: readonly string[] = []): Promise<Error> => {
    const message = redactSecrets(
      error instanceof Error ? error.message : String(error),
      await knownSecrets(extra),
    );
    // A file refused at the edge is the request's `path` at fault; the message names file, line, column.
    if (error instanceof DataValidationError) return new InputError(message, 'path');
    // The caller's mistakes keep their kind (and status); only the message is cleaned.
    if (error instanceof RequestError) {
      error.message = message;
      return error;
    }
    return new Error(message);
  };

  const guarded = async <T>(work: () => Promise<T>, extra: readonly string[] = []): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw await scrub(error, extra);
    }
  };

  /**
   * Runs a long job with `job:progress` events (throttled) and one `job:done`, like a backtest. A
   * cancellable job (one whose work honours the signal) is reachable by `job:cancel`; whatever error it
   * then stops with, it ends as "cancelled".
   */
  const job = async <T>(
    jobId: string | undefined,
    stage: string,
    cancellable: boolean,
    work: (
      progress: (done: number, total: number, message?: string) => void,
      signal: AbortSignal,
    ) => Promise<T>,
  ): Promise<T> => {
    const id = jobId ?? randomUUID();
    // An import is one file read and one transaction: nothing to stop halfway, so it is not registered.
    const running = cancellable
      ? jobs.start(id)
      : { signal: new AbortController().signal, finish: () => undefined };
    let last = -Infinity;
    const progress = (done: number, total: number, message?: string): void => {
      const now = performance.now();
      const final = total > 0 && done >= total;
      if (!final && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      events.emit('job:progress', { jobId: id, stage, done, total, ...(message ? { message } : {}) });
    };
    try {
      const result = await work(progress, running.signal);
      events.emit('job:done', { jobId: id, ok: true });
      return result;
    } catch (error) {
      const clean = running.signal.aborted ? new JobCancelledError(id) : await scrub(error);
      events.emit('job:done', { jobId: id, ok: false, error: clean.message });
      throw clean;
    } finally {
      running.finish();
    }
  };

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
    'data:coverage': () =>
      guarded(async () =>
        (await marketData.list()).map((d) => ({
          symbol: d.symbol,
          timeframe: d.timeframe,
          bars: d.bars,
          start: d.start,
          end: d.end,
          source: d.source,
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
        return result.repair ? { report, repair: { ...result.repair } } : { report };
      }),

    'data:import': (request) =>
      job(request.jobId, 'import', false, async (progress) => {
        progress(0, 2, `reading ${basename(request.path)}`);
        const result = await marketData.importFile(request.path, {
          ...(request.symbol ? { symbol: request.symbol.toUpperCase() } : {}),
          ...(request.timeframe ? { timeframe: request.timeframe } : {}),
          ...(request.naiveTimeZone ? { naiveTimeZone: request.naiveTimeZone } : {}),
        });
        progress(
          2,
          2,
          `${result.bars.toLocaleString('en-US')} bars stored as ${result.symbol} ${result.timeframe}`,
        );
        return { ...result };
      }),

    'data:fetch': (request) =>
      cancelAsOutcome(
        job(request.jobId, 'fetch', true, async (progress, signal) => {
          const summary = await marketData.fetch({
            signal,
            symbols: request.symbols,
            timeframe: request.timeframe,
            start: request.start,
            end: request.end,
            ...(request.adjustment ? { adjustment: request.adjustment } : {}),
            ...(request.feed ? { feed: request.feed } : {}),
            onProgress: (p) =>
              progress(p.done, p.total, p.message ?? `${p.bars.toLocaleString('en-US')} bars stored`),
          });
          // The fetcher's last report may have been throttled away; the final count always goes out.
          progress(1, 1, `${summary.bars.toLocaleString('en-US')} bars stored`);
          return { ...summary, symbols: [...summary.symbols] };
        }),
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
