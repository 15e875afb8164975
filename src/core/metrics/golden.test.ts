// Golden tests on real price data in ../shared/data (see its SOURCES.md), read in place, never copied.
// A price column treated as an equity curve exercises every return metric on thousands of real returns.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { computeEquityMetrics } from './metrics.ts';
import type { EquityMetrics } from './metrics.ts';
import { daysFromCivil } from '../data/calendar.ts';
import { periodCalendarDays, periodEndIndices } from './periods.ts';

const dataDir = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const goog = `${dataDir}GOOG.csv`;
const spy = `${dataDir}SPY_1min.csv`;

function readColumns(
  path: string,
  parseTime: (cell: string) => number,
): { t: Float64Array; close: Float64Array; raw: string[] } {
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
  const t = new Float64Array(lines.length);
  const close = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    const cells = line.split(',');
    t[i] = parseTime(cells[0]);
    close[i] = Number(cells[4]);
  });
  return { t, close, raw: lines.map((line) => line.slice(0, line.indexOf(','))) };
}

function expectMetrics(actual: EquityMetrics, expected: Partial<EquityMetrics>): void {
  for (const [key, value] of Object.entries(expected) as Array<[keyof EquityMetrics, number]>) {
    expect(Math.abs(actual[key] - value), key).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(value)));
  }
}

describe.skipIf(!existsSync(goog))('GOOG daily closes as an equity curve (../shared/data/GOOG.csv)', () => {
  const { t, close } = readColumns(goog, (date) => Date.parse(`${date}T00:00:00Z`));
  const metrics = computeEquityMetrics(t, close);

  it("total return equals backtesting.py's published Buy & Hold Return of 703.458%", () => {
    // backtesting.py README / quick-start output for GOOG: "Buy & Hold Return [%] 703.458".
    expect(metrics.totalReturn * 100).toBeCloseTo(703.458, 3);
  });

  it('matches an independent numpy/scipy computation', () => {
    // Expected: python3 over the same CSV with numpy (returns = close[1:]/close[:-1] - 1, std ddof=1,
    // np.percentile, np.maximum.accumulate drawdown), scipy.stats skew/kurtosis(fisher=False)/norm.cdf,
    // months keyed by the CSV date's "YYYY-MM".
    expectMetrics(metrics, {
      finalEquity: 806.19,
      totalReturn: 7.034582419772773,
      annualizedReturn: 0.2770806653191564,
      volatility: 0.34405786161892116,
      sharpeRatio: 0.8815185699129492,
      sortinoRatio: 1.3541673631507347,
      calmarRatio: 0.42435360117084137,
      maxDrawdown: -0.6529475997249896,
      valueAtRisk: -0.030780025087434947,
      skewness: 0.750404446978485,
      kurtosis: 11.95419682564687,
      probabilisticSharpe: 0.9955552610655133,
      numPeriods: 2147,
      consistencyScore: 0.5961538461538461,
      // Peak close 2007-11-06, first close at or above it 2012-09-24: 1784 calendar days, 1230 bars (python3).
      maxDrawdownDurationDays: 1784,
      maxDrawdownDurationPeriods: 1230,
    });
  });
});

describe.skipIf(!existsSync(spy))(
  'SPY one-minute closes sampled per session (../shared/data/SPY_1min.csv)',
  () => {
    // Timestamps are written in New York local time with their offset, so the date part of each one is the
    // session date: an independent check of the DST rule across the 2024-03-10 change.
    const { t, close, raw } = readColumns(spy, (stamp) => Date.parse(stamp.replace(' ', 'T')));

    it('every bar falls on the New York date written in its timestamp', () => {
      const days = periodCalendarDays(t, 'session');
      raw.forEach((stamp, i) => {
        const [y, m, d] = stamp.slice(0, 10).split('-').map(Number);
        if (days[i] !== daysFromCivil(y, m, d))
          expect.fail(`row ${i + 1} (${stamp}) mapped to day ${days[i]}`);
      });
    });

    it('finds the 63 sessions and matches a numpy computation on their closes', () => {
      expect(periodEndIndices(t).length).toBe(63);
      // Expected: python3 grouping rows by the timestamp's date string, last close of each date, the first
      // bar's close as the starting point; same numpy/scipy formulas as the GOOG case.
      expectMetrics(computeEquityMetrics(t, close), {
        totalReturn: 0.06262164168622975,
        annualizedReturn: 0.2750130402755764,
        volatility: 0.1174204402215688,
        sharpeRatio: 2.1279341643583325,
        sortinoRatio: 3.204854407889452,
        calmarRatio: 5.092707840372248,
        maxDrawdown: -0.05400133856009193,
        valueAtRisk: -0.012059093884204097,
        skewness: -0.343554115157713,
        kurtosis: 2.6268801017645096,
        probabilisticSharpe: 0.8481208925875059,
        numPeriods: 63,
        consistencyScore: 0.75,
      });
    });
  },
);
