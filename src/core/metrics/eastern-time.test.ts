import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MS_PER_DAY,
  civilFromDays,
  daysFromCivil,
  easternDay,
  easternDays,
  easternDstInterval,
  easternOffsetMs,
} from './eastern-time.ts';

describe('easternDstInterval', () => {
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
    expect(easternDstInterval(year)).toEqual({ start: Date.parse(start), end: Date.parse(end) });
  });

  it('switches offset exactly at the transition instants', () => {
    const { start, end } = easternDstInterval(2024);
    expect(easternOffsetMs(start - 1)).toBe(-5 * 3_600_000);
    expect(easternOffsetMs(start)).toBe(-4 * 3_600_000);
    expect(easternOffsetMs(end - 1)).toBe(-4 * 3_600_000);
    expect(easternOffsetMs(end)).toBe(-5 * 3_600_000);
  });
});

describe('easternDay', () => {
  it('puts evening UTC bars on the New York date', () => {
    // 2024-03-08 (Friday, EST) 23:30 UTC = 18:30 ET, still the 8th; 2024-07-01 03:59 UTC = 23:59 EDT on June 30.
    expect(easternDay(Date.parse('2024-03-09T04:30:00Z'))).toBe(daysFromCivil(2024, 3, 8));
    expect(easternDay(Date.parse('2024-03-09T05:00:00Z'))).toBe(daysFromCivil(2024, 3, 9));
    expect(easternDay(Date.parse('2024-07-01T03:59:00Z'))).toBe(daysFromCivil(2024, 6, 30));
    expect(easternDay(Date.parse('2024-07-01T04:00:00Z'))).toBe(daysFromCivil(2024, 7, 1));
  });

  it('batch easternDays equals the scalar easternDay', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: Date.parse('1975-01-01'), max: Date.parse('2040-01-01') }), {
          maxLength: 50,
        }),
        (times) => {
          const t = Float64Array.from(times.sort((a, b) => a - b));
          const out = easternDays(t, new Float64Array(t.length));
          for (let i = 0; i < t.length; i++) expect(out[i]).toBe(easternDay(t[i]));
        },
      ),
    );
  });
});

describe('civil dates', () => {
  it('knows the epoch and leap days', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 3, 1) - daysFromCivil(2000, 2, 28)).toBe(2);
    expect(daysFromCivil(1900, 3, 1) - daysFromCivil(1900, 2, 28)).toBe(1);
    expect(civilFromDays(daysFromCivil(2024, 2, 29))).toEqual({ year: 2024, month: 2, day: 29 });
  });

  it('agrees with Date.UTC and round-trips', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 200_000 }), (days) => {
        const { year, month, day } = civilFromDays(days);
        expect(daysFromCivil(year, month, day)).toBe(days);
        expect(Date.UTC(year, month - 1, day) / MS_PER_DAY).toBe(days);
      }),
    );
  });
});
