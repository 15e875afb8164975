import { randomUUID } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Timeframe } from '../../../../core/data/bars.ts';
import { TIMEFRAMES } from '../../../../core/data/bars.ts';
import type { DataFetchResult, JobProgress } from '../../../../shared/contract.ts';
import { alpacaRetryText } from '../../../../shared/alpacaRetryText.ts';
import { calendarDetail, calendarSentence, timeZoneSentence } from '../../../../shared/importSummary.ts';
import { resolveAlpacaHosts } from '../../../marketdata/hosts.ts';
import { ASSET_CALENDARS, isAssetCalendar } from '../../../../core/data/assetCalendar.ts';
import {
  parseAdjustment,
  parseFeed,
  parseSymbols,
  parseTimeframe,
  TO_CACHE_TIMEFRAME,
} from '../../../marketdata/types.ts';
import type { ServicesOptions } from '../../../services/services.ts';
import {
  numberOption,
  requiredOption,
  stringOption,
  timeOption,
  timeRangeOptions,
  UsageError,
  type ParsedArgs,
} from '../../args.ts';
import { on, openBackend, type Backend, type BackendOptions } from '../../backend.ts';
import type { Command, CommandIO } from '../../command.ts';
import { finestCachedTimeframe } from '../../cachedTimeframe.ts';
import { formatCount, meter, table, timeFormatFrom } from '../../format.ts';

/** The Alpaca flags of a command that asks its REST API; sync, which streams too, adds --alpaca-stream-url. */
const ALPACA_OPTIONS = {
  'alpaca-base-url': { type: 'string' },
  'rate-limit': { type: 'string' },
} as const;

/** The Alpaca flags; with only --alpaca-base-url the stream is on that host too (as serve does it). */
function alpacaOptions(args: ParsedArgs): NonNullable<ServicesOptions['alpaca']> {
  const hosts = wrapUsage(() =>
    resolveAlpacaHosts({
      dataBaseUrl: stringOption(args, 'alpaca-base-url'),
      streamBaseUrl: stringOption(args, 'alpaca-stream-url'),
    }),
  );
  const rate = numberOption(args, 'rate-limit', 200);
  if (!(rate > 0)) throw new UsageError(`--rate-limit is requests a minute, above 0, got ${rate}`);
  return { ...hosts, ...(stringOption(args, 'rate-limit') ? { requestsPerMinute: rate } : {}) };
}

/** Runs `work` against the data folder's backend (its owner, or this process) and closes it. */
async function withBackend<T>(
  args: ParsedArgs,
  work: (backend: Backend) => Promise<T>,
  options: BackendOptions = {},
): Promise<T> {
  const backend = await openBackend(args, options);
  try {
    return await work(backend);
  } finally {
    await backend.close();
  }
}

