import type { BacktestResult, BarsPayload } from '../../shared/contract.ts';
import { formatPercent, formatPrice } from '../format.ts';

/** Index of the last bar starting at or before `time`, or -1 when `time` precedes every bar. */
export function barIndexAt(t: readonly number[], time: number): number {
  let lo = 0;
  let hi = t.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((t[mid] ?? Infinity) <= time) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

type Indicators = BacktestResult['indicators'];
type Trade = BacktestResult['trades'][number];

/** One of the strategy's plots over the chart's bars (null where the run has no value at that bar). */
export interface AlignedPlot {
  readonly label: string;
  readonly pane: string;
  readonly style: 'line' | 'histogram';
  readonly values: (number | null)[];
  readonly levels: readonly number[];
}

/**
 * The strategy's plots placed on the bars the chart shows, by time: the run may cover other bars than the
 * chart's window, and a long run's series come every k-th bar (the chart joins those points).
 */
export function alignIndicators(bars: BarsPayload, indicators: Indicators): AlignedPlot[] {
  const at = bars.t.map((time) => {
    const k = barIndexAt(indicators.t, time);
    return k >= 0 && indicators.t[k] === time ? k : -1;
  });
  return indicators.plots.map((plot) => ({
    label: plot.label,
    pane: plot.pane,
    style: plot.style,
    values: at.map((k) => (k < 0 ? null : (plot.values[k] ?? null))),
    levels: plot.levels,
  }));
}

/** The panes under the price, in the order the strategy declared them. */
export function indicatorPanes(plots: readonly AlignedPlot[]): string[] {
  const panes: string[] = [];
  for (const plot of plots) if (plot.pane !== 'price' && !panes.includes(plot.pane)) panes.push(plot.pane);
  return panes;
}

/** Why a trade entered, as one line: the confirming signals and the confidence score. */
export function entryReason(trade: Trade): string {
  const signals = trade.signals.length > 0 ? trade.signals.join(', ') : '—';
  return trade.confidence === null ? signals : `${signals} · ${formatPercent(trade.confidence)}`;
}

/** The exits a trade was opened with, as one line ('—' for none). */
export function entryExits(trade: Trade): { stop: string; target: string } {
  return {
    stop: trade.stopLoss === null ? '—' : formatPrice(trade.stopLoss),
    target: trade.takeProfit === null ? '—' : formatPrice(trade.takeProfit),
  };
}
