import type { Timeframe } from '../../../core/data/bars.ts';
import { TIMEFRAMES } from '../../../core/data/bars.ts';
import { environmentCredentials } from '../../marketdata/credentials.ts';
import { openSecretStore } from '../../secrets/secretStore.ts';
import { ExportTargetExistsError } from '../../marketdata/exporter.ts';
import type { FetchSummary } from '../../marketdata/fetcher.ts';
import { MarketDataService } from '../../marketdata/service.ts';
import {
  parseAdjustment,
  parseFeed,
  parseSymbols,
  parseTimeframe,
  TO_CACHE_TIMEFRAME,
  type DataProgress,
} from '../../marketdata/types.ts';
import { databasePath, resolveDataDir } from '../../paths.ts';
import { Database } from '../../store/database.ts';
import {
  numberOption,
  requiredOption,
  stringOption,
  timeOption,
  UsageError,
  type ParsedArgs,
} from '../args.ts';
import type { Command, CommandIO } from '../command.ts';
import { meter, table } from '../format.ts';

const ALPACA_OPTIONS = {
  'alpaca-base-url': { type: 'string' },
  'alpaca-stream-url': { type: 'string' },
  'rate-limit': { type: 'string' },
} as const;

async function withService<T>(
  args: ParsedArgs,
  work: (service: MarketDataService) => Promise<T>,
): Promise<T> {
  const db = await Database.open(databasePath(resolveDataDir(stringOption(args, 'data-dir'))));
  try {
    const needsKeys = stringOption(args, 'symbols') !== undefined;
    const service = new MarketDataService(db, {
      ...(stringOption(args, 'alpaca-base-url')
        ? { dataBaseUrl: stringOption(args, 'alpaca-base-url')! }
        : {}),
      ...(stringOption(args, 'alpaca-stream-url')
        ? { streamBaseUrl: stringOption(args, 'alpaca-stream-url')! }
        : {}),
      ...(stringOption(args, 'rate-limit')
        ? { requestsPerMinute: numberOption(args, 'rate-limit', 200) }
        : {}),
      secrets: needsKeys && !environmentCredentials(process.env) ? await openSecretStore() : null,
    });
    return await work(service);
  } finally {
    db.close();
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

const iso = (t: number): string => (Number.isFinite(t) ? new Date(t).toISOString() : '');

/** A one-line progress bar on stderr when it is a terminal; nothing otherwise. */
function progressBar(io: CommandIO, enabled: boolean): { update(p: DataProgress): void; end(): void } {
  let drawn = false;
  return {
    update(p) {
      if (!enabled || !io.interactive) return;
      const fraction = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
      io.err(
        `\r${meter(fraction, 30)} ${(fraction * 100).toFixed(0).padStart(3)}%  ${p.bars.toLocaleString('en-US')} bars${p.message ? `  ${p.message}` : ''}   `,
      );
      drawn = true;
    },
    end() {
      if (drawn) io.err('\n');
    },
  };
}

function fetchLine(summary: FetchSummary): string {
  return summary.requests === 0
    ? `${summary.symbols.join(', ')} ${summary.timeframe}: already cached, nothing fetched`
    : `${summary.symbols.join(', ')} ${summary.timeframe}: ${summary.bars.toLocaleString('en-US')} bars in ${summary.pages} pages (${(summary.elapsedMs / 1000).toFixed(1)} s)`;
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
    const summary = await withService(args, (service) =>
      service.fetch({ symbols, timeframe, start, end, adjustment, feed, onProgress: (p) => bar.update(p) }),
    ).finally(() => bar.end());
    io.out(json ? JSON.stringify(summary) : fetchLine(summary));
    return 0;
  },
};

export const dataImportCommand: Command = {
  usage: 'FILE [--symbol SYM] [--timeframe TF] [--naive-time-zone UTC|America/New_York]',
  allowPositionals: true,
  options: {
    symbol: { type: 'string' },
    timeframe: { type: 'string' },
    'naive-time-zone': { type: 'string' },
  },
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError('give exactly one FILE to import');
    const zone = stringOption(args, 'naive-time-zone');
    if (zone !== undefined && zone !== 'UTC' && zone !== 'America/New_York') {
      throw new UsageError('--naive-time-zone must be UTC or America/New_York');
    }
    const timeframeText = stringOption(args, 'timeframe');
    const timeframe = timeframeText
      ? TIMEFRAMES.includes(timeframeText as Timeframe)
        ? timeframeText
        : TO_CACHE_TIMEFRAME[wrapUsage(() => parseTimeframe(timeframeText))]
      : undefined;
    const result = await withService(args, (service) =>
      service.importFile(args.positionals[0]!, {
        ...(stringOption(args, 'symbol') ? { symbol: stringOption(args, 'symbol')! } : {}),
        ...(timeframe ? { timeframe } : {}),
        ...(zone ? { naiveTimeZone: zone } : {}),
      }),
    );
    io.out(
      args.values['json']
        ? JSON.stringify(result)
        : `${result.file}: ${result.bars.toLocaleString('en-US')} ${result.timeframe} bars of ${result.symbol} from ${iso(result.start)} to ${iso(result.end)}`,
    );
    return 0;
  },
};

