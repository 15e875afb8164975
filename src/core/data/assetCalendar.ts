/**
 * When a symbol trades, by asset class: equities on the NYSE calendar (calendar.ts), FX around the clock
 * from Sunday 17:00 to Friday 17:00 New York time (the interbank week), crypto every minute of every day.
 * A property of the symbol: chosen at import or inferred from its timestamps, and used by the quality
 * checks so a 24-hour market is not judged against exchange hours.
 */
import { DAY_MS, HOUR_MS, etDays, etWallTimeToUtc, weekdayOfDays } from './calendar.ts';

export const ASSET_CALENDARS = ['equities', 'fx', 'crypto'] as const;
export type AssetCalendar = (typeof ASSET_CALENDARS)[number];

export function isAssetCalendar(text: string): text is AssetCalendar {
  return (ASSET_CALENDARS as readonly string[]).includes(text);
}

/** The FX week closes Friday 17:00 and opens Sunday 17:00, New York time. */
const FX_CLOSE_MINUTE = 17 * 60;

/** Bars a day or more apart on average (day, week bars): their stamps name dates, not instants. */
export function isDaySpaced(t: ArrayLike<number>): boolean {
  const n = t.length;
  return n > 1 && (t[n - 1]! - t[0]!) / (n - 1) >= 0.8 * DAY_MS;
}

/** A day bar's date (day number): its UTC date twelve hours on (midnight UTC and midnight New York stamps alike). */
function dayBarDays(time: number): number {
  return Math.floor((time + 12 * HOUR_MS) / DAY_MS);
}

/**
 * Where a crypto day (week, month) bar is stamped: 00:00 UTC of its date, as Alpaca stamps crypto bars,
 * since a market that never closes has UTC days. Any stamp of the date within 12 hours of UTC midnight
 * (a date-only file read at 00:00 New York) is moved to it. The importer's SQL does the same sum.
 */
export function utcDayStamp(t: number): number {
  return dayBarDays(t) * DAY_MS;
}

/**
 * The calendar the timestamps show: bars on Saturdays (more than 1 % of the days seen) -> crypto; bars on
 * weekdays at hours when New York is closed (before 04:00 or from 20:00, extended hours included), or on
 * Sunday evenings -> FX; else equities. Day bars are judged by their date (Saturday bars -> crypto).
 */
export function inferAssetCalendar(t: ArrayLike<number>): AssetCalendar {
  const n = t.length;
  if (n === 0) return 'equities';
  let saturdays = 0;
  let night = 0;
  const daySpaced = isDaySpaced(t);
  for (let i = 0; i < n; i++) {
    const time = t[i]!;
    const days = daySpaced ? dayBarDays(time) : etDays(time);
    const weekday = weekdayOfDays(days);
    if (weekday === 6) saturdays++;
    if (daySpaced) continue;
    const minute = (time - etWallTimeToUtc(days, 0)) / 60_000;
    if ((weekday >= 1 && weekday <= 5 && (minute < 4 * 60 || minute >= 20 * 60)) || weekday === 0) night++;
  }
  if (saturdays > n * 0.01) return 'crypto';
  return night > n * 0.05 ? 'fx' : 'equities';
}

/**
 * Bar-length slots that are closed for an around-the-clock calendar strictly between two bars a < b on a
 * grid of `barMs` from a: none for crypto, the weekend hours for FX (day bars: Saturdays and Sundays).
 */
export function closedSlotsBetween(calendar: 'fx' | 'crypto', a: number, b: number, barMs: number): number {
  if (calendar === 'crypto') return 0;
  const slots = Math.ceil((b - a) / barMs) - 1;
  if (slots <= 0) return 0;
  let closed = 0;
  if (barMs >= DAY_MS) {
    for (let k = 1; k <= slots; k++) {
      const weekday = weekdayOfDays(Math.floor((a + k * barMs + 12 * HOUR_MS) / DAY_MS));
      if (weekday === 0 || weekday === 6) closed++;
    }
    return closed;
  }
  // Each weekend between the bars: slots starting in [Friday 17:00, Sunday 17:00) New York.
  const firstDay = etDays(a) - 7;
  const lastDay = etDays(b);
  for (let day = firstDay; day <= lastDay; day++) {
    if (weekdayOfDays(day) !== 5) continue;
    const from = etWallTimeToUtc(day, FX_CLOSE_MINUTE);
    const to = etWallTimeToUtc(day + 2, FX_CLOSE_MINUTE);
    const kMin = Math.max(1, Math.ceil((from - a) / barMs));
    const kMax = Math.min(slots, Math.ceil((to - a) / barMs) - 1);
    if (kMax >= kMin) closed += kMax - kMin + 1;
  }
  return closed;
}

/** An FX trading day: it opens and closes at 17:00 New York; its bars start at `from` (see fxTradingDay). */
export interface FxTradingDay {
  readonly open: number;
  readonly close: number;
  readonly from: number;
}

