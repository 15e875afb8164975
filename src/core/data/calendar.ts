/**
 * NYSE regular-session calendar in pure TypeScript: US Eastern time without Intl (explicit DST rules),
 * exchange holidays, early closes and a few special closures.
 *
 * Dates are handled as "date keys": the YYYYMMDD number of a calendar date (20240220). Day numbers are
 * days since 1970-01-01 (proleptic Gregorian). Times are epoch milliseconds UTC.
 *
 * Rules implemented (NYSE Rule 7.2 and its published calendars):
 * - Regular session 09:30-16:00 America/New_York; early close at 13:00 on the day before Independence Day
 *   when July 4 falls Tuesday-Friday, the day after Thanksgiving, and Christmas Eve when it is Monday-Thursday.
 * - Holidays: New Year's Day, Martin Luther King Jr. Day (from 1998), Washington's Birthday, Good Friday,
 *   Memorial Day, Juneteenth (from 2022), Independence Day, Labor Day, Thanksgiving, Christmas. A holiday
 *   on Sunday is observed Monday; on Saturday it is observed the Friday before, except New Year's Day (the
 *   exchange does not close on the last trading day of the year).
 * - Special closures since 2001 (9/11, Reagan, Ford, Sandy, G. H. W. Bush, Carter funerals).
 * - US daylight saving time: from 2007, second Sunday of March to first Sunday of November; 1987-2006,
 *   first Sunday of April to last Sunday of October; earlier years use the 1976-1986 rule (last Sunday of
 *   April to last Sunday of October), so Eastern times before 1976 may be off by an hour around DST.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Regular session open and close in minutes after midnight ET. */
export const SESSION_OPEN_MINUTE = 9 * 60 + 30;
export const SESSION_CLOSE_MINUTE = 16 * 60;
export const EARLY_CLOSE_MINUTE = 13 * 60;

export interface Session {
  /** YYYYMMDD of the session's date in New York. */
  readonly dateKey: number;
  /** Open and close, epoch ms UTC; the close is exclusive (the last 1m bar starts one minute earlier). */
  readonly open: number;
  readonly close: number;
}

// ---------------------------------------------------------------------------------------------------------
// Civil dates (Howard Hinnant's days_from_civil / civil_from_days; exact for all int32 day numbers)

/** Days since 1970-01-01 of a Gregorian date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** YYYYMMDD of a day number. */
export function dateKeyFromDays(days: number): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 10000 + m * 100 + d;
}

/** Two digits, zero-padded: hours, minutes, seconds in formatted times. */
export function pad2(x: number): string {
  return x < 10 ? `0${x}` : String(x);
}

