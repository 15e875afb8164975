/**
 * What a fetch from Alpaca may ask for, without the schemas, so the renderer can offer the choices
 * without bundling zod. dataContract.ts builds its enums from these.
 */
export const FETCH_TIMEFRAMES = ['1Min', '5Min', '15Min', '1Hour', '1Day'] as const;
export const FETCH_ADJUSTMENTS = ['raw', 'split', 'dividend', 'all'] as const;
export const FETCH_FEEDS = ['iex', 'sip'] as const;

export type FetchTimeframe = (typeof FETCH_TIMEFRAMES)[number];
export type FetchAdjustment = (typeof FETCH_ADJUSTMENTS)[number];
export type FetchFeed = (typeof FETCH_FEEDS)[number];
