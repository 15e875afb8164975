/**
 * The US/Eastern calendar as the metrics need it: session dates of bar times and calendar months of
 * period ends. The DST rule and civil-date arithmetic have one definition, in data/calendar.ts (explicit
 * rules, no Intl, so every machine gives the same answer whatever its ICU data); this module adapts it
 * to the metrics' needs (a batch pass over a bar column, year/month/day triples).
 */
import { DAY_MS, dateKeyFromDays, daysFromCivil, etDays, etOffsetMs, usDstBounds } from '../data/calendar.ts';

export { daysFromCivil };

export const MS_PER_DAY = DAY_MS;

/** Inverse of daysFromCivil: the calendar year, month (1–12) and day of a day number. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const key = dateKeyFromDays(days);
  return { year: Math.floor(key / 10000), month: Math.floor(key / 100) % 100, day: key % 100 };
}

/** The UTC instants [start, end) of US daylight time in `year` (02:00 local on the transition Sundays). */
export function easternDstInterval(year: number): { start: number; end: number } {
  return usDstBounds(year);
}

/** Offset of US/Eastern from UTC at instant `t` (epoch ms): -4 h in daylight time, -5 h otherwise. */
export function easternOffsetMs(t: number): number {
  return etOffsetMs(t);
}

/** US/Eastern calendar day of instant `t`, as days since 1970-01-01. */
export function easternDay(t: number): number {
  return etDays(t);
}

/**
 * Fills `out[i]` with the US/Eastern day number of `t[i]`. The calendar caches the current DST segment,
 * so a pass over sorted bars costs two comparisons per bar.
 */
export function easternDays(t: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < t.length; i++) out[i] = etDays(t[i]);
  return out;
}
