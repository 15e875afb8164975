import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedDataFile } from '../../../test/support/sharedData.ts';
import { inferAssetCalendar } from './assetCalendar.ts';
import { etDays, etWallTimeToUtc } from './calendar.ts';
import { parseBarsCsv } from './csv/read.ts';
import { assessQuality, repairBars } from './quality.ts';

const read = (name: string) => {
  const file = sharedDataFile(name);
  return { file, bars: () => parseBarsCsv(readFileSync(file.path, 'utf8'), { source: name }).bars };
};
const eurusd = read('EURUSD.csv');
const btc = read('BTCUSD.csv');
const goog = read('GOOG.csv');
const spy = read('SPY_1min.csv');

describe('asset calendars', () => {
  it.skipIf(!eurusd.file.present)(
    `EURUSD hourly is FX: no false gaps or outside-hours bars${eurusd.file.skipReason}`,
    () => {
      const bars = eurusd.bars();
      expect(inferAssetCalendar(bars.t)).toBe('fx');
      const asEquities = assessQuality(bars, { symbol: 'EURUSD', timeframe: '1h' });
      const asFx = assessQuality(bars, { symbol: 'EURUSD', timeframe: '1h', calendar: 'fx' });
      // Judged against NYSE hours, the figures: 203 gaps and 3,373 bars outside regular hours.
      expect([asEquities.counts.gap, asEquities.outsideRegularHours]).toEqual([203, 3373]);
      expect(asFx.outsideRegularHours).toBe(0);
      // What is left is real: the two 24-hour holes of Christmas and New Year's Day 2017 (from the
      // Sunday 17:00 New York reopen to Monday's, not from the Friday close before the weekend), and two
      // bars stamped at Friday 17:00 New York, the hour the FX week has closed.
      const found = (kind: string) =>
        asFx.problems.filter((p) => p.kind === kind).map((p) => [new Date(p.t).toISOString(), p.count]);
      expect(found('gap')).toEqual([
        ['2017-12-24T22:00:00.000Z', 24],
        ['2017-12-31T22:00:00.000Z', 24],
      ]);
      expect(found('non-session-bar')).toEqual([
        ['2017-10-06T21:00:00.000Z', 1],
        ['2017-10-20T21:00:00.000Z', 1],
      ]);
      expect(asFx.score).toBeGreaterThan(asEquities.score);
    },
  );

  it('finds no missing day across the autumn clock change in days stamped at a New York time', () => {
    const ones = (t: Float64Array) => ({
      t,
      o: t.map(() => 1),
      h: t.map(() => 1),
      l: t.map(() => 1),
      c: t.map(() => 1),
      v: t.map(() => 1),
    });
    const from = etDays(Date.UTC(2023, 9, 2, 12));
    const days = Array.from({ length: 60 }, (_, i) => from + i);
    // Crypto days of a date-only file, read at midnight New York: 25 h apart on 2023-11-05.
    const crypto = ones(Float64Array.from(days, (day) => etWallTimeToUtc(day, 0)));
    // FX days stamped at their Sunday-to-Thursday 17:00 New York open: Friday's to Monday's is 72 h + 1.
    const weekdays = days.filter((day) => ![5, 6].includes(new Date(day * 86_400_000).getUTCDay()));
    const fx = ones(Float64Array.from(weekdays, (day) => etWallTimeToUtc(day, 17 * 60)));
    for (const [calendar, bars] of [
      ['crypto', crypto],
      ['fx', fx],
    ] as const) {
      const report = assessQuality(bars, { symbol: 'X', timeframe: '1d', calendar });
      expect([calendar, report.missingBars, report.counts['non-session-bar']]).toEqual([calendar, 0, 0]);
    }
  });

  it.skipIf(!btc.file.present || !goog.file.present || !spy.file.present)(
    'GOOG and SPY are equities, a daily series with Saturdays is crypto',
    () => {
      expect(inferAssetCalendar(goog.bars().t)).toBe('equities');
      expect(inferAssetCalendar(spy.bars().t)).toBe('equities');
      const days = Float64Array.from({ length: 30 }, (_, i) => Date.UTC(2024, 0, 1 + i));
      expect(inferAssetCalendar(days)).toBe('crypto');
      const crypto = assessQuality(
        {
          t: days,
          o: days.map(() => 1),
          h: days.map(() => 1),
          l: days.map(() => 1),
          c: days.map(() => 1),
          v: days.map(() => 1),
        },
        { symbol: 'X', timeframe: '1d', calendar: 'crypto' },
      );
      expect([crypto.counts.gap, crypto.counts['non-session-bar'], crypto.coverage]).toEqual([0, 0, 1]);
    },
  );
});

