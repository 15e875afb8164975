/**
 * From a detector's labels to what is drawn: each chart bar's label (matched by time, since the chart
 * may hold another span or session than the stored labels), the runs of one label as bands, and one
 * colour per label of an axis.
 */
import type { RegimeAxis } from '../../../core/regime/labels.ts';
import type { RegimesResult } from '../../../shared/contract.ts';

/** One colour per label, in the axis's code order (trend: bull, bear, sideways; levels: low, normal, high). */
export const REGIME_COLOURS: Readonly<Record<RegimeAxis, readonly string[]>> = {
  trend: ['#26a69a', '#ef5350', '#8a96a3'],
  volatility: ['#4ea1ff', '#8a96a3', '#f0b90b'],
  volume: ['#7e57c2', '#8a96a3', '#ff8a65'],
};

/** A run of bars [from, to] (chart indices, inclusive) under one label. */
export interface RegimeSpan {
  from: number;
  to: number;
  code: number;
}

/** The label code of each chart bar (null: warm-up, or a bar the labels do not cover). */
export function labelsAtBars(
  chartT: readonly number[],
  regimes: RegimesResult,
  axis: RegimeAxis,
): (number | null)[] {
  const labels = regimes.axes[axis].labels;
  const t = regimes.t;
  const out: (number | null)[] = new Array<number | null>(chartT.length).fill(null);
  // Both are sorted by time: walk them together.
  let j = 0;
  for (let i = 0; i < chartT.length; i++) {
    const time = chartT[i]!;
    while (j < t.length && t[j]! < time) j++;
    if (j < t.length && t[j] === time) out[i] = labels[j] ?? null;
  }
  return out;
}

/** Consecutive bars with the same label, as spans; unlabelled bars break a span and belong to none. */
export function labelSpans(codes: readonly (number | null)[]): RegimeSpan[] {
  const spans: RegimeSpan[] = [];
  let current: RegimeSpan | null = null;
  codes.forEach((code, i) => {
    if (current !== null && code === current.code) {
      current.to = i;
      return;
    }
    current = code === null ? null : { from: i, to: i, code };
    if (current) spans.push(current);
  });
  return spans;
}

/** A colour with an alpha, for bands drawn behind candles. */
export function translucent(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
