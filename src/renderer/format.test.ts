import { describe, expect, it } from 'vitest';
import {
  formatHeld,
  formatNumber,
  formatParamValue,
  formatPercent,
  formatPercentInterval,
} from './format.ts';
import { metricLabel } from './metricFormat.ts';

describe('number formatting', () => {
  it('a small value keeps two significant digits instead of showing a zero it is not', () => {
    expect(formatNumber(0.005)).toBe('0.005');
    expect(formatNumber(-0.00042)).toBe('-0.00042');
    expect(formatParamValue(0.0005, 3)).toBe('0.0005');
    expect(formatPercent(0.00005)).toBe('0.005%');
  });

  it('other values keep the digits asked for', () => {
    expect(formatNumber(0)).toBe('0.00');
    expect(formatNumber(1234.5)).toBe('1,234.50');
    expect(formatNumber(0.01)).toBe('0.01');
    expect(formatNumber(0.126, 1)).toBe('0.1');
  });

  it('a share with its interval, a missing bound as a dash', () => {
    expect(formatPercentInterval(0.291, { lower: 0.2204, upper: 0.3619 })).toBe('29.1% [22.0%, 36.2%]');
    expect(formatPercentInterval(0.5, { lower: null, upper: 0.61 })).toBe('50.0% [—, 61.0%]');
  });
});

describe('metric labels', () => {
  it('come from the metric catalogue, multi-timeframe keys included', () => {
    expect(metricLabel('sharpeRatio')).toBe('Sharpe ratio');
    expect(metricLabel('maxDrawdown@1h')).toBe('Max drawdown @ 1h');
    expect(metricLabel('someNewMetric')).toBe('Some new metric');
  });
});

describe("a trade's holding time", () => {
  // Day bars stamped at the New York open, either side of the March 2023 change to daylight saving time.
  const entry = Date.parse('2023-03-09T14:30:00Z');
  const exit = Date.parse('2023-03-14T13:30:00Z');

  it('counts whole days on day bars, whatever the clock did in between', () => {
    expect(formatHeld(exit - entry, true)).toBe('5d');
    expect(formatHeld(33 * 86_400_000, true)).toBe('33d');
  });

  it('keeps hours and minutes on intraday bars', () => {
    expect(formatHeld(exit - entry, false)).toBe('4d 23h');
    expect(formatHeld(95 * 60_000, false)).toBe('1h 35m');
  });
});