describe('FX bars outside the FX week (Friday 17:00 to Sunday 17:00 New York)', () => {
  // Hourly FX bars from Friday 2024-03-01 14:00 to Monday 10:00 New York (EST: +5 h), with three bars
  // planted in the closed weekend: at the Friday 17:00 close itself, Saturday noon, Sunday 16:00.
  const et = (day: number, hour: number) => Date.UTC(2024, 2, day, hour + 5);
  const open = [14, 15, 16]
    .map((h) => et(1, h))
    .concat(
      [17, 18, 19].map((h) => et(3, h)),
      [et(4, 10)],
    );
  const planted = [et(1, 17), et(2, 12), et(3, 16)];
  const t = Float64Array.from([...open, ...planted].sort((a, b) => a - b));
  const ones = t.map(() => 1);
  const bars = { t, o: ones, h: ones, l: ones, c: ones, v: ones };

  it('are flagged by the report and dropped by the repair, which says why', () => {
    const report = assessQuality(bars, { symbol: 'EURUSD', timeframe: '1h', calendar: 'fx' });
    expect(report.counts['non-session-bar']).toBe(3);
    const repaired = repairBars(bars, '1h', 'fx');
    expect(repaired.dropped.map((d) => [new Date(t[d.row]!).toISOString(), d.reason])).toEqual([
      ['2024-03-01T22:00:00.000Z', 'closed-market'],
      ['2024-03-02T17:00:00.000Z', 'closed-market'],
      ['2024-03-03T21:00:00.000Z', 'closed-market'],
    ]);
    expect(Array.from(repaired.bars.t)).toEqual(open.sort((a, b) => a - b));
    const after = assessQuality(repaired.bars, { symbol: 'EURUSD', timeframe: '1h', calendar: 'fx' });
    expect(after.counts['non-session-bar']).toBe(0);
    // The same bars as equities or crypto are not the FX weekend's: a repair keeps them.
    expect(repairBars(bars, '1h', 'crypto').dropped).toEqual([]);
    expect(repairBars(bars, '1h').dropped).toEqual([]);
  });

  it.skipIf(!eurusd.file.present)(
    `EURUSD hourly: the repair drops its two Friday 17:00 bars and nothing else${eurusd.file.skipReason}`,
    () => {
      const all = eurusd.bars();
      const repaired = repairBars(all, '1h', 'fx');
      expect(repaired.dropped.map((d) => new Date(all.t[d.row]!).toISOString())).toEqual([
        '2017-10-06T21:00:00.000Z',
        '2017-10-20T21:00:00.000Z',
      ]);
      const after = assessQuality(repaired.bars, { symbol: 'EURUSD', timeframe: '1h', calendar: 'fx' });
      expect([after.rows, after.counts['non-session-bar']]).toEqual([4998, 0]);
    },
  );
});

describe('what the expected bars are', () => {
  it('names the session or calendar the count is for', () => {
    const ones = Float64Array.of(1, 1);
    const bars = (t: Float64Array) => ({ t, o: ones, h: ones, l: ones, c: ones, v: ones });
    const minutes = bars(Float64Array.of(Date.UTC(2024, 2, 1, 15), Date.UTC(2024, 2, 1, 15, 1)));
    const spy = assessQuality(minutes, { symbol: 'SPY', timeframe: '1m' });
    expect([spy.calendar, spy.expectedFor]).toEqual([
      'equities',
      '1m bars in NYSE regular hours, 09:30-16:00 New York (13:00 on early closes), holidays closed; extended-hours bars are not expected',
    ]);
    const fx = assessQuality(minutes, { symbol: 'EURUSD', timeframe: '1h', calendar: 'fx' });
    expect(fx.expectedFor).toBe('1h bars in the FX week, Sunday 17:00 to Friday 17:00 New York');
    const crypto = assessQuality(minutes, { symbol: 'BTCUSD', timeframe: '1d', calendar: 'crypto' });
    expect(crypto.expectedFor).toBe('every day, from 00:00 UTC (crypto never closes)');
    const months = assessQuality(minutes, { symbol: 'BTCUSD', timeframe: '1mo', calendar: 'crypto' });
    expect(months.expectedFor).toBe('every calendar month from the first bar to the last');
  });
});