/**
 * The FX trading day holding instant t: it opens at 17:00 New York the evening before its date (Sunday
 * evening for Monday) and closes at 17:00 on it. A bar in the weekend's closed hours (a stray quote) is
 * counted in Monday's day rather than dropped, so Monday's bars start (`from`) at the Friday close.
 */
export function fxTradingDay(t: number): FxTradingDay {
  const days = etDays(t);
  let date = (t - etWallTimeToUtc(days, 0)) / 60_000 >= FX_CLOSE_MINUTE ? days + 1 : days;
  const weekday = weekdayOfDays(date);
  if (weekday === 6) date += 2;
  else if (weekday === 0) date += 1;
  const open = fxDayOpen(date);
  return {
    open,
    close: etWallTimeToUtc(date, FX_CLOSE_MINUTE),
    from: weekdayOfDays(date) === 1 ? etWallTimeToUtc(date - 3, FX_CLOSE_MINUTE) : open,
  };
}

/** When the FX trading day of a date (a day number) opens: 17:00 New York the evening before. */
export function fxDayOpen(days: number): number {
  return etWallTimeToUtc(days - 1, FX_CLOSE_MINUTE);
}

/** The FX trading days whose bars overlap [start, end), in order. */
export function fxTradingDaysBetween(start: number, end: number): FxTradingDay[] {
  const out: FxTradingDay[] = [];
  for (let day = fxTradingDay(start); day.from < end; day = fxTradingDay(day.close)) out.push(day);
  return out;
}

/** Whether an around-the-clock market is closed at instant t (FX weekends). */
export function isClosedAt(calendar: 'fx' | 'crypto', t: number): boolean {
  if (calendar === 'crypto') return false;
  const days = etDays(t);
  const weekday = weekdayOfDays(days);
  const minute = (t - etWallTimeToUtc(days, 0)) / 60_000;
  return (
    weekday === 6 ||
    (weekday === 5 && minute >= FX_CLOSE_MINUTE) ||
    (weekday === 0 && minute < FX_CLOSE_MINUTE)
  );
}

/**
 * Whether a bar falls when an around-the-clock market is closed: an intraday bar by its instant (an FX
 * bar from Friday 17:00 to Sunday 17:00 New York), a day bar by its date (an FX Saturday or Sunday).
 * Crypto never closes. The quality report flags such bars and its repair drops them.
 */
export function isClosedBar(calendar: 'fx' | 'crypto', time: number, daily: boolean): boolean {
  if (!daily) return isClosedAt(calendar, time);
  if (calendar === 'crypto') return false;
  const weekday = weekdayOfDays(dayBarDays(time));
  return weekday === 0 || weekday === 6;
}

/** When each calendar trades, in words: the import summary and the quality report's expected bars say it. */
export const CALENDAR_HOURS: Readonly<Record<AssetCalendar, string>> = {
  equities: 'NYSE regular hours, 09:30-16:00 New York (13:00 on early closes), holidays closed',
  fx: 'the FX week, Sunday 17:00 to Friday 17:00 New York',
  crypto: 'around the clock, every day, days from 00:00 UTC',
};

/** The trading day of each bar, and where a run of trading days begins. */
export interface TradingDays {
  /** Day number of each bar's trading day: non-decreasing, as the bar times are increasing. */
  readonly days: Float64Array;
  /**
   * When `day` begins, after every bar of the days before it (a window's nominal end): midnight New York
   * for equities, 17:00 New York the evening before for FX, 00:00 UTC for crypto and for day bars.
   */
  start(day: number): number;
}

/**
 * The trading days of bars (epoch ms, increasing), so that spans of days can be cut where the market's
 * day changes rather than every 24 hours from the first bar (which drifts by an hour across a clock
 * change): day bars by their date; intraday bars by the day of their calendar (inferred from the
 * timestamps): the New York date for equities, the FX day that opens at 17:00 New York the evening
 * before, the UTC date for crypto.
 */
export function tradingDays(t: ArrayLike<number>): TradingDays {
  const n = t.length;
  const days = new Float64Array(n);
  if (isDaySpaced(t)) {
    for (let i = 0; i < n; i++) days[i] = dayBarDays(t[i]!);
    return { days, start: (day) => day * DAY_MS };
  }
  switch (inferAssetCalendar(t)) {
    case 'equities':
      for (let i = 0; i < n; i++) days[i] = etDays(t[i]!);
      return { days, start: (day) => etWallTimeToUtc(day, 0) };
    case 'fx':
      for (let i = 0; i < n; i++) days[i] = etDays(fxTradingDay(t[i]!).close);
      return { days, start: (day) => etWallTimeToUtc(day - 1, FX_CLOSE_MINUTE) };
    case 'crypto':
      for (let i = 0; i < n; i++) days[i] = Math.floor(t[i]! / DAY_MS);
      return { days, start: (day) => day * DAY_MS };
  }
}
