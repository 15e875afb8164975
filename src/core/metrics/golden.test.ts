// Golden tests on real price data in ../shared/data (see its SOURCES.md), read in place, never copied.
// A price column treated as an equity curve exercises every return metric on thousands of real returns.
// Files are read inside `it`, so a missing ../shared/data skips these suites instead of failing them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedDataFile } from '../../../test/support/sharedData.ts';
import { annualizationOf, computeEquityMetrics } from './metrics.ts';
import type { EquityMetrics } from './metrics.ts';
import { daysFromCivil } from '../data/calendar.ts';
import { periodCalendarDays, periodEndIndices } from './periods.ts';

const goog = sharedDataFile('GOOG.csv');
const spy = sharedDataFile('SPY_1min.csv');
const btc = sharedDataFile('BTCUSD.csv');
const eurusd = sharedDataFile('EURUSD.csv');
const utcDate = (date: string): number => Date.parse(`${date}T00:00:00Z`);

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

describe.skipIf(!goog.present)(`GOOG daily closes as an equity curve${goog.skipReason}`, () => {
  const googMetrics = (): EquityMetrics => {
    const { t, close } = readColumns(goog.path, utcDate);
    return computeEquityMetrics(t, close);
  };

  it("total return equals backtesting.py's published Buy & Hold Return of 703.458%", () => {
    const metrics = googMetrics();
    // backtesting.py README / quick-start output for GOOG: "Buy & Hold Return [%] 703.458".
    expect(metrics.totalReturn * 100).toBeCloseTo(703.458, 3);
  });

  it('is annualised as daily data: 252 periods a year, inferred from the bar spacing', () => {
    expect(annualizationOf(readColumns(goog.path, utcDate).t)).toEqual({
      periodsPerYear: 252,
      basis: 'daily',
    });
  });

  it('matches an independent numpy/scipy computation', () => {
    const metrics = googMetrics();
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

describe.skipIf(!spy.present)(`SPY one-minute closes sampled per session${spy.skipReason}`, () => {
  // Timestamps are written in New York local time with their offset, so the date part of each one is the
  // session date: an independent check of the DST rule across the 2024-03-10 change.
  const spyColumns = (): ReturnType<typeof readColumns> =>
    readColumns(spy.path, (stamp) => Date.parse(stamp.replace(' ', 'T')));

  it('every bar falls on the New York date written in its timestamp', () => {
    const { t, raw } = spyColumns();
    const days = periodCalendarDays(t, 'session');
    raw.forEach((stamp, i) => {
      const [y, m, d] = stamp.slice(0, 10).split('-').map(Number);
      if (days[i] !== daysFromCivil(y, m, d)) expect.fail(`row ${i + 1} (${stamp}) mapped to day ${days[i]}`);
    });
  });

  it('finds the 63 sessions and matches a numpy computation on their closes', () => {
    const { t, close } = spyColumns();
    expect(periodEndIndices(t).length).toBe(63);
    expect(annualizationOf(t)).toEqual({ periodsPerYear: 252, basis: 'daily' });
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
});

/**
 * Annualised figures straight from the closes, in plain loops: compounded growth to the power P / n,
 * and the sample mean / standard deviation of close-to-close returns scaled by √P.
 */
function plainAnnualised(close: Float64Array, periodsPerYear: number): Record<string, number> {
  let sum = 0;
  for (let i = 1; i < close.length; i++) sum += close[i] / close[i - 1] - 1;
  const n = close.length - 1;
  const mean = sum / n;
  let squares = 0;
  for (let i = 1; i < close.length; i++) squares += (close[i] / close[i - 1] - 1 - mean) ** 2;
  const std = Math.sqrt(squares / (n - 1));
  return {
    annualizedReturn: (close[n] / close[0]) ** (periodsPerYear / n) - 1,
    volatility: std * Math.sqrt(periodsPerYear),
    sharpeRatio: (mean / std) * Math.sqrt(periodsPerYear),
  };
}

describe.skipIf(!btc.present)(`BTCUSD monthly closes as an equity curve${btc.skipReason}`, () => {
  it('is annualised with 12 periods a year: CAGR 112.4 %, Sharpe 0.865, volatility 152 %', () => {
    const { t, close } = readColumns(btc.path, utcDate);
    expect(annualizationOf(t)).toEqual({ periodsPerYear: 12, basis: 'monthly' });
    const metrics = computeEquityMetrics(t, close);
    const plain = plainAnnualised(close, 12);
    for (const key of ['annualizedReturn', 'volatility', 'sharpeRatio'] as const) {
      expect(Math.abs(metrics[key] / plain[key] - 1), key).toBeLessThan(1e-9);
    }
    // The figures (monthly mean / std x √12); 252 gave a CAGR of 742,338,485 % and a Sharpe of 3.96.
    expect(metrics.annualizedReturn / 1.124 - 1).toBeCloseTo(0, 3);
    expect(metrics.sharpeRatio / 0.865 - 1).toBeCloseTo(0, 3);
    expect(metrics.volatility / 1.522 - 1).toBeCloseTo(0, 3);
  });
});

describe.skipIf(!eurusd.present)(`EURUSD hourly closes${eurusd.skipReason}`, () => {
  it('are sampled per session and annualised as daily data', () => {
    const { t } = readColumns(eurusd.path, (stamp) => Date.parse(`${stamp.replace(' ', 'T')}Z`));
    expect(annualizationOf(t)).toEqual({ periodsPerYear: 252, basis: 'daily' });
    // With every hourly bar taken as a period, the observed number of bars a year is used instead.
    const hourly = annualizationOf(t, { periodicity: 'bar' });
    expect(hourly.basis).toBe('intraday');
    const barsPerYear = ((t.length - 1) * 365.25 * 86_400_000) / (t[t.length - 1] - t[0]);
    expect(hourly.periodsPerYear).toBe(Math.round(barsPerYear));
    expect(barsPerYear).toBeGreaterThan(5000);
  });
});
