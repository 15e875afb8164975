import type { StrategyPlots } from '../../../core/engine/index.ts';
import { MAX_INDICATOR_POINTS, type BacktestResult } from '../../../shared/backtestContract.ts';

/**
 * A strategy's plots as the backtest result carries them: every bar up to `maxPoints`, every k-th bar of a
 * longer run (the values at those bars are exact, the chart joins them), so a two-year 1-minute run sends
 * a few thousand points per series rather than hundreds of thousands.
 */
export function indicatorPayload(
  t: Float64Array,
  { plots }: StrategyPlots,
  maxPoints = MAX_INDICATOR_POINTS,
): BacktestResult['indicators'] {
  const n = t.length;
  const stride = Math.max(1, Math.ceil(n / maxPoints));
  const picks: number[] = [];
  // The last bar is always kept, so the series reaches the chart's right edge.
  for (let i = (n - 1) % stride; i < n; i += stride) picks.push(i);
  return {
    t: picks.map((i) => t[i]!),
    plots: plots.map((plot) => ({
      label: plot.label,
      pane: plot.pane,
      style: plot.style,
      values: picks.map((i) => {
        const value = plot.values[i]!;
        return Number.isFinite(value) ? value : null;
      }),
      levels: [...(plot.levels ?? [])],
    })),
  };
}

/**
 * The run's span and the first bar its strategy could trade (null for a run without bars), with how many
 * of its first bars warmed the strategy up when that is after the first bar (the bars before the run
 * could not): each surface says so with shared/warmupText.ts, the time in its reader's zone.
 */
export function backtestRange(t: Float64Array, { startIndex }: StrategyPlots): BacktestResult['range'] {
  const n = t.length;
  if (n === 0) return null;
  const tradingFrom = t[Math.min(startIndex, n - 1)]!;
  const range = { first: t[0]!, tradingFrom, last: t[n - 1]! };
  if (startIndex === 0) return range;
  return { ...range, warmup: { bars: Math.min(startIndex, n), traded: startIndex < n } };
}
