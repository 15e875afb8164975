import type { Timeframe } from '../../core/data/bars.ts';

/** Alpaca's names for the bar timeframes Regimen uses, and the cache's names for them. */
export const ALPACA_TIMEFRAMES = ['1Min', '5Min', '15Min', '1Hour', '1Day'] as const;
export type AlpacaTimeframe = (typeof ALPACA_TIMEFRAMES)[number];

export const TO_CACHE_TIMEFRAME: Record<AlpacaTimeframe, Timeframe> = {
  '1Min': '1m',
  '5Min': '5m',
  '15Min': '15m',
  '1Hour': '1h',
  '1Day': '1d',
};

export const FROM_CACHE_TIMEFRAME: Record<Timeframe, AlpacaTimeframe> = {
  '1m': '1Min',
  '5m': '5Min',
  '15m': '15Min',
  '1h': '1Hour',
  '1d': '1Day',
};

export const ADJUSTMENTS = ['raw', 'split', 'dividend', 'all'] as const;
export type Adjustment = (typeof ADJUSTMENTS)[number];

export const FEEDS = ['iex', 'sip'] as const;
export type Feed = (typeof FEEDS)[number];

/** Accepts either spelling (1Min or 1m), case-insensitively; throws naming the accepted values. */
export function parseTimeframe(text: string): AlpacaTimeframe {
  const lower = text.trim().toLowerCase();
  for (const tf of ALPACA_TIMEFRAMES) {
    if (tf.toLowerCase() === lower || TO_CACHE_TIMEFRAME[tf] === lower) return tf;
  }
  throw new Error(
    `Unknown timeframe "${text}": use one of ${ALPACA_TIMEFRAMES.join(', ')} (or 1m, 5m, 15m, 1h, 1d)`,
  );
}

export function parseAdjustment(text: string): Adjustment {
  const value = text.trim().toLowerCase();
  if ((ADJUSTMENTS as readonly string[]).includes(value)) return value as Adjustment;
  throw new Error(`Unknown adjustment "${text}": use one of ${ADJUSTMENTS.join(', ')}`);
}

export function parseFeed(text: string): Feed {
  const value = text.trim().toLowerCase();
  if ((FEEDS as readonly string[]).includes(value)) return value as Feed;
  throw new Error(`Unknown feed "${text}": use one of ${FEEDS.join(', ')}`);
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
