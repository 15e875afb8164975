/**
 * Reading numbers and timestamps out of CSV text without regular expressions or per-field strings.
 *
 * `parseDecimal` and `Scanner.timestamp` read every form a bars file may hold; the fast scanners read
 * only the shapes machine-written files use (plain decimals, ISO date-times with Z or a ±HH:MM offset),
 * give the same value for them, and otherwise report "not mine" (`stop` = -1) so the reader falls back
 * to the general readers and their messages. What a scan found besides its value (where it stopped,
 * whether a timestamp was a plain date) is on the Scanner, one per file read, not in module state.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS, daysFromCivil, daysInMonth, etWallTimeToUtc } from '../calendar.ts';

const POW10 = new Float64Array(23).map((_, i) => 10 ** i);

/**
 * Parses text[a, b) as a decimal number; NaN when it is not one. Plain decimals with up to 15 significant
 * digits are computed as integer / 10^k, which is exact-then-rounded like Number(); anything else (exponents,
 * long mantissas, "Infinity") falls back to Number(). A leading '$' is skipped.
 */
export function parseDecimal(s: string, a: number, b: number): number {
  while (a < b && s.charCodeAt(a) === 32) a++;
  while (b > a && s.charCodeAt(b - 1) === 32) b--;
  if (a === b) return NaN;
  let i = a;
  let ch = s.charCodeAt(i);
  let negative = false;
  if (ch === 45) {
    negative = true;
    i++;
  } else if (ch === 43) i++;
  if (i < b && s.charCodeAt(i) === 36) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = 0;
  let dot = false;
  for (; i < b; i++) {
    ch = s.charCodeAt(i);
    const d = ch - 48;
    if (d >= 0 && d <= 9) {
      if (digits > 0 || d !== 0) digits++;
      mantissa = mantissa * 10 + d;
      if (dot) fraction++;
    } else if (ch === 46 && !dot) {
      dot = true;
    } else {
      return slowNumber(s, a, b);
    }
  }
  if (i === a || (dot && i - a === 1)) return NaN;
  if (digits > 15 || fraction > 22) return slowNumber(s, a, b);
  const value = fraction === 0 ? mantissa : mantissa / POW10[fraction]!;
  return negative ? -value : value;
}

function slowNumber(s: string, a: number, b: number): number {
  let text = s.slice(a, b);
  if (text.startsWith('$')) text = text.slice(1);
  const value = Number(text);
  return text.trim() === '' ? NaN : value;
}

