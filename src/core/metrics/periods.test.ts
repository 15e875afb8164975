import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { etDays } from '../data/calendar.ts';
import { periodCalendarDays, periodEndIndices, periodSeries, resolvePeriodicity } from './periods.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('periodicity', () => {
  it("'auto' treats bars 20 h or more apart as their own periods", () => {
    const daily = Float64Array.of(0, DAY, 2 * DAY, 5 * DAY);
    expect(resolvePeriodicity(daily)).toBe('bar');
    // Local-midnight daily stamps are 23 h apart across the spring DST change: still daily.
    expect(resolvePeriodicity(Float64Array.of(0, 23 * HOUR, 47 * HOUR))).toBe('bar');
    expect(resolvePeriodicity(Float64Array.of(0, HOUR, 30 * HOUR))).toBe('session');
    expect(resolvePeriodicity(Float64Array.of(0, DAY), 'session')).toBe('session');
  });

  it('daily crypto bars stamped at 04:00 UTC stay one period each across the November DST change', () => {
    // 04:00 UTC is New York midnight in summer but 23:00 the previous day in winter, so 2024-11-03 and
    // 2024-11-04 bars share a New York date; 'auto' must not merge them.
    const t = Float64Array.from([1, 2, 3, 4, 5], (d) => Date.parse(`2024-11-0${d}T04:00:00Z`));
    expect(Array.from(periodEndIndices(t))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(periodEndIndices(t, 'session'))).toEqual([0, 1, 3, 4]);
  });

  it('intraday bars group by New York date, extended hours included', () => {
    // 2024-03-08 (EST): 04:00 ET = 09:00 UTC and 19:59 ET = 00:59 UTC the next day; then 2024-03-11 (EDT).
    const t = Float64Array.from(
      [
        '2024-03-08T09:00:00Z',
        '2024-03-08T21:00:00Z',
        '2024-03-09T00:59:00Z',
        '2024-03-11T08:00:00Z',
        '2024-03-11T23:59:00Z',
        '2024-03-12T00:00:00Z',
      ].map(Date.parse),
    );
    // The last bar is 20:00 EDT on the 11th; 00:00 UTC on the 12th is still the 11th in New York.
    expect(Array.from(periodEndIndices(t))).toEqual([2, 5]);
  });
});

describe('periodSeries', () => {
  const t = Float64Array.of(0, DAY, 2 * DAY);
  const equity = Float64Array.of(110, 99, 108.9);
  const ends = periodEndIndices(t);

  it('puts the initial cash first', () => {
    const series = periodSeries(t, equity, ends, 100);
    expect(Array.from(series.wealth)).toEqual([100, 110, 99, 108.9]);
    expect(Array.from(series.time)).toEqual([0, 0, DAY, 2 * DAY]);
    const expected = [0.1, -0.1, 0.1];
    series.returns.forEach((r, k) => expect(r).toBeCloseTo(expected[k], 14));
  });

  it('starts a bare curve at its first value without a leading zero return', () => {
    const series = periodSeries(t, equity, ends);
    expect(Array.from(series.wealth)).toEqual([110, 99, 108.9]);
    expect(series.returns.length).toBe(2);
  });
});

describe('periodCalendarDays', () => {
  it("'session' gives each time's US/Eastern day, as the calendar's scalar etDays", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: Date.parse('1975-01-01'), max: Date.parse('2040-01-01') }), {
          maxLength: 50,
        }),
        (times) => {
          const t = Float64Array.from(times.sort((a, b) => a - b));
          const out = periodCalendarDays(t, 'session');
          for (let i = 0; i < t.length; i++) expect(out[i]).toBe(etDays(t[i]));
        },
      ),
    );
  });
});
