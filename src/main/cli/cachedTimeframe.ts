import { TIMEFRAMES, type Timeframe } from '../../core/data/bars.ts';
import { openDatabaseHere, ownerBackend } from './backend.ts';
import { UsageError, type ParsedArgs } from './args.ts';
import type { CommandIO } from './command.ts';

/** A row of `regimen data list`: which timeframe of which symbol the cache stores. */
export interface StoredTimeframe {
  readonly symbol: string;
  readonly timeframe: string;
}

/**
 * The finest timeframe every one of `symbols` is stored as: what a command on cached bars reads without
 * --timeframe, since a fixed default (1m, once) is refused for a symbol stored only as days. Several
 * symbols are scored on the same bar size, so it is the finest they all store; none is a usage error
 * that names what each one holds.
 */
export function finestCachedTimeframe(
  rows: readonly StoredTimeframe[],
  symbols: readonly string[],
): Timeframe {
  const stored = (symbol: string) =>
    new Set(rows.filter((row) => row.symbol === symbol).map((row) => row.timeframe));
  const held = symbols.map((symbol) => ({ symbol, timeframes: stored(symbol) }));
  const missing = held.filter(({ timeframes }) => timeframes.size === 0).map(({ symbol }) => symbol);
  if (missing.length > 0)
    throw new UsageError(
      `--symbol: no bars of ${missing.join(', ')} are cached (regimen data list shows what is)`,
    );
  const finest = TIMEFRAMES.find((timeframe) => held.every(({ timeframes }) => timeframes.has(timeframe)));
  if (finest === undefined) {
    const each = held.map(({ symbol, timeframes }) => `${symbol} ${[...timeframes].join(', ')}`);
    throw new UsageError(
      `--timeframe: ${symbols.join(', ')} share no cached timeframe (${each.join('; ')}); give --timeframe`,
    );
  }
  return finest;
}

/** What a command says of the timeframe it chose: "timeframe 1d: the finest cached for GOOG". */
export function finestCachedNote(timeframe: string, symbols: readonly string[]): string {
  return symbols.length === 1
    ? `timeframe ${timeframe}: the finest cached for ${symbols[0]}`
    : `timeframe ${timeframe}: the finest cached for all of ${symbols.join(', ')}`;
}

/** {@link finestCachedTimeframe} of `rows` (the cache's), said on stderr (stdout keeps the result or --json). */
export function defaultCachedTimeframe(
  rows: readonly StoredTimeframe[],
  symbols: readonly string[],
  io: Pick<CommandIO, 'err'>,
): Timeframe {
  const timeframe = finestCachedTimeframe(rows, symbols);
  io.err(`${finestCachedNote(timeframe, symbols)}\n`);
  return timeframe;
}

/**
 * The timeframes `symbols` are cached as: from the folder's owner when one runs, else read from the
 * database here. A command that needs only this before opening the folder for its own work (a study's
 * default timeframe) does not start the services for it, which took a second of its run.
 */
export async function storedTimeframesOf(
  args: ParsedArgs,
  symbols: readonly string[],
): Promise<StoredTimeframe[]> {
  const owner = await ownerBackend(args);
  if (owner !== null)
    try {
      return await owner.request('data:list', {});
    } finally {
      await owner.close();
    }
  const db = await openDatabaseHere(args, 'reading the cached timeframes');
  try {
    const { BarsRepository } = await import('../store/barsRepository.ts');
    const bars = new BarsRepository(db);
    const held = await Promise.all(
      symbols.map(async (symbol) =>
        (await bars.storedTimeframes(symbol)).map((timeframe) => ({ symbol, timeframe })),
      ),
    );
    return held.flat();
  } finally {
    db.close();
  }
}
