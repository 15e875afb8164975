/**
 * Where week, month and 4h bars start, read off the wall clock (Intl's time zone data, not the calendar
 * code under test), in core and in the cache's SQL: an equity's weeks and months open at 00:00 New York
 * of their first calendar day (Monday, the 1st) even when daylight saving changed between that day and
 * the first trading day (April 2006, November 2008 and 2009 came out an hour off), an FX week or month at
 * its first day's 17:00 open the evening before, a crypto one at 00:00 UTC; 4h bars at 09:30 and 13:30
 * New York (equities), 17:00 + 4k hours New York (FX), 4k hours UTC (crypto).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AssetCalendar } from '../../src/core/data/assetCalendar.ts';
import { allocateBars, type Bars, type Timeframe } from '../../src/core/data/bars.ts';
import { parseBarsCsv } from '../../src/core/data/csv/read.ts';
import { resampleBars, resampleDays } from '../../src/core/data/resample.ts';
import { createSyntheticMarket } from '../../src/core/data/synthetic.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { sharedDataFile } from '../support/sharedData.ts';
import { throwawayDatabase } from '../support/throwawayDatabase.ts';

const goog = sharedDataFile('GOOG.csv');
const eurusd = sharedDataFile('EURUSD.csv');
const store = throwawayDatabase('regimen-week-month-stamps-');
let repo: BarsRepository;
beforeAll(() => {
  repo = new BarsRepository(store.db);
});

const DAY = 86_400_000;

function wallClockIn(timeZone: string): (t: number) => { day: number; weekday: number; time: string } {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    weekday: 'short',
    hourCycle: 'h23',
  });
  return (t) => {
    const parts = Object.fromEntries(format.formatToParts(t).map((p) => [p.type, p.value]));
    return {
      day: Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)) / DAY,
      weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!),
      time: `${parts.hour}:${parts.minute}`,
    };
  };
}
const newYork = wallClockIn('America/New_York');
const utc = wallClockIn('UTC');

/** The first calendar day (a UTC day number) of the week (Monday-based) or month holding a day number. */
function firstDayOf(timeframe: '1w' | '1mo', day: number): number {
  if (timeframe === '1w') return day - ((new Date(day * DAY).getUTCDay() + 6) % 7);
  const date = new Date(day * DAY);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / DAY;
}

/**
 * Checks each bar's stamp: on the wall clock of `clock`, `time` on `dayBefore` days before the first
 * calendar day of the week or month of the bar's first day bar (`dates`: the day bars' own dates).
 */
function expectStampsOnFirstDays(
  label: string,
  timeframe: '1w' | '1mo',
  out: Bars,
  dates: number[],
  clock: typeof newYork,
  time: string,
  dayBefore = 0,
): void {
  const firstDays = [...new Set(dates.map((day) => firstDayOf(timeframe, day)))];
  expect(out.t.length, `${label} ${timeframe}: bars`).toBe(firstDays.length);
  const wrong: string[] = [];
  out.t.forEach((t, m) => {
    const wall = clock(t);
    if (wall.day !== firstDays[m]! - dayBefore || wall.time !== time)
      wrong.push(`${new Date(t).toISOString()} (${wall.time} on day ${wall.day})`);
  });
  expect(wrong, `${label} ${timeframe}: stamps not at ${time} of the first day`).toEqual([]);
}

/** Checks core's weeks and months (`make`) as expectStampsOnFirstDays does, and that the cache's equal them. */
async function expectWeeksAndMonths(
  symbol: string,
  make: (timeframe: '1w' | '1mo') => Bars,
  dates: number[],
  clock: typeof newYork,
  time: string,
  dayBefore = 0,
): Promise<void> {
  for (const timeframe of ['1w', '1mo'] as const) {
    const core = make(timeframe);
    expectStampsOnFirstDays(symbol, timeframe, core, dates, clock, time, dayBefore);
    await expectCacheEqualsCore(symbol, timeframe, core);
  }
}

/** Core's and the cache's bars of a timeframe agree, column by column. */
async function expectCacheEqualsCore(symbol: string, timeframe: Timeframe, core: Bars): Promise<Bars> {
  const cached = await repo.read(symbol, timeframe);
  for (const column of ['t', 'o', 'h', 'l', 'c', 'v'] as const)
    expect(Array.from(cached[column]), `${symbol} ${timeframe} ${column}`).toEqual(Array.from(core[column]));
  return cached;
}

/** Hourly bars every hour of [start, end), or only when the FX market is open (Sunday 17:00 to Friday 17:00 New York). */
function hourlyBars(start: number, end: number, calendar: 'fx' | 'crypto'): Bars {
  const times: number[] = [];
  for (let t = start; t < end; t += 3_600_000) {
    const { weekday, time } = newYork(t);
    const hour = Number(time.slice(0, 2));
    const shut = weekday === 6 || (weekday === 5 && hour >= 17) || (weekday === 0 && hour < 17);
    if (calendar === 'crypto' || !shut) times.push(t);
  }
  const bars = allocateBars(times.length);
  times.forEach((t, i) => {
    bars.t[i] = t;
    bars.o[i] = bars.h[i] = bars.l[i] = bars.c[i] = 1 + i / 1000;
    bars.v[i] = 1;
  });
  return bars;
}