function wrapUsage<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Problems `data quality --json` lists at most (the contract's cap; the counts stay complete). */
const QUALITY_PROBLEMS_LISTED = 5_000;

const iso = (t: number): string => (Number.isFinite(t) ? new Date(t).toISOString() : '');

/** A one-line progress bar on stderr when it is a terminal; nothing otherwise. */
function progressBar(
  io: CommandIO,
  enabled: boolean,
): {
  update(p: Pick<JobProgress, 'done' | 'total' | 'message'>): void;
  /** A line of its own on stderr, below the bar when one is drawn (the next update draws it again). */
  note(line: string): void;
  end(): void;
} {
  let drawn = false;
  return {
    note(line) {
      if (drawn) io.err('\n');
      drawn = false;
      io.err(`${line}\n`);
    },
    update(p) {
      if (!enabled || !io.interactive) return;
      const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
      io.err(
        `\r${meter(fraction, 30)} ${(fraction * 100).toFixed(0).padStart(3)}%${p.message ? `  ${p.message}` : ''}   `,
      );
      drawn = true;
    },
    end() {
      if (drawn) io.err('\n');
      drawn = false;
    },
  };
}

function fetchLine(summary: Omit<DataFetchResult, 'symbols'> & { symbols: readonly string[] }): string {
  return summary.requests === 0
    ? `${summary.symbols.join(', ')} ${summary.timeframe}: already cached, nothing fetched`
    : `${summary.symbols.join(', ')} ${summary.timeframe}: ${summary.bars.toLocaleString('en-US')} bars in ${summary.pages} pages (${(summary.elapsedMs / 1000).toFixed(1)} s)`;
}

/**
 * One stderr line per Alpaca retry (alpacaRetryText), so a fetch waiting out a rate limit does not look
 * hung. The client is the process's (or the owner's), so a retry of another fetch there shows too: a
 * 429 holds this fetch up as well.
 */
function retryNotices(bar: ReturnType<typeof progressBar>): ReturnType<typeof on> {
  return on('data:alpaca-retry', (retry) => bar.note(alpacaRetryText(retry)));
}

export const dataFetchCommand: Command = {
  usage:
    '--symbols AAPL,MSFT --timeframe 1Min --start ISO --end ISO [--adjustment raw|split|dividend|all] [--feed iex|sip] [--alpaca-base-url URL] [--rate-limit N]',
  options: {
    ...ALPACA_OPTIONS,
    symbols: { type: 'string' },
    timeframe: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    adjustment: { type: 'string' },
    feed: { type: 'string' },
  },
  async run(args, io) {
    const symbols = wrapUsage(() => parseSymbols(requiredOption(args, 'symbols')));
    const timeframe = wrapUsage(() => parseTimeframe(stringOption(args, 'timeframe') ?? '1Min'));
    const start = timeOption(args, 'start');
    if (start === undefined) throw new UsageError('--start is required');
    const end = timeOption(args, 'end') ?? Date.now();
    if (!(end > start)) throw new UsageError('--end must be after --start');
    const adjustment = wrapUsage(() => parseAdjustment(stringOption(args, 'adjustment') ?? 'raw'));
    const feed = wrapUsage(() => parseFeed(stringOption(args, 'feed') ?? 'iex'));
    const json = args.values['json'] === true;
    const bar = progressBar(io, !json);
    const summary = await withBackend(
      args,
      async (backend) => {
        if (backend.owner !== null && Object.keys(alpacaOptions(args)).length > 0)
          io.err(`note: ${backend.owner} fetches with its own Alpaca settings, not these flags\n`);
        // Progress arrives as job events (over the owner's WebSocket when remote): listen before asking.
        const jobId = randomUUID();
        const listeners = [
          on('job:progress', (p) => {
            if (p.jobId === jobId) bar.update(p);
          }),
          retryNotices(bar),
        ];
        const stop = await backend.listen((channel, payload) => {
          for (const listener of listeners) listener(channel, payload);
        });
        // Ctrl-C stops the fetch where it runs (here or in the owner); the bars stored so far stay.
        const interrupt = (): void => {
          void backend.request('job:cancel', { jobId }).catch(() => undefined);
        };
        process.once('SIGINT', interrupt);
        try {
          return await backend.request('data:fetch', {
            jobId,
            symbols,
            timeframe,
            start,
            end,
            adjustment,
            feed,
          });
        } finally {
          process.removeListener('SIGINT', interrupt);
          stop();
        }
      },
      { alpaca: alpacaOptions(args), needsKeys: true },
    ).finally(() => bar.end());
    if ('cancelled' in summary) {
      io.err('fetch cancelled; the bars stored before it stopped are kept\n');
      return 130;
    }
    io.out(json ? JSON.stringify(summary) : fetchLine(summary));
    return 0;
  },
};

export const dataImportCommand: Command = {
  usage: 'FILE [--symbol SYM] [--timeframe TF] [--tz UTC|America/New_York] [--calendar equities|fx|crypto]',
  allowPositionals: true,
  options: {
    symbol: { type: 'string' },
    timeframe: { type: 'string' },
    tz: { type: 'string' },
    'naive-time-zone': { type: 'string' },
    calendar: { type: 'string' },
  },
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError('give exactly one FILE to import');
    // --tz, or its older spelling --naive-time-zone: the zone of date-times written without an offset.
    // Not the settings' time zone, which fills every other command's --tz: that one is how tables print.
    const zone =
      (args.fromSettings?.has('tz') === true ? undefined : stringOption(args, 'tz')) ??
      stringOption(args, 'naive-time-zone');
    if (zone !== undefined && zone !== 'UTC' && zone !== 'America/New_York') {
      throw new UsageError(`--tz must be UTC or America/New_York, got "${zone}"`);
    }
    const calendar = stringOption(args, 'calendar');
    if (calendar !== undefined && !isAssetCalendar(calendar)) {
      throw new UsageError(`--calendar must be one of ${ASSET_CALENDARS.join(', ')}, got "${calendar}"`);
    }
    const timeframeText = stringOption(args, 'timeframe');
    const timeframe = timeframeText
      ? TIMEFRAMES.includes(timeframeText as Timeframe)
        ? timeframeText
        : TO_CACHE_TIMEFRAME[wrapUsage(() => parseTimeframe(timeframeText))]
      : undefined;
    // The owner may run in another working directory: paths travel absolute.
    const result = await withBackend(args, (backend) =>
      backend.request('data:import', {
        path: resolve(args.positionals[0]!),
        ...(stringOption(args, 'symbol') ? { symbol: stringOption(args, 'symbol')! } : {}),
        ...(timeframe ? { timeframe: timeframe as Timeframe } : {}),
        ...(zone ? { naiveTimeZone: zone } : {}),
        ...(calendar ? { calendar } : {}),
      }),
    );
    io.out(
      args.values['json']
        ? JSON.stringify(result)
        : `${result.file}: ${result.bars.toLocaleString('en-US')} ${result.timeframe} bars of ${result.symbol} from ${iso(result.start)} to ${iso(result.end)}\n` +
            `${calendarSentence(result)}${result.calendarInferred ? ' (--calendar to choose)' : ''}: ${calendarDetail(result)}\n` +
            `${timeZoneSentence(result.timeZone)}${result.timeZone.source === 'chosen' || result.timeZone.source === 'not-needed' ? '' : ' (--tz to choose)'}`,
    );
    return 0;
  },
};

