import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS, daysFromCivil, etOffsetMs, sessionsForDates } from './calendar.ts';
import { isClosedAt as fxClosedAt } from './assetCalendar.ts';
import { inferNaiveTimeZone } from './naiveTimeZone.ts';

/** The naive stamps a file written in New York wall-clock time holds, read as UTC. */
const asNewYorkWallClock = (t: Float64Array): Float64Array => t.map((x) => x + etOffsetMs(x));

/** Hourly FX bars (open Sunday 17:00 to Friday 17:00 New York) over ten weeks spanning the DST switch. */
function fxHours(): Float64Array {
  const out: number[] = [];
  const from = daysFromCivil(2024, 2, 1) * DAY_MS;
  for (let t = from; t < from + 70 * DAY_MS; t += HOUR_MS) if (!fxClosedAt('fx', t)) out.push(t);
  return Float64Array.from(out);
}

/** 5-minute bars of the NYSE regular sessions in February and March 2024. */
function equityFiveMinutes(): Float64Array {
  const out: number[] = [];
  for (const s of sessionsForDates(20240201, 20240329))
    for (let t = s.open; t < s.close; t += 5 * MINUTE_MS) out.push(t);
  return Float64Array.from(out);
}

describe('inferNaiveTimeZone', () => {
  it('FX: the weekend gap turns at 17:00 New York in the right reading', () => {
    const t = fxHours();
    expect(inferNaiveTimeZone(t)).toMatchObject({ zone: 'UTC' });
    const shifted = inferNaiveTimeZone(asNewYorkWallClock(t));
    expect(shifted.zone).toBe('America/New_York');
    expect(shifted.basis).toMatch(
      /^the weekly gap opens Friday 17:00 .* when read as America\/New_York: 10 of 10 weekends, against 0 read as UTC$/,
    );
  });

  it('equities: the regular-session bars sit at 09:30-16:00 New York in the right reading', () => {
    const t = equityFiveMinutes();
    const utc = inferNaiveTimeZone(t);
    // Read as New York time, 14:30-16:00 (EST: 18 bars a day, 26 days) or 13:30-16:00 (EDT from March 10:
    // 30 bars a day, 14 days before Good Friday) stay in the session: 888.
    expect(utc.zone).toBe('UTC');
    expect(utc.basis).toBe(
      `read as UTC, 09:30-16:00 New York (the NYSE regular session) is the busiest 6.5 hours of the day, with ${t.length.toLocaleString('en-US')} of ${t.length.toLocaleString('en-US')} bars; read as America/New_York it would hold 888`,
    );
    expect(inferNaiveTimeZone(asNewYorkWallClock(t)).zone).toBe('America/New_York');
  });

  it('crypto (bars every day) and day bars cannot tell, and say why', () => {
    const from = daysFromCivil(2024, 1, 1) * DAY_MS;
    const crypto = Float64Array.from({ length: 24 * 30 }, (_, i) => from + i * HOUR_MS);
    expect(inferNaiveTimeZone(crypto)).toEqual({
      zone: null,
      basis: expect.stringMatching(
        /^bars on every day of the week \(96 on Saturdays\), as crypto trades/,
      ) as string,
    });
    const days = Float64Array.from({ length: 20 }, (_, i) => from + i * DAY_MS);
    expect(inferNaiveTimeZone(days).zone).toBeNull();
  });
});