describe('equities: weeks and months open at 00:00 New York of their first calendar day', () => {
  it('from date-only day bars whose month began before a daylight-saving change (synthetic)', async () => {
    // Weekdays of 2005-2010: April 2006 (DST from Sunday the 2nd) and November 2008 and 2009 (to EST on
    // Sunday the 2nd and 1st) start on a weekend, so their first trading day has another UTC offset.
    const lines = ['date,open,high,low,close,volume'];
    for (let day = Date.UTC(2005, 0, 1) / DAY; day < Date.UTC(2011, 0, 1) / DAY; day++) {
      const weekday = new Date(day * DAY).getUTCDay();
      if (weekday !== 0 && weekday !== 6)
        lines.push(`${new Date(day * DAY).toISOString().slice(0, 10)},1,2,1,1.5,10`);
    }
    const { bars } = parseBarsCsv(lines.join('\n'), { source: 'weekdays.csv' });
    await repo.write('WEEKDAYS', '1d', bars, 'test');
    const dates = Array.from(bars.t, (t) => newYork(t).day);
    await expectWeeksAndMonths('WEEKDAYS', (tf) => resampleDays(bars, tf), dates, newYork, '00:00');
  });

  it('from 1-minute bars across the November 2025 change; 4h bars at 09:30 and 13:30 New York (synthetic)', async () => {
    // 2025-11-01 was a Saturday and New York left DST on Sunday the 2nd.
    const minutes = createSyntheticMarket({
      seed: 3,
      start: Date.UTC(2025, 9, 27),
      end: Date.UTC(2025, 10, 8),
    }).generate(1).bars;
    await repo.write('MINUTES', '1m', minutes, 'test');
    const dates = [...new Set(Array.from(minutes.t, (t) => newYork(t).day))].filter(
      (day) => new Date(day * DAY).getUTCDay() % 6 !== 0,
    );
    await expectWeeksAndMonths('MINUTES', (tf) => resampleBars(minutes, tf), dates, newYork, '00:00');
    const four = await expectCacheEqualsCore('MINUTES', '4h', resampleBars(minutes, '4h'));
    expect(new Set(Array.from(four.t, (t) => newYork(t).time))).toEqual(new Set(['09:30', '13:30']));
    expect(four.t.length).toBe(2 * dates.length);
  });
});

describe.skipIf(!goog.present)(`GOOG.csv's day bars, 2004-2013${goog.skipReason}`, () => {
  it('every week and month opens at 00:00 New York of its first calendar day, in core and the cache', async () => {
    const { bars } = parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: 'GOOG.csv' });
    await repo.write('GOOG', '1d', bars, 'test');
    const dates = Array.from(bars.t, (t) => newYork(t).day);
    await expectWeeksAndMonths('GOOG', (tf) => resampleDays(bars, tf), dates, newYork, '00:00');
    const months = Array.from(resampleDays(bars, '1mo').t, (t) => new Date(t).toISOString());
    // The three months whose first trading day came after a daylight-saving change.
    expect(months).toContain('2006-04-01T05:00:00.000Z');
    expect(months).toContain('2008-11-01T04:00:00.000Z');
    expect(months).toContain('2009-11-01T04:00:00.000Z');
  });
});

describe('FX: a week or month opens at 17:00 New York the evening before its first day', () => {
  it('from hourly bars across the November 2025 change; 4h bars at 17:00 + 4k hours New York (synthetic)', async () => {
    const hours = hourlyBars(Date.UTC(2025, 9, 1), Date.UTC(2025, 11, 3), 'fx');
    await repo.write('FXSYN', '1h', hours, 'test');
    await repo.setCalendar('FXSYN', 'fx');
    await expectFxStamps('FXSYN', hours);
  });

  it.skipIf(!eurusd.present)(`on EURUSD.csv's hours${eurusd.skipReason}`, async () => {
    const { bars } = parseBarsCsv(readFileSync(eurusd.path, 'utf8'), { source: 'EURUSD.csv' });
    await repo.write('EURUSD', '1h', bars, 'test');
    await repo.setCalendar('EURUSD', 'fx');
    await expectFxStamps('EURUSD', bars);
  });

  async function expectFxStamps(symbol: string, hours: Bars): Promise<void> {
    const days = resampleBars(hours, '1d', { calendar: 'fx' });
    // An FX day opens at 17:00 New York the evening before its date.
    const dates = Array.from(days.t, (t) => newYork(t).day + 1);
    await expectWeeksAndMonths(
      symbol,
      (tf) => resampleBars(hours, tf, { calendar: 'fx' }),
      dates,
      newYork,
      '17:00',
      1,
    );
    const four = await expectCacheEqualsCore(symbol, '4h', resampleBars(hours, '4h', { calendar: 'fx' }));
    const slots = new Set(Array.from(four.t, (t) => newYork(t).time));
    expect(
      [...slots].every((time) => ['17:00', '21:00', '01:00', '05:00', '09:00', '13:00'].includes(time)),
    ).toBe(true);
  }
});

describe('crypto: a week or month opens at 00:00 UTC of its first day, whatever New York does', () => {
  it('from hourly bars across the November 2025 change (synthetic)', async () => {
    const hours = hourlyBars(Date.UTC(2025, 9, 1), Date.UTC(2025, 11, 3), 'crypto');
    await repo.write('CRYPTOSYN', '1h', hours, 'test');
    await repo.setCalendar('CRYPTOSYN', 'crypto' satisfies AssetCalendar);
    const dates = Array.from({ length: 63 }, (_, d) => Date.UTC(2025, 9, 1) / DAY + d);
    await expectWeeksAndMonths(
      'CRYPTOSYN',
      (tf) => resampleBars(hours, tf, { calendar: 'crypto' }),
      dates,
      utc,
      '00:00',
    );
    const four = await expectCacheEqualsCore(
      'CRYPTOSYN',
      '4h',
      resampleBars(hours, '4h', { calendar: 'crypto' }),
    );
    expect(new Set(Array.from(four.t, (t) => utc(t).time))).toEqual(
      new Set(['00:00', '04:00', '08:00', '12:00', '16:00', '20:00']),
    );
  });
});
