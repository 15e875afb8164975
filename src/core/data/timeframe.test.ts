import { describe, expect, it } from 'vitest';
import { inferTimeframe } from './timeframe.ts';

describe('inferTimeframe', () => {
  const spaced = (step: number, n: number, start = Date.UTC(2024, 0, 2, 14, 30)): Float64Array =>
    Float64Array.from({ length: n }, (_, i) => start + i * step);
  it('labels spacings', () => {
    expect(inferTimeframe(spaced(60_000, 100)).timeframe).toBe('1m');
    expect(inferTimeframe(spaced(300_000, 100)).timeframe).toBe('5m');
    expect(inferTimeframe(spaced(900_000, 100)).timeframe).toBe('15m');
    expect(inferTimeframe(spaced(3_600_000, 100)).timeframe).toBe('1h');
    expect(inferTimeframe(spaced(86_400_000, 100)).timeframe).toBe('1d');
    expect(inferTimeframe(spaced(1_800_000, 100))).toEqual({
      timeframe: null,
      label: '30m',
      medianSpacingMs: 1_800_000,
    });
    // Every spacing Regimen stores a timeframe of is that timeframe; others only a label.
    expect(inferTimeframe(spaced(4 * 3_600_000, 100)).timeframe).toBe('4h');
    expect(inferTimeframe(spaced(7 * 86_400_000, 100)).timeframe).toBe('1w');
    expect(inferTimeframe(spaced(30 * 86_400_000, 100)).timeframe).toBe('1mo');
    expect(inferTimeframe(spaced(2 * 3_600_000, 100))).toMatchObject({ timeframe: null, label: '2h' });
    expect(inferTimeframe(spaced(91 * 86_400_000, 100))).toMatchObject({ timeframe: null, label: '3mo' });
    expect(inferTimeframe(new Float64Array([1])).timeframe).toBeNull();
  });
});
