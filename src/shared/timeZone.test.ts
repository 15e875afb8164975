import { describe, expect, it } from 'vitest';
import { isDayOrCoarser, timeFormat, zoneOf } from './timeZone.ts';

/** The same wall time straight from Intl, one call per time (what the cached formatter must equal). */
function intlDateTime(t: number, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(t)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

describe('times printed in the chosen zone', () => {
  it('the settings name New York, UTC and the local zone', () => {
    expect(zoneOf('exchange')).toBe('America/New_York');
    expect(zoneOf('utc')).toBe('UTC');
    expect(zoneOf('local')).toBe(new Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it('one instant reads as New York, UTC or Tokyo time', () => {
    const t = Date.UTC(2024, 0, 2, 14, 30);
    expect(timeFormat('America/New_York').dateTime(t)).toBe('2024-01-02 09:30');
    expect(timeFormat('UTC').dateTime(t)).toBe('2024-01-02 14:30');
    expect(timeFormat('Asia/Tokyo').dateTime(t)).toBe('2024-01-02 23:30');
    expect(timeFormat('Asia/Tokyo').date(Date.UTC(2024, 0, 2, 15, 30))).toBe('2024-01-03');
  });

  it('is exact on the days the offset changes, hour by hour, in zones that change at different hours', () => {
    const days = [Date.UTC(2024, 2, 10), Date.UTC(2024, 10, 3), Date.UTC(2024, 2, 31), Date.UTC(2024, 9, 27)];
    for (const zone of ['America/New_York', 'Europe/London', 'Australia/Sydney', 'UTC']) {
      const format = timeFormat(zone);
      for (const day of days)
        for (let minutes = -120; minutes < 26 * 60; minutes += 15) {
          const t = day + minutes * 60_000;
          expect(format.dateTime(t), `${zone} ${new Date(t).toISOString()}`).toBe(intlDateTime(t, zone));
        }
    }
  });

  it('day bars print their session date alone, whichever zone they were stamped in or are read in', () => {
    const newYorkMidnight = Date.UTC(2024, 0, 2, 5); // 2024-01-02 00:00 EST, as the resampler stamps
    const utcMidnight = Date.UTC(2024, 0, 2); // a naive date imported as UTC
    for (const zone of ['America/New_York', 'UTC', 'Asia/Tokyo']) {
      expect(timeFormat(zone).barTime(newYorkMidnight, '1d')).toBe('2024-01-02');
      expect(timeFormat(zone).barTime(utcMidnight, '1d')).toBe('2024-01-02');
    }
    expect(timeFormat('UTC').barTime(newYorkMidnight, '1h')).toBe('2024-01-02 05:00');
    expect(isDayOrCoarser('1d')).toBe(true);
    expect(isDayOrCoarser('1h')).toBe(false);
  });

  it('an unknown zone is refused by name', () => {
    expect(() => timeFormat('Mars/Olympus')).toThrow(/Mars\/Olympus/);
  });
});
