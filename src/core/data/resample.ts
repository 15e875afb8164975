/**
 * Session-aligned resampling of 1-minute bars: the reference for the store's SQL resampling and the
 * aggregator for live bars.
 *
 * Rules (the same in batch and streaming):
 * - Regular hours by default: only bars inside a regular session (09:30 to the 16:00 or 13:00 close, NYSE
 *   calendar) count; `session: 'extended'` keeps every bar of a trading day (bars on days the exchange is
 *   closed are dropped in both modes).
 * - Intraday buckets start at the session open: 5m, 15m and 1h bars begin at 09:30 + k x size, so a 1h bar
 *   covers 09:30-10:30. The last bucket of a session may be partial (15:30-16:00 for 1h; 12:30-13:00 on an
 *   early close). In extended mode buckets keep the same alignment before and after the session.
 * - A day bar is one session (or, extended, one trading day) stamped at 00:00 New York time of its date,
 *   as Alpaca stamps 1Day bars.
 * - open = first open, high = max, low = min, close = last close, volume = sum; vwap is the
 *   volume-weighted mean of the minute vwaps and trade counts add up.
 * - A bucket with no 1m bar produces no bar (gaps are never filled). A bucket the data stops inside (a
 *   session still trading, a file cut at 10:02) still produces a bar, from the minutes there are, as
 *   Alpaca serves the day's bar while the day trades: its close is the last minute's, not the period's.
 * - The symbol's calendar decides (assetCalendar.ts): the rules above are the equities' (NYSE). FX and
 *   crypto bars are never cut to exchange hours, and the session setting does not apply to them. An FX
 *   day runs from 17:00 to 17:00 New York and is stamped at its open (Sunday 17:00 for Monday's), and its
 *   intraday buckets start at that open (a 4h bar covers 17:00-21:00, ...); a weekend's stray bar counts
 *   in Monday's day. Crypto days and buckets are aligned to 00:00 UTC.
 * - The input may be any finer timeframe that divides the output (1h bars into 4h or days), not only 1m.
 * - Week and month bars are made of day bars (1m input is first made into day bars by the rules above):
 *   weeks start on Monday, months on the 1st, each stamped at its first calendar day, at the wall-clock
 *   time the day bars are stamped at (see calendarBucketStamp): 00:00 New York for equities' (Alpaca's,
 *   date-only files'), 17:00 New York the evening before for FX's, 00:00 UTC for crypto's.
 */
import {
  allocateBars,
  isCalendarTimeframe,
  TIMEFRAME_MINUTES,
  type Bars,
  type BarsExtra,
  type CalendarTimeframe,
  type SessionTimeframe,
  type Timeframe,
} from './bars.ts';
import { fxDayOpen, fxTradingDay, type AssetCalendar, type FxTradingDay } from './assetCalendar.ts';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  dateKeyFromDays,
  daysFromCivil,
  etDays,
  etWallTimeToUtc,
  sessionOnDays,
  type Session,
} from './calendar.ts';

export interface ResampleOptions {
  /** 'regular' (default): regular-session bars only; 'extended': every bar of a trading day (equities). */
  session?: 'regular' | 'extended';
  /** Whose hours and days the buckets follow; equities (NYSE) by default. */
  calendar?: AssetCalendar;
}

/** One resampled bar (streaming output). */
export interface ResampledBar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  /** NaN when the input had no vwap or the bucket traded no volume. */
  vwap: number;
  /** NaN when the input had no trade counts. */
  tradeCount: number;
}

/** Where a bar goes: `locate` sets `start` (the bucket's stamp) and `end` (exclusive) or refuses the bar. */
interface Bucketing {
  start: number;
  end: number;
  locate(t: number): boolean;
}

/**
 * Maps minutes to buckets. Keeps the session of the last day looked up, so consecutive bars cost a
 * compare or two.
 */
class Bucketer implements Bucketing {
  private readonly daily: boolean;
  private readonly sizeMs: number;
  private readonly extended: boolean;
  private readonly calendar: AssetCalendar;
  private fxDay: FxTradingDay = { open: NaN, close: NaN, from: NaN };
  private days = NaN;
  private session: Session | null = null;
  private midnight = NaN;
  /** Results of the last `locate`: bucket start and end (exclusive; for day bars in extended mode, Infinity). */
  start = NaN;
  end = NaN;

  constructor(timeframe: SessionTimeframe, options?: ResampleOptions) {
    this.daily = timeframe === '1d';
    this.sizeMs = TIMEFRAME_MINUTES[timeframe] * MINUTE_MS;
    this.extended = options?.session === 'extended';
    this.calendar = options?.calendar ?? 'equities';
  }

