import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SESSION_TIMEFRAMES, TIMEFRAMES, type Bars, type SessionTimeframe } from './bars.ts';
import {
  DAY_MS,
  daysFromCivil,
  daysFromDateKey,
  etDateKey,
  etMidnight,
  etMinuteOfDay,
  etWallTimeToUtc,
  sessionOf,
  weekdayOfDays,
} from './calendar.ts';
import type { BarsExtra } from './bars.ts';
import { parseBarsCsv } from './csv/read.ts';
import {
  createStreamingResampler,
  resampleBars,
  resampleBarsWithExtra,
  resampleDays,
  type ResampledBar,
  type ResampleOptions,
} from './resample.ts';
import { createSyntheticMarket } from './synthetic.ts';
import { sharedDataFile } from '../../../test/support/sharedData.ts';

const googFile = sharedDataFile('GOOG.csv');
const spyFile = sharedDataFile('SPY_1min.csv');

function streamed(
  bars: Bars,
  extra: BarsExtra,
  timeframe: SessionTimeframe,
  options?: ResampleOptions,
): ResampledBar[] {
  const out: ResampledBar[] = [];
  const resampler = createStreamingResampler(timeframe, (bar) => out.push(bar), options);
  for (let i = 0; i < bars.t.length; i++) {
    resampler.push(
      bars.t[i]!,
      bars.o[i]!,
      bars.h[i]!,
      bars.l[i]!,
      bars.c[i]!,
      bars.v[i]!,
      extra.vwap?.[i],
      extra.tradeCount?.[i],
    );
  }
  resampler.flush();
  return out;
}

/** Straightforward reference: group by a key function, no cleverness. */
function grouped(bars: Bars, key: (t: number) => number | null): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < bars.t.length; i++) {
    const k = key(bars.t[i]!);
    if (k === null) continue;
    const list = groups.get(k) ?? [];
    list.push(i);
    groups.set(k, list);
  }
  return groups;
}

describe('resampleBars on synthetic minutes (early close on 2024-07-03)', () => {
  const bars = createSyntheticMarket({
    seed: 9,
    start: Date.UTC(2024, 6, 1),
    end: Date.UTC(2024, 6, 9),
  }).generate(1).bars;

  it('aligns buckets to the 09:30 open with a partial last bucket', () => {
    const hourly = resampleBars(bars, '1h');
    const july3 = Array.from(hourly.t).filter((t) => etDateKey(t) === 20240703);
    expect(july3.map(etMinuteOfDay)).toEqual([570, 630, 690, 750]);
    const july2 = Array.from(hourly.t).filter((t) => etDateKey(t) === 20240702);
    expect(july2.map((t) => etMinuteOfDay(t))).toEqual([570, 630, 690, 750, 810, 870, 930]);
    expect(resampleBars(bars, '5m').t.length).toBe(78 * 4 + 42);
    expect(resampleBars(bars, '15m').t.length).toBe(26 * 4 + 14);
  });

  it('matches a group-by reference for every timeframe', () => {
    for (const timeframe of TIMEFRAMES) {
      const size =
        { '1m': 1, '5m': 5, '15m': 15, '1h': 60, '4h': 240, '1d': 0, '1w': 0, '1mo': 0 }[timeframe] * 60_000;
      const calendar = size === 0 && timeframe !== '1d';
      // Weeks and months group by their first calendar day (Monday, the 1st) of the session's date.
      const firstDay = (dateKey: number): number => {
        const days = daysFromDateKey(dateKey);
        if (timeframe === '1w') return days - ((weekdayOfDays(days) + 6) % 7);
        const month = Math.floor(dateKey / 100) % 100;
        return timeframe === '1mo' ? daysFromCivil(Math.floor(dateKey / 10000), month, 1) : days;
      };
      const groups = grouped(bars, (t) => {
        const session = sessionOf(t);
        if (session === null) return null;
        if (calendar) return firstDay(session.dateKey);
        return size === 0
          ? etMidnight(session.dateKey)
          : session.open + Math.floor((t - session.open) / size) * size;
      });
      // ...and are stamped at midnight New York of that day, as their day bars are stamped.
      const stamp = (key: number): number => (calendar ? etWallTimeToUtc(key, 0) : key);
      const out = resampleBars(bars, timeframe);
      expect(out.t.length).toBe(groups.size);
      let m = 0;
      for (const [key, rows] of groups) {
        expect(out.t[m]).toBe(stamp(key));
        expect(out.o[m]).toBe(bars.o[rows[0]!]);
        expect(out.c[m]).toBe(bars.c[rows[rows.length - 1]!]);
        expect(out.h[m]).toBe(Math.max(...rows.map((i) => bars.h[i]!)));
        expect(out.l[m]).toBe(Math.min(...rows.map((i) => bars.l[i]!)));
        expect(out.v[m]).toBe(rows.reduce((s, i) => s + bars.v[i]!, 0));
        m++;
      }
    }
  });
});

