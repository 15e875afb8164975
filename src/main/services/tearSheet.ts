import type { Bars } from '../../core/data/bars.ts';
import { ROLLING_WINDOW, tearSheet, type TearSheet } from '../../core/metrics/tearSheet.ts';
import type { TearSheetPayload } from '../../shared/contract.ts';
import { finiteOrNull } from './payloads.ts';

const list = (values: Float64Array): (number | null)[] => Array.from(values, finiteOrNull);

/** A tear sheet as the contract carries it (undefined numbers as null). */
export function tearSheetPayload(sheet: TearSheet, benchmark: string | null): TearSheetPayload {
  return {
    benchmark: sheet.benchmarkCumulative === null ? null : benchmark,
    time: Array.from(sheet.time),
    returns: list(sheet.returns),
    cumulative: list(sheet.cumulative),
    benchmarkCumulative: sheet.benchmarkCumulative === null ? null : list(sheet.benchmarkCumulative),
    drawdown: list(sheet.drawdown),
    monthly: sheet.monthly.map((m) => ({
      ...m,
      value: finiteOrNull(m.value),
      benchmark: finiteOrNull(m.benchmark),
    })),
    yearly: sheet.yearly.map((y) => ({
      ...y,
      value: finiteOrNull(y.value),
      benchmark: finiteOrNull(y.benchmark),
    })),
    rollingWindow: ROLLING_WINDOW,
    rollingSharpe: list(sheet.rollingSharpe),
    rollingVolatility: list(sheet.rollingVolatility),
    drawdowns: sheet.drawdowns.map((d) => ({ ...d })),
    distribution: {
      edges: list(sheet.distribution.edges),
      counts: Array.from(sheet.distribution.counts),
      mean: finiteOrNull(sheet.distribution.mean),
      std: finiteOrNull(sheet.distribution.std),
      skew: finiteOrNull(sheet.distribution.skew),
      kurtosis: finiteOrNull(sheet.distribution.kurtosis),
    },
  };
}

/**
 * Another symbol's closes at `t`: at each time, its last close at or before it (its first close before
 * its first bar), so a benchmark with other trading hours or holidays is held, not interpolated.
 */
export function closesAt(t: Float64Array, other: Bars): Float64Array {
  if (other.t.length === 0) throw new RangeError('the benchmark has no bars in this range');
  const out = new Float64Array(t.length);
  let j = 0;
  for (let i = 0; i < t.length; i++) {
    while (j + 1 < other.t.length && other.t[j + 1]! <= t[i]!) j++;
    out[i] = other.c[j]!;
  }
  return out;
}

/**
 * The tear sheet of a backtest's per-bar equity, against holding `benchmark` (its value at every bar:
 * the symbol's own closes for buy-and-hold, or another symbol's from closesAt).
 */
export function backtestTearSheet(
  t: Float64Array,
  equity: Float64Array,
  cash: number,
  benchmark: { label: string; values: Float64Array } | null,
  riskFreeRate = 0,
): TearSheetPayload {
  const sheet = tearSheet(t, equity, {
    startingWealth: cash,
    riskFreeRate,
    ...(benchmark === null ? {} : { benchmark: benchmark.values }),
  });
  return tearSheetPayload(sheet, benchmark?.label ?? null);
}
