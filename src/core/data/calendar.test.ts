import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DAY_MS,
  dateKeyFromDays,
  daysFromCivil,
  daysFromDateKey,
  easterDays,
  etDateKey,
  etDays,
  etMidnight,
  etMinuteOfDay,
  etOffsetMs,
  formatDateKey,
  holidayName,
  isEarlyClose,
  isTradingDay,
  nextSession,
  previousSession,
  sessionOf,
  sessionCountsBetween,
  sessionOnDate,
  sessionsBetween,
  sessionsForDates,
  usDstBounds,
} from './calendar.ts';

const utc = (iso: string): number => Date.parse(iso);
const tradingDatesOf = (year: number): number[] =>
  sessionsForDates(year * 10000 + 101, year * 10000 + 1231).map((s) => s.dateKey);
const weekdaysOf = (year: number): number[] => {
  const out: number[] = [];
  for (let d = daysFromCivil(year, 1, 1); d <= daysFromCivil(year, 12, 31); d++) {
    const wd = new Date(d * 86_400_000).getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(dateKeyFromDays(d));
  }
  return out;
};

describe('civil date arithmetic', () => {
  it('round-trips day numbers and agrees with Date', () => {
    for (let d = -700_000; d <= 2_000_000; d += 997) {
      const key = dateKeyFromDays(d);
      expect(daysFromDateKey(key)).toBe(d);
      const date = new Date(d * 86_400_000);
      expect(key).toBe(date.getUTCFullYear() * 10000 + (date.getUTCMonth() + 1) * 100 + date.getUTCDate());
    }
  });

  it('computes Easter', () => {
    expect(dateKeyFromDays(easterDays(2024))).toBe(20240331);
    expect(dateKeyFromDays(easterDays(2025))).toBe(20250420);
    expect(dateKeyFromDays(easterDays(2019))).toBe(20190421);
    expect(dateKeyFromDays(easterDays(2038))).toBe(20380425);
  });
});

describe('US Eastern time', () => {
  it('applies the 2007+ DST rule', () => {
    expect(usDstBounds(2024)).toEqual({
      start: utc('2024-03-10T07:00:00Z'),
      end: utc('2024-11-03T06:00:00Z'),
    });
    expect(usDstBounds(2025)).toEqual({
      start: utc('2025-03-09T07:00:00Z'),
      end: utc('2025-11-02T06:00:00Z'),
    });
    expect(etOffsetMs(utc('2024-03-10T06:59:59Z'))).toBe(-5 * 3_600_000);
    expect(etOffsetMs(utc('2024-03-10T07:00:00Z'))).toBe(-4 * 3_600_000);
    expect(etOffsetMs(utc('2024-11-03T05:59:59Z'))).toBe(-4 * 3_600_000);
    expect(etOffsetMs(utc('2024-11-03T06:00:00Z'))).toBe(-5 * 3_600_000);
  });

  it('applies the 1987-2006 DST rule', () => {
    expect(usDstBounds(2006)).toEqual({
      start: utc('2006-04-02T07:00:00Z'),
      end: utc('2006-10-29T06:00:00Z'),
    });
  });

  it('gives the New York date and minute of day', () => {
    expect(etDateKey(utc('2024-02-21T04:59:00Z'))).toBe(20240220);
    expect(etDateKey(utc('2024-02-21T05:00:00Z'))).toBe(20240221);
    expect(etDateKey(utc('2024-07-01T03:59:00Z'))).toBe(20240630);
    expect(etMinuteOfDay(utc('2024-07-01T13:30:00Z'))).toBe(570);
    expect(etMinuteOfDay(utc('2024-01-02T14:30:00Z'))).toBe(570);
    expect(etMidnight(20240310)).toBe(utc('2024-03-10T05:00:00Z'));
    expect(etMidnight(20241103)).toBe(utc('2024-11-03T04:00:00Z'));
    expect(etMidnight(20240704)).toBe(utc('2024-07-04T04:00:00Z'));
  });

  it('moves the session open across DST transitions', () => {
    expect(sessionOnDate(20240308)?.open).toBe(utc('2024-03-08T14:30:00Z'));
    expect(sessionOnDate(20240311)?.open).toBe(utc('2024-03-11T13:30:00Z'));
    expect(sessionOnDate(20241101)?.close).toBe(utc('2024-11-01T20:00:00Z'));
    expect(sessionOnDate(20241104)?.close).toBe(utc('2024-11-04T21:00:00Z'));
  });
});