export const dataListCommand: Command = {
  usage: '[--json]',
  options: {},
  async run(args, io) {
    const time = timeFormatFrom(args);
    const rows = await withBackend(args, (backend) => backend.request('data:list', {}));
    if (args.values['json']) {
      io.out(
        JSON.stringify(
          rows.map(({ symbol, timeframe, bars, start, end, source }) => ({
            symbol,
            timeframe,
            bars,
            start,
            end,
            source,
          })),
        ),
      );
    } else if (rows.length === 0) {
      io.out('The cache is empty: `regimen data fetch` or `regimen data import` fill it.');
    } else {
      io.out(
        table(
          [
            ['symbol', 'timeframe', 'bars', `start (${time.zone})`, `end (${time.zone})`, 'source'],
            ...rows.map((r) => [
              r.symbol,
              r.timeframe,
              formatCount(r.bars),
              time.barTime(r.start, r.timeframe),
              time.barTime(r.end, r.timeframe),
              r.source,
            ]),
          ],
          true,
        ),
      );
    }
    return 0;
  },
};

export const dataQualityCommand: Command = {
  usage: '--symbol SYM [--timeframe TF] [--repair] [--json]',
  options: { symbol: { type: 'string' }, timeframe: { type: 'string' }, repair: { type: 'boolean' } },
  async run(args, io) {
    const symbol = requiredOption(args, 'symbol').toUpperCase();
    const timeframeText = stringOption(args, 'timeframe');
    const timeframe =
      timeframeText === undefined || !/Min|Hour|Day/i.test(timeframeText)
        ? timeframeText
        : TO_CACHE_TIMEFRAME[wrapUsage(() => parseTimeframe(timeframeText))];
    const result = await withBackend(args, (backend) =>
      backend.request('data:quality', {
        symbol,
        ...(timeframe ? { timeframe: timeframe as Timeframe } : {}),
        repair: args.values['repair'] === true,
        limit: QUALITY_PROBLEMS_LISTED,
      }),
    );
    if (args.values['json']) {
      io.out(JSON.stringify(result));
      return 0;
    }
    const r = result.report;
    const shownTimeframe = r.timeframe ?? timeframe ?? '';
    const outside =
      r.outsideRegularHours > 0
        ? `; ${formatCount(r.outsideRegularHours)} bars outside them not counted`
        : '';
    const lines = [
      `${r.symbol} ${shownTimeframe}: score ${r.score === null ? 'n/a' : r.score.toFixed(3)}, ${r.rows} bars, coverage ${r.coverage === null ? 'n/a' : `${(r.coverage * 100).toFixed(2)}%`} (${r.missingBars} missing of ${r.expectedBars} expected)`,
      `  expected (calendar ${r.calendar}): ${r.expectedFor}${outside}`,
      ...Object.entries(r.counts)
        .filter(([, n]) => n > 0)
        .map(([kind, n]) => `  ${kind}: ${n}`),
      ...r.problems.slice(0, 20).map((p) => `  - ${p.message}`),
    ];
    if (r.totalProblems > 20)
      lines.push(
        `  ... ${r.totalProblems - 20} more (--json lists ${r.truncated ? `the first ${r.problems.length}` : 'them all'})`,
      );
    if (result.repair) {
      const { droppedBars, gapsMarked, closedMarketBars, closedMarketTimes } = result.repair;
      const time = timeFormatFrom(args);
      const listed = closedMarketTimes.map((t) => time.barTime(t, shownTimeframe)).join(', ');
      const more = closedMarketBars > closedMarketTimes.length ? ', …' : '';
      const closed =
        closedMarketBars > 0
          ? ` (${closedMarketBars} when the ${r.calendar.toUpperCase()} market is closed, at ${listed}${more} ${time.zone})`
          : '';
      lines.push(`Repaired: dropped ${droppedBars} bars${closed}, marked ${gapsMarked} gaps (no bars added)`);
    }
    io.out(lines.join('\n'));
    return 0;
  },
};