  /** Finds the bucket of a bar starting at t; false when the bar is left out. */
  locate(t: number): boolean {
    if (this.calendar === 'crypto') {
      this.start = Math.floor(t / this.sizeMs) * this.sizeMs;
      this.end = this.start + this.sizeMs;
      return true;
    }
    if (this.calendar === 'fx') return this.locateFx(t);
    const days = etDays(t);
    if (days !== this.days) {
      this.days = days;
      this.session = sessionOnDays(days);
      this.midnight = etWallTimeToUtc(days, 0);
    }
    const session = this.session;
    if (session === null) return false;
    const inSession = t >= session.open && t < session.close;
    if (!inSession && !this.extended) return false;
    if (this.daily) {
      this.start = this.midnight;
      this.end = this.extended ? Infinity : session.close;
      return true;
    }
    const start = session.open + Math.floor((t - session.open) / this.sizeMs) * this.sizeMs;
    this.start = start;
    // Extended buckets run on across the close (15:30-16:30 for 1h), regular ones stop at it.
    this.end = this.extended ? start + this.sizeMs : Math.min(start + this.sizeMs, session.close);
    return true;
  }

  private locateFx(t: number): boolean {
    if (!(t >= this.fxDay.from && t < this.fxDay.close)) this.fxDay = fxTradingDay(t);
    const { open, close } = this.fxDay;
    this.start = this.daily ? open : open + Math.floor((t - open) / this.sizeMs) * this.sizeMs;
    this.end = this.daily ? close : Math.min(this.start + this.sizeMs, close);
    return true;
  }
}

/**
 * Maps day bars to weeks (Monday-based) or calendar months. A day bar's date is the UTC date twelve hours
 * after its stamp, which is its own date whether it is stamped at midnight UTC or at midnight New York
 * (04:00 or 05:00 UTC), so both kinds of files bucket alike.
 */
class CalendarBucketer implements Bucketing {
  private bucketDay = NaN;
  start = NaN;
  end = Infinity;

  constructor(private readonly timeframe: CalendarTimeframe) {}

  locate(t: number): boolean {
    const day = Math.floor((t + 12 * HOUR_MS) / DAY_MS);
    let first: number;
    if (this.timeframe === '1w') {
      // Day 0 (1970-01-01) was a Thursday: (day + 3) mod 7 is the days since Monday.
      first = day - ((((day + 3) % 7) + 7) % 7);
    } else {
      const key = dateKeyFromDays(day);
      first = daysFromCivil(Math.floor(key / 10000), Math.floor(key / 100) % 100, 1);
    }
    if (first !== this.bucketDay) {
      this.bucketDay = first;
      this.start = calendarBucketStamp(t, day, first);
    }
    return true;
  }
}

/**
 * The stamp of a week or month whose first calendar day is `first` (a day number), from its first day
 * bar (stamped t, of date `day`): the wall-clock time that bar is stamped at, on the first day. A New
 * York stamp (equities' midnight, the FX day's 17:00 open the evening before) stays New York's across a
 * daylight-saving change between the first day and the bar's: keeping its UTC time of day instead put
 * GOOG's months of April 2006 and November 2008 and 2009 an hour off midnight. Any other stamp (crypto's
 * 00:00 UTC) keeps its UTC time of day. The cache's SQL (barsRepository's calendarSql) follows this.
 */
export function calendarBucketStamp(t: number, day: number, first: number): number {
  if (t === etWallTimeToUtc(day, 0)) return etWallTimeToUtc(first, 0);
  if (t === fxDayOpen(day)) return fxDayOpen(first);
  return first * DAY_MS + (t - day * DAY_MS);
}

/** Resamples sorted 1m bars (see the module comment for the rules). */
export function resampleBars(bars: Bars, timeframe: Timeframe, options?: ResampleOptions): Bars {
  return resampleBarsWithExtra(bars, undefined, timeframe, options).bars;
}

/** Resamples sorted 1m bars and their vwap / trade counts. */
export function resampleBarsWithExtra(
  bars: Bars,
  extra: BarsExtra | undefined,
  timeframe: Timeframe,
  options?: ResampleOptions,
): { bars: Bars; extra: BarsExtra } {
  if (!isCalendarTimeframe(timeframe)) return aggregate(bars, extra, new Bucketer(timeframe, options));
  const days = aggregate(bars, extra, new Bucketer('1d', options));
  return aggregate(days.bars, days.extra, new CalendarBucketer(timeframe));
}

/** Week or month bars from sorted day bars (stored 1d, or a daily file): see CalendarBucketer. */
export function resampleDays(bars: Bars, timeframe: CalendarTimeframe): Bars {
  return aggregate(bars, undefined, new CalendarBucketer(timeframe)).bars;
}