describe.skipIf(!googFile.present)(
  `resampleDays on GOOG.csv (date-only day bars)${googFile.skipReason}`,
  () => {
    it('makes Monday-based weeks and calendar months stamped at midnight New York of their first day', () => {
      const { bars } = parseBarsCsv(readFileSync(googFile.path, 'utf8'), { source: 'GOOG.csv' });
      // Date-only rows are stamped at midnight New York, 04:00 or 05:00 UTC of the same date.
      const dayOf = (t: number): number => Math.floor(t / DAY_MS);
      for (const timeframe of ['1w', '1mo'] as const) {
        const out = resampleDays(bars, timeframe);
        const groups = grouped(bars, (t) => {
          const days = dayOf(t);
          if (timeframe === '1w') return days - ((weekdayOfDays(days) + 6) % 7);
          const key = etDateKey(t);
          return daysFromCivil(Math.floor(key / 10000), Math.floor(key / 100) % 100, 1);
        });
        expect(out.t.length).toBe(groups.size);
        let m = 0;
        for (const [first, rows] of groups) {
          // Midnight New York of the first day even when daylight saving changed before the first bar.
          expect(out.t[m]).toBe(etWallTimeToUtc(first, 0));
          expect(out.o[m]).toBe(bars.o[rows[0]!]);
          expect(out.c[m]).toBe(bars.c[rows[rows.length - 1]!]);
          expect(out.h[m]).toBe(Math.max(...rows.map((i) => bars.h[i]!)));
          expect(out.v[m]).toBe(rows.reduce((sum, i) => sum + bars.v[i]!, 0));
          m++;
        }
      }
      // 2004-08-19 was a Thursday: the first week bar starts on Monday 2004-08-16, the first month on 08-01.
      expect(new Date(resampleDays(bars, '1w').t[0]!).toISOString()).toBe('2004-08-16T04:00:00.000Z');
      expect(new Date(resampleDays(bars, '1mo').t[0]!).toISOString()).toBe('2004-08-01T04:00:00.000Z');
    });
  },
);

describe.skipIf(!spyFile.present)(`resampleBars on SPY_1min.csv${spyFile.skipReason}`, () => {
  const spy = spyFile.present
    ? parseBarsCsv(readFileSync(spyFile.path, 'utf8'), { source: 'SPY_1min.csv' })
    : null;

  it('gives one regular-hours day bar per session and 78 five-minute bars a day', () => {
    const { bars, extra } = spy!;
    const daily = resampleBarsWithExtra(bars, extra, '1d');
    expect(daily.bars.t.length).toBe(63);
    expect(etDateKey(daily.bars.t[0]!)).toBe(20240220);
    expect(daily.bars.t[0]).toBe(etMidnight(20240220));
    let volume = 0;
    let notional = 0;
    let trades = 0;
    let open = NaN;
    for (let i = 0; i < bars.t.length && etDateKey(bars.t[i]!) === 20240220; i++) {
      if (sessionOf(bars.t[i]!) === null) continue;
      if (Number.isNaN(open)) open = bars.o[i]!;
      volume += bars.v[i]!;
      notional += extra.vwap![i]! * bars.v[i]!;
      trades += extra.tradeCount![i]!;
    }
    expect(daily.bars.o[0]).toBe(open);
    expect(daily.bars.v[0]).toBe(volume);
    expect(daily.extra.tradeCount?.[0]).toBe(trades);
    expect(daily.extra.vwap?.[0]).toBeCloseTo(notional / volume, 9);
    expect(resampleBars(bars, '5m').t.length).toBe(63 * 78);
    const extendedDaily = resampleBars(bars, '1d', { session: 'extended' });
    expect(extendedDaily.t.length).toBe(63);
    expect(extendedDaily.v[0]).toBeGreaterThan(daily.bars.v[0]!);
  });

  it('streams exactly the batch bars, each emitted as soon as its last minute arrives', () => {
    const { bars, extra } = spy!;
    for (const timeframe of SESSION_TIMEFRAMES) {
      for (const session of ['regular', 'extended'] as const) {
        const batch = resampleBarsWithExtra(bars, extra, timeframe, { session });
        const stream = streamed(bars, extra, timeframe, { session });
        expect(stream.length).toBe(batch.bars.t.length);
        for (let m = 0; m < stream.length; m++) {
          const s = stream[m]!;
          const same =
            s.t === batch.bars.t[m] &&
            s.o === batch.bars.o[m] &&
            s.h === batch.bars.h[m] &&
            s.l === batch.bars.l[m] &&
            s.c === batch.bars.c[m] &&
            s.v === batch.bars.v[m] &&
            s.tradeCount === batch.extra.tradeCount![m] &&
            Object.is(s.vwap, batch.extra.vwap![m]);
          if (!same) expect.fail(`${timeframe} ${session} bar ${m} differs`);
        }
      }
    }
    // Eager emission: the 09:30 5m bar is out once the 09:34 minute is pushed.
    const out: ResampledBar[] = [];
    const resampler = createStreamingResampler('5m', (bar) => out.push(bar));
    const pushRow = (i: number): void =>
      resampler.push(bars.t[i]!, bars.o[i]!, bars.h[i]!, bars.l[i]!, bars.c[i]!, bars.v[i]!);
    let i = 0;
    for (; etMinuteOfDay(bars.t[i]!) < 570; i++) pushRow(i);
    for (let k = 0; k < 4; k++, i++) pushRow(i);
    expect(out.length).toBe(0);
    expect(resampler.pending()?.t).toBe(bars.t[i - 4]);
    pushRow(i);
    expect(out.map((b) => etMinuteOfDay(b.t))).toEqual([570]);
    expect(() => resampler.push(bars.t[0]!, 1, 1, 1, 1, 1)).toThrow(RangeError);
  });
});