export const dataExportCommand: Command = {
  usage:
    '--symbol SYM --format parquet|csv --out FILE [--overwrite] [--timeframe TF] [--start ISO] [--end ISO]\n' +
    '        --timeframe: 1m 5m 15m 1h 4h 1d 1w 1mo, as stored or made of a finer stored timeframe;\n' +
    '        default the timeframe SYM is stored as (the finest, when it is stored as several)',
  options: {
    symbol: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    overwrite: { type: 'boolean' },
    timeframe: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
  },
  async run(args, io) {
    const symbol = requiredOption(args, 'symbol').toUpperCase();
    const format = requiredOption(args, 'format');
    if (format !== 'parquet' && format !== 'csv') throw new UsageError('--format must be parquet or csv');
    const out = requiredOption(args, 'out');
    // The cache's names first: its weeks and months (and 4h) have no Alpaca spelling.
    const timeframeText = stringOption(args, 'timeframe');
    const asked =
      timeframeText === undefined || TIMEFRAMES.includes(timeframeText as Timeframe)
        ? (timeframeText as Timeframe | undefined)
        : TO_CACHE_TIMEFRAME[wrapUsage(() => parseTimeframe(timeframeText))];
    const { start, end } = timeRangeOptions(args);
    const range = { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) };
    const overwrite = args.values['overwrite'] === true;
    // The owner may run elsewhere: the path travels absolute. The services refuse an existing file
    // unless asked; checked here first too, so the sentence names this command's flag.
    const path = resolve(out);
    if (!overwrite && (await lstat(path).catch(() => null)) !== null)
      throw new UsageError(`${path} already exists: choose another --out or pass --overwrite`);
    const { timeframe, result } = await withBackend(args, async (backend) => {
      const timeframe = asked ?? finestCachedTimeframe(await backend.request('data:list', {}), [symbol]);
      const request = { symbol, timeframe, format, path, ...range, overwrite } as const;
      return { timeframe, result: await backend.request('data:export', request) };
    });
    io.out(
      args.values['json']
        ? JSON.stringify({ ...result, timeframe })
        : `Wrote ${result.bars} ${timeframe} bars of ${symbol} to ${result.path}`,
    );
    return 0;
  },
};

