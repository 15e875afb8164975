/**
 * Bars as columns: the one in-memory shape of price history everywhere in Regimen (engine, indicators,
 * workers, storage). Columns rather than an array of objects so that kernels run over contiguous
 * Float64Arrays and the whole set can be handed to worker threads once as SharedArrayBuffers.
 */
export interface Bars {
  /** Bar start time, epoch milliseconds UTC, strictly increasing. */
  readonly t: Float64Array;
  readonly o: Float64Array;
  readonly h: Float64Array;
  readonly l: Float64Array;
  readonly c: Float64Array;
  readonly v: Float64Array;
}

/** Per-bar columns beyond OHLCV that some sources carry; same length as the bars. */
export interface BarsExtra {
  vwap?: Float64Array;
  tradeCount?: Float64Array;
  adjClose?: Float64Array;
}

export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d', '1w', '1mo'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

/** Whether `value` names one of TIMEFRAMES (a file's 'native' bars do not). */
export function isTimeframe(value: string): value is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(value);
}

/** Timeframes made of whole days: a week (Monday-based) and a calendar month, derived from day bars. */
export const CALENDAR_TIMEFRAMES = ['1w', '1mo'] as const;
export type CalendarTimeframe = (typeof CALENDAR_TIMEFRAMES)[number];
/** Timeframes bucketed within trading days (intraday) or as one day: derived from 1-minute bars. */
export const SESSION_TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;
export type SessionTimeframe = (typeof SESSION_TIMEFRAMES)[number];

export function isCalendarTimeframe(timeframe: string): timeframe is CalendarTimeframe {
  return (CALENDAR_TIMEFRAMES as readonly string[]).includes(timeframe);
}

/**
 * Length of one bar of each timeframe in minutes (a day bar is one regular session). Weeks and months
 * are nominal (7 and 30 days): their buckets follow the calendar, never this length.
 */
export const TIMEFRAME_MINUTES: Record<Timeframe, number> = {
  '1m': 1,
  '5m': 5,
  '15m': 15,
  '1h': 60,
  '4h': 240,
  '1d': 1440,
  '1w': 7 * 1440,
  '1mo': 30 * 1440,
};

export const BAR_FIELDS = ['t', 'o', 'h', 'l', 'c', 'v'] as const;
export type BarField = (typeof BAR_FIELDS)[number];

export function barCount(bars: Bars): number {
  return bars.t.length;
}

/** Allocates bars of length n, backed by SharedArrayBuffers when `shared` so workers can read them without a copy. */
export function allocateBars(n: number, shared = false): Bars {
  const column = (): Float64Array =>
    shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
  return { t: column(), o: column(), h: column(), l: column(), c: column(), v: column() };
}

/** A view of bars [start, end) that shares memory with the source (no copy). */
export function sliceBars(bars: Bars, start: number, end: number): Bars {
  return {
    t: bars.t.subarray(start, end),
    o: bars.o.subarray(start, end),
    h: bars.h.subarray(start, end),
    l: bars.l.subarray(start, end),
    c: bars.c.subarray(start, end),
    v: bars.v.subarray(start, end),
  };
}

/** Copies bars into SharedArrayBuffer-backed columns (a no-op when they already are). */
export function toSharedBars(bars: Bars): Bars {
  if (bars.t.buffer instanceof SharedArrayBuffer) return bars;
  const out = allocateBars(bars.t.length, true);
  for (const f of BAR_FIELDS) out[f].set(bars[f]);
  return out;
}

/** First index whose time is at or after `time` (t.length when none): a binary search over sorted times. */
export function firstIndexAtOrAfter(t: ArrayLike<number>, time: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The bars with start times in [start, end) as views of the source (no copy); null bounds are open. */
export function sliceBarsByTime(bars: Bars, start: number | null, end: number | null): Bars {
  const from = start === null ? 0 : firstIndexAtOrAfter(bars.t, start);
  const to = end === null ? bars.t.length : firstIndexAtOrAfter(bars.t, end);
  return sliceBars(bars, from, to);
}
