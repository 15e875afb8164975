/**
 * Resampling follows the symbol's calendar (issue 10 item 3): EURUSD stored hourly gives 4h and day bars
 * of FX days (17:00 to 17:00 New York), none cut to NYSE hours; crypto days start at 00:00 UTC. The cache's
 * SQL matches the core reference, and the expected counts come from the wall clock (Intl), not from the
 * calendar code under test.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { allocateBars, type Bars } from '../../src/core/data/bars.ts';
import { resampleBars } from '../../src/core/data/resample.ts';
import { importBarsFile } from '../../src/main/marketdata/importer.ts';
import { BarsRepository } from '../../src/main/store/barsRepository.ts';
import { sharedDataFile } from '../support/sharedData.ts';
import { throwawayDatabase } from '../support/throwawayDatabase.ts';

const eurusd = sharedDataFile('EURUSD.csv');
const store = throwawayDatabase('regimen-calendar-resample-');
let repo: BarsRepository;
beforeAll(async () => {
  repo = new BarsRepository(store.db);
});

const NEW_YORK = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  weekday: 'short',
  hourCycle: 'h23',
});

/** New York wall clock of an instant: its date as a UTC day number, weekday (0 Sunday) and hour. */
function wallClock(t: number): { day: number; weekday: number; hour: number } {
  const parts = Object.fromEntries(NEW_YORK.formatToParts(t).map((p) => [p.type, p.value]));
  const day = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)) / 86_400_000;
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!);
  return { day, weekday, hour: Number(parts.hour) };
}

/**
 * The FX day of an hourly bar (a day from 17:00 New York; a weekend hour, when the market is shut, in
 * Monday's) and its 4-hour slot counted from 17:00, read off the wall clock. A weekend hour keeps a slot
 * of its own (EURUSD has two, Friday 17:00): no bar is moved in time.
 */
function fxSlot(t: number): { day: number; slot: string } {
  const { day, weekday, hour } = wallClock(t);
  const after = hour >= 17;
  let tradeDay = after ? day + 1 : day;
  const tradeWeekday = (weekday + (after ? 1 : 0)) % 7;
  if (tradeWeekday === 6) tradeDay += 2;
  if (tradeWeekday === 0) tradeDay += 1;
  const slot = Math.floor(((hour + 7) % 24) / 4);
  return {
    day: tradeDay,
    slot: tradeDay === day + (after ? 1 : 0) ? `${tradeDay}:${slot}` : `weekend ${day}:${slot}`,
  };
}

const sum = (x: Float64Array): number => x.reduce((a, b) => a + b, 0);

describe.skipIf(!eurusd.present)(`EURUSD hourly, an FX calendar${eurusd.skipReason}`, () => {
  it('4h and 1d bars follow FX days: the counts the wall clock gives, every hour kept, as core makes them', async () => {
    const imported = await importBarsFile(store.db, eurusd.path);
    expect([imported.calendar, imported.timeframe]).toEqual(['fx', '1h']);
    const hours = await repo.read('EURUSD', '1h');
    const slots = Array.from(hours.t, fxSlot);
    const days = new Set(slots.map((s) => s.day));
    const fourHours = new Set(slots.map((s) => s.slot));

    const daily = await repo.read('EURUSD', '1d');
    const four = await repo.read('EURUSD', '4h');
    expect([four.t.length, daily.t.length]).toEqual([fourHours.size, days.size]);
    // Weekend hours aside (which a day from 17:00 puts in Monday's), 24 hours make a day, 6 a 4h day.
    expect(days.size).toBeGreaterThan(hours.t.length / 24);
    // Every hour is in some bar: nothing is cut to exchange hours.
    expect([sum(four.v), sum(daily.v)]).toEqual([sum(hours.v), sum(hours.v)]);
    // A day opens at 17:00 New York the evening before its date, Sunday to Thursday.
    expect(new Set(Array.from(daily.t, (t) => wallClock(t).hour))).toEqual(new Set([17]));
    expect(new Set(Array.from(daily.t, (t) => wallClock(t).weekday))).toEqual(new Set([0, 1, 2, 3, 4]));

    const reference = (tf: '4h' | '1d'): Bars => resampleBars(hours, tf, { calendar: 'fx' });
    for (const [tf, bars] of [
      ['4h', four],
      ['1d', daily],
    ] as const) {
      const core = reference(tf);
      for (const column of ['t', 'o', 'h', 'l', 'c', 'v'] as const)
        expect(Array.from(bars[column]), `${tf} ${column}`).toEqual(Array.from(core[column]));
    }
    // Weeks are made of those days.
    expect((await repo.read('EURUSD', '1w')).t.length).toBeGreaterThan(40);
  });
});

describe('a crypto calendar', () => {
  it('makes days and 4h bars from 00:00 UTC, weekends included', async () => {
    const start = Date.UTC(2024, 0, 1);
    const hours = allocateBars(24 * 10);
    for (let i = 0; i < hours.t.length; i++) {
      hours.t[i] = start + i * 3_600_000;
      hours.o[i] = hours.h[i] = hours.l[i] = hours.c[i] = 100 + i;
      hours.v[i] = 1;
    }
    await repo.write('BTCX', '1h', hours, 'test');
    await repo.setCalendar('BTCX', 'crypto');
    const daily = await repo.read('BTCX', '1d');
    expect(Array.from(daily.t)).toEqual(Array.from({ length: 10 }, (_, d) => start + d * 86_400_000));
    expect(Array.from(daily.c)).toEqual(Array.from({ length: 10 }, (_, d) => 100 + 24 * d + 23));
    expect((await repo.read('BTCX', '4h')).t.length).toBe(60);
    // Equities stored hourly still cannot be made into days: their 1h bars are not cut to the session.
    await repo.setCalendar('BTCX', 'equities');
    await expect(repo.read('BTCX', '1d')).rejects.toThrow(/1d cannot be derived/);
  });
});