function digitsValue(s: string, a: number, n: number): number {
  let value = 0;
  for (let i = a; i < a + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function countDigits(s: string, a: number, b: number): number {
  let i = a;
  while (i < b) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    i++;
  }
  return i - a;
}

function isPlausibleCompactDate(s: string, a: number): boolean {
  const year = digitsValue(s, a, 4);
  const month = digitsValue(s, a + 4, 2);
  const day = digitsValue(s, a + 6, 2);
  return (
    year >= 1800 && year <= 2200 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  );
}

/** How a date-time is written: see Scanner.zone. */
export const enum TimeZoneMark {
  None = 0,
  Naive = 1,
  Offset = 2,
}

export class Scanner {
  /** Where the last fast scan stopped (the delimiter or the line end), or -1 when it could not read the field. */
  stop = -1;
  /** Whether the last timestamp read by `timestamp` was a plain date. */
  dateOnly = false;
  /**
   * How the last date-time read (by `timestamp` or `fastIsoTime`) placed itself: with an offset or Z, or
   * as wall-clock time without one; a plain date or an epoch number does neither.
   */
  zone = TimeZoneMark.None;
  /** The last date the ISO scanner converted (a file's rows share dates), as YYYYMMDD and day number. */
  private dateKey = -1;
  private days = 0;

  /** `naiveNewYork` makes date-times without an offset New York wall-clock time instead of UTC. */
  constructor(readonly naiveNewYork = false) {}

  /**
   * Parses text[a, b) as a timestamp (see read.ts's module comment for the rules); NaN when unreadable.
   * Sets `dateOnly`.
   */
  timestamp(s: string, a: number, b: number): number {
    const naiveNewYork = this.naiveNewYork;
    while (a < b && s.charCodeAt(a) === 32) a++;
    while (b > a && s.charCodeAt(b - 1) === 32) b--;
    this.dateOnly = false;
    this.zone = TimeZoneMark.None;
    if (a === b) return NaN;
    const lead = countDigits(s, a, b);
    let year: number;
    let month: number;
    let day: number;
    let p: number;
    const next = a + lead < b ? s.charCodeAt(a + lead) : 0;
    if (lead === 4 && (next === 45 || next === 47)) {
      // YYYY-MM-DD or YYYY/MM/DD (month and day may have one digit)
      year = digitsValue(s, a, 4);
      p = a + 5;
      const monthDigits = countDigits(s, p, b);
      if (monthDigits < 1 || monthDigits > 2 || s.charCodeAt(p + monthDigits) !== next) return NaN;
      month = digitsValue(s, p, monthDigits);
      p += monthDigits + 1;
      const dayDigits = countDigits(s, p, b);
      if (dayDigits < 1 || dayDigits > 2) return NaN;
      day = digitsValue(s, p, dayDigits);
      p += dayDigits;
    } else if ((lead === 1 || lead === 2) && next === 47) {
      // MM/DD/YYYY (US order)
      month = digitsValue(s, a, lead);
      p = a + lead + 1;
      const dayDigits = countDigits(s, p, b);
      if (dayDigits < 1 || dayDigits > 2 || s.charCodeAt(p + dayDigits) !== 47) return NaN;
      day = digitsValue(s, p, dayDigits);
      p += dayDigits + 1;
      if (countDigits(s, p, b) !== 4) return NaN;
      year = digitsValue(s, p, 4);
      p += 4;
    } else if (lead === 8 && (next === 0 || next === 84 || next === 32) && isPlausibleCompactDate(s, a)) {
      // YYYYMMDD
      year = digitsValue(s, a, 4);
      month = digitsValue(s, a + 4, 2);
      day = digitsValue(s, a + 6, 2);
      p = a + 8;
    } else {
      const value = parseDecimal(s, a, b);
      if (!Number.isFinite(value)) return NaN;
      const magnitude = Math.abs(value);
      if (magnitude < 1e11) return Math.round(value * 1000);
      if (magnitude < 1e14) return Math.round(value);
      if (magnitude < 1e17) return Math.round(value / 1000);
      return Math.round(value / 1e6);
    }
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
    const days = daysFromCivil(year, month, day);
    if (p === b) {
      this.dateOnly = true;
      return etWallTimeToUtc(days, 0);
    }
    const separator = s.charCodeAt(p);
    if (separator !== 84 && separator !== 116 && separator !== 32) return NaN;
    p++;
    while (p < b && s.charCodeAt(p) === 32) p++;
    const hourDigits = countDigits(s, p, b);
    if (hourDigits < 1 || hourDigits > 2 || s.charCodeAt(p + hourDigits) !== 58) return NaN;
    let hour = digitsValue(s, p, hourDigits);
    p += hourDigits + 1;
    if (countDigits(s, p, b) !== 2) return NaN;
    const minute = digitsValue(s, p, 2);
    p += 2;
    let second = 0;
    let millis = 0;
    if (p < b && s.charCodeAt(p) === 58) {
      if (countDigits(s, p + 1, b) !== 2) return NaN;
      second = digitsValue(s, p + 1, 2);
      p += 3;
      if (p < b && (s.charCodeAt(p) === 46 || s.charCodeAt(p) === 44)) {
        const fractionDigits = countDigits(s, p + 1, b);
        if (fractionDigits === 0) return NaN;
        const used = Math.min(fractionDigits, 3);
        millis = digitsValue(s, p + 1, used) * (used === 1 ? 100 : used === 2 ? 10 : 1);
        p += 1 + fractionDigits;
      }
    }
    while (p < b && s.charCodeAt(p) === 32) p++;
    // 12-hour clock suffix
    if (p + 1 < b && (s.charCodeAt(p + 1) === 77 || s.charCodeAt(p + 1) === 109)) {
      const ap = s.charCodeAt(p) | 32;
      if ((ap === 97 || ap === 112) && hour >= 1 && hour <= 12) {
        hour = (hour % 12) + (ap === 112 ? 12 : 0);
        p += 2;
        while (p < b && s.charCodeAt(p) === 32) p++;
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return NaN;
    const wall = hour * HOUR_MS + minute * MINUTE_MS + second * 1000 + millis;
    if (p === b) {
      this.zone = TimeZoneMark.Naive;
      return naiveNewYork ? etWallTimeToUtc(days, wall / MINUTE_MS) : days * DAY_MS + wall;
    }
    this.zone = TimeZoneMark.Offset;
    const zone = s.charCodeAt(p);
    let offset = 0;
    if (zone === 90 || zone === 122) {
      p++;
    } else if (zone === 43 || zone === 45) {
      const hh = countDigits(s, p + 1, b);
      if (hh !== 2 && hh !== 4) return NaN;
      let offsetMinutes = digitsValue(s, p + 1, 2) * 60;
      if (hh === 4) {
        offsetMinutes += digitsValue(s, p + 3, 2);
        p += 5;
      } else {
        p += 3;
        if (p < b && s.charCodeAt(p) === 58) {
          if (countDigits(s, p + 1, b) !== 2) return NaN;
          offsetMinutes += digitsValue(s, p + 1, 2);
          p += 3;
        }
      }
      offset = (zone === 45 ? -offsetMinutes : offsetMinutes) * MINUTE_MS;
    } else if (b - p === 3) {
      const z = s.slice(p, b).toUpperCase();
      if (z !== 'UTC' && z !== 'GMT') return NaN;
      p = b;
    }
    if (p !== b) return NaN;
    return days * DAY_MS + wall - offset;
  }

  /**
   * Reads [-]digits[.digits] at s[a..] up to the first other character, with parseDecimal's arithmetic
   * (at most 15 significant digits and 22 decimals; anything longer is left to parseDecimal). Sets `stop`.
   */
  fastDecimal(s: string, a: number, end: number): number {
    let i = a;
    let negative = false;
    if (i < end && s.charCodeAt(i) === 45) {
      negative = true;
      i++;
    }
    let mantissa = 0;
    let digits = 0;
    let seen = 0;
    let fraction = 0;
    let dot = false;
    for (; i < end; i++) {
      const ch = s.charCodeAt(i);
      const d = ch - 48;
      if (d >= 0 && d <= 9) {
        if (digits > 0 || d !== 0) digits++;
        mantissa = mantissa * 10 + d;
        seen++;
        if (dot) fraction++;
      } else if (ch === 46 && !dot) {
        dot = true;
      } else {
        break;
      }
    }
    if (seen === 0 || digits > 15 || fraction > 22) {
      this.stop = -1;
      return NaN;
    }
    this.stop = i;
    const value = fraction === 0 ? mantissa : mantissa / POW10[fraction]!;
    return negative ? -value : value;
  }

  /**
   * Reads YYYY-MM-DD(T| )HH:MM[:SS] followed by Z, ±HH:MM or nothing (UTC; with `naiveNewYork` that case
   * is left to `timestamp`), the value `timestamp` gives these shapes. Sets `stop`.
   */
  fastIsoTime(s: string, a: number, end: number): number {
    this.stop = -1;
    if (end - a < 16) return NaN;
    const y1 = twoDigits(s, a);
    const y2 = twoDigits(s, a + 2);
    const month = twoDigits(s, a + 5);
    const day = twoDigits(s, a + 8);
    const separator = s.charCodeAt(a + 10);
    if (
      y1 < 0 ||
      y2 < 0 ||
      month < 1 ||
      month > 12 ||
      day < 1 ||
      s.charCodeAt(a + 4) !== 45 ||
      s.charCodeAt(a + 7) !== 45 ||
      (separator !== 84 && separator !== 116 && separator !== 32) ||
      s.charCodeAt(a + 13) !== 58
    ) {
      return NaN;
    }
    const year = y1 * 100 + y2;
    const key = year * 10000 + month * 100 + day;
    if (key !== this.dateKey) {
      if (day > daysInMonth(year, month)) return NaN;
      this.dateKey = key;
      this.days = daysFromCivil(year, month, day);
    }
    const hour = twoDigits(s, a + 11);
    const minute = twoDigits(s, a + 14);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return NaN;
    let p = a + 16;
    let second = 0;
    if (p < end && s.charCodeAt(p) === 58) {
      if (p + 3 > end) return NaN;
      second = twoDigits(s, p + 1);
      if (second < 0 || second > 60) return NaN;
      p += 3;
    }
    let offset = 0;
    const zone = p < end ? s.charCodeAt(p) : -1;
    this.zone = TimeZoneMark.Offset;
    if (zone === 90 || zone === 122) {
      p++;
    } else if (zone === 43 || zone === 45) {
      if (p + 6 > end || s.charCodeAt(p + 3) !== 58) return NaN;
      const hh = twoDigits(s, p + 1);
      const mm = twoDigits(s, p + 4);
      if (hh < 0 || mm < 0) return NaN;
      offset = (zone === 45 ? -(hh * 60 + mm) : hh * 60 + mm) * MINUTE_MS;
      p += 6;
    } else if (this.naiveNewYork) {
      return NaN;
    } else {
      this.zone = TimeZoneMark.Naive;
    }
    this.stop = p;
    return this.days * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * 1000 - offset;
  }
}

/** Parses text[a, b) as a timestamp (see read.ts's module comment for the rules); NaN when unreadable. */
export function parseTimestamp(s: string, a: number, b: number, naiveNewYork = false): number {
  return new Scanner(naiveNewYork).timestamp(s, a, b);
}

function twoDigits(s: string, i: number): number {
  const hi = s.charCodeAt(i) - 48;
  const lo = s.charCodeAt(i + 1) - 48;
  return hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9 ? hi * 10 + lo : -1;
}

/**
 * Splits s[a, b) into fields (start/end offsets, quotes stripped). Returns the field count, which may
 * exceed `capacity` (only the first `capacity` offsets are stored).
 */
export function splitFields(
  s: string,
  a: number,
  b: number,
  delimiter: string,
  starts: Int32Array,
  ends: Int32Array,
  capacity: number,
): number {
  let count = 0;
  let p = a;
  for (;;) {
    let fieldStart = p;
    let fieldEnd: number;
    let stop: number;
    if (p < b && s.charCodeAt(p) === 34) {
      let q = s.indexOf('"', p + 1);
      while (q !== -1 && q + 1 < b && s.charCodeAt(q + 1) === 34) q = s.indexOf('"', q + 2);
      if (q === -1 || q >= b) q = b;
      fieldStart = p + 1;
      fieldEnd = q;
      stop = s.indexOf(delimiter, q);
      if (stop === -1 || stop > b) stop = b;
    } else {
      stop = s.indexOf(delimiter, p);
      if (stop === -1 || stop > b) stop = b;
      fieldEnd = stop;
    }
    if (count < capacity) {
      starts[count] = fieldStart;
      ends[count] = fieldEnd;
    }
    count++;
    if (stop >= b) return count;
    p = stop + 1;
  }
}
