import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  firstIndexAtOrAfter,
  sliceBars,
  TIMEFRAMES,
  type Bars,
  type Timeframe,
} from '../../core/data/bars.ts';
import { parseBarsCsv, type BarsExtra } from '../../core/data/csv.ts';
import { databasePath, resolveDataDir } from '../paths.ts';
import { BarsRepository } from '../store/barsRepository.ts';
import { Database } from '../store/database.ts';
import { stringOption, timeOption, UsageError, type ParsedArgs } from './args.ts';

/** Options of the commands that read bars from a file or from the cache. */
export const BARS_SOURCE_OPTIONS = {
  csv: { type: 'string' },
  symbol: { type: 'string' },
  timeframe: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  session: { type: 'string' },
} as const;

export interface LoadedBars {
  /** Identifies the data (file path or cache key) for dataset caches. */
  id: string;
  label: string;
  bars: Bars;
  extra: BarsExtra;
}

function timeframeOption(args: ParsedArgs, fallback: Timeframe): Timeframe {
  const raw = stringOption(args, 'timeframe') ?? fallback;
  if (!(TIMEFRAMES as readonly string[]).includes(raw)) {
    throw new UsageError(`--timeframe must be one of ${TIMEFRAMES.join(', ')}, got "${raw}"`);
  }
  return raw as Timeframe;
}

/** Bars from `--csv FILE` (read as it is, validated at the edge) or `--symbol SYM` (the cache). */
export async function loadBarsSource(args: ParsedArgs): Promise<LoadedBars> {
  const csv = stringOption(args, 'csv');
  const symbol = stringOption(args, 'symbol');
  if ((csv === undefined) === (symbol === undefined))
    throw new UsageError('give exactly one of --csv FILE or --symbol SYM');
  const start = timeOption(args, 'start');
  const end = timeOption(args, 'end');
  if (csv !== undefined) {
    let text: string;
    try {
      text = await readFile(csv, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${csv}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const parsed = parseBarsCsv(text, { source: basename(csv) });
    const from = start === undefined ? 0 : firstIndexAtOrAfter(parsed.bars.t, start);
    const to = end === undefined ? parsed.bars.t.length : firstIndexAtOrAfter(parsed.bars.t, end);
    const extra = (a: Float64Array | undefined): Float64Array | undefined => a?.subarray(from, to);
    return {
      id: `file:${csv}:${from}:${to}`,
      label: basename(csv),
      bars: sliceBars(parsed.bars, from, to),
      extra: {
        vwap: extra(parsed.extra.vwap),
        tradeCount: extra(parsed.extra.tradeCount),
        adjClose: extra(parsed.extra.adjClose),
      },
    };
  }
  const timeframe = timeframeOption(args, '1m');
  const session = stringOption(args, 'session') ?? 'regular';
  if (session !== 'regular' && session !== 'extended') {
    throw new UsageError(`--session must be regular or extended, got "${session}"`);
  }
  const db = await Database.open(databasePath(resolveDataDir(stringOption(args, 'data-dir'))));
  try {
    const bars = await new BarsRepository(db).read(symbol!, timeframe, { start, end, session });
    return {
      id: `cache:${symbol}:${timeframe}:${session}:${start ?? ''}:${end ?? ''}`,
      label: `${symbol} ${timeframe}`,
      bars,
      extra: {},
    };
  } finally {
    db.close();
  }
}