/** "2024-02-20" for the date key 20240220. */
export function formatDateKey(dateKey: number): string {
  const month = Math.floor(dateKey / 100) % 100;
  const day = dateKey % 100;
  return `${Math.floor(dateKey / 10000)}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

/** Day number of a YYYYMMDD key. */
export function daysFromDateKey(dateKey: number): number {
  const year = Math.floor(dateKey / 10000);
  const month = Math.floor(dateKey / 100) % 100;
  return daysFromCivil(year, month, dateKey % 100);
}

/** True when the number is a real YYYYMMDD date (used to reject epoch ms passed by mistake). */
export function isValidDateKey(dateKey: number): boolean {
  if (!Number.isInteger(dateKey) || dateKey < 101 || dateKey > 99991231) return false;
  const month = Math.floor(dateKey / 100) % 100;
  const day = dateKey % 100;
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(Math.floor(dateKey / 10000), month);
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Day of the week of a day number: 0 = Sunday ... 6 = Saturday. */
export function weekdayOfDays(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

/** Day number of the n-th (1-based) given weekday of a month; n = -1 for the last one. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = daysFromCivil(year, month, 1);
    return first + ((weekday - weekdayOfDays(first) + 7) % 7) + (n - 1) * 7;
  }
  const last = daysFromCivil(year, month, daysInMonth(year, month));
  return last - ((weekdayOfDays(last) - weekday + 7) % 7);
}

// ---------------------------------------------------------------------------------------------------------
// US Eastern time

const EST_MS = -5 * HOUR_MS;
const EDT_MS = -4 * HOUR_MS;

/** DST start and end of a year as epoch ms UTC (02:00 local on the transition Sundays). */
export function usDstBounds(year: number): { start: number; end: number } {
  let startDay: number;
  let endDay: number;
  if (year >= 2007) {
    startDay = nthWeekday(year, 3, 0, 2);
    endDay = nthWeekday(year, 11, 0, 1);
  } else if (year >= 1987) {
    startDay = nthWeekday(year, 4, 0, 1);
    endDay = nthWeekday(year, 10, 0, -1);
  } else {
    startDay = nthWeekday(year, 4, 0, -1);
    endDay = nthWeekday(year, 10, 0, -1);
  }
  // 02:00 EST = 07:00 UTC when DST starts; 02:00 EDT = 06:00 UTC when it ends.
  return { start: startDay * DAY_MS + 7 * HOUR_MS, end: endDay * DAY_MS + 6 * HOUR_MS };
}

// One cached segment of constant offset makes the common case (consecutive bars) a two-compare lookup.
let segmentStart = 0;
let segmentEnd = -1;
let segmentOffset = EST_MS;

function refreshSegment(t: number): void {
  const year = Math.floor(dateKeyFromDays(Math.floor(t / DAY_MS)) / 10000);
  const bounds = usDstBounds(year);
  if (t < bounds.start) {
    segmentStart = usDstBounds(year - 1).end;
    segmentEnd = bounds.start;
    segmentOffset = EST_MS;
  } else if (t < bounds.end) {
    segmentStart = bounds.start;
    segmentEnd = bounds.end;
    segmentOffset = EDT_MS;
  } else {
    segmentStart = bounds.end;
    segmentEnd = usDstBounds(year + 1).start;
    segmentOffset = EST_MS;
  }
}

/** Offset of New York time from UTC at instant t (-5 h or -4 h, in ms). */
export function etOffsetMs(t: number): number {
  if (t < segmentStart || t >= segmentEnd) refreshSegment(t);
  return segmentOffset;
}

/** YYYYMMDD of the New York calendar date at instant t (the session date of any bar in that session). */
export function etDateKey(t: number): number {
  return dateKeyFromDays(Math.floor((t + etOffsetMs(t)) / DAY_MS));
}

/** Day number of the New York calendar date at instant t. */
export function etDays(t: number): number {
  return Math.floor((t + etOffsetMs(t)) / DAY_MS);
}

/** Minutes after New York midnight at instant t (fractional for non-minute instants). */
export function etMinuteOfDay(t: number): number {
  const local = t + etOffsetMs(t);
  return (local - Math.floor(local / DAY_MS) * DAY_MS) / MINUTE_MS;
}

/**
 * Epoch ms of a New York wall-clock time (day number + minutes after midnight). In the skipped hour of
 * the spring transition the result is the EST reading; in the repeated autumn hour, the EDT (first) one.
 */
export function etWallTimeToUtc(days: number, minuteOfDay: number): number {
  const local = days * DAY_MS + minuteOfDay * MINUTE_MS;
  const asStandard = local - EST_MS;
  return etOffsetMs(asStandard - HOUR_MS) === EDT_MS ? local - EDT_MS : asStandard;
}

/** Epoch ms of midnight New York time on a date: how daily bars are stamped (as Alpaca stamps 1Day bars). */
export function etMidnight(dateKey: number): number {
  return etWallTimeToUtc(daysFromDateKey(dateKey), 0);
}

// ---------------------------------------------------------------------------------------------------------
// Holidays and early closes

/** Day number of Easter Sunday (anonymous Gregorian algorithm). */
export function easterDays(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return daysFromCivil(year, month, day);
}

/** Unscheduled full-day closures (beyond the rules above). */
const SPECIAL_CLOSURES: readonly number[] = [
  20010911,
  20010912,
  20010913,
  20010914, // September 11 attacks
  20040611, // funeral of Ronald Reagan
  20070102, // funeral of Gerald Ford
  20121029,
  20121030, // Hurricane Sandy
  20181205, // funeral of George H. W. Bush
  20250109, // funeral of Jimmy Carter
];

interface YearCalendar {
  /** Holiday name by day number. */
  readonly holidays: Map<number, string>;
  /** Day numbers with a 13:00 close. */
  readonly earlyCloses: Set<number>;
}

const yearCache = new Map<number, YearCalendar>();

function observed(days: number): number {
  const wd = weekdayOfDays(days);
  return wd === 6 ? days - 1 : wd === 0 ? days + 1 : days;
}

function buildYear(year: number): YearCalendar {
  const holidays = new Map<number, string>();
  const add = (days: number, name: string): void => {
    const wd = weekdayOfDays(days);
    if (wd !== 0 && wd !== 6) holidays.set(days, name);
  };
  const newYear = daysFromCivil(year, 1, 1);
  // Saturday New Year is not observed on Friday December 31.
  if (weekdayOfDays(newYear) !== 6) add(observed(newYear), "New Year's Day");
  if (year >= 1998) add(nthWeekday(year, 1, 1, 3), 'Martin Luther King Jr. Day');
  add(nthWeekday(year, 2, 1, 3), "Washington's Birthday");
  add(easterDays(year) - 2, 'Good Friday');
  add(nthWeekday(year, 5, 1, -1), 'Memorial Day');
  if (year >= 2022) add(observed(daysFromCivil(year, 6, 19)), 'Juneteenth');
  const july4 = daysFromCivil(year, 7, 4);
  add(observed(july4), 'Independence Day');
  add(nthWeekday(year, 9, 1, 1), 'Labor Day');
  const thanksgiving = nthWeekday(year, 11, 4, 4);
  add(thanksgiving, 'Thanksgiving Day');
  const christmas = daysFromCivil(year, 12, 25);
  add(observed(christmas), 'Christmas Day');
  for (const key of SPECIAL_CLOSURES) {
    if (Math.floor(key / 10000) === year) add(daysFromDateKey(key), 'Special closure');
  }

  const earlyCloses = new Set<number>();
  const july4Weekday = weekdayOfDays(july4);
  if (july4Weekday >= 2 && july4Weekday <= 5) earlyCloses.add(july4 - 1);
  earlyCloses.add(thanksgiving + 1);
  const christmasEveWeekday = weekdayOfDays(christmas - 1);
  if (christmasEveWeekday >= 1 && christmasEveWeekday <= 4) earlyCloses.add(christmas - 1);
  for (const days of earlyCloses) if (holidays.has(days)) earlyCloses.delete(days);
  return { holidays, earlyCloses };
}

function yearOf(year: number): YearCalendar {
  let cal = yearCache.get(year);
  if (cal === undefined) {
    cal = buildYear(year);
    yearCache.set(year, cal);
  }
  return cal;
}

function yearOfDays(days: number): number {
  return Math.floor(dateKeyFromDays(days) / 10000);
}

function checkDateKey(dateKey: number): void {
  if (!isValidDateKey(dateKey)) throw new RangeError(`${dateKey} is not a YYYYMMDD date key`);
}

/** Name of the exchange holiday on a weekday day number, or undefined. */
export function holidayNameOfDays(days: number): string | undefined {
  return yearOf(yearOfDays(days)).holidays.get(days);
}

/** Whether the exchange holds a regular session on a day number. */
export function isTradingDayNumber(days: number): boolean {
  const wd = weekdayOfDays(days);
  if (wd === 0 || wd === 6) return false;
  return !yearOf(yearOfDays(days)).holidays.has(days);
}

/** Whether the exchange holds a regular session on a YYYYMMDD date. */
export function isTradingDay(dateKey: number): boolean {
  checkDateKey(dateKey);
  return isTradingDayNumber(daysFromDateKey(dateKey));
}

/** Name of the holiday on a YYYYMMDD date (undefined for trading days and plain weekends). */
export function holidayName(dateKey: number): string | undefined {
  checkDateKey(dateKey);
  return holidayNameOfDays(daysFromDateKey(dateKey));
}

/** Whether a YYYYMMDD trading date closes early (13:00 ET). */
export function isEarlyClose(dateKey: number): boolean {
  checkDateKey(dateKey);
  const days = daysFromDateKey(dateKey);
  return isTradingDayNumber(days) && yearOf(yearOfDays(days)).earlyCloses.has(days);
}

/** The regular session on a day number, or null when the exchange is closed. */
export function sessionOnDays(days: number): Session | null {
  if (!isTradingDayNumber(days)) return null;
  const early = yearOf(yearOfDays(days)).earlyCloses.has(days);
  return {
    dateKey: dateKeyFromDays(days),
    open: etWallTimeToUtc(days, SESSION_OPEN_MINUTE),
    close: etWallTimeToUtc(days, early ? EARLY_CLOSE_MINUTE : SESSION_CLOSE_MINUTE),
  };
}

/** The regular session on a YYYYMMDD date, or null when the exchange is closed. */
export function sessionOnDate(dateKey: number): Session | null {
  checkDateKey(dateKey);
  return sessionOnDays(daysFromDateKey(dateKey));
}

/** The regular session containing instant t (open <= t < close), or null outside regular hours. */
export function sessionOf(t: number): Session | null {
  const session = sessionOnDays(etDays(t));
  return session !== null && t >= session.open && t < session.close ? session : null;
}

/** Regular sessions that overlap [startMs, endMs), in order. */
export function sessionsBetween(startMs: number, endMs: number): Session[] {
  const out: Session[] = [];
  if (!(endMs > startMs)) return out;
  const last = etDays(endMs);
  for (let days = etDays(startMs); days <= last; days++) {
    const session = sessionOnDays(days);
    if (session !== null && session.close > startMs && session.open < endMs) out.push(session);
  }
  return out;
}

/** Weekdays (Monday to Friday) among the day numbers fromDays..toDays - 1. */
function weekdaysBetween(fromDays: number, toDays: number): number {
  const weeks = Math.floor((toDays - fromDays) / 7);
  let count = weeks * 5;
  for (let days = fromDays + weeks * 7; days < toDays; days++) {
    const wd = weekdayOfDays(days);
    if (wd !== 0 && wd !== 6) count++;
  }
  return count;
}

/**
 * How many regular sessions fall on the day numbers fromDays..toDays - 1, and how many of those close
 * early: weekdays counted arithmetically, less each year's weekday holidays, so a span of centuries
 * costs a step per year rather than one per day and allocates nothing per day.
 */
export function sessionCountsBetween(
  fromDays: number,
  toDays: number,
): { sessions: number; earlyCloses: number } {
  if (!(toDays > fromDays)) return { sessions: 0, earlyCloses: 0 };
  let sessions = weekdaysBetween(fromDays, toDays);
  let earlyCloses = 0;
  const inRange = (days: number): boolean => days >= fromDays && days < toDays;
  for (let year = yearOfDays(fromDays); year <= yearOfDays(toDays - 1); year++) {
    const calendar = yearOf(year);
    for (const days of calendar.holidays.keys()) if (inRange(days)) sessions--;
    for (const days of calendar.earlyCloses) if (inRange(days)) earlyCloses++;
  }
  return { sessions, earlyCloses };
}

/** Sessions on the dates fromDateKey..toDateKey (YYYYMMDD, both inclusive). */
export function sessionsForDates(fromDateKey: number, toDateKey: number): Session[] {
  checkDateKey(fromDateKey);
  checkDateKey(toDateKey);
  const out: Session[] = [];
  const last = daysFromDateKey(toDateKey);
  for (let days = daysFromDateKey(fromDateKey); days <= last; days++) {
    const session = sessionOnDays(days);
    if (session !== null) out.push(session);
  }
  return out;
}

/** The first session that opens at or after instant t. */
export function nextSession(t: number): Session {
  for (let days = etDays(t); ; days++) {
    const session = sessionOnDays(days);
    if (session !== null && session.open >= t) return session;
  }
}

/** The last session that closes at or before instant t. */
export function previousSession(t: number): Session {
  for (let days = etDays(t); ; days--) {
    const session = sessionOnDays(days);
    if (session !== null && session.close <= t) return session;
  }
}
