import { describe, expect, it } from 'vitest';
import type { Bars } from '../../data/bars.ts';
import { MINUTE_MS, daysFromCivil, etDays, etWallTimeToUtc, sessionOf } from '../../data/calendar.ts';
import { costOptions, runBacktest, US_EQUITY_COSTS } from '../../engine/index.ts';
import { randomWalkBars } from '../../engine/random-walk.ts';
import { getStrategy } from '../../strategy/index.ts';
import type { StrategyParams } from '../../strategy-api/types.ts';
import { parseSpace } from '../../optimize/space.ts';
import { extendedHoursBars } from '../../../../test/support/extendedMinutes.ts';
import { sessionWindows, windowPanel } from './panel.ts';

const SPACE = parseSpace(['fast=2:10', 'slow=5:30'], ['fast<slow']);

// 18 Nov - 6 Dec 2024: a weekend each week, Thanksgiving (closed) and the early close after it.
const FROM = daysFromCivil(2024, 11, 18);
const TO = daysFromCivil(2024, 12, 7);
const THANKSGIVING_FRIDAY = daysFromCivil(2024, 11, 29);

/** The session each bar of [start, end) lies in, or null for a bar outside regular hours. */
function sessionsOf(bars: Bars, start: number, end: number): (number | null)[] {
  return Array.from(bars.t.subarray(start, end), (t) => sessionOf(t)?.dateKey ?? null);
}

describe('session-aligned windows of intraday equity bars', () => {
  it('every window starts at a regular session open and keeps inside that one session', () => {
    const bars = extendedHoursBars(FROM, TO);
    const windows = sessionWindows(bars.t, 390, 'regular');
    // 14 trading days, Thanksgiving closed.
    expect(windows).toHaveLength(14);
    for (const { start, end } of windows) {
      const session = sessionOf(bars.t[start]!);
      expect(bars.t[start]).toBe(session?.open);
      expect(new Set(sessionsOf(bars, start, end))).toEqual(new Set([session!.dateKey]));
      // Whole sessions: the bar after the window is outside it (after the close).
      expect(sessionOf(bars.t[end]!)).toBeNull();
    }
    const early = windows.find(({ start }) => etDays(bars.t[start]!) === THANKSGIVING_FRIDAY)!;
    expect(early.end - early.start).toBe(210);
  });

  it('a window shorter than the session is its first bars from the open, the same hours every day', () => {
    const bars = extendedHoursBars(FROM, TO);
    const windows = sessionWindows(bars.t, 60, 'regular');
    expect(windows).toHaveLength(14);
    for (const { start, end } of windows) {
      expect(end - start).toBe(60);
      expect(bars.t[start]).toBe(sessionOf(bars.t[start]!)?.open);
      expect(bars.t[end - 1]! - bars.t[start]!).toBe(59 * MINUTE_MS);
    }
  });

  it('leaves out a day whose opening bar is missing rather than starting it late', () => {
    const skipped = daysFromCivil(2024, 11, 20);
    const bars = extendedHoursBars(FROM, TO, skipped);
    const windows = sessionWindows(bars.t, 390, 'regular');
    expect(windows).toHaveLength(13);
    expect(windows.some(({ start }) => etDays(bars.t[start]!) === skipped)).toBe(false);
  });

  it('extended: each window opens at the trading day first bar and stays within that day', () => {
    const bars = extendedHoursBars(FROM, TO);
    for (const { start, end } of sessionWindows(bars.t, 2000, 'extended')) {
      expect(bars.t[start]).toBe(etWallTimeToUtc(etDays(bars.t[start]!), 4 * 60));
      expect(etDays(bars.t[end - 1]!)).toBe(etDays(bars.t[start]!));
      expect(end === bars.t.length || etDays(bars.t[end]!) !== etDays(bars.t[start]!)).toBe(true);
    }
  });

  it("the panel's windows are session windows once the sets are past their warm-up", () => {
    const bars = extendedHoursBars(FROM, TO);
    const options = {
      strategy: 'sma-cross',
      space: SPACE,
      sets: 5,
      seed: 1,
      windowBars: 390,
      timeframe: '1m',
    };
    const aligned = windowPanel(bars, { ...options, session: 'regular' });
    expect(aligned.length).toBeGreaterThanOrEqual(13);
    for (const w of aligned) {
      expect(w.startTime).toBe(sessionOf(w.startTime)?.open);
      expect(new Set(sessionsOf(bars, w.start, w.end)).size).toBe(1);
    }
    // Without the rule, 390-bar runs over 960-bar days open at drifting times of day.
    const drifting = windowPanel(bars, options);
    expect(drifting.some((w) => sessionOf(w.startTime)?.open !== w.startTime)).toBe(true);
  });

  it('day bars keep consecutive windows whatever the rule', () => {
    const bars = randomWalkBars(400, 3, { stepMs: 86_400_000 });
    const options = {
      strategy: 'sma-cross',
      space: SPACE,
      sets: 5,
      seed: 1,
      windowBars: 21,
      timeframe: '1d',
    };
    const plain = windowPanel(bars, options).map((w) => [w.start, w.end]);
    expect(windowPanel(bars, { ...options, session: 'regular' }).map((w) => [w.start, w.end])).toEqual(plain);
    expect(plain[1]![0]).toBe(plain[0]![1]);
  });
});

describe("the panel's scores are the trader's: after costs, over the risk-free rate", () => {
  it("each window's score is the set's Sharpe ratio of its run at the costs given, over the rate per bar", () => {
    const bars = randomWalkBars(400, 5, { stepMs: 86_400_000 });
    const backtest = { cash: 25_000, ...costOptions(0.001, { ...US_EQUITY_COSTS, spreadBps: 10 }) };
    const options = {
      strategy: 'sma-cross',
      space: SPACE,
      sets: 6,
      seed: 2,
      windowBars: 21,
      timeframe: '1d',
    };
    const priced = windowPanel(bars, { ...options, backtest, riskFreeRate: 0.04 });
    const free = windowPanel(bars, options);
    // Independently: a year of these bars is (n - 1) bars over the span; 4 % compounded to one of them.
    const years = (bars.t[bars.t.length - 1]! - bars.t[0]!) / (365.25 * 86_400_000);
    const perBar = 1.04 ** (years / (bars.t.length - 1)) - 1;
    let differ = 0;
    for (const [k, w] of priced.entries()) {
      expect(w.riskFreePerBar).toBeCloseTo(perBar, 15);
      for (const [j, row] of w.rows.entries()) {
        const equity = runBacktest(
          bars,
          getStrategy('sma-cross'),
          row.params as StrategyParams,
          backtest,
        ).equity;
        const returns = Array.from({ length: w.end - w.scoredFrom }, (_, i) => {
          const at = w.scoredFrom + i;
          return equity[at]! / equity[at - 1]! - 1;
        });
        const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
        const sd = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
        const expected = sd > 1e-12 ? ((mean - perBar) / sd) * Math.sqrt(returns.length) : 0;
        expect(row.score).toBeCloseTo(expected, 9);
        if (Math.abs(row.score - free[k]!.rows[j]!.score) > 1e-9) differ++;
      }
    }
    // Costs and the rate move the scores the learner learns (a set in the market pays both).
    expect(differ).toBeGreaterThan(priced.length);
  });
});