describe('NYSE holidays and early closes', () => {
  it('knows the 2024 calendar', () => {
    const weekdays = weekdaysOf(2024);
    const closed = weekdays.filter((d) => !tradingDatesOf(2024).includes(d));
    expect(closed).toEqual([
      20240101, 20240115, 20240219, 20240329, 20240527, 20240619, 20240704, 20240902, 20241128, 20241225,
    ]);
    expect(tradingDatesOf(2024).length).toBe(252);
    expect(tradingDatesOf(2024).filter(isEarlyClose)).toEqual([20240703, 20241129, 20241224]);
    expect(holidayName(20240329)).toBe('Good Friday');
  });

  it('knows the 2025 calendar, including the Carter closure', () => {
    const closed = weekdaysOf(2025).filter((d) => !isTradingDay(d));
    expect(closed).toEqual([
      20250101, 20250109, 20250120, 20250217, 20250418, 20250526, 20250619, 20250704, 20250901, 20251127,
      20251225,
    ]);
    expect(tradingDatesOf(2025).filter(isEarlyClose)).toEqual([20250703, 20251128, 20251224]);
    const halfDay = sessionOnDate(20251128);
    expect(halfDay?.close).toBe(utc('2025-11-28T18:00:00Z'));
  });

  it('applies the observed rules', () => {
    expect(isTradingDay(20211231)).toBe(true); // New Year 2022 on Saturday: not observed
    expect(isTradingDay(20211224)).toBe(false); // Christmas 2021 on Saturday: observed Friday
    expect(isTradingDay(20220620)).toBe(false); // Juneteenth 2022 on Sunday: observed Monday
    expect(isTradingDay(20210618)).toBe(true); // no Juneteenth before 2022
    expect(isTradingDay(20230102)).toBe(false); // New Year 2023 on Sunday
    expect(isTradingDay(20260703)).toBe(false); // July 4 2026 on Saturday
    expect(isEarlyClose(20260702)).toBe(false);
    expect(isEarlyClose(20230703)).toBe(true);
    expect(isEarlyClose(20221123)).toBe(false);
    expect(isTradingDay(20240706)).toBe(false); // Saturday
    expect(() => isTradingDay(1_700_000_000_000)).toThrow(RangeError);
  });
});

