import type { Timeframe } from '../../core/data/bars.ts';
import {
  FETCH_ADJUSTMENTS,
  FETCH_FEEDS,
  FETCH_TIMEFRAMES,
  type FetchAdjustment,
  type FetchFeed,
  type FetchTimeframe,
} from '../../shared/fetchChoices.ts';

/** Alpaca's names for the bar timeframes Regimen uses (the contract's fetch choices), and the cache's. */
export type AlpacaTimeframe = FetchTimeframe;
export type Adjustment = FetchAdjustment;
export type Feed = FetchFeed;

export const TO_CACHE_TIMEFRAME: Record<AlpacaTimeframe, Timeframe> = {
  '1Min': '1m',
  '5Min': '5m',
  '15Min': '15m',
  '1Hour': '1h',
  '1Day': '1d',
};

/** Accepts either spelling (1Min or 1m), case-insensitively; throws naming the accepted values. */
export function parseTimeframe(text: string): AlpacaTimeframe {
  const lower = text.trim().toLowerCase();
  for (const tf of FETCH_TIMEFRAMES) {
    if (tf.toLowerCase() === lower || TO_CACHE_TIMEFRAME[tf] === lower) return tf;
  }
  throw new Error(
    `Unknown timeframe "${text}": use one of ${FETCH_TIMEFRAMES.join(', ')} (or 1m, 5m, 15m, 1h, 1d)`,
  );
}

export function parseAdjustment(text: string): Adjustment {
  const value = text.trim().toLowerCase();
  if ((FETCH_ADJUSTMENTS as readonly string[]).includes(value)) return value as Adjustment;
  throw new Error(`Unknown adjustment "${text}": use one of ${FETCH_ADJUSTMENTS.join(', ')}`);
}

export function parseFeed(text: string): Feed {
  const value = text.trim().toLowerCase();
  if ((FETCH_FEEDS as readonly string[]).includes(value)) return value as Feed;
  throw new Error(`Unknown feed "${text}": use one of ${FETCH_FEEDS.join(', ')}`);
}

/** Parses a symbol list ("AAPL,msft") into upper-case symbols, refusing anything that is not a ticker. */
export function parseSymbols(text: string): string[] {
  const symbols = text
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s.length > 0);
  if (symbols.length === 0) throw new Error('No symbols given');
  for (const symbol of symbols) {
    if (!/^[A-Z0-9.\-/]{1,24}$/.test(symbol)) throw new Error(`"${symbol}" is not a valid symbol`);
  }
  return [...new Set(symbols)];
}

/** Progress of a long data job, for the CLI progress bar and the UI's job:progress events. */
export interface DataProgress {
  readonly stage: 'plan' | 'fetch' | 'import' | 'backfill';
  /** Units done and expected (requests for a fetch, rows for an import); total may grow as pages appear. */
  readonly done: number;
  readonly total: number;
  readonly bars: number;
  readonly message?: string;
}

export type ProgressListener = (progress: DataProgress) => void;
