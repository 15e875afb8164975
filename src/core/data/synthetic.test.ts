import { describe, expect, it } from 'vitest';
import { BAR_FIELDS, type Bars } from './bars.ts';
import { etDateKey, isTradingDay, sessionsBetween } from './calendar.ts';
import {
  createSyntheticMarket,
  generateSyntheticMarket,
  regimeIsHighVol,
  regimeTrend,
  Trend,
} from './synthetic.ts';

const start = Date.UTC(2023, 0, 1);
const end = Date.UTC(2025, 0, 1);
const market = generateSyntheticMarket({ seed: 20240220, start, end });
const first = market[0]!;

/** Index of the first differing byte of two bar sets' columns, or -1 when identical (fast for 1M+ bytes). */
function firstByteDifference(a: Bars, b: Bars): number {
  for (const field of BAR_FIELDS) {
    const x = new Uint8Array(a[field].buffer, a[field].byteOffset, a[field].byteLength);
    const y = new Uint8Array(b[field].buffer, b[field].byteOffset, b[field].byteLength);
    if (x.length !== y.length) return 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  }
  return -1;
}

function countDifferences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let differences = Math.abs(a.length - b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) differences++;
  return differences;
}

/** Close-to-close log returns per session (last bar of each session). */
function dailyCloses(bars: Bars): { dateKey: number[]; close: number[]; firstOpen: number[] } {
  const dateKey: number[] = [];
  const close: number[] = [];
  const firstOpen: number[] = [];
  for (let i = 0; i < bars.t.length; i++) {
    const key = etDateKey(bars.t[i]!);
    if (dateKey.length === 0 || dateKey[dateKey.length - 1] !== key) {
      dateKey.push(key);
      close.push(bars.c[i]!);
      firstOpen.push(bars.o[i]!);
    } else close[close.length - 1] = bars.c[i]!;
  }
  return { dateKey, close, firstOpen };
}

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

const logReturns = (closes: number[]): number[] => closes.slice(1).map((c, i) => Math.log(c / closes[i]!));