function aggregate(
  bars: Bars,
  extra: BarsExtra | undefined,
  bucketer: Bucketing,
): { bars: Bars; extra: BarsExtra } {
  const n = bars.t.length;
  const { t, o, h, l, c, v } = bars;
  const inVwap = extra?.vwap;
  const inTrades = extra?.tradeCount;
  const out = allocateBars(n);
  const outVwap = inVwap === undefined ? null : new Float64Array(n);
  const outTrades = inTrades === undefined ? null : new Float64Array(n);
  let m = -1;
  let current = NaN;
  let vwapSum = 0;
  let vwapVolume = 0;
  const closeVwap = (): void => {
    if (outVwap !== null && m >= 0) outVwap[m] = vwapVolume > 0 ? vwapSum / vwapVolume : NaN;
  };
  for (let i = 0; i < n; i++) {
    const time = t[i]!;
    if (!bucketer.locate(time)) continue;
    if (bucketer.start !== current) {
      closeVwap();
      m++;
      current = bucketer.start;
      out.t[m] = current;
      out.o[m] = o[i]!;
      out.h[m] = h[i]!;
      out.l[m] = l[i]!;
      out.c[m] = c[i]!;
      out.v[m] = v[i]!;
      if (outTrades !== null) outTrades[m] = inTrades![i]!;
      vwapSum = 0;
      vwapVolume = 0;
    } else {
      if (h[i]! > out.h[m]!) out.h[m] = h[i]!;
      if (l[i]! < out.l[m]!) out.l[m] = l[i]!;
      out.c[m] = c[i]!;
      out.v[m]! += v[i]!;
      if (outTrades !== null) outTrades[m]! += inTrades![i]!;
    }
    if (inVwap !== undefined && v[i]! > 0 && !Number.isNaN(inVwap[i]!)) {
      vwapSum += inVwap[i]! * v[i]!;
      vwapVolume += v[i]!;
    }
  }
  closeVwap();
  const count = m + 1;
  const trim = (column: Float64Array): Float64Array => column.slice(0, count);
  const result: { bars: Bars; extra: BarsExtra } = {
    bars: { t: trim(out.t), o: trim(out.o), h: trim(out.h), l: trim(out.l), c: trim(out.c), v: trim(out.v) },
    extra: {},
  };
  if (outVwap !== null) result.extra.vwap = trim(outVwap);
  if (outTrades !== null) result.extra.tradeCount = trim(outTrades);
  return result;
}

export interface StreamingResampler {
  /**
   * Adds the next closed 1m bar (in time order). Completed bars go to `onBar`: the pending bucket when this
   * bar starts a new one, and this bar's bucket at once when the bar is its last minute.
   */
  push(
    t: number,
    o: number,
    h: number,
    l: number,
    c: number,
    v: number,
    vwap?: number,
    tradeCount?: number,
  ): void;
  /** The bucket being built, or null (a copy). */
  pending(): ResampledBar | null;
  /** Emits the pending bucket, if any (e.g. at the end of a replay, or when the feed is known to be done). */
  flush(): void;
}

/** Streaming form of resampleBars for live 1m bars; emits exactly the bars the batch function returns. */
export function createStreamingResampler(
  timeframe: SessionTimeframe,
  onBar: (bar: ResampledBar) => void,
  options?: ResampleOptions,
): StreamingResampler {
  const bucketer = new Bucketer(timeframe, options);
  let bar: ResampledBar | null = null;
  let end = NaN;
  let vwapSum = 0;
  let vwapVolume = 0;
  let lastT = -Infinity;
  const emit = (): void => {
    if (bar === null) return;
    bar.vwap = vwapVolume > 0 ? vwapSum / vwapVolume : NaN;
    const done = bar;
    bar = null;
    onBar(done);
  };
  return {
    push(t, o, h, l, c, v, vwap = NaN, tradeCount = NaN): void {
      if (!(t > lastT)) throw new RangeError(`1m bars must arrive in time order (${t} after ${lastT})`);
      lastT = t;
      if (!bucketer.locate(t)) return;
      if (bar !== null && bar.t !== bucketer.start) emit();
      if (bar === null) {
        bar = { t: bucketer.start, o, h, l, c, v, vwap: NaN, tradeCount };
        end = bucketer.end;
        vwapSum = 0;
        vwapVolume = 0;
      } else {
        if (h > bar.h) bar.h = h;
        if (l < bar.l) bar.l = l;
        bar.c = c;
        bar.v += v;
        bar.tradeCount += tradeCount;
      }
      if (v > 0 && !Number.isNaN(vwap)) {
        vwapSum += vwap * v;
        vwapVolume += v;
      }
      if (t + MINUTE_MS >= end) emit();
    },
    pending(): ResampledBar | null {
      if (bar === null) return null;
      return { ...bar, vwap: vwapVolume > 0 ? vwapSum / vwapVolume : NaN };
    },
    flush: emit,
  };
}