describe('sessions', () => {
  it('finds the session of an instant', () => {
    const s = sessionOf(utc('2024-02-20T14:30:00Z'));
    expect(s).toEqual({
      dateKey: 20240220,
      open: utc('2024-02-20T14:30:00Z'),
      close: utc('2024-02-20T21:00:00Z'),
    });
    expect(sessionOf(utc('2024-02-20T14:29:59Z'))).toBeNull();
    expect(sessionOf(utc('2024-02-20T21:00:00Z'))).toBeNull();
    expect(sessionOf(utc('2024-07-03T17:30:00Z'))).toBeNull(); // after the 13:00 early close
    expect(sessionOf(utc('2024-07-04T15:00:00Z'))).toBeNull();
  });

  it('lists sessions overlapping a range', () => {
    const sessions = sessionsBetween(utc('2024-03-28T19:59:00Z'), utc('2024-04-02T00:00:00Z'));
    expect(sessions.map((s) => s.dateKey)).toEqual([20240328, 20240401]);
    expect(nextSession(utc('2024-03-28T20:00:01Z')).dateKey).toBe(20240401);
    expect(previousSession(utc('2024-04-01T13:00:00Z')).dateKey).toBe(20240328);
    expect(sessionsBetween(utc('2024-01-01T00:00:00Z'), utc('2025-01-01T00:00:00Z')).length).toBe(252);
  });

  it('counts the sessions and early closes of any day range as listing them does', () => {
    const from = daysFromCivil(1995, 1, 1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12_000 }), fc.integer({ min: 0, max: 900 }), (start, length) => {
        const sessions = sessionsForDates(
          dateKeyFromDays(from + start),
          dateKeyFromDays(from + start + length),
        ).filter((s) => daysFromDateKey(s.dateKey) < from + start + length);
        expect(sessionCountsBetween(from + start, from + start + length)).toEqual({
          sessions: sessions.length,
          earlyCloses: sessions.filter((s) => isEarlyClose(s.dateKey)).length,
        });
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

// Moved from metrics/eastern-time.test.ts when that module (a set of renames of these functions) went.
describe('usDstBounds', () => {
  // Expected: python3 zoneinfo America/New_York, scanning each year hour by hour for offset changes.
  const cases: Array<[number, string, string]> = [
    [1980, '1980-04-27T07:00:00Z', '1980-10-26T06:00:00Z'],
    [1995, '1995-04-02T07:00:00Z', '1995-10-29T06:00:00Z'],
    [2006, '2006-04-02T07:00:00Z', '2006-10-29T06:00:00Z'],
    [2007, '2007-03-11T07:00:00Z', '2007-11-04T06:00:00Z'],
    [2020, '2020-03-08T07:00:00Z', '2020-11-01T06:00:00Z'],
    [2024, '2024-03-10T07:00:00Z', '2024-11-03T06:00:00Z'],
    [2025, '2025-03-09T07:00:00Z', '2025-11-02T06:00:00Z'],
    [2030, '2030-03-10T07:00:00Z', '2030-11-03T06:00:00Z'],
  ];
  it.each(cases)('%d matches the tz database', (year, start, end) => {
    expect(usDstBounds(year)).toEqual({ start: Date.parse(start), end: Date.parse(end) });
  });

  it('switches offset exactly at the transition instants', () => {
    const { start, end } = usDstBounds(2024);
    expect(etOffsetMs(start - 1)).toBe(-5 * 3_600_000);
    expect(etOffsetMs(start)).toBe(-4 * 3_600_000);
    expect(etOffsetMs(end - 1)).toBe(-4 * 3_600_000);
    expect(etOffsetMs(end)).toBe(-5 * 3_600_000);
  });
});

describe('etDays', () => {
  it('puts evening UTC bars on the New York date', () => {
    // 2024-03-08 (Friday, EST) 23:30 UTC = 18:30 ET, still the 8th; 2024-07-01 03:59 UTC = 23:59 EDT on June 30.
    expect(etDays(Date.parse('2024-03-09T04:30:00Z'))).toBe(daysFromCivil(2024, 3, 8));
    expect(etDays(Date.parse('2024-03-09T05:00:00Z'))).toBe(daysFromCivil(2024, 3, 9));
    expect(etDays(Date.parse('2024-07-01T03:59:00Z'))).toBe(daysFromCivil(2024, 6, 30));
    expect(etDays(Date.parse('2024-07-01T04:00:00Z'))).toBe(daysFromCivil(2024, 7, 1));
  });
});

describe('civil dates', () => {
  it('knows the epoch and leap days', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 3, 1) - daysFromCivil(2000, 2, 28)).toBe(2);
    expect(daysFromCivil(1900, 3, 1) - daysFromCivil(1900, 2, 28)).toBe(1);
    expect(dateKeyFromDays(daysFromCivil(2024, 2, 29))).toBe(20240229);
    expect(formatDateKey(20240229)).toBe('2024-02-29');
    expect(formatDateKey(20241105)).toBe('2024-11-05');
  });

  it('agrees with Date.UTC and round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 200_000 }), (days) => {
        const key = dateKeyFromDays(days);
        const year = Math.floor(key / 10000);
        const month = Math.floor(key / 100) % 100;
        const day = key % 100;
        expect(daysFromCivil(year, month, day)).toBe(days);
        expect(Date.UTC(year, month - 1, day) / DAY_MS).toBe(days);
      }),
    );
  });
});
