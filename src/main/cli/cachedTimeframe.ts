import { TIMEFRAMES, type Timeframe } from '../../core/data/bars.ts';
import type { Backend } from './backend.ts';
import { UsageError } from './args.ts';
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

/** {@link finestCachedTimeframe} of the backend's cache, said on stderr (stdout keeps the result or --json). */
export async function defaultCachedTimeframe(
  backend: Backend,
  symbols: readonly string[],
  io: Pick<CommandIO, 'err'>,
): Promise<Timeframe> {
  const timeframe = finestCachedTimeframe(await backend.request('data:list', {}), symbols);
  io.err(`${finestCachedNote(timeframe, symbols)}\n`);
  return timeframe;
}
