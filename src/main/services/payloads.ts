import type { Bars, Timeframe } from '../../core/data/bars.ts';
import type { BarsPayload } from '../../shared/contract.ts';

/** Typed arrays become plain arrays for the wire (JSON for HTTP; IPC would clone them anyway). */
export function barsToPayload(symbol: string, timeframe: Timeframe, bars: Bars): BarsPayload {
  return {
    symbol,
    timeframe,
    t: Array.from(bars.t),
    o: Array.from(bars.o),
    h: Array.from(bars.h),
    l: Array.from(bars.l),
    c: Array.from(bars.c),
    v: Array.from(bars.v),
  };
}

/** The inverse of barsToPayload: columns again, for a client that computes on bars it was sent. */
export function payloadToBars(payload: BarsPayload): Bars {
  return {
    t: Float64Array.from(payload.t),
    o: Float64Array.from(payload.o),
    h: Float64Array.from(payload.h),
    l: Float64Array.from(payload.l),
    c: Float64Array.from(payload.c),
    v: Float64Array.from(payload.v),
  };
}

/** NaN and ±Infinity have no JSON form; the contract carries them as null. */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
