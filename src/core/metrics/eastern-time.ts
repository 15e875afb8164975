/**
 * US/Eastern calendar dates without Intl or a time-zone database: sessions are US/Eastern days, and the
 * metrics run per bar-sampled session in hot optimisation loops, so an explicit DST rule is faster and
 * gives the same answer on every machine regardless of its ICU data.
 *
 * DST rules (Energy Policy Acts of 1986 and 2005):
 *  - 2007 onwards: second Sunday in March 02:00 EST to first Sunday in November 02:00 EDT.
 *  - 1987–2006:    first Sunday in April to last Sunday in October.
 *  - before 1987:  last Sunday in April to last Sunday in October (the 1967 rule; the 1974–75
 *                  energy-crisis exceptions are ignored, there are no intraday bars from then).
 */

export const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil: the calendar year, month (1–12) and day of a day number. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
function weekday(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

function nthSunday(year: number, month: number, n: number): number {
  const first = daysFromCivil(year, month, 1);
  return first + ((7 - weekday(first)) % 7) + 7 * (n - 1);
}

function lastSunday(year: number, month: number, lastDay: number): number {
  const last = daysFromCivil(year, month, lastDay);
  return last - weekday(last);
}

/**
 * The UTC instants [start, end) during which US/Eastern observes daylight time in `year`. Both
 * changes happen at 02:00 local time: 07:00 UTC in spring (from EST) and 06:00 UTC in autumn (from EDT).
 */
export function easternDstInterval(year: number): { start: number; end: number } {
  let startDay: number;
  let endDay: number;
  if (year >= 2007) {
    startDay = nthSunday(year, 3, 2);
    endDay = nthSunday(year, 11, 1);
  } else if (year >= 1987) {
    startDay = nthSunday(year, 4, 1);
    endDay = lastSunday(year, 10, 31);
  } else {
    startDay = lastSunday(year, 4, 30);
    endDay = lastSunday(year, 10, 31);
  }
  return { start: startDay * MS_PER_DAY + 7 * MS_PER_HOUR, end: endDay * MS_PER_DAY + 6 * MS_PER_HOUR };
}

/** Offset of US/Eastern from UTC at instant `t` (epoch ms): -4 h in daylight time, -5 h otherwise. */
export function easternOffsetMs(t: number): number {
  // The UTC year is good enough to pick the DST interval: no transition happens near New Year.
  const { year } = civilFromDays(Math.floor(t / MS_PER_DAY));
  const { start, end } = easternDstInterval(year);
  return t >= start && t < end ? -4 * MS_PER_HOUR : -5 * MS_PER_HOUR;
}

/** US/Eastern calendar day of instant `t`, as days since 1970-01-01. */
export function easternDay(t: number): number {
  return Math.floor((t + easternOffsetMs(t)) / MS_PER_DAY);
}

/**
 * Fills `out[i]` with the US/Eastern day number of `t[i]`. Caches one year's DST interval, so a pass
 * over sorted intraday bars costs a couple of comparisons per bar.
 */
export function easternDays(t: Float64Array, out: Float64Array): Float64Array {
  let yearStart = Infinity;
  let yearEnd = -Infinity;
  let dstStart = 0;
  let dstEnd = 0;
  for (let i = 0; i < t.length; i++) {
    const ti = t[i];
    if (!(ti >= yearStart && ti < yearEnd)) {
      const { year } = civilFromDays(Math.floor(ti / MS_PER_DAY));
      yearStart = daysFromCivil(year, 1, 1) * MS_PER_DAY;
      yearEnd = daysFromCivil(year + 1, 1, 1) * MS_PER_DAY;
      const dst = easternDstInterval(year);
      dstStart = dst.start;
      dstEnd = dst.end;
    }
    const offset = ti >= dstStart && ti < dstEnd ? -4 * MS_PER_HOUR : -5 * MS_PER_HOUR;
    out[i] = Math.floor((ti + offset) / MS_PER_DAY);
  }
  return out;
}
