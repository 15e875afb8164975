/**
 * The tear sheet's computations against QuantStats' definitions on GOOG's daily closes: the expected
 * figures are printed by scripts/quantstatsReference.py, which restates QuantStats' monthly compounding,
 * rolling_sharpe, rolling_volatility, to_drawdown_series and drawdown_details with pandas (1.5.3).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedDataFile } from '../../../test/support/sharedData.ts';
import { parseBarsCsv } from '../data/csv/read.ts';
import { tearSheet } from './tearSheet.ts';

const goog = sharedDataFile('GOOG.csv');
const close = (value: number, expected: number): void =>
  expect(Math.abs(value - expected) / Math.max(1e-12, Math.abs(expected))).toBeLessThan(1e-9);
const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

describe.skipIf(!goog.present)(`tear sheet on GOOG.csv (QuantStats' definitions)${goog.skipReason}`, () => {
  const sheet = () => {
    const bars = parseBarsCsv(readFileSync(goog.path, 'utf8'), { source: 'GOOG.csv' }).bars;
    return tearSheet(bars.t, bars.c);
  };

  it('monthly and yearly compounded returns', () => {
    const s = sheet();
    expect(s.returns.length).toBe(2147);
    expect(s.monthly.length).toBe(104);
    close(s.monthly[0]!.value, 0.020231213872832665);
    close(s.monthly[103]!.value, 0.006228157763354947);
    close(
      s.monthly.reduce((sum, m) => sum + m.value, 0),
      2.669137285959321,
    );
    const years: Record<number, number> = {
      2004: 0.9213673510065792,
      2005: 1.151875097256085,
      2006: 0.10996480740491132,
      2007: 0.5016504517025713,
      2008: -0.5550847457627124,
      2009: 1.0152120916626046,
      2010: -0.04195296622471645,
      2011: 0.08742865801302968,
      2012: 0.09518501315993344,
      2013: 0.13968446945064827,
    };
    expect(s.yearly.map((y) => y.year)).toEqual(Object.keys(years).map(Number));
    for (const y of s.yearly) close(y.value, years[y.year]!);
  });

  it('rolling Sharpe and volatility over 126 days, undefined before a full window', () => {
    const s = sheet();
    expect(s.rollingSharpe[124]).toBeNaN();
    expect(s.rollingVolatility[124]).toBeNaN();
    const expected: [number, string, number, number][] = [
      [125, '2005-02-17', 2.922186201847795, 0.5091102438134336],
      [1000, '2008-08-11', 0.059749238541578056, 0.4754113759470393],
      [2146, '2013-03-01', 1.8105110191867888, 0.2191256340105912],
    ];
    for (const [i, date, sharpe, volatility] of expected) {
      expect(isoDate(s.time[i]!)).toBe(date);
      close(s.rollingSharpe[i]!, sharpe);
      close(s.rollingVolatility[i]!, volatility);
    }
  });

  it('the worst drawdowns: start, trough, end, length and depth; skew and kurtosis', () => {
    const s = sheet();
    const expected: [string, string, string, number, number][] = [
      ['2007-11-07', '2008-11-24', '2012-09-21', 1781, -0.6529475997249901],
      ['2006-01-12', '2006-03-13', '2006-10-20', 282, -0.2853296015944704],
      ['2005-02-04', '2005-03-14', '2005-04-21', 77, -0.17011287109930773],
      ['2004-11-02', '2004-11-22', '2004-12-29', 58, -0.15778197214712042],
      ['2012-10-05', '2012-11-16', '2013-01-31', 119, -0.15737256689017576],
    ];
    expect(s.drawdowns.length).toBe(5);
    s.drawdowns.forEach((d, k) => {
      const [start, trough, end, days, depth] = expected[k]!;
      expect([isoDate(d.start), isoDate(d.trough), isoDate(d.end), d.days]).toEqual([
        start,
        trough,
        end,
        days,
      ]);
      close(d.depth, depth);
      // Recovered the next trading day after its last day under water.
      expect(d.recovery).not.toBeNull();
      expect(d.recovery!).toBeGreaterThan(d.end);
    });
    close(s.distribution.skew, 0.7509291849603794);
    close(s.distribution.kurtosis, 8.977884467756585);
    expect(s.distribution.counts.reduce((a, b) => a + b, 0)).toBe(2147);
  });
});
