import { describe, expect, it } from 'vitest';
import { MAX_INDICATOR_POINTS } from '../../../shared/backtestContract.ts';
import { backtestRange, indicatorPayload } from './indicatorPayload.ts';

const plotsOf = (n: number) => {
  const values = Float64Array.from({ length: n }, (_, i) => (i < 3 ? NaN : i * 0.5));
  return { startIndex: 3, plots: [{ label: 'x', pane: 'price', style: 'line' as const, values }] };
};

describe('the indicator series a backtest result carries', () => {
  it('every bar of a short run, warm-up as null, levels kept', () => {
    const t = Float64Array.from({ length: 10 }, (_, i) => 1000 + i);
    const plots = plotsOf(10);
    const payload = indicatorPayload(t, {
      ...plots,
      plots: [{ ...plots.plots[0]!, levels: [20, 80] }],
    });
    expect(payload.t).toEqual(Array.from(t));
    expect(payload.plots[0]?.values).toEqual([null, null, null, 1.5, 2, 2.5, 3, 3.5, 4, 4.5]);
    expect(payload.plots[0]?.levels).toEqual([20, 80]);
    expect(backtestRange(t, plots)).toEqual({
      first: 1000,
      tradingFrom: 1003,
      last: 1009,
      warmup: { bars: 3, traded: true },
    });
    expect(backtestRange(t, { ...plots, startIndex: 0 })).toEqual({
      first: 1000,
      tradingFrom: 1000,
      last: 1009,
    });
    expect(backtestRange(t, { ...plots, startIndex: 10 })?.warmup).toEqual({ bars: 10, traded: false });
  });

  it('a 2-year 1-minute run is thinned to at most MAX_INDICATOR_POINTS exact values, the last bar kept', () => {
    const n = 196_560;
    const t = Float64Array.from({ length: n }, (_, i) => i * 60_000);
    const payload = indicatorPayload(t, plotsOf(n));
    expect(payload.t.length).toBeLessThanOrEqual(MAX_INDICATOR_POINTS);
    expect(payload.t.length).toBeGreaterThan(MAX_INDICATOR_POINTS / 2);
    expect(payload.t.at(-1)).toBe((n - 1) * 60_000);
    payload.t.forEach((time, k) => expect(payload.plots[0]?.values[k]).toBe((time / 60_000) * 0.5));
  });
});