describe('synthetic market', () => {
  it('has at least 5 symbols of 1-minute bars over two years of regular sessions', () => {
    expect(market.length).toBeGreaterThanOrEqual(5);
    const sessions = sessionsBetween(start, end);
    expect(sessions.length).toBe(250 + 252);
    const expectedBars = sessions.reduce((sum, s) => sum + (s.close - s.open) / 60_000, 0);
    for (const series of market) {
      expect(series.bars.t.length).toBe(expectedBars);
      expect(series.regimes.length).toBe(expectedBars);
      expect(countDifferences(series.bars.t, first.bars.t)).toBe(0);
    }
    const expectedTimes: number[] = [];
    for (const s of sessions) for (let t = s.open; t < s.close; t += 60_000) expectedTimes.push(t);
    expect(countDifferences(first.bars.t, expectedTimes)).toBe(0);
    const perDay = new Map<number, number>();
    for (const t of first.bars.t) perDay.set(etDateKey(t), (perDay.get(etDateKey(t)) ?? 0) + 1);
    expect(perDay.get(20240703)).toBe(210);
    expect(perDay.get(20240702)).toBe(390);
    expect(perDay.has(20240704)).toBe(false);
    expect([...perDay.keys()].every(isTradingDay)).toBe(true);
  });

  it('is deterministic: same seed, same bytes; another seed, other prices', () => {
    const again = generateSyntheticMarket({ seed: 20240220, start, end });
    for (let s = 0; s < market.length; s++) {
      expect(firstByteDifference(again[s]!.bars, market[s]!.bars)).toBe(-1);
      expect(countDifferences(again[s]!.regimes, market[s]!.regimes)).toBe(0);
    }
    const other = createSyntheticMarket({ seed: 7, start, end });
    expect(countDifferences(other.generate(1).bars.c, market[1]!.bars.c)).toBeGreaterThan(100_000);
    // A symbol does not depend on which others are generated, or in which order.
    expect(
      firstByteDifference(
        createSyntheticMarket({ seed: 20240220, start, end }).generate(3).bars,
        market[3]!.bars,
      ),
    ).toBe(-1);
  });

  it('writes valid OHLCV', () => {
    for (const { bars } of market) {
      const { o, h, l, c, v } = bars;
      for (let i = 0; i < o.length; i++) {
        const valid =
          l[i]! > 0 &&
          l[i]! <= Math.min(o[i]!, c[i]!) &&
          h[i]! >= Math.max(o[i]!, c[i]!) &&
          Number.isInteger(v[i]!) &&
          v[i]! >= 1 &&
          Number.isFinite(h[i]!);
        if (!valid) expect.fail(`invalid bar ${i}: ${o[i]} ${h[i]} ${l[i]} ${c[i]} ${v[i]}`);
      }
    }
  });

  it('has a U-shaped intraday volume profile and overnight gaps', () => {
    const byMinute = new Float64Array(390);
    const { t, v } = first.bars;
    for (let i = 0, j = 0; i < t.length; i++) {
      j = i === 0 || etDateKey(t[i]!) !== etDateKey(t[i - 1]!) ? 0 : j + 1;
      byMinute[j]! += v[i]!;
    }
    const mean = (a: number, b: number): number => byMinute.slice(a, b).reduce((s, x) => s + x, 0) / (b - a);
    const middle = mean(150, 240);
    expect(mean(0, 15)).toBeGreaterThan(2 * middle);
    expect(mean(375, 390)).toBeGreaterThan(2 * middle);
    const daily = dailyCloses(first.bars);
    let gaps = 0;
    for (let d = 1; d < daily.close.length; d++) if (daily.firstOpen[d] !== daily.close[d - 1]) gaps++;
    expect(gaps / (daily.close.length - 1)).toBeGreaterThan(0.9);
  });

  it('switches regimes that shape drift and volatility', () => {
    const regimeOfDay: number[] = [];
    for (let i = 0; i < first.regimes.length; i += 1) {
      if (i === 0 || etDateKey(first.bars.t[i]!) !== etDateKey(first.bars.t[i - 1]!))
        regimeOfDay.push(first.regimes[i]!);
    }
    expect(new Set(regimeOfDay).size).toBeGreaterThanOrEqual(3);
    const returns = logReturns(dailyCloses(first.bars).close);
    const byTrend = [[], [], []] as number[][];
    const byVol = [[], []] as number[][];
    for (let d = 1; d < regimeOfDay.length; d++) {
      byTrend[regimeTrend(regimeOfDay[d]!)]!.push(returns[d - 1]!);
      byVol[regimeIsHighVol(regimeOfDay[d]!) ? 1 : 0]!.push(returns[d - 1]!);
    }
    const mean = (a: number[]): number => a.reduce((s, x) => s + x, 0) / a.length;
    const sd = (a: number[]): number => Math.sqrt(mean(a.map((x) => (x - mean(a)) ** 2)));
    expect(mean(byTrend[Trend.Bull]!)).toBeGreaterThan(mean(byTrend[Trend.Bear]!));
    expect(sd(byVol[1]!)).toBeGreaterThan(1.8 * sd(byVol[0]!));
  });

  it('runs the documented regime chain (all six states, mean trend run of about 40 sessions)', () => {
    const long = createSyntheticMarket({ seed: 3, start: Date.UTC(2000, 0, 1), end: Date.UTC(2020, 0, 1) });
    const days = long.sessionRegimes;
    expect(new Set(days).size).toBe(6);
    let trendChanges = 0;
    for (let d = 1; d < days.length; d++)
      if (regimeTrend(days[d]!) !== regimeTrend(days[d - 1]!)) trendChanges++;
    const meanRun = days.length / (trendChanges + 1);
    expect(meanRun).toBeGreaterThan(30);
    expect(meanRun).toBeLessThan(52);
  });

  it('correlates symbols through the market factor in proportion to beta', () => {
    const returns = market.map((s) => logReturns(dailyCloses(s.bars).close));
    const highBeta = correlation(returns[0]!, returns[1]!);
    const lowBeta = correlation(returns[0]!, returns[5]!);
    expect(highBeta).toBeGreaterThan(0.5);
    expect(lowBeta).toBeGreaterThan(0.2);
    expect(highBeta).toBeGreaterThan(lowBeta);
  });
});
