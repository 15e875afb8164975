import { describe, expect, it } from 'vitest';
import { tearSheet } from './tearSheet.ts';

const DAY = 86_400_000;
/** Daily bars at UTC midnight from 2021-01-01 with the given values. */
const daily = (values: number[]) => ({
  t: Float64Array.from(values, (_, i) => Date.UTC(2021, 0, 1) + i * DAY),
  v: Float64Array.from(values),
});

describe('tear sheet (hand-checked)', () => {
  it('a backtest starts from its cash; months compound their days; an open drawdown has no recovery', () => {
    const { t, v } = daily([100, 110, 99, 120, 90]);
    const s = tearSheet(t, v, { startingWealth: 100, window: 2 });
    expect(Array.from(s.returns)).toEqual([0, 110 / 100 - 1, 99 / 110 - 1, 120 / 99 - 1, 90 / 120 - 1]);
    expect(s.monthly).toHaveLength(1);
    expect(s.monthly[0]!.value).toBeCloseTo(-0.1, 12);
    expect(s.drawdowns.map((d) => [d.start, d.trough, d.recovery, d.days])).toEqual([
      [t[4], t[4], null, 1],
      [t[2], t[2], t[3], 1],
    ]);
    expect(s.drawdowns[0]!.depth).toBeCloseTo(-0.25, 12);
    // Window 2: returns 0 and 0.1 give mean 0.05, std sqrt(0.005).
    expect(s.rollingSharpe[0]).toBeNaN();
    expect(s.rollingSharpe[1]).toBeCloseTo((0.05 / Math.sqrt(0.005)) * Math.sqrt(252), 8);
    // At a 4 % annual rate each day's return is measured over 1.04^(1/252) - 1, as Sharpe is in metrics.
    const riskFree = Math.pow(1.04, 1 / 252) - 1;
    const excess = tearSheet(t, v, { startingWealth: 100, window: 2, riskFreeRate: 0.04 });
    expect(excess.rollingSharpe[1]).toBeCloseTo(((0.05 - riskFree) / Math.sqrt(0.005)) * Math.sqrt(252), 8);
  });

  it('a benchmark is compounded over the same days; a wrong length is refused', () => {
    const { t, v } = daily([100, 100, 100, 100]);
    const bench = Float64Array.of(10, 11, 12.1, 13.31);
    const s = tearSheet(t, v, { startingWealth: 100, benchmark: bench });
    expect(s.benchmarkCumulative![3]).toBeCloseTo(1.331, 12);
    expect(s.yearly[0]!.benchmark).toBeCloseTo(0.331, 12);
    expect(() => tearSheet(t, v, { benchmark: bench.subarray(1) })).toThrow(
      /benchmark has 3 values for 4 bars/,
    );
  });
});
