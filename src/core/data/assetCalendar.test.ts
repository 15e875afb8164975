import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedDataFile } from '../../../test/support/sharedData.ts';
import { inferAssetCalendar } from './assetCalendar.ts';
import { etDays, etWallTimeToUtc } from './calendar.ts';
import { parseBarsCsv } from './csv/read.ts';
import { assessQuality } from './quality.ts';

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