export const dataSyncCommand: Command = {
  usage:
    '--symbols AAPL,MSFT [--since ISO] [--for SECONDS] [--feed iex|sip] [--alpaca-base-url URL] [--alpaca-stream-url URL] [--rate-limit N]',
  options: {
    ...ALPACA_OPTIONS,
    'alpaca-stream-url': { type: 'string' },
    symbols: { type: 'string' },
    since: { type: 'string' },
    for: { type: 'string' },
    feed: { type: 'string' },
  },
  async run(args, io) {
    const symbols = wrapUsage(() => parseSymbols(requiredOption(args, 'symbols')));
    const feed = wrapUsage(() => parseFeed(stringOption(args, 'feed') ?? 'iex'));
    const since = timeOption(args, 'since') ?? Date.now() - 5 * 86_400_000;
    const seconds = numberOption(args, 'for', 0);
    // 0 (the default) streams until Ctrl-C; a negative deadline would do the same, unasked.
    if (seconds < 0) throw new UsageError(`--for is seconds to stream, 0 or more, got ${seconds}`);
    const json = args.values['json'] === true;
    const bar = progressBar(io, !json);
    const outcome = await withBackend(
      args,
      async (backend) => {
        if (backend.owner !== null && Object.keys(alpacaOptions(args)).length > 0)
          io.err(`note: ${backend.owner} syncs with its own Alpaca settings, not these flags\n`);
        // The sync is a job wherever it runs: its events arrive here (over the owner's WebSocket when
        // remote), and --for or Ctrl-C stop it through job:cancel.
        const jobId = randomUUID();
        let url = '';
        const listeners = [
          on('job:progress', (p) => {
            if (p.jobId === jobId) bar.update(p);
          }),
          on('data:sync-bar', ({ jobId: id, ...b }) => {
            if (id !== jobId) return;
            io.out(
              json
                ? JSON.stringify(b)
                : `${iso(b.t)} ${b.symbol} o=${b.o} h=${b.h} l=${b.l} c=${b.c} v=${b.v}${b.backfilled ? ' (back-filled)' : ''}`,
            );
          }),
          retryNotices(bar),
          on('data:sync-state', (s) => {
            if (s.jobId !== jobId) return;
            if (s.state === 'caught-up') {
              bar.end();
              io.err(`${fetchLine(s.fetched)}\n`);
            } else if (s.state === 'problem') io.err(`stream: ${s.message}\n`);
            else {
              if (s.state === 'connecting') url = s.url;
              io.err(
                `stream: ${s.state}${s.state === 'reconnecting' ? ` in ${Math.round(s.inMs)} ms (${s.reason})` : ''}\n`,
              );
            }
          }),
        ];
        const stopListening = await backend.listen((channel, payload) => {
          for (const listener of listeners) listener(channel, payload);
        });
        let why: 'deadline' | 'signal' | null = null;
        let running = true;
        // --for is a hard deadline from the start, whatever the fetch or the stream is doing by then. A
        // cancel that comes before the job has registered answers false: it is asked again until it ends.
        const stop = (reason: 'deadline' | 'signal'): void => {
          why ??= reason;
          void (async () => {
            while (running) {
              const asked = await backend
                .request('job:cancel', { jobId })
                .catch(() => ({ cancelled: false }));
              if (asked.cancelled || !running) return;
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          })();
        };
        const interrupted = (): void => stop('signal');
        process.once('SIGINT', interrupted);
        process.once('SIGTERM', interrupted);
        const timer = seconds > 0 ? setTimeout(() => stop('deadline'), seconds * 1000) : undefined;
        try {
          const stopped = await backend.request('data:sync', { jobId, symbols, since, feed });
          return { stopped, why, url };
        } finally {
          running = false;
          clearTimeout(timer);
          process.removeListener('SIGINT', interrupted);
          process.removeListener('SIGTERM', interrupted);
          stopListening();
        }
      },
      { alpaca: alpacaOptions(args), needsKeys: true },
    ).finally(() => bar.end());
    const { stopped, why, url } = outcome;
    if (stopped.reached === 'catch-up') {
      io.err(
        `sync: stopped during the catch-up fetch (${why === 'deadline' ? `--for ${seconds}` : 'interrupted'})\n`,
      );
      return why === 'deadline' ? 1 : 0;
    }
    if (stopped.reached === 'connecting' && why === 'deadline') {
      io.err(`stream: could not reach ${url} within --for ${seconds} s; no bars were streamed\n`);
      return 1;
    }
    return 0;
  },
};

export const dataDeleteCommand: Command = {
  usage: 'SYM',
  allowPositionals: true,
  options: {},
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError('give exactly one SYM to delete');
    const symbol = args.positionals[0]!;
    const result = await withBackend(args, (backend) => backend.request('data:delete', { symbol }));
    io.out(
      args.values['json']
        ? JSON.stringify(result)
        : `Deleted ${result.symbol}: ${result.bars.toLocaleString('en-US')} bars of every timeframe`,
    );
    return 0;
  },
};

export const dataRenameCommand: Command = {
  usage: 'SYM NEW',
  allowPositionals: true,
  options: {},
  async run(args, io) {
    if (args.positionals.length !== 2) throw new UsageError('give the symbol and its new name: SYM NEW');
    const [symbol, to] = args.positionals as [string, string];
    const result = await withBackend(args, (backend) => backend.request('data:rename', { symbol, to }));
    io.out(
      args.values['json']
        ? JSON.stringify(result)
        : `Renamed ${symbol.toUpperCase()} to ${result.symbol} (${result.bars.toLocaleString('en-US')} bars)`,
    );
    return 0;
  },
};
