import { resolve } from 'node:path';
import { TIMEFRAMES, type Timeframe } from '../../core/data/bars.ts';
import { symbolSchema } from '../../shared/schemas.ts';
import type { DatasetRef } from '../compute/tasks.ts';
import {
  loadDataset,
  loadWarmedDataset,
  NATIVE_TIMEFRAME,
  type BarsReader,
  type BarsSource,
  type DatasetFrom,
  type DatasetRange,
  type LoadedDataset,
} from '../marketdata/barsSource.ts';
import { payloadToBars } from '../services/payloads.ts';
import type { BarsRange } from '../store/barsRepository.ts';
import { repeatedFlagMessage, stringOption, timeRangeOptions, UsageError, type ParsedArgs } from './args.ts';
import { openBackend } from './backend.ts';
import { defaultCachedTimeframe } from './cachedTimeframe.ts';
import type { CommandIO } from './command.ts';

/**
 * --csv, repeatable: declared `multiple` because optimize and walk-forward score several files, so the
 * CLI's rule against a value flag given twice (args.ts) leaves it to the command: {@link csvFile} refuses
 * a second where a command reads one file, saying which commands take several, {@link csvFiles} takes
 * every one.
 */
export const CSV_OPTION = { type: 'string', multiple: true } as const;

/** Options of the commands that read bars from a file or from the cache. */
export const BARS_SOURCE_OPTIONS = {
  csv: CSV_OPTION,
  symbol: { type: 'string' },
  timeframe: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  session: { type: 'string' },
} as const;

function csvValues(args: ParsedArgs): string[] {
  const value = args.values['csv'];
  if (value === undefined || typeof value === 'boolean') return [];
  return typeof value === 'string' ? [value] : value;
}

/** The one `--csv FILE` of a command that reads one file; a second --csv is refused, naming both. */
export function csvFile(args: ParsedArgs): string | undefined {
  const files = csvValues(args);
  if (files.length > 1)
    throw new UsageError(
      repeatedFlagMessage(
        'csv',
        files,
        'this command reads one file (only optimize and walk-forward take several)',
      ),
    );
  return files[0];
}

/** {@link csvFile}, required. */
export function requiredCsvFile(args: ParsedArgs): string {
  const file = csvFile(args);
  if (file === undefined) throw new UsageError('--csv is required');
  return file;
}

/**
 * Every file of `--csv a.csv,b.csv` and of `--csv a.csv --csv b.csv` (the same meaning; both may mix),
 * in the order given; each entry is a path or SYM=path.
 */
export function csvFiles(args: ParsedArgs): string[] {
  return csvValues(args).flatMap((value) => value.split(','));
}

/** `--csv FILE` or `--symbol SYM` (exactly one), as a bars source. */
export function barsSourceFrom(args: ParsedArgs): BarsSource {
  const csv = csvFile(args);
  const symbol = stringOption(args, 'symbol');
  if ((csv === undefined) === (symbol === undefined))
    throw new UsageError('give exactly one of --csv FILE or --symbol SYM');
  if (csv !== undefined && /\.(parquet|pq)$/i.test(csv))
    throw new UsageError(
      `--csv ${csv}: a Parquet file is read into the cache (regimen data import FILE), then by --symbol`,
    );
  if (csv !== undefined) return { kind: 'file', path: resolve(csv) };
  if (!symbolSchema.safeParse(symbol).success) throw new UsageError(`--symbol "${symbol}" is not a symbol`);
  return { kind: 'cache', symbol: symbol! };
}

/** `--timeframe TF`, checked; undefined without it (the caller picks the default). */
export function timeframeOption(args: ParsedArgs): Timeframe | undefined {
  const raw = stringOption(args, 'timeframe');
  if (raw === undefined) return undefined;
  if (!(TIMEFRAMES as readonly string[]).includes(raw)) {
    throw new UsageError(`--timeframe must be one of ${TIMEFRAMES.join(', ')}, got "${raw}"`);
  }
  return raw as Timeframe;
}

/** `--session regular|extended`: which hours of an equity's cached bars are kept (regular unless asked). */
export function sessionOption(args: ParsedArgs): 'regular' | 'extended' {
  const session = stringOption(args, 'session') ?? 'regular';
  if (session !== 'regular' && session !== 'extended') {
    throw new UsageError(`--session must be regular or extended, got "${session}"`);
  }
  return session;
}

/** Bars as read, and their timeframe: --timeframe, else the finest cached, or "native" for a file's own. */
export type TimedDataset<T> = T & { readonly timeframe: Timeframe | typeof NATIVE_TIMEFRAME };

/**
 * Bars from `--csv FILE` (validated at the edge; read as they are, or resampled to a coarser --timeframe)
 * or `--symbol SYM` (the cache: without --timeframe, the finest it holds for the symbol, said on stderr).
 */
export function loadBarsSource(
  args: ParsedArgs,
  io: Pick<CommandIO, 'err'>,
): Promise<TimedDataset<LoadedDataset>> {
  return withBarsSource(args, io, (source, timeframe, range, reader) =>
    loadDataset(source, timeframe, range, reader),
  );
}

/**
 * The bars of `loadBarsSource` with the history before `--start` a strategy's warm-up takes (see
 * loadWarmedDataset): `from` is the first bar at or after the start.
 */
export function loadWarmedBarsSource(
  args: ParsedArgs,
  io: Pick<CommandIO, 'err'>,
  startOf: (dataset: DatasetRef) => Promise<number>,
): Promise<TimedDataset<DatasetFrom>> {
  return withBarsSource(args, io, (source, timeframe, range, reader) =>
    loadWarmedDataset(source, timeframe, range, reader, startOf),
  );
}

async function withBarsSource<T>(
  args: ParsedArgs,
  io: Pick<CommandIO, 'err'>,
  load: (source: BarsSource, timeframe: string, range: DatasetRange, reader: BarsReader | null) => Promise<T>,
): Promise<TimedDataset<T>> {
  const source = barsSourceFrom(args);
  const range = timeRangeOptions(args);
  const given = timeframeOption(args);
  if (source.kind === 'file') {
    // A file's own bars unless asked for others: --timeframe went unread here, so `backtest --csv
    // day.csv --timeframe 1w` ran the day bars.
    const timeframe = given ?? NATIVE_TIMEFRAME;
    return { ...(await load(source, timeframe, range, null)), timeframe };
  }
  const session = sessionOption(args);
  // Through the folder's owner when one runs (see backend.ts): the same bars either way.
  const backend = await openBackend(args);
  try {
    const timeframe =
      given ?? defaultCachedTimeframe(await backend.request('data:list', {}), [source.symbol], io);
    const reader: BarsReader = {
      read: async (symbol, timeframe, { start, end, limit, session }: BarsRange = {}) =>
        payloadToBars(
          await backend.request('bars:get', {
            symbol,
            timeframe,
            ...(start === undefined ? {} : { start }),
            ...(end === undefined ? {} : { end }),
            ...(limit === undefined ? {} : { limit }),
            ...(session === undefined ? {} : { session }),
          }),
        ),
      list: () => backend.request('data:list', {}),
    };
    return { ...(await load(source, timeframe, { ...range, session }, reader)), timeframe };
  } finally {
    await backend.close();
  }
}