export const dataListCommand: Command = {
  usage: '[--json]',
  options: {},
  async run(args, io) {
    const rows = await withService(args, (service) => service.list());
    if (args.values['json']) {
      io.out(
        JSON.stringify(
          rows.map(({ symbol, timeframe, bars, start, end }) => ({ symbol, timeframe, bars, start, end })),
        ),
      );
    } else if (rows.length === 0) {
      io.out('The cache is empty: `regimen data fetch` or `regimen data import` fill it.');
    } else {
      io.out(
        table(
          [
            ['symbol', 'timeframe', 'bars', 'start', 'end', 'source'],
            ...rows.map((r) => [r.symbol, r.timeframe, String(r.bars), iso(r.start), iso(r.end), r.source]),
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
    const result = await withService(args, (service) =>
      service.quality({
        symbol,
        ...(timeframe ? { timeframe } : {}),
        repair: args.values['repair'] === true,
      }),
    );
    if (args.values['json']) {
      io.out(JSON.stringify(result));
      return 0;
    }
    const r = result.report;
    const lines = [
      `${r.symbol} ${r.timeframe ?? timeframe ?? ''}: score ${r.score.toFixed(3)}, ${r.rows} bars, coverage ${(r.coverage * 100).toFixed(2)}% (${r.missingBars} missing of ${r.expectedBars})`,
      ...Object.entries(r.counts)
        .filter(([, n]) => n > 0)
        .map(([kind, n]) => `  ${kind}: ${n}`),
      ...r.problems.slice(0, 20).map((p) => `  - ${p.message}`),
    ];
    if (r.problems.length > 20) lines.push(`  ... ${r.problems.length - 20} more (--json lists them all)`);
    if (result.repair) {
      lines.push(
        `Repaired: dropped ${result.repair.droppedBars} bars, marked ${result.repair.gapsMarked} gaps (no bars added)`,
      );
    }
    io.out(lines.join('\n'));
    return 0;
  },
};

export const dataExportCommand: Command = {
  usage:
    '--symbol SYM --format parquet|csv --out FILE [--overwrite] [--timeframe 1m] [--start ISO] [--end ISO]',
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
    const timeframe =
      TO_CACHE_TIMEFRAME[wrapUsage(() => parseTimeframe(stringOption(args, 'timeframe') ?? '1m'))];
    const start = timeOption(args, 'start');
    const end = timeOption(args, 'end');
    const range = { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) };
    const overwrite = args.values['overwrite'] === true;
    const result = await withService(args, (service) =>
      service.export({ symbol, timeframe, format, out, range, overwrite }).catch((error: unknown) => {
        if (error instanceof ExportTargetExistsError) {
          throw new UsageError(`${error.path} already exists: choose another --out or pass --overwrite`);
        }
        throw error;
      }),
    );
    io.out(
      args.values['json']
        ? JSON.stringify(result)
        : `Wrote ${result.bars} ${timeframe} bars of ${symbol} to ${result.path}`,
    );
    return 0;
  },
};

export const dataSyncCommand: Command = {
  usage:
    '--symbols AAPL,MSFT [--since ISO] [--for SECONDS] [--feed iex|sip] [--alpaca-base-url URL] [--alpaca-stream-url URL]',
  options: {
    ...ALPACA_OPTIONS,
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
    const json = args.values['json'] === true;
    await withService(args, async (service) => {
      const bar = progressBar(io, !json);
      const summary = await service
        .fetch({
          symbols,
          timeframe: '1Min',
          start: since,
          end: Date.now(),
          feed,
          onProgress: (p) => bar.update(p),
        })
        .finally(() => bar.end());
      io.err(`${fetchLine(summary)}\n`);
      const stream = await service.startSync({
        symbols,
        feed,
        onBar: (b) =>
          io.out(
            json
              ? JSON.stringify(b)
              : `${iso(b.t)} ${b.symbol} o=${b.o} h=${b.h} l=${b.l} c=${b.c} v=${b.v}${b.backfilled ? ' (back-filled)' : ''}`,
          ),
        onStatus: (s) =>
          io.err(
            `stream: ${s.state}${s.state === 'reconnecting' ? ` in ${Math.round(s.inMs)} ms (${s.reason})` : ''}\n`,
          ),
        onError: (e) => io.err(`stream: ${e.message}\n`),
      });
      await new Promise<void>((resolve) => {
        const done = (): void => resolve();
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
        if (seconds > 0) setTimeout(done, seconds * 1000).unref();
      });
      await stream.stop();
    });
    return 0;
  },
};
